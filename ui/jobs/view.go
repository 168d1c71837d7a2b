package jobs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/theme"
)

// Glyph is how a run state (a result state once the run has one, else its life cycle state) is
// drawn: a symbol that reads without colour, and the style that colours it.
func Glyph(s *theme.Styles, state string) (string, lipgloss.Style) {
	switch state {
	case "SUCCESS", "SUCCESS_WITH_FAILURES":
		return "✓", s.StateReady
	case "FAILED", "TIMEDOUT", "INTERNAL_ERROR", "MAXIMUM_CONCURRENT_RUNS_REACHED", "UPSTREAM_FAILED":
		return "✗", s.StateDown
	case "RUNNING", "TERMINATING":
		return "▶", s.Rate
	case "QUEUED", "PENDING", "BLOCKED", "WAITING_FOR_RETRY":
		return "·", s.StateIdle
	case "CANCELED", "UPSTREAM_CANCELED", "SKIPPED", "EXCLUDED":
		return "⊘", s.StateEmpty
	}
	return " ", s.Muted
}

// State is a run's state in one word: its result once it has one, else its life cycle.
func State(lifeCycle, result string) string {
	if result != "" {
		return result
	}
	return lifeCycle
}

// stated is a state's glyph before its word, "✓ SUCCESS"; "-" before any.
func stated(s *theme.Styles, state string) string {
	if state == "" {
		return "-"
	}
	g, _ := Glyph(s, state)
	return g + " " + state
}

// stateOf reads the state back from a cell stated drew, "✓ SUCCESS" → SUCCESS.
func stateOf(cell string) string {
	_, word, _ := strings.Cut(strings.TrimSpace(cell), " ")
	return word
}

// when is a time as the tables show it in the console's zone, "-" when unset.
func when(ctx *screen.Context, t command.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(ctx.Now().Location()).Format("2006-01-02 15:04:05")
}

// took is a duration in milliseconds as the tables show it, "-" when unset.
func took(ms *int64) string {
	if ms == nil {
		return "-"
	}
	return units.Duration(time.Duration(*ms) * time.Millisecond)
}

// setList shows the jobs after the row for every job's runs; each row begins with the job's id,
// which the keys read back.
func (m *Model) setList(list []command.JobSummary) {
	m.jobs = list
	rows := [][]string{{everyRun, "every run", "", "", "", ""}}
	for _, j := range list {
		last := "-"
		if j.LastRunID != 0 {
			last = strconv.FormatInt(j.LastRunID, 10)
		}
		rows = append(rows, []string{strconv.FormatInt(j.JobID, 10), j.Name, strings.Join(j.Tasks, ", "), last, stated(m.ctx.Styles, j.LastRunState), when(m.ctx, j.Created)})
	}
	m.list.SetRows([]string{"job_id", "name", "tasks", "last_run", "state", "created"}, rows)
}

// show lays out the runs, newest first as job runs lists them.
func (r *runs) show(ctx *screen.Context, list []command.JobRun) {
	r.list = list
	rows := make([][]string, len(list))
	for i, run := range list {
		rows[i] = []string{strconv.FormatInt(run.RunID, 10), run.RunName, run.RunType, stated(ctx.Styles, State(run.LifeCycleState, run.ResultState)), when(ctx, run.Start), took(run.DurationMS)}
	}
	r.table.SetRows([]string{"run_id", "name", "type", "state", "start", "duration"}, rows)
	if r.run != nil {
		r.showRun(ctx)
	}
}

// index is the position in list of the run with id, -1 when it is not there.
func (r *runs) index(id int64) int {
	for i, run := range r.list {
		if run.RunID == id {
			return i
		}
	}
	return -1
}

// showRun lays out the open run's task runs.
func (r *runs) showRun(ctx *screen.Context) {
	var rows [][]string
	if n := r.index(r.run.id); n >= 0 {
		for _, t := range r.list[n].Tasks {
			rows = append(rows, []string{t.TaskKey, stated(ctx.Styles, State(t.LifeCycleState, t.ResultState)), t.NotebookPath, when(ctx, t.Start), took(t.DurationMS)})
		}
	}
	r.run.tasks.SetRows([]string{"task", "state", "notebook", "start", "duration"}, rows)
}

