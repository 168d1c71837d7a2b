package airflow_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pintui/pintui/ops/airflow"
	"github.com/pintui/pintui/ops/local"
	"github.com/pintui/pintui/pipeline/dag"
)

// fakeRunner is a dag.TaskRunner whose runs end at once, failing the tasks in fail.
type fakeRunner struct {
	mu   sync.Mutex
	fail map[string]bool
	next int64
	runs map[int64]dag.NotebookTask
}

func (f *fakeRunner) Submit(_ context.Context, t dag.NotebookTask) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	f.runs[f.next] = t
	return f.next, nil
}

func (f *fakeRunner) Wait(_ context.Context, id int64) (dag.RunOutcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := dag.RunOutcome{RunID: id, LifeCycleState: "TERMINATED", ResultState: "SUCCESS"}
	if f.fail[f.runs[id].TaskKey] {
		out.ResultState, out.StateMessage = "FAILED", "the step failed"
	}
	return out, nil
}

// startScheduler starts a local stack whose scheduler runs its tasks on runner.
func startScheduler(t *testing.T, runner dag.TaskRunner) *local.Stack {
	t.Helper()
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(home, "pintui-airflow-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := local.Start(ctx, local.Options{
		DataDir: dir, UID: "0a1b2c3d4e5f",
		KafkaAddr: "127.0.0.1:0", S3Addr: "127.0.0.1:0", GatewayAddr: "127.0.0.1:0", KinesisAddr: "127.0.0.1:0", AirflowAddr: "127.0.0.1:0",
		DAG:     dag.Settings{Schedule: "@daily", Retries: 1, RetryDelay: time.Millisecond},
		Tasks:   func(local.Endpoints) (dag.TaskRunner, error) { return runner, nil },
		Control: http.NotFoundHandler(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	if s.Endpoints().Airflow == "" {
		t.Fatal("the stack serves no scheduler")
	}
	return s
}

// TestLocalScheduler runs the client against the local scheduler: the same calls as on
// Airflow and MWAA, with the control token.
func TestLocalScheduler(t *testing.T) {
	ctx := context.Background()
	runner := &fakeRunner{fail: map[string]bool{"clean_geo": true}, runs: map[int64]dag.NotebookTask{}}
	s := startScheduler(t, runner)
	c, err := airflow.New(ctx, airflow.Settings{URL: s.Endpoints().Airflow, API: airflow.APIv1, BearerToken: s.ControlToken, Name: "the local scheduler"})
	if err != nil {
		t.Fatal(err)
	}
	const id = "0a1b2c3d4e5f_dag"
	dags, err := c.DAGs(ctx)
	if err != nil || len(dags) != 1 || dags[0].ID != id || dags[0].Schedule != "@daily" {
		t.Fatalf("DAGs: %+v, %v", dags, err)
	}
	if _, err := c.SetPaused(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	run, err := c.Trigger(ctx, id, map[string]any{"by": "test"})
	if err != nil || run.Type != "manual" || run.Conf["by"] != "test" {
		t.Fatalf("trigger: %+v, %v", run, err)
	}
	deadline := time.Now().Add(time.Minute)
	for run.State != "success" && run.State != "failed" {
		if time.Now().After(deadline) {
			t.Fatalf("the run is still %s", run.State)
		}
		time.Sleep(20 * time.Millisecond)
		if run, err = c.Run(ctx, id, run.ID); err != nil {
			t.Fatal(err)
		}
	}
	tis, err := c.TaskInstances(ctx, id, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, ti := range tis {
		states = append(states, ti.Task+"="+ti.State)
	}
	if got, want := strings.Join(states, " "), "load_landings=success clean_pin=success clean_geo=failed clean_user=success analytics=upstream_failed"; run.State != "failed" || got != want {
		t.Fatalf("run %s, tasks %s; want failed with %s", run.State, got, want)
	}
	if geo := tis[2]; geo.TryNumber != 2 || geo.MaxTries != 1 {
		t.Fatalf("clean_geo was tried %d times of %d: %+v", geo.TryNumber, geo.MaxTries+1, geo)
	}
	runs, err := c.Runs(ctx, id, 10, 0)
	if err != nil || runs.Total != 1 || runs.Runs[0].ID != run.ID {
		t.Fatalf("runs: %+v, %v", runs, err)
	}
	for try, want := range map[int]string{1: "Starting attempt 1 of 2", 2: "Starting attempt 2 of 2"} {
		text, err := c.Log(ctx, id, run.ID, "clean_geo", try)
		if err != nil || !strings.Contains(text, want) || !strings.Contains(text, "result_state: FAILED") {
			t.Fatalf("log of try %d: %q, %v; want %q", try, text, err, want)
		}
	}

	if _, err := c.DAG(ctx, "nope_dag"); !airflow.NotFound(err) || !strings.HasPrefix(err.Error(), "unknown DAG nope_dag (HTTP 404: DAG with dag_id: 'nope_dag' not found on the local scheduler)") {
		t.Fatalf("unknown DAG: %v", err)
	}
	bad, _ := airflow.New(ctx, airflow.Settings{URL: s.Endpoints().Airflow, API: airflow.APIv1, Token: "wrong", Name: "the local scheduler"})
	if _, err := bad.DAGs(ctx); err == nil || !strings.Contains(err.Error(), "refused the call (HTTP 401") {
		t.Fatalf("a wrong token: %v", err)
	}
}
