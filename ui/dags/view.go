package dags

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

// stateOf reads the state back from a cell stated drew, "✓ success" → success.
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

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// setList shows the DAGs; each row begins with the DAG's name, which the keys read back.
func (m *Model) setList(list []command.DAGSummary) {
	m.dags = list
	rows := make([][]string, len(list))
	for i, d := range list {
		rows[i] = []string{d.DAG, yesNo(d.Paused), d.Schedule, when(m.ctx, d.NextRun), d.LastRunID, stated(m.ctx.Styles, d.LastRunState), when(m.ctx, d.LastRunStart)}
	}
	m.list.SetRows([]string{"dag", "paused", "schedule", "next_run", "last_run", "state", "started"}, rows)
}

// show lays out a DAG's runs, newest first as dag runs lists them.
func (r *runs) show(ctx *screen.Context, list []command.DAGRun) {
	r.list = list
	rows := make([][]string, len(list))
	for i, run := range list {
		rows[i] = []string{run.RunID, run.RunType, stated(ctx.Styles, run.State), when(ctx, run.Start), took(run.DurationMS)}
	}
	r.table.SetRows([]string{"run_id", "type", "state", "start", "duration"}, rows)
	if r.run != nil {
		r.showRun(ctx)
	}
}

// index is the position in list of the run with id, -1 when it is not there.
func (r *runs) index(id string) int {
	for i, run := range r.list {
		if run.RunID == id {
			return i
		}
	}
	return -1
}

// task is the i-th task instance of the run with id.
func (r *runs) task(id string, i int) (command.TaskInstance, bool) {
	n := r.index(id)
	if n < 0 || i < 0 || i >= len(r.list[n].Tasks) {
		return command.TaskInstance{}, false
	}
	return r.list[n].Tasks[i], true
}

// showRun lays out the open run's task instances.
func (r *runs) showRun(ctx *screen.Context) {
	n := r.index(r.run.id)
	var rows [][]string
	if n >= 0 {
		for _, ti := range r.list[n].Tasks {
			try := "-"
			if ti.TryNumber > 0 {
				try = fmt.Sprintf("%d of %d", ti.TryNumber, ti.MaxTries+1)
			}
			rows = append(rows, []string{ti.Task, stated(ctx.Styles, ti.State), try, when(ctx, ti.Start), took(ti.DurationMS), ti.Operator})
		}
	}
	r.run.tasks.SetRows([]string{"task", "state", "try", "start", "duration", "operator"}, rows)
}

// View draws what is open in width×height cells.
func (m *Model) View(width, height int) string {
	switch {
	case m.runs == nil:
		return m.listView(width, height)
	case m.runs.run != nil && m.runs.run.log != nil:
		return m.logView(width, height)
	}
	return m.runsView(width, height)
}

// status is the second line: the error of what failed, or the last action's answer.
func (m *Model) status(err error, what string) string {
	s := m.ctx.Styles
	switch {
	case err != nil:
		return s.Error.Render(what + " failed: " + err.Error())
	case m.notice != "":
		return s.Text.Render(m.notice)
	}
	return ""
}

func (m *Model) listView(width, height int) string {
	s, k := m.ctx.Styles, m.ctx.Keys
	title := s.Title.Render("DAGs")
	if m.loaded {
		title += s.Muted.Render("  " + units.Plural(len(m.dags), "DAG", "DAGs") + " · " +
			keys.Hints(keys.As(k.Enter, "runs"), keys.As(k.Trigger, "triggers"), keys.As(k.Pause, "pauses/unpauses"), keys.As(k.Refresh, "refreshes")))
	} else {
		title += s.Muted.Render("  asking dags…")
	}
	lines := []string{title, m.status(m.listErr, "dags")}
	if !m.loaded || height <= len(lines) {
		return screen.Fill(strings.Join(lines, "\n"), width, height)
	}
	return screen.Fill(strings.Join(lines, "\n")+"\n"+m.list.View(width, height-len(lines)), width, height)
}

// summary is the open DAG's line: schedule, next run, paused, runs.
func (m *Model) summary() string {
	for _, d := range m.dags {
		if d.DAG == m.runs.dag {
			next := "no next run"
			if !d.NextRun.IsZero() {
				next = "next " + when(m.ctx, d.NextRun)
			}
			p := ""
			if d.Paused {
				p = "paused · "
			}
			return p + d.Schedule + " · " + next
		}
	}
	return ""
}

func (m *Model) runsView(width, height int) string {
	s, k, r := m.ctx.Styles, m.ctx.Keys, m.runs
	title := s.Title.Render("DAGs › " + r.dag)
	if r.run != nil {
		title = s.Title.Render("DAGs › " + r.dag + " › " + r.run.id)
	}
	hints := []string{m.summary()}
	if r.loaded {
		hints = append(hints, units.Plural(len(r.list), "run", "runs"))
		if m.active() {
			hints = append(hints, "every 1s while a run is active")
		}
	} else {
		hints = append(hints, "asking dag runs…")
	}
	lines := []string{title + s.Muted.Render("  "+strings.Join(hints, " · ")), m.status(r.err, "dag runs")}
	selected, task := r.table.Cursor(), -1
	if r.run != nil {
		selected, task = r.index(r.run.id), r.run.tasks.Cursor()
	}
	if r.loaded && height >= 16 {
		lines = append(lines, grid(s, r.list, selected, task, width)...)
		lines = append(lines, "  "+legendLine(s))
	}
	hint := keys.Hints(keys.As(k.Enter, "task instances"), keys.As(k.Trigger, "triggers"), keys.As(k.Pause, "pauses/unpauses"), keys.As(k.Back, "back"))
	body := r.table
	if r.run != nil {
		hint = keys.Hints(keys.As(k.Enter, "log"), keys.As(k.Trigger, "triggers"), keys.As(k.Back, "runs"))
		body = r.run.tasks
	}
	lines = append(lines, s.Muted.Render(hint))
	if !r.loaded || height <= len(lines) {
		return screen.Fill(strings.Join(lines, "\n"), width, height)
	}
	return screen.Fill(strings.Join(lines, "\n")+"\n"+body.View(width, height-len(lines)), width, height)
}

func (m *Model) logView(width, height int) string {
	s, r := m.ctx.Styles, m.runs
	l := r.run.log
	title := s.Title.Render("DAGs › "+r.dag+" › "+r.run.id+" › "+l.task) + s.Muted.Render("  try "+strconv.Itoa(max(l.try, 1))+" of "+strconv.Itoa(l.tries))
	if !l.loaded {
		title += s.Muted.Render(" · asking dag logs…")
	}
	lines := []string{title, m.status(l.err, "dag logs")}
	if !l.loaded || height <= len(lines) {
		return screen.Fill(strings.Join(lines, "\n"), width, height)
	}
	return screen.Fill(strings.Join(lines, "\n")+"\n"+l.pager.View(width, height-len(lines)), width, height)
}
