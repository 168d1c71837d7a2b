package command

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pintui/pintui/ops/databricks"
)

// The Databricks job commands: `jobs`, `job run`, `job runs`, `job wait`, `job cancel` and
// `job output`, on the local workspace or the profile's Databricks workspace, through one client.

// defaultJobWait is how long `job wait` waits for a run when --timeout says nothing.
const defaultJobWait = 30 * time.Minute

func (env *Env) jobCommands() []*Command {
	return []*Command{
		{Name: "jobs", Help: "List the Databricks jobs of the workspace (the local one, or the profile's) with each one's newest run.", Run: env.jobs},
		{
			Name: "job run", Args: "NAME|ID", MinArgs: 1, MaxArgs: 1,
			Help: "Start a run of a Databricks job, found by its name or id, with parameters; job wait --last waits for it.",
			Flags: []Flag{
				{Name: "param", Repeated: true, Placeholder: "KEY=VALUE", Help: "a parameter of the run, job_parameters or, for a job that declares none, notebook_params"},
				YesFlag,
			},
			Asks: env.jobRunAsks, Run: env.jobRun,
		},
		{
			Name: "job runs", Args: "[NAME|ID]", MaxArgs: 1,
			Help:  "List the newest runs of a job, or of every job and one-time run, with their task runs.",
			Flags: []Flag{{Name: "limit", Default: "20", Help: "runs to list"}},
			Run:   env.jobRuns,
		},
		{
			Name: "job wait", Args: "RUN_ID", MaxArgs: 1,
			Help:  "Wait for a Databricks run to end; it succeeds when the run ends in SUCCESS and fails with the run's state message otherwise.",
			Flags: []Flag{LastFlag, {Name: "timeout", Default: defaultJobWait.String(), Help: "how long to wait"}},
			Run:   env.jobWait,
		},
		{
			Name: "job cancel", Args: "RUN_ID", MaxArgs: 1,
			Help:  "Cancel a Databricks run; it ends CANCELED shortly after.",
			Flags: []Flag{LastFlag},
			Run:   env.jobCancel,
		},
		{
			Name: "job output", Args: "RUN_ID", MaxArgs: 1,
			Help:  "Show each task run's output: the value its notebook exited with, or its error and trace.",
			Flags: []Flag{LastFlag},
			Run:   env.jobOutput,
		},
	}
}

// workspaceClient is the client of the profile's workspace.
func (env *Env) workspaceClient(ctx context.Context) (*databricks.Client, error) {
	if env.Backends == nil {
		return nil, errors.New("no Databricks workspace here: run it with the pipeline (pintui --script, the console or a subcommand that opens the stack)")
	}
	return env.Backends.Databricks(ctx)
}

// workspaceName names the workspace a question is about.
func (env *Env) workspaceName() string {
	if h := env.Config.Databricks.Host; h != "" {
		return h
	}
	if p := env.Config.Databricks.Profile; p != "" {
		return "of ~/.databrickscfg profile " + p
	}
	return "of DATABRICKS_HOST"
}

func (env *Env) jobRunAsks(in *Invocation) string {
	if env.Config.IsLocal() {
		return ""
	}
	return fmt.Sprintf("start a run of Databricks job %s in the workspace %s, which runs on its clusters", in.Args[0], env.workspaceName())
}

// TextTable lists the runs with their state and duration.
func (r JobRuns) TextTable() Table {
	t := Table{Columns: []string{"run_id", "job_id", "run_name", "state", "start", "duration", "tasks"}}
	for _, run := range r.Runs {
		keys := make([]string, len(run.Tasks))
		for i, tr := range run.Tasks {
			keys[i] = tr.TaskKey
		}
		t.Rows = append(t.Rows, []string{i64(run.RunID), i64(run.JobID), run.RunName, jobState(run.LifeCycleState, run.ResultState),
			Cell(run.Start), spanText(run.DurationMS), strings.Join(keys, ",")})
	}
	return t
}

