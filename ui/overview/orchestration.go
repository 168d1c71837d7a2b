package overview

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/screen"
)

// Orchestration is the order of the orchestration boxes, drawn as a chain of their own below the
// streaming half: the Airflow DAG, from the dags command, whose tasks submit runs to the
// Databricks workspace, from job runs.
var Orchestration = []string{"airflow", "databricks"}

// orchestration is what the Overview knows of the scheduler and the workspace: the polls of
// their two commands.
type orchestration struct {
	dags, runs streamPoll
}

func newOrchestration(r screen.Runner) orchestration {
	have := map[string]bool{}
	for _, c := range r.Commands() {
		have[c.Name] = true
	}
	return orchestration{dags: streamPoll{line: "dags", offered: have["dags"]}, runs: streamPoll{line: "job runs --limit 25", offered: have["job runs"]}}
}

// comps are the orchestration boxes answered so far, in chain order.
func (o *orchestration) comps() []component {
	var out []component
	for _, c := range []*component{o.dags.box, o.runs.box} {
		if c != nil {
			out = append(out, *c)
		}
	}
	return out
}

// airflowBox draws the dags answer: whether the DAG is paused, when it next runs, and its last
// run's state and start, in the box as how long from now and in the table in now's zone. With
// several DAGs it shows the one that ran last.
func airflowBox(msg screen.ResultMsg, now time.Time) *component {
	c := &component{name: "airflow"}
	list, ok := resultData[[]command.DAGSummary](msg)
	if !ok {
		c.state, c.detail = command.StateDown, failure(msg)
		return c
	}
	if len(list) == 0 {
		c.state, c.summary, c.detail = command.StateEmpty, "no DAG", "no DAG: deploy it with deploy"
		return c
	}
	d := slices.MaxFunc(list, func(a, b command.DAGSummary) int { return a.LastRunStart.Compare(b.LastRunStart.Time) })
	c.state = command.StateReady
	next, last := "next "+dayTime(d.NextRun, now), "no run yet"
	switch {
	case d.Paused:
		c.state, next = "paused", "paused"
	case !d.NextRun.IsZero():
		c.note = "next " + until(d.NextRun.Sub(now))
	}
	c.summary = last
	if d.LastRunID != "" {
		last = "last " + d.LastRunState + " " + dayTime(d.LastRunStart, now)
		c.summary = "last " + d.LastRunState + " " + units.Ago(now.Sub(d.LastRunStart.Time))
	}
	c.detail = d.DAG + " " + d.Schedule + ": " + next + " · " + last
	return c
}

// databricksBox draws the job runs answer: how many runs are going, and the newest run's state
// and start, as airflowBox draws times.
func databricksBox(msg screen.ResultMsg, now time.Time) *component {
	c := &component{name: "databricks"}
	runs, ok := resultData[command.JobRuns](msg)
	if !ok {
		c.state, c.detail = command.StateDown, failure(msg)
		return c
	}
	if len(runs.Runs) == 0 {
		c.state, c.summary, c.detail = command.StateEmpty, "no run yet", "no job run yet"
		return c
	}
	going := 0
	for _, r := range runs.Runs {
		if !r.Ended() {
			going++
		}
	}
	c.state = command.StateReady
	if going > 0 {
		c.state = command.StateRunning
	}
	c.note = units.Count(int64(going)) + " running"
	newest := runs.Runs[0]
	state := newest.ResultState
	if state == "" {
		state = newest.LifeCycleState
	}
	c.summary = "last " + strings.ToLower(state) + " " + units.Ago(now.Sub(newest.Start.Time))
	c.detail = c.note + "; last run " + newest.RunName + " " + state + " at " + dayTime(newest.Start, now)
	return c
}

// dayTime is a time in now's zone: its time of day on now's day, with the date on another,
// "-" when unset.
func dayTime(t command.Time, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	at := t.In(now.Location())
	if y, m, d := at.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return at.Format("15:04")
	}
	return at.Format("2006-01-02 15:04")
}

// until is how long from now something is due, to the minute: "in 45 min", "in 14 h".
func until(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("in %d min", int(d/time.Minute))
	}
	return fmt.Sprintf("in %d h", int(d/time.Hour))
}
