package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/ops/airflow"
	"github.com/pintui/pintui/ops/backend"
)

// dagServer answers the Airflow REST API v1 calls of the dag commands for one DAG, whose
// triggered runs go queued → running → (success|failed) one step per look at the run.
type dagServer struct {
	mu     sync.Mutex
	paused bool
	// outcome is how a triggered run ends; failedTask the task that fails.
	outcome, failedTask string
	// steps is how many looks a run takes to end; a run never ends with steps < 0.
	steps int
	runs  []*dagServerRun
	conf  map[string]any
}

type dagServerRun struct {
	id    string
	looks int
	at    time.Time
}

const pipelineDAG = "0a1b2c3d4e5f_dag"

var pipelineTasks = []string{"load_landings", "clean_pin", "clean_geo", "clean_user", "analytics"}

func (s *dagServer) state(r *dagServerRun) string {
	switch {
	case s.paused:
		return "queued"
	case s.steps < 0 || r.looks < s.steps:
		return "running"
	}
	return s.outcome
}

func (s *dagServer) runJSON(r *dagServerRun) map[string]any {
	st := s.state(r)
	start, end := any(nil), any(nil)
	if st != "queued" {
		start = r.at.Add(time.Second).Format(time.RFC3339)
	}
	if st == "success" || st == "failed" {
		end = r.at.Add(91 * time.Second).Format(time.RFC3339)
	}
	return map[string]any{"dag_id": pipelineDAG, "dag_run_id": r.id, "state": st, "run_type": "manual",
		"logical_date": r.at.Format(time.RFC3339), "execution_date": r.at.Format(time.RFC3339), "start_date": start, "end_date": end,
		"external_trigger": true, "conf": s.conf}
}

func (s *dagServer) tasks(r *dagServerRun) []any {
	st := s.state(r)
	list := []any{}
	for i, t := range pipelineTasks {
		var ts any
		switch {
		case st == "success":
			ts = "success"
		case st == "failed" && t == s.failedTask:
			ts = "failed"
		case st == "failed" && t == "analytics":
			ts = "upstream_failed"
		case st == "failed", st == "running" && i == 0:
			ts = "success"
		case st == "running" && i < 4:
			ts = "running"
		}
		try := 1
		if ts == nil {
			try = 0
		}
		list = append(list, map[string]any{"task_id": t, "dag_id": pipelineDAG, "dag_run_id": r.id, "state": ts, "try_number": try, "max_tries": 1,
			"operator": "DatabricksSubmitRunOperator", "start_date": nil, "end_date": nil})
	}
	return list
}

func (s *dagServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	if r.Header.Get("Authorization") != "Bearer control-token" {
		reply(401, map[string]any{"detail": "Not authenticated", "status": 401, "title": "Unauthorized", "type": "about:blank"})
		return
	}
	p := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/v1/"), "/")
	if p[0] != "dags" {
		reply(404, map[string]any{"detail": "Not Found", "status": 404, "title": "Not Found", "type": "about:blank"})
		return
	}
	if len(p) == 1 {
		reply(200, map[string]any{"dags": []any{s.dagJSON()}, "total_entries": 1})
		return
	}
	if p[1] != pipelineDAG {
		reply(404, map[string]any{"detail": fmt.Sprintf("DAG with dag_id: '%s' not found", p[1]), "status": 404, "title": "DAG not found", "type": "about:blank"})
		return
	}
	var run *dagServerRun
	if len(p) >= 4 {
		for _, x := range s.runs {
			if x.id == p[3] {
				run = x
			}
		}
		if run == nil {
			reply(404, map[string]any{"detail": "DAGRun not found", "status": 404, "title": "DAGRun not found", "type": "about:blank"})
			return
		}
	}
	switch {
	case len(p) == 2 && r.Method == "PATCH":
		var in map[string]bool
		json.NewDecoder(r.Body).Decode(&in)
		s.paused = in["is_paused"]
		reply(200, s.dagJSON())
	case len(p) == 2:
		reply(200, s.dagJSON())
	case len(p) == 3 && r.Method == "POST":
		var in struct {
			Conf map[string]any `json:"conf"`
		}
		json.NewDecoder(r.Body).Decode(&in)
		s.conf = in.Conf
		at := time.Date(2026, 12, 1, 10, len(s.runs), 0, 0, time.UTC)
		run := &dagServerRun{id: "manual__" + at.Format(time.RFC3339), at: at}
		s.runs = append(s.runs, run)
		reply(200, s.runJSON(run))
	case len(p) == 3:
		list := []any{}
		for i := len(s.runs) - 1; i >= 0; i-- {
			list = append(list, s.runJSON(s.runs[i]))
		}
		reply(200, map[string]any{"dag_runs": list, "total_entries": len(s.runs)})
	case len(p) == 4:
		run.looks++
		reply(200, s.runJSON(run))
	case len(p) == 5:
		reply(200, map[string]any{"task_instances": s.tasks(run), "total_entries": 5})
	case len(p) == 8 && p[7] == "1":
		reply(200, map[string]any{"content": "running " + p[5] + "\nrun 7 ended SUCCESS\n", "continuation_token": "x"})
	default:
		reply(404, map[string]any{"detail": "Task instance did not exist in the DB", "status": 404, "title": "Not Found", "type": "about:blank"})
	}
}