// outputText is each task run's output: the notebook's exit value, or its error and trace, then
// its logs.
func outputText(out command.JobOutput) string {
	var b strings.Builder
	for _, t := range out.Tasks {
		fmt.Fprintf(&b, "── %s (task run %d)\n", t.TaskKey, t.RunID)
		switch {
		case t.Error != "":
			b.WriteString("error: " + t.Error + "\n")
			if t.ErrorTrace != "" {
				b.WriteString(t.ErrorTrace + "\n")
			}
		case t.Result != "":
			b.WriteString("result: " + t.Result + "\n")
			if t.Truncated {
				b.WriteString("(the result was cut at Databricks's limit)\n")
			}
		default:
			b.WriteString("no output yet\n")
		}
		if t.Logs != "" {
			b.WriteString(t.Logs)
		}
		b.WriteString("\n")
	}
	if len(out.Tasks) == 0 {
		b.WriteString("the run has no task runs yet\n")
	}
	return b.String()
}

// View draws what is open in width×height cells.
func (m *Model) View(width, height int) string {
	if m.runs == nil {
		return m.listView(width, height)
	}
	return m.runsView(width, height)
}

// status is the second line: c's question, the error of what failed, or the last action's
// answer.
func (m *Model) status(err error, what string) string {
	s := m.ctx.Styles
	switch {
	case m.confirming != 0:
		return s.Confirm.Render(fmt.Sprintf(" cancel run %d? press y to cancel it, any other key to keep it running ", m.confirming))
	case err != nil:
		return s.Error.Render(what + " failed: " + err.Error())
	case m.notice != "":
		return s.Text.Render(m.notice)
	}
	return ""
}

func (m *Model) listView(width, height int) string {
	s, k := m.ctx.Styles, m.ctx.Keys
	title := s.Title.Render("Jobs")
	if m.loaded {
		title += s.Muted.Render("  " + units.Plural(len(m.jobs), "job", "jobs") + " · " +
			keys.Hints(keys.As(k.Enter, "runs"), keys.As(k.NextPage, "runs now"), keys.As(k.Refresh, "refreshes")))
	} else {
		title += s.Muted.Render("  asking jobs…")
	}
	lines := []string{title, m.status(m.listErr, "jobs")}
	if !m.loaded || height <= len(lines) {
		return screen.Fill(strings.Join(lines, "\n"), width, height)
	}
	return screen.Fill(strings.Join(lines, "\n")+"\n"+m.list.View(width, height-len(lines)), width, height)
}

func (m *Model) runsView(width, height int) string {
	s, k, r := m.ctx.Styles, m.ctx.Keys, m.runs
	title := "Jobs › " + r.name
	if r.run != nil {
		title += " › run " + strconv.FormatInt(r.run.id, 10)
	}
	var info []string
	switch {
	case !r.loaded:
		info = append(info, "asking job runs…")
	case r.run == nil:
		info = append(info, units.Plural(len(r.list), "run", "runs"))
	}
	if m.active() {
		info = append(info, "every 1s while a run is active")
	}
	runNow := keys.As(k.NextPage, "runs now")
	if r.job == 0 {
		runNow.SetEnabled(false)
	}
	err, what := r.err, "job runs"
	hint := keys.Hints(keys.As(k.Enter, "task runs and output"), runNow, keys.As(k.Cancel, "cancels (asks)"), keys.As(k.Back, "back"))
	if r.run != nil {
		hint = keys.Hints(runNow, keys.As(k.Cancel, "cancels (asks)"), keys.As(k.Refresh, "refreshes"), keys.As(k.Back, "runs"))
		if r.run.err != nil {
			err, what = r.run.err, "job output"
		}
	}
	lines := []string{s.Title.Render(title) + s.Muted.Render("  "+strings.Join(info, " · ")), m.status(err, what), s.Muted.Render(hint)}
	if !r.loaded || height <= len(lines) {
		return screen.Fill(strings.Join(lines, "\n"), width, height)
	}
	body := height - len(lines)
	if r.run == nil {
		return screen.Fill(strings.Join(lines, "\n")+"\n"+r.table.View(width, body), width, height)
	}
	tasks := min(r.run.tasks.Len()+1, max(2, body/3))
	view := strings.Join(lines, "\n") + "\n" + r.run.tasks.View(width, tasks)
	if body-tasks > 2 {
		view += "\n" + r.run.output.View(width, body-tasks)
	}
	return screen.Fill(view, width, height)
}
