// Package overview is screen 1: the pipeline as a graph of boxes, one per component the status
// command reports, each with its state, its rate of records through that hop and a sparkline of
// the last rates, above a table with every component's detail. It polls status every second
// while it is visible.
package overview

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/filter"
	"github.com/pintui/pintui/ui/component/sparkline"
	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

// Hops is the order of the batch half of the pipeline, the order the boxes are drawn in; a
// component the status command reports beyond these is drawn after them, unconnected.
var Hops = []string{"source", "emulator", "gateway", "kafka", "sink", "s3", "lakehouse"}

// Opens is the screen enter opens from each component's row.
var Opens = map[string]screen.ID{
	"emulator": screen.Emulators, "kafka": screen.Topics, "sink": screen.S3, "s3": screen.S3,
	"lakehouse": screen.Tables, "kinesis": screen.Streams, "airflow": screen.DAGs,
}

// component is one row of status with the rates measured from its count.
type component struct {
	name, state, detail string
	counted             bool
	rates               *sparkline.Series
}

// Model is the Overview screen.
type Model struct {
	ctx     *screen.Context
	poll    *screen.Poll
	table   *table.Model
	filter  *filter.Model
	ticket  int
	loading bool
	err     error
	loaded  bool
	stale   bool // shown data is from before the screen was last entered
	updated time.Time
	comps   []component
	series  map[string]*sparkline.Series // by component, kept across polls
}

// New returns the Overview screen.
func New(ctx *screen.Context) *Model {
	m := &Model{ctx: ctx, poll: screen.NewPoll(screen.Overview), table: table.New(ctx.Styles), series: map[string]*sparkline.Series{}}
	m.filter = filter.New(ctx.Styles, m.table, "text in any column")
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

// Capturing reports that the filter is being typed.
func (m *Model) Capturing() bool { return m.filter.Capturing() }

// Back clears the filter.
func (m *Model) Back() (screen.Screen, tea.Cmd) {
	m.filter.Clear()
	return m, nil
}

// Enter refreshes the status and starts polling it; what shows until the answer is marked with
// its age.
func (m *Model) Enter() tea.Cmd {
	m.poll.Start()
	m.stale = m.loaded
	return m.fetch()
}

// Leave stops polling.
func (m *Model) Leave() { m.poll.Stop() }

func (m *Model) fetch() tea.Cmd {
	cmd, t := m.ctx.Run(screen.Overview, "status")
	m.ticket, m.loading = t, true
	return cmd
}

// Update handles the status reply, the poll tick and the screen's keys.
func (m *Model) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	k := m.ctx.Keys
	switch msg := msg.(type) {
	case screen.PollMsg:
		if m.poll.Due(msg) {
			return m, m.fetch()
		}
	case screen.ResultMsg:
		if msg.Ticket != m.ticket {
			return m, nil
		}
		m.loading, m.err = false, msg.Err
		if msg.Err == nil {
			m.loaded, m.stale, m.updated = true, false, m.ctx.Now()
			comps, _ := msg.Result.Data.([]command.Component)
			m.observe(comps)
			m.table.SetRows([]string{"component", "state", "detail", "count"}, m.marked(comps))
		}
		return m, m.poll.Next(m.ctx)
	case tea.KeyPressMsg:
		switch {
		case m.filter.Capturing():
			m.filter.Key(msg)
		case key.Matches(msg, k.Filter):
			m.filter.Open()
		case key.Matches(msg, k.Refresh):
			return m, m.fetch()
		case key.Matches(msg, k.Enter):
			return m, m.open()
		default:
			k.Move(msg, m.table)
		}
	}
	return m, nil
}

// open asks the root model for the screen of the selected component.
func (m *Model) open() tea.Cmd {
	row := m.table.Selected()
	if len(row) == 0 {
		return nil
	}
	id, ok := Opens[row[0]]
	if !ok {
		return nil
	}
	return func() tea.Msg { return screen.SwitchMsg{To: id} }
}

// observe puts the components in graph order and feeds each count to its series.
func (m *Model) observe(comps []command.Component) {
	now := float64(m.ctx.Now().UnixNano()) / 1e9
	byName := map[string]component{}
	var extra []string
	for _, sc := range comps {
		c := component{name: sc.Component, state: sc.State, detail: sc.Detail}
		if sc.Count != nil {
			s := m.series[c.name]
			if s == nil {
				s = &sparkline.Series{}
				m.series[c.name] = s
			}
			s.Observe(*sc.Count, now, screen.PollInterval.Seconds())
			c.counted, c.rates = true, s
		}
		if _, seen := byName[c.name]; !seen && !isHop(c.name) {
			extra = append(extra, c.name)
		}
		byName[c.name] = c
	}
	m.comps = m.comps[:0]
	for _, name := range append(append([]string(nil), Hops...), extra...) {
		if c, ok := byName[name]; ok {
			m.comps = append(m.comps, c)
		}
	}
}

func isHop(name string) bool {
	for _, h := range Hops {
		if h == name {
			return true
		}
	}
	return false
}

// View draws the graph, the table and the refresh time in width×height cells. When the boxes
// would leave the table too little room for every component's row, the graph shrinks to a strip.
func (m *Model) View(width, height int) string {
	s := m.ctx.Styles
	title := s.Title.Render("Pipeline")
	switch {
	case m.loading && !m.loaded:
		title += s.Muted.Render("  asking status…")
	case m.stale:
		title += s.Muted.Render("  updated " + units.Ago(m.ctx.Now().Sub(m.updated)) + " · asking status…")
	case m.loaded:
		k := m.ctx.Keys
		title += s.Muted.Render("  updated " + m.updated.Format("15:04:05") + " · every 1s · " +
			keys.Hints(keys.As(k.Enter, "opens"), keys.As(k.Filter, "filters"), keys.As(k.Refresh, "refreshes")))
	}
	lines := []string{title, m.filter.View(width)}
	if m.err != nil {
		lines = append(lines, s.Error.Render("status failed: "+m.err.Error()), "")
	}
	if m.loaded {
		graph := m.graph(width)
		if len(lines)+len(graph)+1+len(m.comps)+2 > height {
			graph = m.strip(width)
		}
		lines = append(lines, graph...)
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

// marked lays the components out as table rows: each state's symbol before its word, so the
// state column reads without colour, and counts with separators.
func (m *Model) marked(comps []command.Component) [][]string {
	out := make([][]string, len(comps))
	for i, c := range comps {
		_, sym := m.ctx.Styles.State(c.State)
		count := ""
		if c.Count != nil {
			count = units.Count(*c.Count)
		}
		out[i] = []string{c.Component, sym + " " + c.State, c.Detail, count}
	}
	return out
}
