// Package overview is screen 1: the pipeline as a graph of boxes, one per component the status
// command reports, each with its state, its rate of records through that hop and a sparkline of
// the last rates, then the streaming half (the Kinesis streams and the stream job, from the
// streams and stream status commands), above a table with every component's detail. It polls
// the three commands every second while it is visible.
package overview

import (
	"slices"
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
	"lakehouse": screen.Tables, "kinesis": screen.Streams, "stream job": screen.Tables, "airflow": screen.DAGs, "databricks": screen.Jobs,
}

// component is one box: a row of status with the rates measured from its count, or a box of the
// streaming half.
type component struct {
	name, state, detail string
	counted             bool
	rates               *sparkline.Series
	// note is drawn beside the state instead of a measured rate, and summary below it instead of
	// the detail; rows is the count of the component's table row.
	note, summary string
	rows          *int64
}

// Model is the Overview screen.
type Model struct {
	screen.Named
	ctx     *screen.Context
	poll    *screen.Poll
	table   *table.Model
	filter  *filter.Model
	ticket  int
	pending int // answers still to come of the latest poll's three commands
	loading bool
	err     error
	loaded  bool
	stale   bool // shown data is from before the screen was last entered
	updated time.Time
	comps   []component
	status  []command.Component // the latest status answer, the table's first rows
	stream  streaming
	orch    orchestration
	series  map[string]*sparkline.Series // by component, kept across polls
}

// New returns the Overview screen.
func New(ctx *screen.Context) *Model {
	m := &Model{Named: screen.NewNamed(screen.Overview, "overview", "Overview"), ctx: ctx, poll: screen.NewPoll(screen.Overview), table: table.New(ctx.Styles), series: map[string]*sparkline.Series{},
		stream: newStreaming(ctx.Runner), orch: newOrchestration(ctx.Runner)}
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

// fetch asks status and the streaming commands at once; the next poll is scheduled once all of
// them answered.
func (m *Model) fetch() tea.Cmd {
	var cmds []tea.Cmd
	ask := func(line string) int {
		cmd, t := m.ctx.Run(screen.Overview, line)
		cmds = append(cmds, cmd)
		return t
	}
	m.ticket = ask("status")
	if m.stream.streams.offered {
		m.stream.streams.ticket = ask(m.stream.streams.line)
	}
	if m.stream.job.offered {
		m.stream.job.ticket = ask(m.stream.job.line)
	}
	for _, p := range []*streamPoll{&m.orch.dags, &m.orch.runs} {
		if p.offered {
			p.ticket = ask(p.line)
		}
	}
	m.loading, m.pending = true, len(cmds)
	return tea.Batch(cmds...)
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
		switch msg.Ticket {
		case m.ticket:
			m.loading, m.err = false, msg.Err
			if msg.Err == nil {
				m.loaded, m.stale, m.updated = true, false, m.ctx.Now()
				m.status, _ = msg.Result.Data.([]command.Component)
				m.observe(m.status)
			}
		case m.stream.streams.ticket:
			m.stream.streams.box = kinesisBox(msg)
		case m.stream.job.ticket:
			m.stream.job.box = jobBox(msg, m.ctx.Now().Location())
		case m.orch.dags.ticket:
			m.orch.dags.box = airflowBox(msg, m.ctx.Now())
		case m.orch.runs.ticket:
			m.orch.runs.box = databricksBox(msg, m.ctx.Now())
		default:
			return m, nil
		}
		m.table.SetRows([]string{"component", "state", "detail", "count"}, m.marked())
		if m.pending--; m.pending > 0 {
			return m, nil
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

func isHop(name string) bool { return slices.Contains(Hops, name) }

// linked reports that records flow from one component straight to the other, both hops of the
// batch half or both of the streaming half, so an arrow joins their boxes.
func linked(from, to string) bool {
	return isHop(from) && isHop(to) || slices.Contains(Streaming, from) && slices.Contains(Streaming, to) ||
		slices.Contains(Orchestration, from) && slices.Contains(Orchestration, to)
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
		if len(lines)+len(graph)+1+len(m.status)+len(m.stream.comps())+len(m.orch.comps())+2 > height {
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

// marked lays the components of status, then the streaming half, out as table rows: each
// state's symbol before its word, so the state column reads without colour, and counts with
// separators.
func (m *Model) marked() [][]string {
	var out [][]string
	row := func(name, state, detail string, n *int64) {
		_, sym := m.ctx.Styles.State(state)
		count := ""
		if n != nil {
			count = units.Count(*n)
		}
		out = append(out, []string{name, sym + " " + state, detail, count})
	}
	for _, c := range m.status {
		row(c.Component, c.State, c.Detail, c.Count)
	}
	for _, c := range append(m.stream.comps(), m.orch.comps()...) {
		row(c.name, c.state, c.detail, c.rows)
	}
	return out
}
