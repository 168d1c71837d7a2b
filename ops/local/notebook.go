package local

import (
	"context"
	"io"
)

// Default loopback addresses of the local scheduler and workspace: Airflow's usual port, and
// one beside it.
const (
	DefaultAirflowAddr   = "127.0.0.1:8080"
	DefaultWorkspaceAddr = "127.0.0.1:8090"
)

// NotebookRun is one notebook task the local workspace executes.
type NotebookRun struct {
	// RunID is the task run's id in the Jobs API.
	RunID int64
	// Path is the notebook's workspace path, Parameters its base parameters (widgets).
	Path       string
	Parameters map[string]string
	// Log receives what the run prints, kept as the run's logs.
	Log io.Writer
}

// NotebookFunc executes a notebook run and returns the value the notebook exits with
// (dbutils.notebook.exit), which runs/get-output reports as its result; an error fails the run.
type NotebookFunc func(ctx context.Context, run NotebookRun) (string, error)
