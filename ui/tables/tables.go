// Package tables is screen 8: the lakehouse tables with their row counts, and for one table its
// schema and a paged, filterable preview; the nine analytics outputs open the same way. All of it
// comes from the tables, schema, preview and analytics commands. While visible it polls tables
// every second, so the stream tables' row counts grow as the stream job appends, each showing
// the rows it gained, and a table that gets a new version, as after a batch run, is fetched again.
package tables

import (
	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/filter"
	"github.com/pintui/pintui/ui/component/prompt"
	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/screen"
)

// PageSize is how many rows one preview page asks for.
const PageSize = 20

// Model is the Tables screen: a list, and the detail of the table opened from it.
type Model struct {
	screen.Named
	ctx  *screen.Context
	poll *screen.Poll

	list       *table.Model
	filter     *filter.Model
	listTicket int
	versions   map[string]int64 // each listed table's version, from the last answer of tables
	rows       map[string]int64 // each listed table's rows, from the last answer of tables
	listErr    error
	loaded     bool
	loading    bool

	// prompt reads the preview's COLUMN=VALUE filter while typing is true.
	prompt *prompt.Model
	typing bool

	open *detail // nil while the list shows
}

// New returns the Tables screen.
func New(ctx *screen.Context) *Model {
	m := &Model{
		Named:  screen.NewNamed(screen.Tables, "tables", "Tables"),
		ctx:    ctx,
		poll:   screen.NewPoll(screen.Tables),
		list:   table.New(ctx.Styles),
		prompt: prompt.New(ctx.Styles, "/", ""),
	}
	m.filter = filter.New(ctx.Styles, m.list, "text in a table's name, kind or counts")
	return m
}

// Capturing reports that a filter is being typed.
func (m *Model) Capturing() bool { return m.typing || m.filter.Capturing() }

// Enter refreshes the list, and the open table, on every visit and starts polling the list.
func (m *Model) Enter() tea.Cmd {
	m.poll.Start()
	if m.open != nil {
		return tea.Batch(m.fetchList(), m.open.reload(m.ctx))
	}
	return m.fetchList()
}

func (m *Model) fetchList() tea.Cmd {
	cmd, t := m.ctx.Run(screen.Tables, "tables")
	m.listTicket, m.loading = t, true
	return cmd
}

// Leave stops polling.
func (m *Model) Leave() { m.poll.Stop() }

// Back closes, in order: the filter being typed, the row view, the preview filter, the open
// table, the list filter.
func (m *Model) Back() (screen.Screen, tea.Cmd) {
	switch {
	case m.typing:
		m.typing = false
	case m.open != nil && m.open.row != nil:
		m.open.row = nil
	case m.open != nil && m.open.where != "":
		m.open.where, m.open.offset = "", 0
		return m, m.open.fetchPreview(m.ctx)
	case m.open != nil:
		m.open = nil
	default:
		m.filter.Clear()
	}
	return m, nil
}

// Update routes replies and keys to the list or the open table.
func (m *Model) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case screen.PollMsg:
		if m.poll.Due(msg) {
			return m, m.fetchList()
		}
	case screen.ResultMsg:
		if msg.Ticket == m.listTicket {
			m.loading, m.listErr = false, msg.Err
			var reload tea.Cmd
			if msg.Err == nil {
				infos, _ := msg.Result.Data.([]command.TableInfo)
				reload = m.setList(infos)
			}
			return m, tea.Batch(reload, m.poll.Next(m.ctx))
		}
		if m.open != nil {
			m.open.reply(msg)
		}
	case tea.KeyPressMsg:
		if m.typing {
			return m, m.typed(msg)
		}
		if m.filter.Capturing() {
			m.filter.Key(msg)
			return m, nil
		}
		if m.open != nil {
			return m, m.open.key(m, msg)
		}
		return m, m.listKey(msg)
	}
	return m, nil
}

// setList shows the tables, each that grew since the last answer with the rows it gained (a
// stream table grows at every poll), and, when the open table has a version newer than the one
// shown, fetches its schema and page again.
func (m *Model) setList(infos []command.TableInfo) tea.Cmd {
	m.loaded = true
	rows := make([][]string, len(infos))
	before := m.rows
	m.versions, m.rows = map[string]int64{}, map[string]int64{}
	var reload tea.Cmd
	for i, t := range infos {
		m.versions[t.Table], m.rows[t.Table] = t.Version, t.Rows
		count := units.Count(t.Rows)
		if last, ok := before[t.Table]; ok && t.Rows > last {
			count += " +" + units.Count(t.Rows-last)
		}
		rows[i] = []string{t.Table, t.Kind, count, units.Count(t.Version), units.Count(int64(t.Files))}
		if m.open != nil && m.open.name == t.Table {
			reload = m.open.versionIs(m.ctx, t.Version)
		}
	}
	m.list.SetRows([]string{"table", "kind", "rows", "version", "files"}, rows)
	return reload
}

// version is the listed version of a table, -1 when the list has none.
func (m *Model) version(table string) int64 {
	if v, ok := m.versions[table]; ok {
		return v
	}
	return -1
}

// typed feeds a key to the preview's filter prompt, which the preview applies on enter.
func (m *Model) typed(msg tea.KeyPressMsg) tea.Cmd {
	switch m.prompt.Update(msg) {
	case prompt.Cancelled:
		m.typing = false
	case prompt.Submitted:
		m.typing = false
		m.open.where, m.open.offset = m.prompt.Value(), 0
		return m.open.fetchPreview(m.ctx)
	}
	return nil
}

// View draws the list or the open table in width×height cells.
func (m *Model) View(width, height int) string {
	if m.open != nil {
		return m.open.view(m, width, height)
	}
	return m.listView(width, height)
}
