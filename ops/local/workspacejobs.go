package local

import (
	"fmt"
	"maps"
	"net/http"
	"path"
	"slices"
)

// apiJob is a job as jobs/get and jobs/list answer it.
type apiJob struct {
	JobID           int64       `json:"job_id"`
	CreatorUserName string      `json:"creator_user_name"`
	CreatedTime     int64       `json:"created_time"`
	Settings        jobSettings `json:"settings"`
}

type jobSettings struct {
	Name              string    `json:"name"`
	MaxConcurrentRuns int       `json:"max_concurrent_runs"`
	Format            string    `json:"format"`
	Tasks             []jobTask `json:"tasks,omitempty"`
}

type jobTask struct {
	TaskKey           string        `json:"task_key"`
	NotebookTask      *notebookTask `json:"notebook_task,omitempty"`
	ExistingClusterID string        `json:"existing_cluster_id,omitempty"`
}

type notebookTask struct {
	NotebookPath   string            `json:"notebook_path"`
	BaseParameters map[string]string `json:"base_parameters,omitempty"`
	Source         string            `json:"source,omitempty"`
}

type taskDependency struct {
	TaskKey string `json:"task_key"`
}

// runState is a run's state in the Jobs API's words (life cycle, result, message).
type runState struct {
	LifeCycleState          string `json:"life_cycle_state"`
	ResultState             string `json:"result_state,omitempty"`
	StateMessage            string `json:"state_message"`
	UserCancelledOrTimedout bool   `json:"user_cancelled_or_timedout"`
}

// runStatus is the same state in the newer status object.
type runStatus struct {
	State              string              `json:"state"`
	TerminationDetails *terminationDetails `json:"termination_details,omitempty"`
}

