package command

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pintui/pintui/ops/airflow"
	"github.com/pintui/pintui/pipeline/dag"
)

// dagPollInterval is how often dag wait asks for the run's state.
var dagPollInterval = 2 * time.Second

// dagFlag names the DAG of a RUN_ID command.
var dagFlag = Flag{Name: "dag", Placeholder: "DAG", Help: "the DAG the run belongs to; default <uid>_dag"}

func (env *Env) dagCommands() []*Command {
	return []*Command{
		{Name: "dags", Help: "List the Airflow DAGs with paused, schedule, next run and newest run.", Run: env.dags},
		{
			Name: "dag trigger", Args: "[DAG]", MaxArgs: 1,
			Help:  "Start a run of the DAG now (default <uid>_dag); dag wait --last waits for it.",
			Flags: []Flag{{Name: "conf", Default: "{}", Placeholder: "JSON", Help: "the run's conf, a JSON object"}, YesFlag},
			Run:   env.dagTrigger, Asks: env.asksAirflow("trigger a run of %s"), Complete: env.completeDAGs,
		},
		{
			Name: "dag runs", Args: "[DAG]", MaxArgs: 1,
			Help:  "List the DAG's runs, newest first, each with its task instances.",
			Flags: []Flag{{Name: "limit", Default: "25", Help: "at most this many runs"}},
			Run:   env.dagRuns, Complete: env.completeDAGs,
		},
		{
			Name: "dag run", Args: "[RUN_ID]", MaxArgs: 1,
			Help:  "Show one DAG run and its task instances.",
			Flags: []Flag{LastFlag, dagFlag},
			Run:   env.dagRun, Complete: env.completeRuns,
		},
		{
			Name: "dag wait", Args: "[RUN_ID]", MaxArgs: 1,
			Help:  "Wait for a DAG run to end; fails when the run fails, naming the failed tasks.",
			Flags: []Flag{LastFlag, dagFlag, {Name: "timeout", Default: "30m", Help: "give up after this long"}},
			Run:   env.dagWait, Complete: env.completeRuns,
		},
		{Name: "dag pause", Args: "DAG", MinArgs: 1, MaxArgs: 1, Help: "Pause a DAG: the scheduler starts none of its runs until dag unpause.", Run: env.dagPause(true), Complete: env.completeDAGs},
		{
			Name: "dag unpause", Args: "DAG", MinArgs: 1, MaxArgs: 1, Flags: []Flag{YesFlag},
			Help: "Unpause a DAG: the scheduler starts its scheduled runs and the queued ones.",
			Run:  env.dagPause(false), Asks: env.asksAirflow("unpause %s, which starts its scheduled runs"), Complete: env.completeDAGs,
		},
		{
			Name: "dag logs", Args: "[RUN_ID] TASK", MinArgs: 1, MaxArgs: 2,
			Help:  "Print the log of one try of one task of a DAG run (with --last, the one argument is TASK).",
			Flags: []Flag{LastFlag, dagFlag, {Name: "try", Default: "0", Help: "the try to show, from 1; 0 for the latest"}},
			Run:   env.dagLogs, Complete: env.completeRuns,
		},
	}
}

// completeDAGs offers the DAG ids Airflow has.
func (env *Env) completeDAGs(ctx context.Context, _ string) ([]string, error) {
	c, err := env.airflowClient()
	if err != nil {
		return nil, err
	}
	dags, err := c.DAGs(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(dags))
	for _, d := range dags {
		ids = append(ids, d.ID)
	}
	return ids, nil
}

// completeRuns offers the ids of the pipeline DAG's newest runs.
func (env *Env) completeRuns(ctx context.Context, _ string) ([]string, error) {
	c, err := env.airflowClient()
	if err != nil {
		return nil, err
	}
	runs, err := c.Runs(ctx, dag.ID(env.Config.UID), 20, 0)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(runs.Runs))
	for _, r := range runs.Runs {
		ids = append(ids, r.ID)
	}
	return ids, nil
}