func (s *dagServer) dagJSON() map[string]any {
	return map[string]any{"dag_id": pipelineDAG, "is_paused": s.paused, "schedule_interval": map[string]any{"__type": "CronExpression", "value": "@daily"},
		"next_dagrun_create_after": "2026-12-02T00:00:00+00:00"}
}

// dagEnv is the embedded stack with its Airflow replaced by a client of srv, named name.
func dagEnv(t *testing.T, srv *dagServer, name string) (*Env, *Registry) {
	t.Helper()
	env := openStack(t)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	c, err := airflow.New(context.Background(), airflow.Settings{URL: hs.URL, API: airflow.APIv1, Name: name, BearerToken: func() string { return "control-token" }})
	if err != nil {
		t.Fatal(err)
	}
	env.Backends.Airflow = c
	old := dagPollInterval
	dagPollInterval = time.Millisecond
	t.Cleanup(func() { dagPollInterval = old })
	return env, New(env)
}

// airflowCloudEnv is a cloud profile whose airflow.url is srv, a self-hosted Airflow.
func airflowCloudEnv(t *testing.T, srv *dagServer) (*Env, *Registry) {
	t.Helper()
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	yaml := "profiles:\n  cloud:\n    kafka:\n      brokers: [127.0.0.1:1]\n    aws:\n      region: us-east-1\n    airflow:\n      url: " + hs.URL + "\n      api: v1\n      token: control-token\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"HOME": dir, "PINTUI_DATA_DIR": dir, "PINTUI_CONFIG": file, "PINTUI_PROFILE": "cloud",
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_EC2_METADATA_DISABLED": "true"}
	cfg, err := config.Load(config.Options{Env: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(context.Background()) })
	old := dagPollInterval
	dagPollInterval = time.Millisecond
	t.Cleanup(func() { dagPollInterval = old })
	env := &Env{Config: cfg, Backends: b}
	return env, New(env)
}

// airflowCommand is one line per DAG command that TestAirflowCommandsFollowTheJSONConventions
// runs in a cloud profile against a self-hosted Airflow.
var airflowCommand = []string{
	"dags",
	"dag unpause 0a1b2c3d4e5f_dag --yes",
	`dag trigger --conf '{"full": true}' --yes`,
	"dag wait --last --timeout 1m",
	"dag runs --limit 5",
	"dag run --last",
	"dag logs --last load_landings",
	"dag pause 0a1b2c3d4e5f_dag",
}

func TestAirflowCommandsFollowTheJSONConventions(t *testing.T) {
	_, reg := airflowCloudEnv(t, &dagServer{outcome: "success", steps: 1})
	for _, line := range airflowCommand {
		followsConventions(t, reg, line)
	}
}

