package backend

import (
	"context"
	"errors"
	"fmt"

	"github.com/pintui/pintui/ops/local"
	"github.com/pintui/pintui/pipeline/batch"
	"github.com/pintui/pintui/pipeline/dag"
	"github.com/pintui/pintui/pipeline/objstore"
)

// runNotebook executes a notebook run of the local workspace on the embedded pipeline: the batch
// notebook is the batch job, one DAG step at a time or, without a step, every step.
func (b *Backends) runNotebook(ctx context.Context, run local.NotebookRun) (string, error) {
	// The workspace serves before Open has set up the S3 client the batch job reads with.
	select {
	case <-b.ready:
	case <-b.closing:
		return "", errors.New("the pintui that owns the stack is stopping: run the notebook again once another one owns it")
	case <-ctx.Done():
		return "", ctx.Err()
	}
	uid, dir := b.cfg.UID, b.cfg.Databricks.NotebookDir
	step := run.Parameters[dag.StepParam]
	switch run.Path {
	case dag.NotebookPath(dir, uid, dag.BatchNotebook):
		fmt.Fprintf(run.Log, "batch job %s, step %q\n", uid, step)
		job := &batch.Job{UID: uid, Landings: b.Landings(), Lakehouse: objstore.NewDir(b.cfg.LakehouseDir())}
		out, err := job.RunStep(ctx, step)
		if err != nil {
			fmt.Fprintln(run.Log, err)
			return "", err
		}
		fmt.Fprintln(run.Log, out)
		return out, nil
	case dag.NotebookPath(dir, uid, dag.StreamNotebook):
		return "", fmt.Errorf("the stream notebook runs on Databricks only: locally the stream job runs in the stack; see pintui stream status")
	}
	return "", fmt.Errorf("notebook %s is not one pintui runs locally: run %s or %s",
		run.Path, dag.NotebookPath(dir, uid, dag.BatchNotebook), dag.NotebookPath(dir, uid, dag.StreamNotebook))
}
