package databricks

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/service/jobs"

	"github.com/pintui/pintui/pipeline/dag"
)

// Job is one job of the workspace.
type Job struct {
	ID      int64
	Name    string
	Created time.Time
	// Tasks are the job's task keys.
	Tasks []string
	// Parameters are the job-level parameters; a job without any takes notebook_params, as jobs
	// made before job parameters existed do.
	Parameters []string
}

// Run is one run: a job's run or a one-time submitted run, with its task runs.
type Run struct {
	ID    int64
	JobID int64
	Name  string
	// Type is JOB_RUN, WORKFLOW_RUN or SUBMIT_RUN.
	Type string
	// LifeCycleState is QUEUED, PENDING, RUNNING, TERMINATING, TERMINATED, SKIPPED or
	// INTERNAL_ERROR; ResultState SUCCESS, FAILED, TIMEDOUT, CANCELED … once the run has ended.
	LifeCycleState string
	ResultState    string
	StateMessage   string
	Start, End     time.Time
	URL            string
	Tasks          []TaskRun
}

// Ended reports whether the run has ended: TERMINATED, SKIPPED or INTERNAL_ERROR.
func (r Run) Ended() bool { return terminal(r.LifeCycleState) }

func terminal(lifeCycle string) bool {
	switch jobs.RunLifeCycleState(lifeCycle) {
	case jobs.RunLifeCycleStateTerminated, jobs.RunLifeCycleStateSkipped, jobs.RunLifeCycleStateInternalError:
		return true
	}
	return false
}

// TaskRun is one task of a run, with its own run id (the one get-output takes).
type TaskRun struct {
	RunID          int64
	TaskKey        string
	NotebookPath   string
	LifeCycleState string
	ResultState    string
	StateMessage   string
	Start, End     time.Time
}

// TaskOutput is what one task run left: the value its notebook exited with, or its error.
type TaskOutput struct {
	RunID      int64
	TaskKey    string
	Result     string
	Truncated  bool
	Error      string
	ErrorTrace string
	Logs       string
}

// jobsAdvice is what to do about a job the workspace does not have.
const jobsAdvice = "list the jobs with pintui jobs, or run pintui deploy to put the notebooks in place"

// runsAdvice is what to do about a run the workspace does not have.
const runsAdvice = "list the runs with pintui job runs"

// Jobs lists every job of the workspace, each with its tasks.
func (c *Client) Jobs(ctx context.Context) ([]Job, error) {
	all, err := c.jobs.ListAll(ctx, jobs.ListJobsRequest{ExpandTasks: true})
	if err != nil {
		return nil, c.fail("list jobs", err, jobsAdvice)
	}
	out := make([]Job, 0, len(all))
	for _, j := range all {
		out = append(out, jobOf(j.JobId, j.CreatedTime, j.Settings))
	}
	return out, nil
}

func jobOf(id, created int64, s *jobs.JobSettings) Job {
	j := Job{ID: id, Created: millis(created), Tasks: []string{}, Parameters: []string{}}
	if s == nil {
		return j
	}
	j.Name = s.Name
	for _, t := range s.Tasks {
		j.Tasks = append(j.Tasks, t.TaskKey)
	}
	for _, p := range s.Parameters {
		j.Parameters = append(j.Parameters, p.Name)
	}
	return j
}

// Job finds a job by its id or, when ref is not a number, by its exact name.
func (c *Client) Job(ctx context.Context, ref string) (Job, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		j, err := c.jobs.Get(ctx, jobs.GetJobRequest{JobId: id})
		if err != nil {
			return Job{}, c.fail("get job "+ref, err, jobsAdvice)
		}
		return jobOf(j.JobId, j.CreatedTime, j.Settings), nil
	}
	found, err := c.jobs.ListAll(ctx, jobs.ListJobsRequest{Name: ref, ExpandTasks: true})
	if err != nil {
		return Job{}, c.fail("find job "+ref, err, jobsAdvice)
	}
	switch len(found) {
	case 0:
		return Job{}, fmt.Errorf("find job %s: the workspace at %s has no job named %s: %s", ref, c.host, ref, jobsAdvice)
	case 1:
		return jobOf(found[0].JobId, found[0].CreatedTime, found[0].Settings), nil
	}
	ids := make([]string, len(found))
	for i, j := range found {
		ids[i] = strconv.FormatInt(j.JobId, 10)
	}
	return Job{}, fmt.Errorf("find job %s: %d jobs are named %s (ids %s): give the job's id instead", ref, len(found), ref, strings.Join(ids, ", "))
}

// RunNow starts a run of the job with params, as job_parameters when the job declares job-level
// parameters and as notebook_params otherwise, and returns its run id.
func (c *Client) RunNow(ctx context.Context, job Job, params map[string]string) (int64, error) {
	req := jobs.RunNow{JobId: job.ID}
	if len(params) > 0 {
		if len(job.Parameters) > 0 {
			req.JobParameters = params
		} else {
			req.NotebookParams = params
		}
	}
	w, err := c.jobs.RunNow(ctx, req)
	if err != nil {
		return 0, c.fail(fmt.Sprintf("run job %d", job.ID), err, jobsAdvice)
	}
	return w.Response.RunId, nil
}