// TextTable lists the run's task runs.
func (r JobRun) TextTable() Table {
	t := Table{Columns: []string{"task", "run_id", "state", "start", "duration", "notebook"}}
	for _, tr := range r.Tasks {
		t.Rows = append(t.Rows, []string{tr.TaskKey, i64(tr.RunID), jobState(tr.LifeCycleState, tr.ResultState), Cell(tr.Start), spanText(tr.DurationMS), tr.NotebookPath})
	}
	return t
}

// TextTable lists each task run's result, or its error.
func (o JobOutput) TextTable() Table {
	t := Table{Columns: []string{"task", "run_id", "result", "error"}}
	for _, to := range o.Tasks {
		result := to.Result
		if to.Truncated {
			result += " (truncated)"
		}
		t.Rows = append(t.Rows, []string{to.TaskKey, i64(to.RunID), result, to.Error})
	}
	return t
}

// jobState is a run's result once it has ended, else its life cycle state.
func jobState(lifeCycle, result string) string {
	if result != "" {
		return result
	}
	return lifeCycle
}

func spanText(ms *int64) string {
	if ms == nil {
		return ""
	}
	return (time.Duration(*ms) * time.Millisecond).Round(time.Second).String()
}

// spanMS is end − start, or how long it has been going at now; nil before it starts.
func spanMS(start, end, now time.Time) *int64 {
	if start.IsZero() {
		return nil
	}
	if end.IsZero() {
		end = now
	}
	return counted(max(0, end.Sub(start).Milliseconds()))
}

func jobRunOf(r databricks.Run, now time.Time) JobRun {
	out := JobRun{RunID: r.ID, JobID: r.JobID, RunName: r.Name, RunType: r.Type, LifeCycleState: r.LifeCycleState, ResultState: r.ResultState,
		StateMessage: r.StateMessage, Start: At(r.Start), End: At(r.End), DurationMS: spanMS(r.Start, r.End, now), URL: r.URL, Tasks: []JobTaskRun{}}
	for _, t := range r.Tasks {
		out.Tasks = append(out.Tasks, JobTaskRun{RunID: t.RunID, TaskKey: t.TaskKey, NotebookPath: t.NotebookPath, LifeCycleState: t.LifeCycleState,
			ResultState: t.ResultState, Start: At(t.Start), End: At(t.End), DurationMS: spanMS(t.Start, t.End, now)})
	}
	return out
}

func (env *Env) jobs(ctx context.Context, _ *Invocation) (*Result, error) {
	c, err := env.workspaceClient(ctx)
	if err != nil {
		return nil, err
	}
	js, err := c.Jobs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]JobSummary, 0, len(js))
	for _, j := range js {
		s := JobSummary{JobID: j.ID, Name: j.Name, Created: At(j.Created), Tasks: j.Tasks}
		runs, err := c.Runs(ctx, j.ID, 1)
		if err != nil {
			return nil, err
		}
		if len(runs) > 0 {
			s.LastRunID, s.LastRunState = runs[0].ID, jobState(runs[0].LifeCycleState, runs[0].ResultState)
		}
		out = append(out, s)
	}
	res := &Result{Data: out}
	if len(out) == 0 {
		res.Message = "no jobs in the workspace " + c.Host()
	}
	return res, nil
}

// jobParams reads the --param KEY=VALUE flags.
func jobParams(in *Invocation) (map[string]string, error) {
	params := map[string]string{}
	for _, p := range in.Values("param") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, usage(fmt.Errorf("%s: --param %q is not KEY=VALUE (usage: %s)", in.Command.Name, p, in.Command.Usage()))
		}
		params[k] = v
	}
	return params, nil
}

func (env *Env) jobRun(ctx context.Context, in *Invocation) (*Result, error) {
	params, err := jobParams(in)
	if err != nil {
		return nil, err
	}
	c, err := env.workspaceClient(ctx)
	if err != nil {
		return nil, err
	}
	job, err := c.Job(ctx, in.Args[0])
	if err != nil {
		return nil, err
	}
	id, err := c.RunNow(ctx, job, params)
	if err != nil {
		return nil, err
	}
	if err := env.rememberRun(LastJobRun, strconv.FormatInt(id, 10)); err != nil {
		return nil, err
	}
	r, err := c.Run(ctx, id)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("started run %d of job %s (%d)", id, job.Name, job.ID)
	if len(params) > 0 {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(params)) {
			kv = append(kv, k+"="+params[k])
		}
		msg += " with " + strings.Join(kv, ", ")
	}
	return &Result{Data: jobRunOf(r, time.Now()), Message: msg + "; job wait --last waits for it"}, nil
}