// TestDAGCommandsOnTheLocalScheduler runs the commands against the embedded stack's own
// scheduler: the DAG is there, a triggered run is remembered for --last and has the DAG's five
// tasks in its order.
func TestDAGCommandsOnTheLocalScheduler(t *testing.T) {
	ctx := context.Background()
	env := openStack(t)
	reg := New(env)
	res, err := reg.Run(ctx, "dags")
	if err != nil {
		t.Fatal(err)
	}
	if dags := res.Data.([]DAGSummary); len(dags) != 1 || dags[0].DAG != pipelineDAG || dags[0].Schedule != "@daily" {
		t.Fatalf("dags: %+v", dags)
	}
	if _, err := reg.Run(ctx, "dag trigger"); err != nil {
		t.Fatal(err)
	}
	res, err = reg.Run(ctx, "dag run --last")
	if err != nil {
		t.Fatal(err)
	}
	run := res.Data.(DAGRun)
	var tasks []string
	for _, ti := range run.Tasks {
		tasks = append(tasks, ti.Task)
	}
	if run.RunType != "manual" || strings.Join(tasks, " ") != strings.Join(pipelineTasks, " ") {
		t.Fatalf("run %+v", run)
	}
	_, err = reg.Run(ctx, "dag trigger nope_dag")
	if want := "dag trigger: unknown DAG nope_dag (HTTP 404: DAG with dag_id: 'nope_dag' not found on the local scheduler): deploy it with pintui deploy, then wait for Airflow to parse it (a minute or two)"; err == nil || err.Error() != want {
		t.Fatalf("%v\nwant %s", err, want)
	}
}

func TestDAGTriggerAndWait(t *testing.T) {
	ctx := context.Background()
	srv := &dagServer{outcome: "success", steps: 3}
	_, reg := dagEnv(t, srv, "the local scheduler")
	res, err := reg.Run(ctx, `dag trigger --conf '{"full": true}'`)
	if err != nil {
		t.Fatal(err)
	}
	run := res.Data.(DAGRun)
	if want := "triggered run manual__2026-12-01T10:00:00Z of 0a1b2c3d4e5f_dag (running): pintui dag wait --last waits for it"; res.Message != want || run.RunID != "manual__2026-12-01T10:00:00Z" {
		t.Fatalf("trigger: %q %+v", res.Message, run)
	}
	if fmt.Sprint(srv.conf) != "map[full:true]" {
		t.Fatalf("conf sent %v", srv.conf)
	}
	res, err = reg.Run(ctx, "dag wait --last --timeout 1m")
	if err != nil {
		t.Fatal(err)
	}
	run = res.Data.(DAGRun)
	if want := "run manual__2026-12-01T10:00:00Z of 0a1b2c3d4e5f_dag: success after 1m30s"; res.Message != want || *run.DurationMS != 90000 {
		t.Fatalf("wait: %q %+v", res.Message, run)
	}
	if got := taskGlyphs(run.Tasks); got != "✓✓✓✓✓" {
		t.Fatalf("tasks %s", got)
	}
	res, err = reg.Run(ctx, "dag runs --limit 5")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	res.Write(&out, FormatTable)
	if want := "run_id                        state    run_type  logical_date          start                 duration  tasks\n" +
		"manual__2026-12-01T10:00:00Z  success  manual    2026-12-01T10:00:00Z  2026-12-01T10:00:01Z  1m30s     ✓✓✓✓✓\n1 of 1 runs of 0a1b2c3d4e5f_dag\n"; out.String() != want {
		t.Fatalf("dag runs:\n%s\nwant\n%s", out.String(), want)
	}
	if got, err := reg.Complete(ctx, "dag run "); err != nil || fmt.Sprint(got) != "[dag run manual__2026-12-01T10:00:00Z]" {
		t.Fatalf("completing a run: %q, %v", got, err)
	}
	if got, err := reg.Complete(ctx, "dag pause 0a"); err != nil || fmt.Sprint(got) != "[dag pause 0a1b2c3d4e5f_dag]" {
		t.Fatalf("completing a DAG: %q, %v", got, err)
	}
	res, err = reg.Run(ctx, "dag logs --last clean_pin")
	if err != nil {
		t.Fatal(err)
	}
	if l := res.Data.(TaskLog); l.TryNumber != 1 || l.Task != "clean_pin" || res.Message != "running clean_pin\nrun 7 ended SUCCESS" {
		t.Fatalf("logs: %+v %q", l, res.Message)
	}
	_, err = reg.Run(ctx, "dag logs --last clean_pin --try 2")
	if err == nil || !strings.HasPrefix(err.Error(), "dag logs: no log of try 2 of task clean_pin in run manual__2026-12-01T10:00:00Z of DAG 0a1b2c3d4e5f_dag (HTTP 404") {
		t.Fatalf("try 2: %v", err)
	}
	if _, err := reg.Run(ctx, "dag trigger"); err != nil {
		t.Fatal(err)
	}
	res, err = reg.Run(ctx, "dag logs --last analytics")
	if want := "task analytics of run manual__2026-12-01T10:01:00Z has not started yet, so it has no log: wait for the run with pintui dag wait manual__2026-12-01T10:01:00Z --dag 0a1b2c3d4e5f_dag"; err != nil || res.Message != want || res.Data.(TaskLog).TryNumber != 0 {
		t.Fatalf("log of a task not started: %+v, %v\nwant %s", res, err, want)
	}
	if _, err = reg.Run(ctx, "dag logs --last nope"); err == nil || err.Error() != "dag logs: run manual__2026-12-01T10:01:00Z of 0a1b2c3d4e5f_dag has no task nope: give one of load_landings, clean_pin, clean_geo, clean_user, analytics" {
		t.Fatalf("unknown task: %v", err)
	}
}

