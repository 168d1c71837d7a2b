// Package dags is screen 6: the Airflow DAGs (the local scheduler, MWAA or a self-hosted
// Airflow) from the dags command, a DAG's runs from dag runs drawn as Airflow's grid view of
// task states, one run's task instances, and one try of a task's log from dag logs. t triggers a
// run, p pauses or unpauses the DAG; the screen polls while a run is queued or running.
package dags

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/pager"
	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

// Model is the DAGs screen: the list, and the DAG, run and log opened from it.
type Model struct {
	screen.Named
	ctx  *screen.Context
	poll *screen.Poll

	list       *table.Model
	listTicket int
	listErr    error
	loaded     bool
	dags       []command.DAGSummary

	runs *runs // nil while the list shows
	// notice is what the last action answered, e.g. "triggered manual__… of 0a1b2c3d4e5f_dag".
	notice string
}

// runs is one DAG opened from the list: its runs, the run opened from them and its log.
type runs struct {
	dag    string
	table  *table.Model
	ticket int
	err    error
	loaded bool
	list   []command.DAGRun // newest first

	run *run // nil while the runs show
}

// run is one run opened from a DAG's runs: its task instances, and the log opened from them.
type run struct {
	id    string
	tasks *table.Model
	log   *taskLog // nil while the tasks show
}

// taskLog is one try of one task instance's log.
type taskLog struct {
	task       string
	try, tries int
	pager      *pager.Model
	ticket     int
	err        error
	loaded     bool
}

// New returns the DAGs screen.
func New(ctx *screen.Context) *Model {
	m := &Model{Named: screen.NewNamed(screen.DAGs, "dags", "DAGs"), ctx: ctx, poll: screen.NewPoll(screen.DAGs), list: table.New(ctx.Styles)}
	m.list.Style = m.stateColumn(5)
	return m
}

// stateColumn styles column col's cells, "✓ success", by their state and the rest as text.
func (m *Model) stateColumn(col int) func(int, string) string {
	s := m.ctx.Styles
	return func(c int, cell string) string {
		if c != col {
			return s.TableCell.Render(cell)
		}
		_, st := Glyph(s, stateOf(cell))
		return st.Render(cell)
	}
}

// Capturing is always false: the screen reads no text.
func (m *Model) Capturing() bool { return false }

// Enter refreshes what is open and polls while a run is active.
func (m *Model) Enter() tea.Cmd {
	m.poll.Start()
	return m.fetch()
}

// Leave stops polling.
func (m *Model) Leave() { m.poll.Stop() }

// Back closes, in order: the log, the run, the DAG.
func (m *Model) Back() (screen.Screen, tea.Cmd) {
	switch {
	case m.runs == nil:
		return m, nil
	case m.runs.run != nil && m.runs.run.log != nil:
		m.runs.run.log = nil
		return m, nil
	case m.runs.run != nil:
		m.runs.run = nil
		return m, nil
	}
	m.runs = nil
	return m, m.fetch()
}

// fetch asks for the DAGs, or for the open DAG's runs, which carry their task instances and so
// also refresh an open run.
func (m *Model) fetch() tea.Cmd {
	if m.runs == nil {
		cmd, t := m.ctx.Run(screen.DAGs, "dags")
		m.listTicket = t
		return cmd
	}
	cmd, t := m.ctx.Run(screen.DAGs, "dag runs "+screen.Quote(m.runs.dag))
	m.runs.ticket = t
	return cmd
}

// fetchLog asks for the open log's try.
func (m *Model) fetchLog() tea.Cmd {
	l := m.runs.run.log
	cmd, t := m.ctx.Run(screen.DAGs, fmt.Sprintf("dag logs %s %s --dag %s --try %d", screen.Quote(m.runs.run.id), screen.Quote(l.task), screen.Quote(m.runs.dag), l.try))
	l.ticket = t
	return cmd
}

// Update handles the poll tick, replies and keys.
func (m *Model) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case screen.PollMsg:
		if m.poll.Due(msg) {
			return m, m.fetch()
		}
	case screen.ResultMsg:
		return m, m.reply(msg)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// reply takes an answer: an action's (trigger, pause) at any time, then what is open again; a
// fetch's only while it is the one awaited.
func (m *Model) reply(msg screen.ResultMsg) tea.Cmd {
	if msg.Kind == screen.Action {
		m.notice = ""
		if msg.Err == nil {
			m.notice = acted(msg.Result)
		}
		return m.fetch()
	}
	switch {
	case m.runs == nil && msg.Ticket == m.listTicket:
		m.listErr = msg.Err
		if list, ok := resultData[[]command.DAGSummary](msg); ok {
			m.loaded = true
			m.setList(list)
		}
	case m.runs != nil && msg.Ticket == m.runs.ticket:
		m.runs.err = msg.Err
		if d, ok := resultData[command.DAGRuns](msg); ok {
			m.runs.loaded = true
			m.runs.show(m.ctx, d.Runs)
		}
	case m.runs != nil && m.runs.run != nil && m.runs.run.log != nil && msg.Ticket == m.runs.run.log.ticket:
		l := m.runs.run.log
		l.err = msg.Err
		if tl, ok := resultData[command.TaskLog](msg); ok {
			l.loaded, l.try = true, tl.TryNumber
			which := "the latest try"
			if tl.TryNumber < l.tries {
				which = "an earlier try"
			}
			l.pager.SetContent(fmt.Sprintf("%s · try %d of %d · %s", tl.Task, tl.TryNumber, l.tries, which), tl.Text)
		}
		return nil
	default:
		return nil
	}
	if !m.active() {
		return nil
	}
	return m.poll.Next(m.ctx)
}

