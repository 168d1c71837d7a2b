package command

// The typed results of the orchestration and jobs commands: the Airflow DAG and its runs (the
// local scheduler, MWAA or a self-hosted Airflow), the Databricks jobs and runs (the local
// workspace or a real one), deploy and the managed sink.

// DAGSummary is one DAG as `dags` lists it.
type DAGSummary struct {
	DAG    string `json:"dag"`
	Paused bool   `json:"paused"`
	// Schedule is the DAG's schedule as Airflow reports it, e.g. @daily or 0 0 * * *.
	Schedule string `json:"schedule"`
	// NextRun is when the scheduler next starts a run; null when paused or unknown.
	NextRun Time `json:"next_run"`
	// LastRunID, LastRunState and LastRunStart describe the newest run; "" and null before any.
	LastRunID    string `json:"last_run_id"`
	LastRunState string `json:"last_run_state"`
	LastRunStart Time   `json:"last_run_start"`
}

// The DAG run states (Airflow's DagState).
const (
	DAGRunQueued  = "queued"
	DAGRunRunning = "running"
	DAGRunSuccess = "success"
	DAGRunFailed  = "failed"
)

// DAGRun is one run of a DAG with its task instances, as `dag trigger`, `dag run`, `dag wait`
// and, one per run, `dag runs` return it.
type DAGRun struct {
	DAG   string `json:"dag"`
	RunID string `json:"run_id"`
	// State is queued, running, success or failed.
	State string `json:"state"`
	// RunType is manual, scheduled, backfill or dataset_triggered.
	RunType     string `json:"run_type"`
	LogicalDate Time   `json:"logical_date"`
	Start       Time   `json:"start"`
	End         Time   `json:"end"`
	// DurationMS is End − Start, or how long the run has been going; null before it starts.
	DurationMS *int64         `json:"duration_ms"`
	Conf       map[string]any `json:"conf"`
	// Tasks are the run's task instances in the DAG's task order.
	Tasks []TaskInstance `json:"tasks"`
}

// Ended reports whether the run has finished, in success or failure.
func (r DAGRun) Ended() bool { return r.State == DAGRunSuccess || r.State == DAGRunFailed }

// TaskInstance is one task of one DAG run.
type TaskInstance struct {
	Task string `json:"task"`
	// State is Airflow's task state (success, failed, running, queued, scheduled, up_for_retry,
	// upstream_failed, skipped …), "" (Airflow's null) before the scheduler has looked at it.
	State string `json:"state"`
	// TryNumber is the current try, MaxTries the tries allowed after the first.
	TryNumber  int    `json:"try_number"`
	MaxTries   int    `json:"max_tries"`
	Start      Time   `json:"start"`
	End        Time   `json:"end"`
	DurationMS *int64 `json:"duration_ms"`
	Operator   string `json:"operator"`
}

// DAGRuns is what `dag runs` returns: a DAG's runs, newest first.
type DAGRuns struct {
	DAG  string   `json:"dag"`
	Runs []DAGRun `json:"runs"`
	// Total is how many runs the DAG has, of which Runs holds the newest.
	Total int `json:"total"`
}

// TaskLog is what `dag logs` returns: one try of one task instance's log.
type TaskLog struct {
	DAG       string `json:"dag"`
	RunID     string `json:"run_id"`
	Task      string `json:"task"`
	TryNumber int    `json:"try_number"`
	Text      string `json:"text"`
}

// DAGPause is what `dag pause` and `dag unpause` return.
type DAGPause struct {
	DAG    string `json:"dag"`
	Paused bool   `json:"paused"`
}

// JobSummary is one Databricks job as `jobs` lists it.
type JobSummary struct {
	JobID   int64  `json:"job_id"`
	Name    string `json:"name"`
	Created Time   `json:"created"`
	// Tasks are the job's task keys.
	Tasks []string `json:"tasks"`
	// LastRunID and LastRunState describe the job's newest run; 0 and "" before any.
	LastRunID    int64  `json:"last_run_id"`
	LastRunState string `json:"last_run_state"`
}

