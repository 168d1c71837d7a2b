// Package overview is screen 1: every component of the pipeline that exists and its state, from
// the status command, drawn as the pipeline strip and a table with each component's detail.
package overview

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/screen"
)

// Model is the Overview screen.
type Model struct {
	ctx     *screen.Context
	table   *table.Model
	ticket  int
	loading bool
	err     error
	loaded  bool
	updated time.Time
	rows    [][]string
}

// New returns the Overview screen.
func New(ctx *screen.Context) *Model {
	m := &Model{ctx: ctx, table: table.New(ctx.Styles)}
	m.table.Style = func(col int, cell string) string {
		if col != 1 {
			return ctx.Styles.TableCell.Render(cell)
		}
		word := strings.TrimSpace(cell)
		_, word, _ = strings.Cut(word, " ")
		st, _ := ctx.Styles.State(word)
		return st.Render(cell)
	}
	return m
}

// ID is screen.Overview.
func (m *Model) ID() screen.ID { return screen.Overview }

// Name is the palette name.
func (m *Model) Name() string { return "overview" }

// Title is the tab label.
func (m *Model) Title() string { return "Overview" }

// Capturing is always false: the overview reads no text.
func (m *Model) Capturing() bool { return false }

// Back has nothing to close.
func (m *Model) Back() (screen.Screen, tea.Cmd) { return m, nil }

// Enter refreshes the status on every visit.
func (m *Model) Enter() tea.Cmd { return m.fetch() }

func (m *Model) fetch() tea.Cmd {
	cmd, t := m.ctx.Run(screen.Overview, "status")
	m.ticket, m.loading = t, true
	return cmd
}

// Update handles the status reply and the screen's keys.
func (m *Model) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	k := m.ctx.Keys
	switch msg := msg.(type) {
	case screen.ResultMsg:
		if msg.Ticket != m.ticket {
			return m, nil
		}
		m.loading, m.err = false, msg.Err
		if msg.Err == nil {
			m.loaded, m.updated = true, m.ctx.Now()
			m.rows = msg.Result.Rows
			m.table.SetRows(msg.Result.Columns, m.marked(msg.Result.Rows))
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Refresh):
			return m, m.fetch()
		case key.Matches(msg, k.Up):
			m.table.Move(-1)
		case key.Matches(msg, k.Down):
			m.table.Move(1)
		case key.Matches(msg, k.Top):
			m.table.Top()
		case key.Matches(msg, k.Bottom):
			m.table.Bottom()
		}
	}
	return m, nil
}

// View draws the strip, the table and the refresh time in width×height cells.
func (m *Model) View(width, height int) string {
	s := m.ctx.Styles
	title := s.Title.Render("Pipeline")
	switch {
	case m.loading && !m.loaded:
		title += s.Muted.Render("  asking status…")
	case m.loaded:
		title += s.Muted.Render("  updated " + m.updated.Format("15:04:05") + " · r refreshes")
	}
	lines := []string{title, ""}
	if m.err != nil {
		lines = append(lines, s.Error.Render("status failed: "+m.err.Error()), "")
	}
	if m.loaded {
		lines = append(lines, m.strip(width)...)
		lines = append(lines, "")
	}
	head := strings.Join(lines, "\n")
	used := len(lines)
	body := ""
	if m.loaded && height-used > 1 {
		body = "\n" + m.table.View(width, height-used)
	}
	return screen.Fill(head+body, width, height)
}

// marked puts each state's symbol before its word, so the state column reads without colour.
func (m *Model) marked(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = append([]string(nil), r...)
		if len(r) > 1 {
			_, sym := m.ctx.Styles.State(r[1])
			out[i][1] = sym + " " + r[1]
		}
	}
	return out
}

// strip draws the components in pipeline order as state badges joined by arrows, wrapped to
// width with the arrow carried to the start of the next line.
func (m *Model) strip(width int) []string {
	s := m.ctx.Styles
	arrow := s.Muted.Render(" ─► ")
	var out []string
	line, lineWidth := "", 0
	for _, row := range m.rows {
		if len(row) < 2 {
			continue
		}
		st, sym := s.State(row[1])
		badge := st.Render(sym+" "+row[0]) + s.Muted.Render(" "+row[1])
		w := ansi.StringWidth(badge)
		switch {
		case lineWidth == 0:
		case lineWidth+4+w > width:
			out = append(out, line)
			line, lineWidth = s.Muted.Render("─► "), 3
		default:
			line, lineWidth = line+arrow, lineWidth+4
		}
		line += badge
		lineWidth += w
	}
	return append(out, line)
}
