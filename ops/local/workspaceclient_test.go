package local

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pintui/pintui/ops/databricks"
	"github.com/pintui/pintui/pipeline/dag"
)

// TestDatabricksClientAgainstTheWorkspace runs pintui's own Databricks client, the one the
// scheduler's tasks and the job commands use, against the local workspace.
func TestDatabricksClientAgainstTheWorkspace(t *testing.T) {
	ctx := context.Background()
	nb := newNotebooks()
	_, _, url := testWorkspace(t, t.TempDir(), nb, withBatchNotebook())
	c, err := databricks.New(ctx, databricks.Settings{Host: url, Token: testToken, Explicit: true, PollEvery: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}

	var runner dag.TaskRunner = c
	id, err := runner.Submit(ctx, dag.NotebookTask{RunName: dag.ID(uid) + "." + dag.TaskCleanUser, TaskKey: dag.TaskCleanUser,
		NotebookPath: batchPath, Parameters: map[string]string{dag.StepParam: dag.TaskCleanUser}, ClusterID: "local"})
	if err != nil {
		t.Fatal(err)
	}
	outcome, err := runner.Wait(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !outcome.Succeeded() || outcome.RunID != id || outcome.LifeCycleState != "TERMINATED" || outcome.RunPageURL == "" {
		t.Errorf("outcome %+v", outcome)
	}
	outputs, err := c.Output(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(outputs) != 1 || outputs[0].TaskKey != dag.TaskCleanUser || outputs[0].Result != `{"step":"clean_user"}` {
		t.Errorf("outputs %+v", outputs)
	}

	job, err := c.Job(ctx, dag.JobName(uid, dag.BatchNotebook))
	if err != nil {
		t.Fatal(err)
	}
	if job.ID != batchJobID || !slices.Equal(job.Tasks, []string{dag.BatchNotebook}) {
		t.Errorf("job %+v", job)
	}
	runID, err := c.RunNow(ctx, job, map[string]string{dag.StepParam: dag.TaskAnalytics})
	if err != nil {
		t.Fatal(err)
	}
	if outcome, err := c.Wait(ctx, runID); err != nil || !outcome.Succeeded() {
		t.Fatalf("job run %+v, %v", outcome, err)
	}
	runs, err := c.Runs(ctx, job.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].ID != runID || runs[0].Type != "JOB_RUN" || len(runs[0].Tasks) != 1 {
		t.Errorf("runs of the job %+v", runs)
	}
	if got := nb.steps(); !slices.Equal(got, []string{dag.TaskCleanUser, dag.TaskAnalytics}) {
		t.Errorf("steps ran %v", got)
	}

	if err := c.Import(ctx, dag.NotebookPath(dag.DefaultNotebookDir, uid, dag.StreamNotebook), []byte("# Databricks notebook source\n")); err != nil {
		t.Fatal(err)
	}
	paths, err := c.List(ctx, dag.DefaultNotebookDir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{batchPath, dag.NotebookPath(dag.DefaultNotebookDir, uid, dag.StreamNotebook)}; !slices.Equal(paths, want) {
		t.Errorf("listed %v, want %v", paths, want)
	}
	if err := c.Cancel(ctx, 12345); err == nil {
		t.Error("cancelling an unknown run succeeded")
	}
}