func TestDAGWaitFailsNamingTheTasks(t *testing.T) {
	ctx := context.Background()
	srv := &dagServer{outcome: "failed", failedTask: "clean_geo", steps: 2}
	_, reg := dagEnv(t, srv, "the local scheduler")
	if _, err := reg.Run(ctx, "dag trigger"); err != nil {
		t.Fatal(err)
	}
	_, err := reg.Run(ctx, "dag wait --last")
	if want := "dag wait: run manual__2026-12-01T10:00:00Z of 0a1b2c3d4e5f_dag failed: task clean_geo failed, so analytics did not run: read the log with pintui dag logs manual__2026-12-01T10:00:00Z clean_geo --dag 0a1b2c3d4e5f_dag"; err == nil || err.Error() != want {
		t.Fatalf("%v\nwant %s", err, want)
	}
	srv.steps = -1
	_, err = reg.Run(ctx, "dag wait manual__2026-12-01T10:00:00Z --timeout 20ms")
	if want := "dag wait: run manual__2026-12-01T10:00:00Z of 0a1b2c3d4e5f_dag is still running after 20ms (load_landings=success clean_pin=running clean_geo=running clean_user=running analytics=none): wait again with pintui dag wait manual__2026-12-01T10:00:00Z --dag 0a1b2c3d4e5f_dag, or give a longer --timeout"; err == nil || err.Error() != want {
		t.Fatalf("%v\nwant %s", err, want)
	}
}