func (env *Env) jobRuns(ctx context.Context, in *Invocation) (*Result, error) {
	limit, err := in.Int("limit")
	if err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, usage(fmt.Errorf("%s: --limit must be at least 1", in.Command.Name))
	}
	c, err := env.workspaceClient(ctx)
	if err != nil {
		return nil, err
	}
	out := JobRuns{Runs: []JobRun{}}
	if len(in.Args) == 1 {
		job, err := c.Job(ctx, in.Args[0])
		if err != nil {
			return nil, err
		}
		out.JobID = job.ID
	}
	runs, err := c.Runs(ctx, out.JobID, limit)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for _, r := range runs {
		out.Runs = append(out.Runs, jobRunOf(r, now))
	}
	res := &Result{Data: out}
	if len(out.Runs) == 0 {
		res.Message = "no runs yet"
	}
	return res, nil
}

// jobRunID reads the RUN_ID argument or --last.
func (env *Env) jobRunID(in *Invocation) (int64, error) {
	arg, err := env.runArg(in, LastJobRun)
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, usage(fmt.Errorf("%s: RUN_ID %q is not a Databricks run id, a whole number such as 1042 (usage: %s)", in.Command.Name, arg, in.Command.Usage()))
	}
	return id, nil
}

func (env *Env) jobWait(ctx context.Context, in *Invocation) (*Result, error) {
	id, err := env.jobRunID(in)
	if err != nil {
		return nil, err
	}
	timeout, err := in.Duration("timeout")
	if err != nil {
		return nil, err
	}
	c, err := env.workspaceClient(ctx)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if _, err := c.Wait(wctx, id); err != nil {
		if ctx.Err() == nil && errors.Is(wctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("run %d has not ended after %s: wait longer with job wait %d --timeout 1h, or stop it with job cancel %d", id, timeout, id, id)
		}
		return nil, err
	}
	r, err := c.Run(ctx, id)
	if err != nil {
		return nil, err
	}
	out := jobRunOf(r, time.Now())
	if r.ResultState != "SUCCESS" {
		why := r.StateMessage
		if why == "" {
			why = "no message"
		}
		return nil, fmt.Errorf("run %d (%s) ended %s: %s: see what each task left with job output %d", id, r.Name, jobState(r.LifeCycleState, r.ResultState), why, id)
	}
	return &Result{Data: out, Message: fmt.Sprintf("run %d (%s) ended SUCCESS after %s", id, r.Name, spanText(out.DurationMS))}, nil
}

func (env *Env) jobCancel(ctx context.Context, in *Invocation) (*Result, error) {
	id, err := env.jobRunID(in)
	if err != nil {
		return nil, err
	}
	c, err := env.workspaceClient(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Cancel(ctx, id); err != nil {
		return nil, err
	}
	r, err := c.Run(ctx, id)
	if err != nil {
		return nil, err
	}
	return &Result{Data: jobRunOf(r, time.Now()), Message: fmt.Sprintf("asked to cancel run %d; job wait %d shows it end", id, id)}, nil
}

func (env *Env) jobOutput(ctx context.Context, in *Invocation) (*Result, error) {
	id, err := env.jobRunID(in)
	if err != nil {
		return nil, err
	}
	c, err := env.workspaceClient(ctx)
	if err != nil {
		return nil, err
	}
	tasks, err := c.Output(ctx, id)
	if err != nil {
		return nil, err
	}
	out := JobOutput{RunID: id, Tasks: []JobTaskOutput{}}
	for _, t := range tasks {
		out.Tasks = append(out.Tasks, JobTaskOutput{RunID: t.RunID, TaskKey: t.TaskKey, Result: t.Result, Truncated: t.Truncated,
			Error: t.Error, ErrorTrace: t.ErrorTrace, Logs: t.Logs})
	}
	return &Result{Data: out}, nil
}
