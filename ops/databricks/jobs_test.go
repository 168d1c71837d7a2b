package databricks

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pintui/pintui/ops/databricks/databrickstest"
	"github.com/pintui/pintui/pipeline/dag"
)

func TestSubmitAndWaitSendRunsSubmitAndPollRunsGet(t *testing.T) {
	f := databrickstest.New(t)
	c := testClient(t, f)
	var runner dag.TaskRunner = c
	task := dag.NotebookTask{RunName: "0a1b2c3d4e5f_dag.clean_pin", TaskKey: "clean_pin", NotebookPath: "/Shared/pintui/0a1b2c3d4e5f_batch",
		Parameters: map[string]string{dag.StepParam: "clean_pin"}, ClusterID: "0101-abc"}
	id, err := runner.Submit(context.Background(), task)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"run_name":"0a1b2c3d4e5f_dag.clean_pin","tasks":[{"existing_cluster_id":"0101-abc","notebook_task":{"base_parameters":{"step":"clean_pin"},"notebook_path":"/Shared/pintui/0a1b2c3d4e5f_batch","source":"WORKSPACE"},"task_key":"clean_pin"}]}`
	if got := f.Bodies("/api/2.2/jobs/runs/submit"); len(got) != 1 || got[0] != want {
		t.Fatalf("runs/submit body:\n%v\nwant\n%s", got, want)
	}
	out, err := runner.Wait(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	wantOut := dag.RunOutcome{RunID: id, LifeCycleState: "TERMINATED", ResultState: "SUCCESS", RunPageURL: fmt.Sprintf("https://dbc.example/#job/run/%d", id)}
	if out != wantOut || !out.Succeeded() {
		t.Fatalf("outcome %+v, want %+v", out, wantOut)
	}
	if f.RunGets(id) != 3 {
		t.Fatalf("runs/get asked %d times, want 3 (PENDING, RUNNING, TERMINATED)", f.RunGets(id))
	}
	failed, _ := c.Submit(context.Background(), dag.NotebookTask{RunName: "x.fail", TaskKey: "analytics", NotebookPath: "/n"})
	out, err = c.Wait(context.Background(), failed)
	if err != nil || out.Succeeded() || out.ResultState != "FAILED" || out.StateMessage != "Workload failed, see run output for details" {
		t.Fatalf("failed run: %+v %v", out, err)
	}
}

func TestWaitEndsWithItsContext(t *testing.T) {
	f := databrickstest.New(t)
	c := testClient(t, f, func(s *Settings) { s.PollEvery = time.Hour })
	id, err := c.Submit(context.Background(), dag.NotebookTask{RunName: "r", TaskKey: "k", NotebookPath: "/n"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Wait(ctx, id)
	if want := fmt.Sprintf("get run %d: context canceled", id); err == nil || err.Error() != want {
		t.Fatalf("err %v, want %s", err, want)
	}
}

func TestJobsPagesAndFindsByNameOrID(t *testing.T) {
	f := databrickstest.New(t)
	f.AddJob(11, "0a1b2c3d4e5f_batch_job", "step")
	f.AddJob(12, "other")
	f.AddJob(13, "twin")
	f.AddJob(14, "twin")
	c := testClient(t, f)
	ctx := context.Background()
	js, err := c.Jobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range js {
		names = append(names, j.Name)
	}
	if !reflect.DeepEqual(names, []string{"0a1b2c3d4e5f_batch_job", "other", "twin", "twin"}) {
		t.Fatalf("jobs %v: every page's job should be there", names)
	}
	want := Job{ID: 11, Name: "0a1b2c3d4e5f_batch_job", Created: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), Tasks: []string{"batch"}, Parameters: []string{"step"}}
	if !reflect.DeepEqual(js[0], want) {
		t.Fatalf("job %+v, want %+v", js[0], want)
	}
	for _, ref := range []string{"0a1b2c3d4e5f_batch_job", "11"} {
		if j, err := c.Job(ctx, ref); err != nil || !reflect.DeepEqual(j, want) {
			t.Fatalf("Job(%s) = %+v, %v", ref, j, err)
		}
	}
	_, err = c.Job(ctx, "nope")
	if want := "find job nope: the workspace at " + f.URL() + " has no job named nope: list the jobs with pintui jobs, or run pintui deploy to put the notebooks in place"; err == nil || err.Error() != want {
		t.Fatalf("err %v\nwant %s", err, want)
	}
	_, err = c.Job(ctx, "twin")
	if want := "find job twin: 2 jobs are named twin (ids 13, 14): give the job's id instead"; err == nil || err.Error() != want {
		t.Fatalf("err %v\nwant %s", err, want)
	}
	_, err = c.Job(ctx, "99")
	if want := "get job 99: Job 99 does not exist. (INVALID_PARAMETER_VALUE): list the jobs with pintui jobs, or run pintui deploy to put the notebooks in place"; err == nil || err.Error() != want {
		t.Fatalf("err %v\nwant %s", err, want)
	}
}

func TestRunNowSendsJobParametersOrLegacyNotebookParams(t *testing.T) {
	f := databrickstest.New(t)
	c := testClient(t, f)
	ctx := context.Background()
	f.AddJob(11, "with_parameters", "step")
	f.AddJob(12, "legacy")
	params := map[string]string{"step": "analytics"}
	if _, err := c.RunNow(ctx, Job{ID: 11, Parameters: []string{"step"}}, params); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RunNow(ctx, Job{ID: 12}, params); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RunNow(ctx, Job{ID: 12}, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{`{"job_id":11,"job_parameters":{"step":"analytics"}}`, `{"job_id":12,"notebook_params":{"step":"analytics"}}`, `{"job_id":12}`}
	if got := f.Bodies("/api/2.2/jobs/run-now"); !reflect.DeepEqual(got, want) {
		t.Fatalf("run-now bodies\n%v\nwant\n%v", got, want)
	}
}

func TestRunsFollowsNextPageToken(t *testing.T) {
	f := databrickstest.New(t)
	c := testClient(t, f)
	ctx := context.Background()
	for i := range 30 {
		if _, err := c.Submit(ctx, dag.NotebookTask{RunName: fmt.Sprintf("run-%d", i), TaskKey: "k", NotebookPath: "/n"}); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := c.Runs(ctx, 0, 28)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 28 || runs[0].Name != "run-29" || runs[27].Name != "run-2" {
		t.Fatalf("%d runs, first %q last %q: want 28 newest first", len(runs), runs[0].Name, runs[len(runs)-1].Name)
	}
	var lists []string
	for _, r := range f.Requests() {
		if strings.HasPrefix(r, "GET /api/2.2/jobs/runs/list") {
			lists = append(lists, r)
		}
	}
	want := []string{"GET /api/2.2/jobs/runs/list?expand_tasks=true&limit=25", "GET /api/2.2/jobs/runs/list?expand_tasks=true&limit=25&page_token=runs-25"}
	if !reflect.DeepEqual(lists, want) {
		t.Fatalf("runs/list requests\n%v\nwant\n%v", lists, want)
	}
	r := runs[0]
	wantRun := Run{ID: r.ID, Name: "run-29", Type: "SUBMIT_RUN", LifeCycleState: "PENDING", StateMessage: "", Start: time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC),
		URL: fmt.Sprintf("https://dbc.example/#job/run/%d", r.ID), Tasks: []TaskRun{{RunID: r.ID * 10, TaskKey: "k", NotebookPath: "/n", LifeCycleState: "PENDING", Start: time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC)}}}
	if !reflect.DeepEqual(r, wantRun) {
		t.Fatalf("run\n%+v\nwant\n%+v", r, wantRun)
	}
}

func TestOutputAsksEachTaskRun(t *testing.T) {
	f := databrickstest.New(t)
	c := testClient(t, f)
	ctx := context.Background()
	id, _ := c.Submit(ctx, dag.NotebookTask{RunName: "r", TaskKey: "analytics", NotebookPath: "/n"})
	f.SetOutput(id*10, `{"rows":9}`, "done\n")
	out, err := c.Output(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := []TaskOutput{{RunID: id * 10, TaskKey: "analytics", Result: `{"rows":9}`, Logs: "done\n"}}
	if !reflect.DeepEqual(out, want) {
		t.Fatalf("output %+v, want %+v", out, want)
	}
	if err := c.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := f.Bodies("/api/2.2/jobs/runs/cancel"); !reflect.DeepEqual(got, []string{fmt.Sprintf(`{"run_id":%d}`, id)}) {
		t.Fatalf("cancel body %v", got)
	}
	err = c.Cancel(ctx, 7)
	if want := "cancel run 7: Run 7 does not exist. (INVALID_PARAMETER_VALUE): list the runs with pintui job runs"; err == nil || err.Error() != want {
		t.Fatalf("err %v\nwant %s", err, want)
	}
}

func TestImportMakesTheFolderAndSendsSource(t *testing.T) {
	f := databrickstest.New(t)
	c := testClient(t, f)
	ctx := context.Background()
	if err := c.Import(ctx, "/Shared/pintui/0a1b2c3d4e5f_batch", []byte("# Databricks notebook source\nprint(1)\n")); err != nil {
		t.Fatal(err)
	}
	if got := f.Bodies("/api/2.0/workspace/mkdirs"); len(got) != 1 || got[0] != `{"path":"/Shared/pintui"}` {
		t.Fatalf("mkdirs %v", got)
	}
	var imp map[string]any
	if err := json.Unmarshal([]byte(f.Bodies("/api/2.0/workspace/import")[0]), &imp); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"path": "/Shared/pintui/0a1b2c3d4e5f_batch", "format": "SOURCE", "language": "PYTHON", "overwrite": true,
		"content": "IyBEYXRhYnJpY2tzIG5vdGVib29rIHNvdXJjZQpwcmludCgxKQo="}
	if !reflect.DeepEqual(imp, want) {
		t.Fatalf("import %v, want %v", imp, want)
	}
	if err := c.Import(ctx, "/Shared/pintui/0a1b2c3d4e5f_stream", []byte("# Databricks notebook source\n")); err != nil {
		t.Fatal(err)
	}
	paths, err := c.List(ctx, "/Shared/pintui")
	if err != nil || !reflect.DeepEqual(paths, []string{"/Shared/pintui/0a1b2c3d4e5f_batch", "/Shared/pintui/0a1b2c3d4e5f_stream"}) {
		t.Fatalf("list %v %v", paths, err)
	}
	_, err = c.List(ctx, "/Shared/none")
	if want := "list workspace folder /Shared/none: Path (/Shared/none) doesn't exist. (RESOURCE_DOES_NOT_EXIST): run pintui deploy to import the notebooks there"; err == nil || err.Error() != want {
		t.Fatalf("err %v\nwant %s", err, want)
	}
}

// testClient is a client of the fake workspace that polls without waiting.
func testClient(t *testing.T, f *databrickstest.Server, opts ...func(*Settings)) *Client {
	t.Helper()
	s := Settings{Host: f.URL(), Token: databrickstest.Token, Explicit: true, PollEvery: time.Millisecond, RetryTimeout: 20 * time.Second}
	for _, o := range opts {
		o(&s)
	}
	c, err := New(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