func TestDAGPausedAndUnknown(t *testing.T) {
	ctx := context.Background()
	srv := &dagServer{outcome: "success", paused: true}
	_, reg := dagEnv(t, srv, "the local scheduler")
	res, err := reg.Run(ctx, "dag trigger")
	if want := "triggered run manual__2026-12-01T10:00:00Z of 0a1b2c3d4e5f_dag, but the DAG is paused: the run waits queued until dag unpause 0a1b2c3d4e5f_dag"; err != nil || res.Message != want {
		t.Fatalf("%v %q\nwant %s", err, res.Message, want)
	}
	_, err = reg.Run(ctx, "dag wait --last --timeout 10ms")
	if want := "dag wait: run manual__2026-12-01T10:00:00Z of 0a1b2c3d4e5f_dag is still queued after 10ms because the DAG is paused: unpause it with pintui dag unpause 0a1b2c3d4e5f_dag"; err == nil || err.Error() != want {
		t.Fatalf("%v\nwant %s", err, want)
	}
	res, err = reg.Run(ctx, "dag unpause 0a1b2c3d4e5f_dag")
	if err != nil || res.Data != (DAGPause{DAG: pipelineDAG, Paused: false}) || res.Message != "unpaused 0a1b2c3d4e5f_dag: the scheduler starts its runs" {
		t.Fatalf("unpause: %+v, %v", res, err)
	}
	if res, err = reg.Run(ctx, "dags"); err != nil || res.Data.([]DAGSummary)[0] != (DAGSummary{DAG: pipelineDAG, Schedule: "@daily",
		NextRun: At(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)), LastRunID: "manual__2026-12-01T10:00:00Z", LastRunState: "success", LastRunStart: At(time.Date(2026, 12, 1, 10, 0, 1, 0, time.UTC))}) {
		t.Fatalf("dags: %+v, %v", res, err)
	}
	_, err = reg.Run(ctx, "dag trigger other_dag")
	if want := "dag trigger: unknown DAG other_dag (HTTP 404: DAG with dag_id: 'other_dag' not found on the local scheduler): deploy it with pintui deploy, then wait for Airflow to parse it (a minute or two)"; err == nil || err.Error() != want {
		t.Fatalf("%v\nwant %s", err, want)
	}
	for line, want := range map[string]string{
		"dag trigger --conf '[1]'":      `dag trigger: --conf "[1]" is not a JSON object: give one like '{"key": "value"}'`,
		"dag trigger --conf nope":       `dag trigger: --conf "nope" is not a JSON object: give one like '{"key": "value"}'`,
		"dag runs --limit 0":            `dag runs: --limit "0" is not valid: use 1 or more`,
		"dag logs clean_pin":            "dag logs: give RUN_ID and TASK, or --last and TASK (usage: dag logs [RUN_ID] TASK [--last] [--dag DAG] [--try N])",
		"dag logs --last run clean_pin": "dag logs: with --last give only TASK (usage: dag logs [RUN_ID] TASK [--last] [--dag DAG] [--try N])",
	} {
		_, err := reg.Run(ctx, line)
		var u *UsageError
		if !errors.As(err, &u) || err.Error() != want {
			t.Errorf("%s: %v\nwant the usage error %s", line, err, want)
		}
	}
}

// TestDAGCommandsAskFirstInTheCloud checks that trigger and unpause ask before they start work
// on a cloud orchestrator, and that pause and the reads do not.
func TestDAGCommandsAskFirstInTheCloud(t *testing.T) {
	ctx := context.Background()
	srv := &dagServer{outcome: "success", steps: 1}
	env, _ := dagEnv(t, srv, "MWAA environment prod")
	env.Config.Profile = "prod"
	reg := New(env)
	for line, question := range map[string]string{
		"dag trigger":                  "trigger a run of 0a1b2c3d4e5f_dag on MWAA environment prod",
		"dag unpause 0a1b2c3d4e5f_dag": "unpause 0a1b2c3d4e5f_dag, which starts its scheduled runs on MWAA environment prod",
	} {
		_, err := reg.Run(ctx, line)
		var ce *ConfirmError
		if !errors.As(err, &ce) || ce.Question != question {
			t.Errorf("%s: %v, want the question %q", line, err, question)
		}
		if _, err := reg.Run(ctx, line+" --yes"); err != nil {
			t.Errorf("%s --yes: %v", line, err)
		}
	}
	for _, line := range []string{"dags", "dag pause 0a1b2c3d4e5f_dag", "dag runs", "dag run --last"} {
		if _, err := reg.Run(ctx, line); err != nil {
			t.Errorf("%s: %v", line, err)
		}
	}
}

// TestDAGCommandsWithoutBackends checks that a registry with no pipeline behind it, as the
// console's fixture has, answers the asking commands with an error instead of panicking.
func TestDAGCommandsWithoutBackends(t *testing.T) {
	for _, line := range []string{"dag trigger", "dag unpause 0a1b2c3d4e5f_dag"} {
		if _, err := New(&Env{}).Run(context.Background(), line); err == nil {
			t.Errorf("%s ran without a pipeline", line)
		}
	}
}