// asksAirflow asks first in a cloud profile, where the action starts work on the orchestrator;
// what is a sentence with %s for the DAG.
func (env *Env) asksAirflow(what string) func(*Invocation) string {
	return func(in *Invocation) string {
		if env.Backends == nil || env.Backends.Airflow == nil || env.Config.IsLocal() {
			return ""
		}
		return fmt.Sprintf(what, env.dagArg(in)) + " on " + env.Backends.Airflow.Where()
	}
}

// airflowClient returns the Airflow client, or why there is none.
func (env *Env) airflowClient() (*airflow.Client, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	if b.Airflow == nil {
		return nil, b.AirflowMissing()
	}
	return b.Airflow, nil
}

// dagArg is the DAG an invocation names: its first argument, else the pipeline's.
func (env *Env) dagArg(in *Invocation) string {
	if len(in.Args) > 0 {
		return in.Args[0]
	}
	return dag.ID(env.Config.UID)
}

// dagRunArg is the DAG and the run a RUN_ID command names: RUN_ID or --last, and --dag.
func (env *Env) dagRunArg(in *Invocation) (string, string, error) {
	run, err := env.runArg(in, LastDAGRun)
	if err != nil {
		return "", "", err
	}
	d := in.Flag(dagFlag.Name)
	if d == "" {
		d = dag.ID(env.Config.UID)
	}
	return d, run, nil
}

func timeOf(t *time.Time) Time { return At(deref(t)) }

// deref is the time t points at, or the zero time for nil.
func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// dagRunOf maps the client's run and task instances to the typed result, the tasks in the
// DAG's order.
func dagRunOf(r airflow.Run, tis []airflow.TaskInstance, now time.Time) DAGRun {
	out := DAGRun{DAG: r.DAG, RunID: r.ID, State: r.State, RunType: r.Type, LogicalDate: timeOf(r.LogicalDate),
		Start: timeOf(r.Start), End: timeOf(r.End), DurationMS: spanMS(deref(r.Start), deref(r.End), now), Conf: r.Conf, Tasks: []TaskInstance{}}
	if out.Conf == nil {
		out.Conf = map[string]any{}
	}
	order := map[string]int{}
	for i, t := range dag.Tasks() {
		order[t.ID] = i
	}
	rank := func(task string) int {
		if i, ok := order[task]; ok {
			return i
		}
		return len(order)
	}
	tis = slices.Clone(tis)
	slices.SortStableFunc(tis, func(a, b airflow.TaskInstance) int {
		if d := rank(a.Task) - rank(b.Task); d != 0 {
			return d
		}
		return strings.Compare(a.Task, b.Task)
	})
	for _, ti := range tis {
		out.Tasks = append(out.Tasks, TaskInstance{Task: ti.Task, State: ti.State, TryNumber: ti.TryNumber, MaxTries: ti.MaxTries,
			Start: timeOf(ti.Start), End: timeOf(ti.End), DurationMS: spanMS(deref(ti.Start), deref(ti.End), now), Operator: ti.Operator})
	}
	return out
}

// fetchRun returns a run with its task instances.
func fetchRun(ctx context.Context, c *airflow.Client, d, run string) (DAGRun, error) {
	r, err := c.Run(ctx, d, run)
	if err != nil {
		return DAGRun{}, err
	}
	tis, err := c.TaskInstances(ctx, d, run)
	if err != nil {
		return DAGRun{}, err
	}
	return dagRunOf(r, tis, time.Now()), nil
}

// TextTable lays out the run's task instances, one a row.
func (r DAGRun) TextTable() Table {
	t := Table{Columns: []string{"task", "state", "try", "start", "end", "duration", "operator"}}
	for _, ti := range r.Tasks {
		t.Rows = append(t.Rows, []string{ti.Task, ti.State, fmt.Sprintf("%d/%d", ti.TryNumber, ti.MaxTries+1), Cell(ti.Start), Cell(ti.End), spanText(ti.DurationMS), ti.Operator})
	}
	return t
}

