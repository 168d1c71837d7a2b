package tables

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/prompt"
	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

// detail is one opened table: its schema and one page of its rows. Batch tables page through the
// preview command; analytics outputs are small, so the analytics command returns them whole and
// they page locally.
type detail struct {
	name, kind string
	schema     *table.Model
	preview    *table.Model
	focusRows  bool // the preview pane has the keys, not the schema

	schemaTicket, previewTicket int
	offset, total               int // the page's first row and the row count, -1 if unknown
	where                       string
	message                     string
	err                         error
	all                         [][]string // an analytics output's rows, paged locally
	row                         *rowView   // the preview row opened with enter, nil when none
	// version is the table's version as tables last listed it, -1 before it has; newer says it
	// changed while the table was open, so the schema and page were fetched again.
	version int64
	newer   bool
}

func newDetail(ctx *screen.Context, name, kind string, version int64) *detail {
	return &detail{
		name: name, kind: kind, total: -1, focusRows: true, version: version,
		schema: table.New(ctx.Styles), preview: table.New(ctx.Styles),
	}
}

func (d *detail) analytics() bool { return d.kind == "analytics" }

// reload asks for the schema and the current page.
func (d *detail) reload(ctx *screen.Context) tea.Cmd {
	if d.analytics() {
		cmd, t := ctx.Run(screen.Tables, "analytics "+screen.Quote(d.name))
		d.previewTicket = t
		return cmd
	}
	cmd, t := ctx.Run(screen.Tables, "schema "+screen.Quote(d.name))
	d.schemaTicket = t
	return tea.Batch(cmd, d.fetchPreview(ctx))
}

// versionIs takes the version tables listed and, when it is newer than the one shown, fetches
// the schema and the current page again.
func (d *detail) versionIs(ctx *screen.Context, v int64) tea.Cmd {
	known := d.version
	d.version = v
	if known < 0 || v == known {
		return nil
	}
	d.newer = true
	return d.reload(ctx)
}

func (d *detail) fetchPreview(ctx *screen.Context) tea.Cmd {
	if d.analytics() {
		d.showLocalPage()
		return nil
	}
	line := fmt.Sprintf("preview %s --limit %d --offset %d", screen.Quote(d.name), PageSize, d.offset)
	if d.where != "" {
		line += " --where " + screen.Quote(d.where)
	}
	cmd, t := ctx.Run(screen.Tables, line)
	d.previewTicket = t
	return cmd
}

func (d *detail) reply(msg screen.ResultMsg) {
	switch msg.Ticket {
	case d.schemaTicket:
		if msg.Err != nil {
			d.err = msg.Err
			return
		}
		if sc, ok := msg.Result.Data.(command.TableSchema); ok {
			t := sc.TextTable()
			d.schema.SetRows(t.Columns, t.Rows)
		}
	case d.previewTicket:
		d.err = msg.Err
		if msg.Err != nil {
			return
		}
		if d.analytics() {
			if outs, ok := msg.Result.Data.(command.AnalyticsOutputs); ok && len(outs) == 1 {
				d.setAnalytics(outs[0])
			}
			return
		}
		page, ok := msg.Result.Data.(command.TablePage)
		if !ok {
			return
		}
		d.message = pageText(page)
		d.total = int(page.TotalRows)
		if page.Where != "" {
			d.total = -1
		}
		t := page.TextTable()
		d.preview.SetRows(t.Columns, t.Rows)
		d.preview.Top()
	}
}

// pageText says which rows a preview page holds, as `preview` counts them.
func pageText(p command.TablePage) string {
	first, last := units.Count(p.Offset+1), units.Count(p.Offset+int64(len(p.Rows)))
	switch {
	case len(p.Rows) == 0:
		return "no rows (table has " + units.Count(p.TotalRows) + ")"
	case p.Where != "":
		return "rows " + first + "–" + last + " matching " + p.Where
	}
	return "rows " + first + "–" + last + " of " + units.Count(p.TotalRows)
}

// setAnalytics keeps a whole analytics output; its columns stand in for a schema.
func (d *detail) setAnalytics(o command.AnalyticsOutput) {
	t := command.AnalyticsOutputs{o}.TextTable()
	rows := make([][]string, len(o.Columns))
	for i, c := range o.Columns {
		rows[i] = []string{c.Column, c.Type}
	}
	d.schema.SetRows([]string{"column", "type"}, rows)
	d.all, d.total = t.Rows, len(t.Rows)
	d.preview.SetRows(t.Columns, nil)
	d.showLocalPage()
}

// showLocalPage shows the analytics rows that match the filter, one page from offset.
func (d *detail) showLocalPage() {
	var match [][]string
	col, val, _ := strings.Cut(d.where, "=")
	idx := -1
	for i, c := range d.preview.Columns() {
		if c == col {
			idx = i
		}
	}
	for _, r := range d.all {
		if d.where == "" || (idx >= 0 && idx < len(r) && r[idx] == val) {
			match = append(match, r)
		}
	}
	d.total = len(match)
	end := min(len(match), d.offset+PageSize)
	page := match[min(d.offset, end):end]
	d.message = fmt.Sprintf("rows %s–%s of %s", units.Count(int64(min(d.offset+1, end))), units.Count(int64(end)), units.Count(int64(len(match))))
	d.preview.SetRows(d.preview.Columns(), page)
	d.preview.Top()
}

