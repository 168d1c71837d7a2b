// Package jobs is screen 7: the Databricks jobs (the local workspace or a real one) from the jobs
// command, the runs of one job or of every job from job runs, and one run's task runs with their
// output from job output. n runs the job now, c cancels a run after asking; the screen polls
// while a run is pending or running.
package jobs

import (
	"slices"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/pager"
	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/screen"
)

// everyRun is the list's first row, which opens the runs of every job: the one-time runs the
// DAG's tasks submit belong to no named job.
const everyRun = "*"

// Model is the Jobs screen: the list, and the runs and the run opened from it.
type Model struct {
	screen.Named
	ctx  *screen.Context
	poll *screen.Poll

	list       *table.Model
	listTicket int
	listErr    error
	loaded     bool
	jobs       []command.JobSummary

	runs *runs // nil while the list shows
	// notice is what the last action answered, e.g. "started run 880211 of 0a1b2c3d4e5f_batch_job".
	notice string
	// confirming is the run c asks about, 0 while not asking.
	confirming int64
}

// runs is the runs of one job (job 0: of every job), and the run opened from them.
type runs struct {
	job    int64
	name   string
	table  *table.Model
	ticket int
	err    error
	loaded bool
	list   []command.JobRun // newest first

	run *run // nil while the runs show
}

// run is one run opened from the runs: its task runs and their output.
type run struct {
	id     int64
	tasks  *table.Model
	output *pager.Model
	ticket int
	err    error
	loaded bool
}

// New returns the Jobs screen.
func New(ctx *screen.Context) *Model {
	m := &Model{Named: screen.NewNamed(screen.Jobs, "jobs", "Jobs"), ctx: ctx, poll: screen.NewPoll(screen.Jobs), list: table.New(ctx.Styles)}
	m.list.Style = m.stateColumn(4)
	return m
}

// stateColumn styles column col's cells, "✓ SUCCESS", by their state and the rest as text.
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

// Capturing reports that c is asking, so the answer's key is not a global one.
func (m *Model) Capturing() bool { return m.confirming != 0 }

// Enter refreshes what is open and polls while a run is active.
func (m *Model) Enter() tea.Cmd {
	m.poll.Start()
	return m.fetch()
}

// Leave stops polling.
func (m *Model) Leave() { m.poll.Stop() }

// Back closes, in order: the question, the run, the runs.
func (m *Model) Back() (screen.Screen, tea.Cmd) {
	switch {
	case m.confirming != 0:
		m.confirming = 0
	case m.runs != nil && m.runs.run != nil:
		m.runs.run = nil
	case m.runs != nil:
		m.runs = nil
		return m, m.fetch()
	}
	return m, nil
}

// fetch asks for the jobs or the open runs; an open run's task runs come with them.
func (m *Model) fetch() tea.Cmd {
	if m.runs == nil {
		cmd, t := m.ctx.Run(screen.Jobs, "jobs")
		m.listTicket = t
		return cmd
	}
	line := "job runs"
	if m.runs.job != 0 {
		line += " " + strconv.FormatInt(m.runs.job, 10)
	}
	cmd, t := m.ctx.Run(screen.Jobs, line)
	m.runs.ticket = t
	return cmd
}

