// Package dag is the one authority for the pipeline's orchestration: the Airflow DAG <uid>_dag,
// its tasks, which mirror the original pipeline (load_landings → clean_pin, clean_geo, clean_user
// → analytics), the settings it runs with, the notebooks and jobs of the workspace, and the
// notebook run each task submits to the Databricks Jobs API, as the cloud DAG's
// DatabricksSubmitRunOperator does. The local scheduler, the local workspace, the deployable DAG
// file and notebooks, the commands and the console all take these names from here.
package dag

import (
	"context"
	"path"
	"time"
)

// ID returns the Airflow DAG id of the pipeline, <uid>_dag.
func ID(uid string) string { return uid + "_dag" }

// FileName returns the DAG file's name as it lands in the DAG folder, <uid>_dag.py.
func FileName(uid string) string { return ID(uid) + ".py" }

// The tasks of the DAG, in the order a run starts them.
const (
	TaskLoadLandings = "load_landings"
	TaskCleanPin     = "clean_pin"
	TaskCleanGeo     = "clean_geo"
	TaskCleanUser    = "clean_user"
	TaskAnalytics    = "analytics"
)

// Task is one task of the DAG: the batch notebook run with StepParam set to its ID, started
// once every task in Upstream has succeeded.
type Task struct {
	ID       string
	Upstream []string
}

// Tasks returns the DAG's tasks in the order a run starts them.
func Tasks() []Task {
	cleans := []string{TaskCleanPin, TaskCleanGeo, TaskCleanUser}
	return []Task{
		{ID: TaskLoadLandings},
		{ID: TaskCleanPin, Upstream: []string{TaskLoadLandings}},
		{ID: TaskCleanGeo, Upstream: []string{TaskLoadLandings}},
		{ID: TaskCleanUser, Upstream: []string{TaskLoadLandings}},
		{ID: TaskAnalytics, Upstream: cleans},
	}
}

// StepParam is the notebook parameter (a widget of the batch notebook) that says which task's
// step a run does; a run without it does every step in order.
const StepParam = "step"

// Settings say when the DAG runs and how it retries a failing task.
type Settings struct {
	// Schedule is a cron expression or a descriptor such as @daily.
	Schedule string
	// Catchup runs the intervals missed while the scheduler was down; false runs only the latest.
	Catchup bool
	// Retries is how many times a failing task is tried again, RetryDelay how long after.
	Retries    int
	RetryDelay time.Duration
}

// DefaultSettings are SPEC's: @daily, catchup=False, one retry two minutes later.
func DefaultSettings() Settings {
	return Settings{Schedule: "@daily", Retries: 1, RetryDelay: 2 * time.Minute}
}

// The notebooks of the workspace.
const (
	BatchNotebook  = "batch"
	StreamNotebook = "stream"
)

// DefaultNotebookDir is the workspace folder the notebooks are imported into.
const DefaultNotebookDir = "/Shared/pintui"

// NotebookPath returns the workspace path of one notebook (BatchNotebook or StreamNotebook),
// <dir>/<uid>_<kind>.
func NotebookPath(dir, uid, kind string) string { return path.Join(dir, uid+"_"+kind) }

// JobName returns the name of the workspace job that runs one notebook, <uid>_<kind>_job.
func JobName(uid, kind string) string { return uid + "_" + kind + "_job" }

// NotebookTask is one notebook run a DAG task submits, as runs/submit takes it.
type NotebookTask struct {
	// RunName names the run, <dag id>.<task id> for a DAG task.
	RunName string
	// TaskKey is the run's single task key, the DAG task's id.
	TaskKey      string
	NotebookPath string
	// Parameters are the notebook's base parameters, StepParam among them.
	Parameters map[string]string
	// ClusterID is the existing cluster to run on; "" lets the workspace choose.
	ClusterID string
}

// RunOutcome is how a submitted run ended, in the Jobs API's words.
type RunOutcome struct {
	RunID int64
	// LifeCycleState is TERMINATED, SKIPPED or INTERNAL_ERROR once the run has ended.
	LifeCycleState string
	// ResultState is SUCCESS, FAILED, TIMEDOUT, CANCELED …; "" while the run has not ended.
	ResultState  string
	StateMessage string
	RunPageURL   string
}

// Succeeded reports whether the run ended in SUCCESS.
func (o RunOutcome) Succeeded() bool { return o.ResultState == "SUCCESS" }

// TaskRunner submits a task's notebook run to a Databricks Jobs API (the workspace on loopback
// or a real one) and waits for it, as DatabricksSubmitRunOperator does.
type TaskRunner interface {
	// Submit starts a one-time run of the notebook task and returns its run id.
	Submit(ctx context.Context, t NotebookTask) (int64, error)
	// Wait blocks until the run has ended, or ctx ends, and returns how it ended.
	Wait(ctx context.Context, runID int64) (RunOutcome, error)
}
