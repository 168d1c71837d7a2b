package tables

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/component/pager"
	"github.com/pintui/pintui/ui/screen"
)

// rowView is one preview row opened with enter: every column as `column: value`, values whole
// and wrapped to the width, scrolled like any pager.
type rowView struct {
	title   string
	columns []string
	cells   []string
	pager   *pager.Model
	width   int // the width the pager's lines were wrapped to
}

func newRowView(ctx *screen.Context, title string, columns, cells []string) *rowView {
	return &rowView{title: title, columns: columns, cells: cells, pager: pager.New(ctx.Styles)}
}

// view draws the row in width×height cells, wrapping it again only when the width changed so
// the scroll position survives redraws.
func (r *rowView) view(width, height int) string {
	if width != r.width {
		r.width = width
		r.pager.SetContent(r.title, r.text(width))
	}
	return r.pager.View(width, height)
}

// text is the row's lines: a value too long for one line goes on under its name, indented.
func (r *rowView) text(width int) string {
	var b strings.Builder
	for i, c := range r.columns {
		v := ""
		if i < len(r.cells) {
			v = r.cells[i]
		}
		line := c + ": " + v
		if ansi.StringWidth(line) <= width {
			b.WriteString(line + "\n")
			continue
		}
		b.WriteString(c + ":\n")
		for _, l := range strings.Split(ansi.Wrap(v, max(1, width-2), " ,;/-"), "\n") {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}