func (d *detail) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k, ctx := m.ctx.Keys, m.ctx
	if d.row != nil {
		k.Move(msg, d.row.pager)
		return nil
	}
	switch {
	case d.focusRows && key.Matches(msg, k.Enter):
		if row := d.preview.Selected(); row != nil {
			d.row = newRowView(ctx, d.name+" · row "+units.Count(int64(d.offset+d.preview.Cursor()+1))+" · "+keys.Hints(keys.As(ctx.Keys.Back, "back")), d.preview.Columns(), row)
		}
	case key.Matches(msg, k.Left):
		d.pane().ScrollColumns(-1)
	case key.Matches(msg, k.Right):
		d.pane().ScrollColumns(1)
	case key.Matches(msg, k.Focus):
		d.focusRows = !d.focusRows
	case key.Matches(msg, k.Refresh):
		return d.reload(ctx)
	case key.Matches(msg, k.Filter):
		m.typing = true
		m.prompt = m.newPrompt("column=value, e.g. " + d.example())
		m.prompt.SetValue(d.where)
	case d.focusRows && key.Matches(msg, k.PageDown):
		if d.total < 0 || d.offset+PageSize < d.total {
			d.offset += PageSize
			return d.fetchPreview(ctx)
		}
	case d.focusRows && key.Matches(msg, k.PageUp):
		if d.offset > 0 {
			d.offset = max(0, d.offset-PageSize)
			return d.fetchPreview(ctx)
		}
	case d.focusRows && key.Matches(msg, k.Top):
		if d.offset > 0 {
			d.offset = 0
			return d.fetchPreview(ctx)
		}
	case d.focusRows && key.Matches(msg, k.Bottom):
		if last := (max(d.total, 1) - 1) / PageSize * PageSize; d.total > 0 && d.offset != last {
			d.offset = last
			return d.fetchPreview(ctx)
		}
	case d.focusRows:
		k.Move(msg, d.preview)
	default:
		k.Move(msg, d.schema)
	}
	return nil
}

// pane is the table that has the keys.
func (d *detail) pane() *table.Model {
	if d.focusRows {
		return d.preview
	}
	return d.schema
}

// example is a filter the user could type, taken from the selected row.
func (d *detail) example() string {
	cols, row := d.preview.Columns(), d.preview.Selected()
	if len(cols) < 2 || len(row) < 2 {
		return "ind=7528"
	}
	return cols[1] + "=" + row[1]
}

func (d *detail) view(m *Model, width, height int) string {
	s := m.ctx.Styles
	k := m.ctx.Keys
	title := s.Title.Render("Tables › "+d.name) + s.Muted.Render("  "+d.kind+d.versionText()+" · "+
		keys.Hints(keys.As(k.Focus, "switches pane"), keys.As(k.Enter, "opens a row"), keys.Pair(k.Left, k.Right, "scroll"), keys.As(k.Back, "back")))
	lines := []string{title}
	switch {
	case m.typing:
		lines = append(lines, m.prompt.View(width))
	case d.err != nil:
		lines = append(lines, s.Error.Render(d.err.Error()))
	default:
		lines = append(lines, "")
	}
	body := height - len(lines)
	if body < 3 {
		return screen.Fill(strings.Join(lines, "\n"), width, height)
	}
	if d.row != nil {
		return screen.Fill(strings.Join(lines, "\n")+"\n"+d.row.view(width, body), width, height)
	}
	rowsTitle := "Rows"
	if d.message != "" {
		rowsTitle += " · " + d.message
	}
	if d.where != "" {
		rowsTitle += " · where " + d.where
	}
	var panes string
	if width >= 80 {
		sw := min(40, width/3)
		left := pane(m, "Schema", d.schema, !d.focusRows, sw, body)
		right := pane(m, rowsTitle, d.preview, d.focusRows, width-sw-1, body)
		panes = sideBySide(left, right, sw, s.PanelBorder.Render("│"))
	} else {
		sh := max(3, body/3)
		panes = pane(m, "Schema", d.schema, !d.focusRows, width, sh) + "\n" +
			pane(m, rowsTitle, d.preview, d.focusRows, width, body-sh)
	}
	return screen.Fill(strings.Join(lines, "\n")+"\n"+panes, width, height)
}

// versionText is " · version N", marked "(new)" once a newer version was fetched.
func (d *detail) versionText() string {
	switch {
	case d.version < 0:
		return ""
	case d.newer:
		return " · version " + units.Count(d.version) + " (new)"
	}
	return " · version " + units.Count(d.version)
}

// pane draws a titled table; the focused one is marked with ▌ as well as colour.
func pane(m *Model, title string, t *table.Model, focused bool, width, height int) string {
	s := m.ctx.Styles
	head := s.Muted.Render("  " + title)
	if focused {
		head = s.FocusedBorder.Render("▌ ") + s.PanelTitle.Render(title)
	}
	return screen.Fill(head+"\n"+t.View(width, height-1), width, height)
}

func sideBySide(left, right string, leftWidth int, sep string) string {
	l, r := strings.Split(left, "\n"), strings.Split(right, "\n")
	out := make([]string, max(len(l), len(r)))
	for i := range out {
		a, b := "", ""
		if i < len(l) {
			a = l[i]
		}
		if i < len(r) {
			b = r[i]
		}
		out[i] = a + strings.Repeat(" ", max(0, leftWidth-ansi.StringWidth(a))) + sep + b
	}
	return strings.Join(out, "\n")
}

func (m *Model) newPrompt(placeholder string) *prompt.Model {
	return prompt.New(m.ctx.Styles, "/", placeholder)
}