type terminationDetails struct {
	Code    string `json:"code"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

// taskRun is one task of a run, with a run id of its own.
type taskRun struct {
	RunID             int64            `json:"run_id"`
	TaskKey           string           `json:"task_key"`
	NotebookTask      *notebookTask    `json:"notebook_task,omitempty"`
	ExistingClusterID string           `json:"existing_cluster_id,omitempty"`
	DependsOn         []taskDependency `json:"depends_on,omitempty"`
	State             runState         `json:"state"`
	Status            runStatus        `json:"status"`
	AttemptNumber     int              `json:"attempt_number"`
	StartTime         int64            `json:"start_time,omitempty"`
	SetupDuration     int64            `json:"setup_duration"`
	ExecutionDuration int64            `json:"execution_duration"`
	CleanupDuration   int64            `json:"cleanup_duration"`
	EndTime           int64            `json:"end_time,omitempty"`
	RunDuration       int64            `json:"run_duration,omitempty"`
	RunPageURL        string           `json:"run_page_url,omitempty"`
}

// jobRun is a run as runs/get and runs/list answer it.
type jobRun struct {
	RunID             int64          `json:"run_id"`
	JobID             int64          `json:"job_id,omitempty"`
	NumberInJob       int64          `json:"number_in_job,omitempty"`
	RunName           string         `json:"run_name"`
	RunType           string         `json:"run_type"`
	Trigger           string         `json:"trigger,omitempty"`
	CreatorUserName   string         `json:"creator_user_name"`
	State             runState       `json:"state"`
	Status            runStatus      `json:"status"`
	JobParameters     []jobParameter `json:"job_parameters,omitempty"`
	Tasks             []taskRun      `json:"tasks,omitempty"`
	StartTime         int64          `json:"start_time"`
	SetupDuration     int64          `json:"setup_duration"`
	ExecutionDuration int64          `json:"execution_duration"`
	CleanupDuration   int64          `json:"cleanup_duration"`
	EndTime           int64          `json:"end_time"`
	RunDuration       int64          `json:"run_duration,omitempty"`
	RunPageURL        string         `json:"run_page_url,omitempty"`
}

type jobParameter struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// terminal reports whether the run has ended.
func (r *jobRun) terminal() bool { return isTerminal(r.State.LifeCycleState) }

func isTerminal(lifeCycle string) bool {
	return lifeCycle == "TERMINATED" || lifeCycle == "SKIPPED" || lifeCycle == "INTERNAL_ERROR"
}

// pageURL is where a run's page would be: under its job for a job run, on its own for a
// one-time run.
func pageURL(base string, jobID, runID int64) string {
	if jobID == 0 {
		return fmt.Sprintf("%s/#run/%d", base, runID)
	}
	return fmt.Sprintf("%s/#job/%d/run/%d", base, jobID, runID)
}

// view is a copy of the run to answer with, its pages under the current base URL.
func (w *workspace) view(r *jobRun, withTasks bool) jobRun {
	v := *r
	v.RunPageURL = pageURL(w.base, r.JobID, r.RunID)
	v.Tasks = nil
	if withTasks {
		v.Tasks = slices.Clone(r.Tasks)
		for i := range v.Tasks {
			v.Tasks[i].RunPageURL = pageURL(w.base, r.JobID, v.Tasks[i].RunID)
		}
	}
	return v
}

// taskView is one task run answered as a run of its own, as runs/get and the output's metadata
// show a task run.
func (w *workspace) taskView(r *jobRun, i int) jobRun {
	t := r.Tasks[i]
	v := w.view(r, false)
	v.RunID, v.State, v.Status, v.RunPageURL = t.RunID, t.State, t.Status, pageURL(w.base, r.JobID, t.RunID)
	v.StartTime, v.EndTime, v.SetupDuration, v.ExecutionDuration, v.RunDuration = t.StartTime, t.EndTime, t.SetupDuration, t.ExecutionDuration, t.RunDuration
	t.RunPageURL = v.RunPageURL
	v.Tasks = []taskRun{t}
	return v
}

func (w *workspace) listJobs(r *http.Request) (any, error) {
	limit, err := intParam(r, "limit")
	if err != nil {
		return nil, err
	}
	if limit < 0 || limit > 100 {
		return nil, invalidParameter("limit %d is out of range: give 1 to 100", limit)
	}
	expand, err := boolParam(r, "expand_tasks")
	if err != nil {
		return nil, err
	}
	job := w.batchJob()
	if !expand {
		job.Settings.Tasks = nil
	}
	jobs := []apiJob{}
	if name := r.URL.Query().Get("name"); name == "" || name == job.Settings.Name {
		jobs = append(jobs, job)
	}
	return map[string]any{"jobs": jobs, "has_more": false}, nil
}

func (w *workspace) getJob(r *http.Request) (any, error) {
	id, err := intParam(r, "job_id")
	if err != nil {
		return nil, err
	}
	if id != batchJobID {
		return nil, noSuchResource("Job %d does not exist.", id)
	}
	return w.batchJob(), nil
}

type runNowRequest struct {
	JobID            int64             `json:"job_id"`
	JobParameters    map[string]string `json:"job_parameters"`
	NotebookParams   map[string]string `json:"notebook_params"`
	IdempotencyToken string            `json:"idempotency_token"`
}

func (w *workspace) runNow(r *http.Request) (any, error) {
	var req runNowRequest
	if err := readJSONBody(r, &req); err != nil {
		return nil, err
	}
	if req.JobID != batchJobID {
		return nil, noSuchResource("Job %d does not exist.", req.JobID)
	}
	if len(req.JobParameters) > 0 && len(req.NotebookParams) > 0 {
		return nil, invalidParameter("give job_parameters or notebook_params, not both")
	}
	params := req.JobParameters
	if len(params) == 0 {
		params = req.NotebookParams
	}
	job := w.batchJob()
	f := &runFile{IdempotencyToken: req.IdempotencyToken, Run: jobRun{
		JobID: job.JobID, RunName: job.Settings.Name, RunType: "JOB_RUN", Trigger: "ONE_TIME",
	}}
	for _, k := range slices.Sorted(maps.Keys(params)) {
		f.Run.JobParameters = append(f.Run.JobParameters, jobParameter{Name: k, Value: params[k]})
	}
	for _, t := range job.Settings.Tasks {
		nb := *t.NotebookTask
		nb.BaseParameters = maps.Clone(nb.BaseParameters)
		if nb.BaseParameters == nil {
			nb.BaseParameters = map[string]string{}
		}
		maps.Copy(nb.BaseParameters, params)
		f.Run.Tasks = append(f.Run.Tasks, taskRun{TaskKey: t.TaskKey, NotebookTask: &nb})
	}
	id, err := w.startRun(f)
	if err != nil {
		return nil, err
	}
	return map[string]int64{"run_id": id, "number_in_job": id}, nil
}

type submitRequest struct {
	RunName          string       `json:"run_name"`
	Tasks            []submitTask `json:"tasks"`
	TimeoutSeconds   int          `json:"timeout_seconds"`
	IdempotencyToken string       `json:"idempotency_token"`
	// NotebookTask and ExistingClusterID are the legacy single-task form.
	NotebookTask      *notebookTask `json:"notebook_task"`
	ExistingClusterID string        `json:"existing_cluster_id"`
}

type submitTask struct {
	TaskKey           string           `json:"task_key"`
	NotebookTask      *notebookTask    `json:"notebook_task"`
	ExistingClusterID string           `json:"existing_cluster_id"`
	DependsOn         []taskDependency `json:"depends_on"`
}

// legacyTaskKey names the one task of a run submitted in the legacy single-task form.
const legacyTaskKey = "notebook_task"

func (w *workspace) submit(r *http.Request) (any, error) {
	var req submitRequest
	if err := readJSONBody(r, &req); err != nil {
		return nil, err
	}
	if req.NotebookTask != nil {
		if len(req.Tasks) > 0 {
			return nil, invalidParameter("give tasks or the legacy notebook_task, not both")
		}
		req.Tasks = []submitTask{{TaskKey: legacyTaskKey, NotebookTask: req.NotebookTask, ExistingClusterID: req.ExistingClusterID}}
	}
	if req.TimeoutSeconds < 0 {
		return nil, invalidParameter("timeout_seconds %d is negative", req.TimeoutSeconds)
	}
	tasks, err := orderTasks(req.Tasks)
	if err != nil {
		return nil, err
	}
	f := &runFile{IdempotencyToken: req.IdempotencyToken, TimeoutSeconds: req.TimeoutSeconds,
		Run: jobRun{RunName: req.RunName, RunType: "SUBMIT_RUN"}}
	if f.Run.RunName == "" {
		f.Run.RunName = "Untitled"
	}
	for _, t := range tasks {
		nb := *t.NotebookTask
		nb.BaseParameters = maps.Clone(nb.BaseParameters)
		f.Run.Tasks = append(f.Run.Tasks, taskRun{TaskKey: t.TaskKey, NotebookTask: &nb,
			ExistingClusterID: t.ExistingClusterID, DependsOn: t.DependsOn})
	}
	id, err := w.startRun(f)
	if err != nil {
		return nil, err
	}
	return map[string]int64{"run_id": id}, nil
}

// orderTasks checks a submitted run's tasks and orders them so that every task comes after the
// tasks it depends on.
func orderTasks(tasks []submitTask) ([]submitTask, error) {
	if len(tasks) == 0 {
		return nil, invalidParameter("the run has no tasks: give tasks with a notebook_task each")
	}
	byKey := map[string]submitTask{}
	for _, t := range tasks {
		switch {
		case t.TaskKey == "":
			return nil, invalidParameter("a task has no task_key: give each task a unique task_key")
		case byKey[t.TaskKey].TaskKey != "":
			return nil, invalidParameter("task_key %q is given twice: task keys must be unique", t.TaskKey)
		case t.NotebookTask == nil:
			return nil, invalidParameter("task %s has no notebook_task: the local workspace runs notebook tasks only", t.TaskKey)
		case !path.IsAbs(t.NotebookTask.NotebookPath):
			return nil, invalidParameter("task %s: notebook_path %q is not an absolute workspace path", t.TaskKey, t.NotebookTask.NotebookPath)
		case t.NotebookTask.Source != "" && t.NotebookTask.Source != "WORKSPACE":
			return nil, invalidParameter("task %s: source %s is not served: the local workspace runs WORKSPACE notebooks", t.TaskKey, t.NotebookTask.Source)
		}
		byKey[t.TaskKey] = t
	}
	var ordered []submitTask
	state := map[string]int{} // 1 while visiting, 2 once ordered
	var visit func(t submitTask) error
	visit = func(t submitTask) error {
		switch state[t.TaskKey] {
		case 1:
			return invalidParameter("task %s depends on itself through depends_on: remove the cycle", t.TaskKey)
		case 2:
			return nil
		}
		state[t.TaskKey] = 1
		for _, d := range t.DependsOn {
			up, ok := byKey[d.TaskKey]
			if !ok {
				return invalidParameter("task %s depends on %q, which is not a task of the run", t.TaskKey, d.TaskKey)
			}
			if err := visit(up); err != nil {
				return err
			}
		}
		state[t.TaskKey] = 2
		ordered = append(ordered, t)
		return nil
	}
	for _, t := range tasks {
		if err := visit(t); err != nil {
			return nil, err
		}
	}
	return ordered, nil
}

// lookupRun finds a run by its id or one of its tasks' ids; task is -1 for the run itself.
func (w *workspace) lookupRun(id int64) (f *runFile, task int, err error) {
	if f, ok := w.runs[id]; ok {
		return f, -1, nil
	}
	if parent, ok := w.taskRuns[id]; ok {
		f := w.runs[parent]
		for i, t := range f.Run.Tasks {
			if t.RunID == id {
				return f, i, nil
			}
		}
	}
	return nil, 0, noSuchResource("Run %d does not exist.", id)
}

func (w *workspace) getRun(r *http.Request) (any, error) {
	id, err := intParam(r, "run_id")
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	f, task, err := w.lookupRun(id)
	if err != nil {
		return nil, err
	}
	if task >= 0 {
		return w.taskView(&f.Run, task), nil
	}
	return w.view(&f.Run, true), nil
}

func (w *workspace) cancelRun(r *http.Request) (any, error) {
	var req struct {
		RunID int64 `json:"run_id"`
	}
	if err := readJSONBody(r, &req); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	f, task, err := w.lookupRun(req.RunID)
	if err != nil {
		return nil, err
	}
	if task >= 0 {
		return nil, invalidParameter("run %d is a task of run %d: cancel run %d", req.RunID, f.Run.RunID, f.Run.RunID)
	}
	if cancel, ok := w.active[f.Run.RunID]; ok && !f.Run.terminal() {
		f.canceled = true
		cancel()
	}
	return struct{}{}, nil
}

// maxNotebookResult is where runs/get-output cuts a notebook's exit value, as Databricks does.
const maxNotebookResult = 5 << 20

func (w *workspace) getOutput(r *http.Request) (any, error) {
	id, err := intParam(r, "run_id")
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	f, task, err := w.lookupRun(id)
	if err != nil {
		return nil, err
	}
	if task < 0 {
		return nil, invalidParameter("Retrieving the output of runs with multiple tasks is not supported. " +
			"Please retrieve the output of each individual task run instead.")
	}
	answer := map[string]any{"metadata": w.taskView(&f.Run, task)}
	out := f.Outputs[id]
	if out == nil {
		return answer, nil
	}
	if f.Run.Tasks[task].State.ResultState == "SUCCESS" {
		result, truncated := out.Result, false
		if len(result) > maxNotebookResult {
			result, truncated = result[:maxNotebookResult], true
		}
		answer["notebook_output"] = map[string]any{"result": result, "truncated": truncated}
	}
	if out.Error != "" {
		answer["error"], answer["error_trace"] = out.Error, out.ErrorTrace
	}
	answer["logs"] = out.Logs
	return answer, nil
}
