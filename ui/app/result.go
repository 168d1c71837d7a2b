package app

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/pager"
)

// minLastColumn is the narrowest the last column of a result may wrap into before the rows are
// shown one at a time instead.
const minLastColumn = 24

// resultLayout lays a command's result out for the panel: a table whose rows fit the width as
// they are, a table whose last column wraps under itself, or, when even that leaves too little
// room, one row at a time with a line per column. The message follows. Nothing is cut.
func resultLayout(res *command.Result) pager.Layout {
	return func(width int) []string {
		var out []string
		if t, ok := res.Table(); ok && len(t.Columns) > 0 {
			out = tableLines(t.Columns, t.Rows, width)
		}
		if res.Message != "" {
			out = append(out, strings.Split(strings.TrimRight(res.Message, "\n"), "\n")...)
		}
		return out
	}
}

func tableLines(cols []string, rows [][]string, width int) []string {
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = ansi.StringWidth(c)
		for _, r := range rows {
			if i < len(r) {
				widths[i] = max(widths[i], ansi.StringWidth(r[i]))
			}
		}
	}
	lead := 0 // the cells before the last column, with their gaps
	for _, w := range widths[:len(widths)-1] {
		lead += w + 2
	}
	if len(cols) > 1 && width-lead < minLastColumn && lead+widths[len(widths)-1] > width {
		return stacked(cols, rows)
	}
	all := append([][]string{cols}, rows...)
	var out []string
	for _, r := range all {
		var b strings.Builder
		for i := range cols[:len(cols)-1] {
			b.WriteString(padTo(cell(r, i), widths[i]+2))
		}
		last := strings.Split(ansi.Wrap(cell(r, len(cols)-1), max(width-lead, minLastColumn), ""), "\n")
		out = append(out, strings.TrimRight(b.String()+last[0], " "))
		for _, l := range last[1:] {
			out = append(out, strings.Repeat(" ", lead)+strings.TrimRight(l, " "))
		}
	}
	return out
}

// stacked shows each row as its first cell, then the other columns indented beneath it, for a
// result too wide for the panel in any column layout.
func stacked(cols []string, rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, cell(r, 0))
		for i, c := range cols[1:] {
			if v := cell(r, i+1); v != "" {
				out = append(out, "    "+c+": "+v)
			}
		}
	}
	return out
}

func cell(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

func padTo(s string, w int) string {
	if d := w - ansi.StringWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}