// JobRun is one Databricks run (a job's run or a one-time submitted run) with its task runs.
type JobRun struct {
	RunID int64 `json:"run_id"`
	// JobID is the job the run belongs to; one-time runs belong to an anonymous job.
	JobID   int64  `json:"job_id"`
	RunName string `json:"run_name"`
	// RunType is JOB_RUN, WORKFLOW_RUN or SUBMIT_RUN.
	RunType string `json:"run_type"`
	// LifeCycleState is QUEUED, PENDING, RUNNING, TERMINATING, TERMINATED, SKIPPED or
	// INTERNAL_ERROR; ResultState SUCCESS, FAILED, TIMEDOUT, CANCELED … once it has ended.
	LifeCycleState string `json:"life_cycle_state"`
	ResultState    string `json:"result_state"`
	StateMessage   string `json:"state_message"`
	Start          Time   `json:"start"`
	End            Time   `json:"end"`
	DurationMS     *int64 `json:"duration_ms"`
	// URL is the run's page in the workspace.
	URL   string       `json:"url"`
	Tasks []JobTaskRun `json:"tasks"`
}

// Ended reports whether the run has ended (TERMINATED, SKIPPED or INTERNAL_ERROR).
func (r JobRun) Ended() bool {
	switch r.LifeCycleState {
	case "TERMINATED", "SKIPPED", "INTERNAL_ERROR":
		return true
	}
	return false
}

// JobTaskRun is one task of a Databricks run.
type JobTaskRun struct {
	RunID          int64  `json:"run_id"`
	TaskKey        string `json:"task_key"`
	NotebookPath   string `json:"notebook_path"`
	LifeCycleState string `json:"life_cycle_state"`
	ResultState    string `json:"result_state"`
	Start          Time   `json:"start"`
	End            Time   `json:"end"`
	DurationMS     *int64 `json:"duration_ms"`
}

// JobRuns is what `job runs` returns: runs newest first, of one job or of all.
type JobRuns struct {
	// JobID is the job asked for, 0 for every job.
	JobID int64    `json:"job_id"`
	Runs  []JobRun `json:"runs"`
}

// JobOutput is what `job output` returns: each task run's output.
type JobOutput struct {
	RunID int64           `json:"run_id"`
	Tasks []JobTaskOutput `json:"tasks"`
}

// JobTaskOutput is one task run's output: the value the notebook passed to dbutils.notebook.exit,
// or its error.
type JobTaskOutput struct {
	RunID      int64  `json:"run_id"`
	TaskKey    string `json:"task_key"`
	Result     string `json:"result"`
	Truncated  bool   `json:"truncated"`
	Error      string `json:"error"`
	ErrorTrace string `json:"error_trace"`
	Logs       string `json:"logs"`
}

// DeployedAsset is one file `deploy` puts in place.
type DeployedAsset struct {
	// Asset is dag, batch_notebook or stream_notebook.
	Asset string `json:"asset"`
	// Destination is s3://bucket/key for the DAG file and the workspace path for a notebook.
	Destination string `json:"destination"`
	SizeBytes   int64  `json:"size_bytes"`
	// Done is false for a dry run.
	Done bool `json:"done"`
}

// Deploy is what `deploy` returns.
type Deploy struct {
	DryRun bool            `json:"dry_run"`
	Assets []DeployedAsset `json:"assets"`
}

// ConnectorStatus is the MSK Connect connector that lands the topics in a cloud profile, as
// `sink status` shows it there.
type ConnectorStatus struct {
	Connector string `json:"connector"`
	ARN       string `json:"arn"`
	// State is MSK Connect's: CREATING, RUNNING, UPDATING, DELETING or FAILED.
	State string `json:"state"`
	// Workers is the provisioned worker count, or the autoscaling minimum when Autoscaled;
	// MaxWorkers is the autoscaling maximum, equal to Workers when provisioned.
	Workers    int    `json:"workers"`
	MaxWorkers int    `json:"max_workers"`
	Autoscaled bool   `json:"autoscaled"`
	Plugin     string `json:"plugin"`
	// FailureReason is why the connector or its last operation failed; "" when it has not.
	FailureReason string `json:"failure_reason"`
	// Group is the connector's consumer group, Lag its lag per topic partition.
	Group string         `json:"group"`
	Lag   []PartitionLag `json:"lag"`
	// LagError is why the lag could not be read, "" when it was.
	LagError string `json:"lag_error"`
}

// PartitionLag is a consumer group's progress on one topic partition.
type PartitionLag struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Committed int64  `json:"committed"`
	End       int64  `json:"end"`
	Lag       int64  `json:"lag"`
}