// taskGlyphs draws a run's task states one glyph a task, as Airflow's grid view does.
func taskGlyphs(tasks []TaskInstance) string {
	var b strings.Builder
	for _, t := range tasks {
		switch t.State {
		case "success":
			b.WriteString("✓")
		case "failed":
			b.WriteString("✗")
		case "upstream_failed":
			b.WriteString("⊘")
		case "running":
			b.WriteString("▶")
		case "up_for_retry", "restarting":
			b.WriteString("↻")
		case "skipped", "removed":
			b.WriteString("-")
		case "":
			b.WriteString("○")
		default:
			b.WriteString("·")
		}
	}
	return b.String()
}

// TextTable lays out the runs, one a row, with a glyph per task in the DAG's order.
func (r DAGRuns) TextTable() Table {
	t := Table{Columns: []string{"run_id", "state", "run_type", "logical_date", "start", "duration", "tasks"}}
	for _, run := range r.Runs {
		t.Rows = append(t.Rows, []string{run.RunID, run.State, run.RunType, Cell(run.LogicalDate), Cell(run.Start), spanText(run.DurationMS), taskGlyphs(run.Tasks)})
	}
	return t
}

func (env *Env) dags(ctx context.Context, _ *Invocation) (*Result, error) {
	c, err := env.airflowClient()
	if err != nil {
		return nil, err
	}
	list, err := c.DAGs(ctx)
	if err != nil {
		return nil, err
	}
	own := dag.ID(env.Config.UID)
	slices.SortStableFunc(list, func(a, b airflow.DAG) int {
		switch {
		case a.ID == own:
			return -1
		case b.ID == own:
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	out := make([]DAGSummary, 0, len(list))
	for _, d := range list {
		s := DAGSummary{DAG: d.ID, Paused: d.Paused, Schedule: d.Schedule, NextRun: timeOf(d.NextRun)}
		if d.Paused {
			s.NextRun = Time{}
		}
		runs, err := c.Runs(ctx, d.ID, 1, 0)
		if err != nil {
			return nil, err
		}
		if len(runs.Runs) > 0 {
			s.LastRunID, s.LastRunState, s.LastRunStart = runs.Runs[0].ID, runs.Runs[0].State, timeOf(runs.Runs[0].Start)
		}
		out = append(out, s)
	}
	msg := ""
	if !slices.ContainsFunc(out, func(s DAGSummary) bool { return s.DAG == own }) {
		msg = fmt.Sprintf("%s has no DAG %s: deploy it with pintui deploy, then wait for Airflow to parse it", c.Where(), own)
	}
	return &Result{Data: out, Message: msg}, nil
}

// parseConf reads --conf, which must be a JSON object.
func parseConf(s string) (map[string]any, error) {
	var conf map[string]any
	if err := json.Unmarshal([]byte(s), &conf); err != nil || conf == nil {
		return nil, usage(fmt.Errorf(`--conf %q is not a JSON object: give one like '{"key": "value"}'`, s))
	}
	return conf, nil
}

func (env *Env) dagTrigger(ctx context.Context, in *Invocation) (*Result, error) {
	conf, err := parseConf(in.Flag("conf"))
	if err != nil {
		return nil, err
	}
	c, err := env.airflowClient()
	if err != nil {
		return nil, err
	}
	d := env.dagArg(in)
	info, err := c.DAG(ctx, d)
	if err != nil {
		return nil, err
	}
	r, err := c.Trigger(ctx, d, conf)
	if err != nil {
		return nil, err
	}
	if err := env.rememberRun(LastDAGRun, r.ID); err != nil {
		return nil, err
	}
	tis, err := c.TaskInstances(ctx, d, r.ID)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("triggered run %s of %s (%s): pintui dag wait --last waits for it", r.ID, d, r.State)
	if info.Paused {
		msg = fmt.Sprintf("triggered run %s of %s, but the DAG is paused: the run waits queued until dag unpause %s", r.ID, d, d)
	}
	return &Result{Data: dagRunOf(r, tis, time.Now()), Message: msg}, nil
}

func (env *Env) dagRuns(ctx context.Context, in *Invocation) (*Result, error) {
	limit, err := in.Int("limit")
	if err != nil || limit < 1 {
		return nil, usage(fmt.Errorf("--limit %q is not valid: use 1 or more", in.Flag("limit")))
	}
	c, err := env.airflowClient()
	if err != nil {
		return nil, err
	}
	d := env.dagArg(in)
	runs, err := c.Runs(ctx, d, limit, 0)
	if err != nil {
		return nil, err
	}
	out := DAGRuns{DAG: d, Runs: make([]DAGRun, 0, len(runs.Runs)), Total: runs.Total}
	now := time.Now()
	for _, r := range runs.Runs {
		tis, err := c.TaskInstances(ctx, d, r.ID)
		if err != nil {
			return nil, err
		}
		out.Runs = append(out.Runs, dagRunOf(r, tis, now))
	}
	return &Result{Data: out, Message: fmt.Sprintf("%d of %d runs of %s", len(out.Runs), out.Total, d)}, nil
}

func (env *Env) dagRun(ctx context.Context, in *Invocation) (*Result, error) {
	d, run, err := env.dagRunArg(in)
	if err != nil {
		return nil, err
	}
	c, err := env.airflowClient()
	if err != nil {
		return nil, err
	}
	r, err := fetchRun(ctx, c, d, run)
	if err != nil {
		return nil, err
	}
	return &Result{Data: r, Message: runSentence(r)}, nil
}

// runSentence says where a run is, e.g. "run manual__… of 0a1b2c3d4e5f_dag: success after 1m30s".
func runSentence(r DAGRun) string {
	s := fmt.Sprintf("run %s of %s: %s", r.RunID, r.DAG, r.State)
	if r.DurationMS != nil {
		verb := "for"
		if r.Ended() {
			verb = "after"
		}
		s += fmt.Sprintf(" %s %s", verb, (time.Duration(*r.DurationMS) * time.Millisecond).Round(time.Second))
	}
	return s
}

// failedTasks names a run's failed tasks, and those that did not run because of them.
func failedTasks(r DAGRun) (failed, upstream []string) {
	for _, t := range r.Tasks {
		switch t.State {
		case "failed":
			failed = append(failed, t.Task)
		case "upstream_failed":
			upstream = append(upstream, t.Task)
		}
	}
	return failed, upstream
}

func (env *Env) dagWait(ctx context.Context, in *Invocation) (*Result, error) {
	timeout, err := in.Duration("timeout")
	if err != nil {
		return nil, err
	}
	d, run, err := env.dagRunArg(in)
	if err != nil {
		return nil, err
	}
	c, err := env.airflowClient()
	if err != nil {
		return nil, err
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r, err := fetchRun(ctx, c, d, run)
		if err != nil {
			return nil, err
		}
		switch r.State {
		case DAGRunSuccess:
			return &Result{Data: r, Message: runSentence(r)}, nil
		case DAGRunFailed:
			return nil, runFailed(r)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-deadline.C:
			return nil, env.stillGoing(ctx, c, r, timeout)
		case <-time.After(dagPollInterval):
		}
	}
}

// runFailed is dag wait's error for a failed run.
func runFailed(r DAGRun) error {
	failed, upstream := failedTasks(r)
	what := "no task failed (the run was marked failed)"
	if len(failed) > 0 {
		what = "task " + strings.Join(failed, ", ") + " failed"
	}
	if len(upstream) > 0 {
		what += ", so " + strings.Join(upstream, ", ") + " did not run"
	}
	task := "TASK"
	if len(failed) > 0 {
		task = failed[0]
	}
	return fmt.Errorf("run %s of %s failed: %s: read the log with pintui dag logs %s %s --dag %s", r.RunID, r.DAG, what, r.RunID, task, r.DAG)
}

// stillGoing is dag wait's error when the run outlasts --timeout.
func (env *Env) stillGoing(ctx context.Context, c *airflow.Client, r DAGRun, timeout time.Duration) error {
	tasks := make([]string, 0, len(r.Tasks))
	for _, t := range r.Tasks {
		state := t.State
		if state == "" {
			state = "none"
		}
		tasks = append(tasks, t.Task+"="+state)
	}
	err := fmt.Errorf("run %s of %s is still %s after %s (%s): wait again with pintui dag wait %s --dag %s, or give a longer --timeout",
		r.RunID, r.DAG, r.State, timeout, strings.Join(tasks, " "), r.RunID, r.DAG)
	if r.State == DAGRunQueued {
		if info, derr := c.DAG(ctx, r.DAG); derr == nil && info.Paused {
			err = fmt.Errorf("run %s of %s is still queued after %s because the DAG is paused: unpause it with pintui dag unpause %s", r.RunID, r.DAG, timeout, r.DAG)
		}
	}
	return err
}

func (env *Env) dagPause(paused bool) func(context.Context, *Invocation) (*Result, error) {
	return func(ctx context.Context, in *Invocation) (*Result, error) {
		c, err := env.airflowClient()
		if err != nil {
			return nil, err
		}
		d, err := c.SetPaused(ctx, in.Args[0], paused)
		if err != nil {
			return nil, err
		}
		msg := "unpaused " + d.ID + ": the scheduler starts its runs"
		if d.Paused {
			msg = "paused " + d.ID + ": the scheduler starts none of its runs until dag unpause " + d.ID
		}
		return &Result{Data: DAGPause{DAG: d.ID, Paused: d.Paused}, Message: msg}, nil
	}
}

func (env *Env) dagLogs(ctx context.Context, in *Invocation) (*Result, error) {
	last := in.Flag(LastFlag.Name) == "true"
	var task string
	switch {
	case last && len(in.Args) != 1:
		return nil, usage(fmt.Errorf("dag logs: with --last give only TASK (usage: %s)", in.Command.Usage()))
	case !last && len(in.Args) != 2:
		return nil, usage(fmt.Errorf("dag logs: give RUN_ID and TASK, or --last and TASK (usage: %s)", in.Command.Usage()))
	case last:
		task = in.Args[0]
	default:
		task = in.Args[1]
	}
	runOnly := *in
	runOnly.Args = in.Args[:len(in.Args)-1]
	d, run, err := env.dagRunArg(&runOnly)
	if err != nil {
		return nil, err
	}
	try, err := in.Int("try")
	if err != nil || try < 0 {
		return nil, usage(fmt.Errorf("--try %q is not valid: use 1 or more, or 0 for the latest", in.Flag("try")))
	}
	c, err := env.airflowClient()
	if err != nil {
		return nil, err
	}
	if try == 0 {
		tis, err := c.TaskInstances(ctx, d, run)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(tis, func(t airflow.TaskInstance) bool { return t.Task == task })
		if i < 0 {
			names := make([]string, 0, len(tis))
			for _, t := range tis {
				names = append(names, t.Task)
			}
			return nil, fmt.Errorf("run %s of %s has no task %s: give one of %s", run, d, task, strings.Join(names, ", "))
		}
		if tis[i].TryNumber == 0 {
			msg := fmt.Sprintf("task %s of run %s has not started yet, so it has no log: wait for the run with pintui dag wait %s --dag %s", task, run, run, d)
			return &Result{Data: TaskLog{DAG: d, RunID: run, Task: task}, Message: msg}, nil
		}
		try = tis[i].TryNumber
	}
	text, err := c.Log(ctx, d, run, task, try)
	if err != nil {
		return nil, err
	}
	return &Result{Data: TaskLog{DAG: d, RunID: run, Task: task, TryNumber: try, Text: text}, Message: strings.TrimRight(text, "\n")}, nil
}
