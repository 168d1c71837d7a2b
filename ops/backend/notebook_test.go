package backend

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/service/jobs"
	"github.com/databricks/databricks-sdk-go/service/workspace"

	"github.com/pintui/pintui/ops/airflow"
	"github.com/pintui/pintui/pipeline/batch"
	"github.com/pintui/pintui/pipeline/dag"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/source"
)

func TestTheWorkspaceRunsTheDAGsStepsOnTheStack(t *testing.T) {
	ctx := context.Background()
	dir := seeded(t)
	b := open(t, dir)
	uid, nbDir := b.cfg.UID, b.cfg.Databricks.NotebookDir
	src, err := source.Open(ctx, filepath.Join(dir, "source.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := source.WriteLandings(ctx, b.Landings(), src, uid, 60, source.DefaultSeed); err != nil {
		t.Fatal(err)
	}
	c, err := databricks.NewWorkspaceClient(&databricks.Config{Host: b.Stack.Endpoints().Workspace, Token: b.Stack.ControlToken(), AuthType: "pat"})
	if err != nil {
		t.Fatal(err)
	}

	objects, err := c.Workspace.ListAll(ctx, workspace.ListWorkspaceRequest{Path: nbDir})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, o := range objects {
		paths = append(paths, o.Path)
	}
	batchPath, streamPath := dag.NotebookPath(nbDir, uid, dag.BatchNotebook), dag.NotebookPath(nbDir, uid, dag.StreamNotebook)
	if !slices.Equal(paths, []string{batchPath, streamPath}) {
		t.Fatalf("a fresh data dir's workspace holds %v, want the two notebooks", paths)
	}

	var tasks []jobs.SubmitTask
	for _, task := range dag.Tasks() {
		st := jobs.SubmitTask{TaskKey: task.ID, NotebookTask: &jobs.NotebookTask{NotebookPath: batchPath,
			BaseParameters: map[string]string{dag.StepParam: task.ID}}}
		for _, up := range task.Upstream {
			st.DependsOn = append(st.DependsOn, jobs.TaskDependency{TaskKey: up})
		}
		tasks = append(tasks, st)
	}
	wait, err := c.Jobs.Submit(ctx, jobs.SubmitRun{RunName: dag.ID(uid), Tasks: tasks})
	if err != nil {
		t.Fatal(err)
	}
	run, err := wait.Get()
	if err != nil {
		t.Fatal(err)
	}
	if run.State.ResultState != jobs.RunResultStateSuccess || len(run.Tasks) != 5 {
		t.Fatalf("the DAG's steps as one run: %+v with %d tasks", run.State, len(run.Tasks))
	}
	out, err := c.Jobs.GetRunOutput(ctx, jobs.GetRunOutputRequest{RunId: run.Tasks[4].RunId})
	if err != nil {
		t.Fatal(err)
	}
	var summary batch.StepSummary
	if err := json.Unmarshal([]byte(out.NotebookOutput.Result), &summary); err != nil || summary.Step != dag.TaskAnalytics || len(summary.Outputs) != 9 {
		t.Errorf("the analytics step exited with %s (%v)", out.NotebookOutput.Result, err)
	}
	outputs, err := batch.ReadAnalytics(ctx, objstore.NewDir(b.cfg.LakehouseDir()))
	if err != nil || len(outputs) != 9 {
		t.Errorf("analytics in the lakehouse: %d outputs, %v", len(outputs), err)
	}

	wait, err = c.Jobs.Submit(ctx, jobs.SubmitRun{RunName: "stream", Tasks: []jobs.SubmitTask{{TaskKey: "stream",
		NotebookTask: &jobs.NotebookTask{NotebookPath: streamPath}}}})
	if err != nil {
		t.Fatal(err)
	}
	run, err = wait.Get()
	if err != nil {
		t.Fatal(err)
	}
	want := "task stream: the stream notebook runs on Databricks only: locally the stream job runs in the stack; see pintui stream status"
	if run.State.ResultState != jobs.RunResultStateFailed || run.State.StateMessage != want {
		t.Errorf("a run of the stream notebook: %+v, want FAILED: %s", run.State, want)
	}
}

func TestTheSchedulersTasksRunOnTheWorkspace(t *testing.T) {
	ctx := context.Background()
	dir := seeded(t)
	b := open(t, dir)
	uid := b.cfg.UID
	src, err := source.Open(ctx, filepath.Join(dir, "source.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := source.WriteLandings(ctx, b.Landings(), src, uid, 60, source.DefaultSeed); err != nil {
		t.Fatal(err)
	}
	e := b.Stack.Endpoints()
	af, err := airflow.New(ctx, airflow.Settings{URL: e.Airflow, Token: b.Stack.ControlToken()})
	if err != nil {
		t.Fatal(err)
	}
	run, err := af.Trigger(ctx, dag.ID(uid), nil)
	if err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	for run.State != "success" && run.State != "failed" {
		select {
		case <-waitCtx.Done():
			t.Fatalf("the DAG run is still %s", run.State)
		case <-time.After(100 * time.Millisecond):
		}
		if run, err = af.Run(ctx, dag.ID(uid), run.ID); err != nil {
			t.Fatal(err)
		}
	}
	if run.State != "success" {
		t.Fatalf("the DAG run ended %s", run.State)
	}
	c, err := databricks.NewWorkspaceClient(&databricks.Config{Host: e.Workspace, Token: b.Stack.ControlToken(), AuthType: "pat"})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := c.Jobs.ListRunsAll(ctx, jobs.ListRunsRequest{RunType: jobs.RunTypeSubmitRun, ExpandTasks: true})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range runs {
		if r.State.ResultState != jobs.RunResultStateSuccess || len(r.Tasks) != 1 {
			t.Errorf("run %s: %+v", r.RunName, r.State)
		}
		names = append(names, r.RunName)
	}
	slices.Sort(names)
	var want []string
	for _, task := range dag.Tasks() {
		want = append(want, dag.ID(uid)+"."+task.ID)
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("the workspace ran %v, want one run per task of the DAG: %v", names, want)
	}
	if outputs, err := batch.ReadAnalytics(ctx, objstore.NewDir(b.cfg.LakehouseDir())); err != nil || len(outputs) != 9 {
		t.Errorf("analytics after the DAG run: %d outputs, %v", len(outputs), err)
	}
}