// acted is the line an action's answer leaves on the screen.
func acted(res *command.Result) string {
	switch d := res.Data.(type) {
	case command.DAGPause:
		if d.Paused {
			return "paused " + d.DAG + ": the scheduler starts no run of it until it is unpaused"
		}
		return "unpaused " + d.DAG + ": the scheduler starts its runs again"
	case command.DAGRun:
		if res.Message != "" {
			return res.Message
		}
		return "triggered " + d.RunID + " of " + d.DAG
	}
	return res.Message
}

// active reports that what is shown has a run queued or running, so it is worth polling.
func (m *Model) active() bool {
	if m.runs == nil {
		for _, d := range m.dags {
			if d.LastRunState == command.DAGRunQueued || d.LastRunState == command.DAGRunRunning {
				return true
			}
		}
		return false
	}
	for _, r := range m.runs.list {
		if !r.Ended() {
			return true
		}
	}
	return false
}

// resultData is a successful reply's typed value.
func resultData[T any](msg screen.ResultMsg) (T, bool) {
	var zero T
	if msg.Err != nil || msg.Result == nil {
		return zero, false
	}
	v, ok := msg.Result.Data.(T)
	return v, ok
}

// key routes a key to the open view.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case key.Matches(msg, k.Refresh) && m.runs != nil && m.runs.run != nil && m.runs.run.log != nil:
		return m.fetchLog()
	case key.Matches(msg, k.Refresh):
		return m.fetch()
	case key.Matches(msg, k.Trigger) && m.dag() != "":
		return m.act("dag trigger " + screen.Quote(m.dag()))
	case key.Matches(msg, k.Pause) && m.dag() != "":
		verb := "dag pause "
		if m.paused(m.dag()) {
			verb = "dag unpause "
		}
		return m.act(verb + screen.Quote(m.dag()))
	case m.runs == nil:
		return m.listKey(msg)
	case m.runs.run == nil:
		return m.runsKey(msg)
	case m.runs.run.log == nil:
		return m.runKey(msg)
	}
	return m.logKey(msg)
}

func (m *Model) act(line string) tea.Cmd {
	cmd, _ := m.ctx.Act(screen.DAGs, line)
	return cmd
}

// dag is the DAG open, or the one selected in the list.
func (m *Model) dag() string {
	if m.runs != nil {
		return m.runs.dag
	}
	if row := m.list.Selected(); len(row) > 0 {
		return row[0]
	}
	return ""
}

// paused reports whether the DAG was paused at the last answer of dags.
func (m *Model) paused(name string) bool {
	for _, d := range m.dags {
		if d.DAG == name {
			return d.Paused
		}
	}
	return false
}

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	if key.Matches(msg, k.Enter) && m.dag() != "" {
		m.runs = &runs{dag: m.dag(), table: table.New(m.ctx.Styles)}
		m.runs.table.Style = m.stateColumn(2)
		m.notice = ""
		return m.fetch()
	}
	k.Move(msg, m.list)
	return nil
}

func (m *Model) runsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	if key.Matches(msg, k.Enter) {
		if row := m.runs.table.Selected(); len(row) > 0 {
			m.runs.run = &run{id: row[0], tasks: table.New(m.ctx.Styles)}
			m.runs.run.tasks.Style = m.stateColumn(1)
			m.runs.showRun(m.ctx)
		}
		return nil
	}
	k.Move(msg, m.runs.table)
	return nil
}

func (m *Model) runKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	r := m.runs.run
	if key.Matches(msg, k.Enter) {
		ti, ok := m.runs.task(r.id, r.tasks.Cursor())
		if !ok {
			return nil
		}
		r.log = &taskLog{task: ti.Task, try: ti.TryNumber, tries: max(ti.TryNumber, 1), pager: pager.New(m.ctx.Styles)}
		r.log.pager.SetHint(keys.Hints(keys.As(k.PrevTry, "earlier try"), keys.As(k.NextTry, "later try"), keys.As(k.Back, "back")))
		return m.fetchLog()
	}
	k.Move(msg, r.tasks)
	return nil
}

// logKey scrolls the log; [ and ] ask for the try before or after the one shown.
func (m *Model) logKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	l := m.runs.run.log
	switch {
	case key.Matches(msg, k.PrevTry) && l.try > 1:
		l.try--
		return m.fetchLog()
	case key.Matches(msg, k.NextTry) && l.try < l.tries:
		l.try++
		return m.fetchLog()
	}
	k.Move(msg, l.pager)
	return nil
}