// fetchOutput asks for the open run's output.
func (m *Model) fetchOutput() tea.Cmd {
	r := m.runs.run
	cmd, t := m.ctx.Run(screen.Jobs, "job output "+strconv.FormatInt(r.id, 10))
	r.ticket = t
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

// reply takes an answer: an action's (run now, cancel) at any time, then what is open again; a
// fetch's only while it is the one awaited.
func (m *Model) reply(msg screen.ResultMsg) tea.Cmd {
	if msg.Kind == screen.Action {
		m.notice = ""
		if msg.Err == nil {
			m.notice = msg.Result.Message
		}
		return m.fetch()
	}
	switch {
	case m.runs == nil && msg.Ticket == m.listTicket:
		m.listErr = msg.Err
		if list, ok := resultData[[]command.JobSummary](msg); ok {
			m.loaded = true
			m.setList(list)
		}
	case m.runs != nil && msg.Ticket == m.runs.ticket:
		m.runs.err = msg.Err
		if d, ok := resultData[command.JobRuns](msg); ok {
			m.runs.loaded = true
			m.runs.show(m.ctx, d.Runs)
		}
	case m.runs != nil && m.runs.run != nil && msg.Ticket == m.runs.run.ticket:
		r := m.runs.run
		r.err = msg.Err
		if out, ok := resultData[command.JobOutput](msg); ok {
			r.loaded = true
			r.output.SetContent("output of run "+strconv.FormatInt(out.RunID, 10), outputText(out))
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

// active reports that the runs shown have one pending or running; the list is polled while a
// job's last run has not ended.
func (m *Model) active() bool {
	if m.runs == nil {
		return slices.ContainsFunc(m.jobs, func(j command.JobSummary) bool { return isActive(j.LastRunState) })
	}
	return slices.ContainsFunc(m.runs.list, func(r command.JobRun) bool { return !r.Ended() })
}

// isActive reports that a run in state has not ended.
func isActive(state string) bool {
	switch state {
	case "QUEUED", "PENDING", "RUNNING", "TERMINATING", "BLOCKED", "WAITING_FOR_RETRY":
		return true
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

// key routes a key: the answer to c's question first, then the keys of every view, then the
// open view's.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case m.confirming != 0:
		id := m.confirming
		m.confirming = 0
		if msg.String() == "y" {
			return m.act(m.withYes("job cancel " + strconv.FormatInt(id, 10)))
		}
		m.notice = "run " + strconv.FormatInt(id, 10) + " keeps running: not cancelled"
		return nil
	case key.Matches(msg, k.Refresh) && m.runs != nil && m.runs.run != nil:
		return tea.Batch(m.fetch(), m.fetchOutput())
	case key.Matches(msg, k.Refresh):
		return m.fetch()
	case key.Matches(msg, k.NextPage):
		if job := m.job(); job != 0 {
			return m.act("job run " + strconv.FormatInt(job, 10))
		}
	case key.Matches(msg, k.Cancel):
		if r, ok := m.selectedRun(); ok && !r.Ended() {
			m.confirming = r.RunID
		}
	case m.runs == nil:
		return m.listKey(msg)
	case m.runs.run == nil:
		return m.runsKey(msg)
	default:
		k.Move(msg, m.runs.run.output)
	}
	return nil
}

func (m *Model) act(line string) tea.Cmd {
	cmd, _ := m.ctx.Act(screen.Jobs, line)
	return cmd
}

// withYes adds --yes to a line whose command declares it: the screen has asked already, so a
// cloud profile's registry does not ask again.
func (m *Model) withYes(line string) string {
	for _, c := range m.ctx.Runner.Commands() {
		if c.Name == "job cancel" && slices.ContainsFunc(c.Flags, func(f command.Flag) bool { return f.Name == command.YesFlag.Name }) {
			return line + " --yes"
		}
	}
	return line
}

// job is the job open, or the one selected in the list; 0 for every job's runs or none.
func (m *Model) job() int64 {
	if m.runs != nil {
		return m.runs.job
	}
	row := m.list.Selected()
	if len(row) == 0 || row[0] == everyRun {
		return 0
	}
	id, _ := strconv.ParseInt(row[0], 10, 64)
	return id
}

// selectedRun is the run open or selected in the runs.
func (m *Model) selectedRun() (command.JobRun, bool) {
	if m.runs == nil {
		return command.JobRun{}, false
	}
	i := m.runs.table.Cursor()
	if m.runs.run != nil {
		i = m.runs.index(m.runs.run.id)
	}
	if i < 0 || i >= len(m.runs.list) {
		return command.JobRun{}, false
	}
	return m.runs.list[i], true
}

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	if row := m.list.Selected(); key.Matches(msg, k.Enter) && len(row) > 0 {
		m.runs = &runs{job: m.job(), name: row[1], table: table.New(m.ctx.Styles)}
		m.runs.table.Style = m.stateColumn(3)
		m.notice = ""
		return m.fetch()
	}
	k.Move(msg, m.list)
	return nil
}

func (m *Model) runsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	if r, ok := m.selectedRun(); key.Matches(msg, k.Enter) && ok {
		m.runs.run = &run{id: r.RunID, tasks: table.New(m.ctx.Styles), output: pager.New(m.ctx.Styles)}
		m.runs.run.tasks.Style = m.stateColumn(1)
		m.runs.run.output.SetHint("")
		m.runs.showRun(m.ctx)
		return m.fetchOutput()
	}
	k.Move(msg, m.runs.table)
	return nil
}