// Submit starts a one-time run of the notebook task, as DatabricksSubmitRunOperator does, and
// returns its run id.
func (c *Client) Submit(ctx context.Context, t dag.NotebookTask) (int64, error) {
	task := jobs.SubmitTask{
		TaskKey:           t.TaskKey,
		ExistingClusterId: t.ClusterID,
		NotebookTask: &jobs.NotebookTask{
			NotebookPath: t.NotebookPath, BaseParameters: t.Parameters, Source: jobs.SourceWorkspace,
		},
	}
	w, err := c.jobs.Submit(ctx, jobs.SubmitRun{RunName: t.RunName, Tasks: []jobs.SubmitTask{task}})
	if err != nil {
		return 0, c.fail("submit run "+t.RunName, err, "import the notebook "+t.NotebookPath+" with pintui deploy")
	}
	return w.Response.RunId, nil
}

// Wait polls the run until it has ended, or ctx ends, and returns how it ended.
func (c *Client) Wait(ctx context.Context, runID int64) (dag.RunOutcome, error) {
	for {
		r, err := c.Run(ctx, runID)
		if err != nil {
			return dag.RunOutcome{}, err
		}
		if r.Ended() {
			return dag.RunOutcome{RunID: r.ID, LifeCycleState: r.LifeCycleState, ResultState: r.ResultState, StateMessage: r.StateMessage, RunPageURL: r.URL}, nil
		}
		if err := sleep(ctx, c.pollEvery); err != nil {
			return dag.RunOutcome{}, fmt.Errorf("wait for run %d, still %s: %w", runID, r.LifeCycleState, err)
		}
	}
}

// Run returns one run with its task runs.
func (c *Client) Run(ctx context.Context, runID int64) (Run, error) {
	r, err := c.jobs.GetRun(ctx, jobs.GetRunRequest{RunId: runID})
	if err != nil {
		return Run{}, c.fail(fmt.Sprintf("get run %d", runID), err, runsAdvice)
	}
	return runOf(r.RunId, r.JobId, r.RunName, r.RunType, r.State, r.StartTime, r.EndTime, r.RunPageUrl, r.Tasks), nil
}

// maxRunsPage is the most runs/list returns at once.
const maxRunsPage = 25

// Runs lists up to limit runs, newest first, of one job or, with jobID 0, of every job and
// one-time run; it follows next_page_token until it has them.
func (c *Client) Runs(ctx context.Context, jobID int64, limit int) ([]Run, error) {
	it := c.jobs.ListRuns(ctx, jobs.ListRunsRequest{JobId: jobID, Limit: min(limit, maxRunsPage), ExpandTasks: true})
	out := []Run{}
	for len(out) < limit && it.HasNext(ctx) {
		r, err := it.Next(ctx)
		if err != nil {
			op := "list runs"
			if jobID != 0 {
				op = fmt.Sprintf("list runs of job %d", jobID)
			}
			return nil, c.fail(op, err, jobsAdvice)
		}
		out = append(out, runOf(r.RunId, r.JobId, r.RunName, r.RunType, r.State, r.StartTime, r.EndTime, r.RunPageUrl, r.Tasks))
	}
	return out, nil
}

func runOf(id, jobID int64, name string, typ jobs.RunType, st *jobs.RunState, start, end int64, url string, tasks []jobs.RunTask) Run {
	r := Run{ID: id, JobID: jobID, Name: name, Type: string(typ), Start: millis(start), End: millis(end), URL: url, Tasks: []TaskRun{}}
	r.LifeCycleState, r.ResultState, r.StateMessage = stateOf(st)
	for _, t := range tasks {
		tr := TaskRun{RunID: t.RunId, TaskKey: t.TaskKey, Start: millis(t.StartTime), End: millis(t.EndTime)}
		tr.LifeCycleState, tr.ResultState, tr.StateMessage = stateOf(t.State)
		if t.NotebookTask != nil {
			tr.NotebookPath = t.NotebookTask.NotebookPath
		}
		r.Tasks = append(r.Tasks, tr)
	}
	return r
}

func stateOf(st *jobs.RunState) (lifeCycle, result, message string) {
	if st == nil {
		return "", "", ""
	}
	return string(st.LifeCycleState), string(st.ResultState), st.StateMessage
}

// Cancel asks the workspace to cancel the run; it ends a little later, as runs/get then shows.
func (c *Client) Cancel(ctx context.Context, runID int64) error {
	if _, err := c.jobs.CancelRun(ctx, jobs.CancelRun{RunId: runID}); err != nil {
		return c.fail(fmt.Sprintf("cancel run %d", runID), err, runsAdvice)
	}
	return nil
}

// Output returns each task run's output: runs/get-output takes a task run's id, not the
// parent's, so it is asked once per task. A run without task runs is asked by its own id.
func (c *Client) Output(ctx context.Context, runID int64) ([]TaskOutput, error) {
	r, err := c.Run(ctx, runID)
	if err != nil {
		return nil, err
	}
	tasks := r.Tasks
	if len(tasks) == 0 {
		tasks = []TaskRun{{RunID: r.ID}}
	}
	out := make([]TaskOutput, 0, len(tasks))
	for _, t := range tasks {
		o, err := c.jobs.GetRunOutput(ctx, jobs.GetRunOutputRequest{RunId: t.RunID})
		if err != nil {
			return nil, c.fail(fmt.Sprintf("get the output of run %d task %s", runID, t.TaskKey), err, runsAdvice)
		}
		to := TaskOutput{RunID: t.RunID, TaskKey: t.TaskKey, Error: o.Error, ErrorTrace: o.ErrorTrace, Logs: o.Logs}
		if o.NotebookOutput != nil {
			to.Result, to.Truncated = o.NotebookOutput.Result, o.NotebookOutput.Truncated
		}
		out = append(out, to)
	}
	return out, nil
}

// millis turns the Jobs API's epoch milliseconds into a time; 0 (not yet) stays the zero time.
func millis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
