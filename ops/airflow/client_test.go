package airflow

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const testDAG = "0a1b2c3d4e5f_dag"

// The transports the contract suite runs against, each with the fake that answers it.
const (
	directV1 = "direct-v1"
	directV2 = "direct-v2"
	invokeV1 = "invoke-v1"
	invokeV2 = "invoke-v2"
	cliV1    = "cli"
)

var kinds = []string{directV1, directV2, invokeV1, invokeV2, cliV1}

// rig is a client wired to its fake, recording the client's waits between tries.
type rig struct {
	c     *Client
	af    *fakeAirflow
	mwaa  *fakeMWAA
	url   string
	waits []time.Duration
}

func apiOf(kind string) string {
	if strings.HasSuffix(kind, "v2") {
		return APIv2
	}
	return APIv1
}

// awsFiles points the SDK at an empty shared config with one profile, dev.
func awsFiles(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[profile dev]\nregion = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
}

func newRig(t *testing.T, kind string, s Settings) *rig {
	t.Helper()
	r := &rig{af: newFakeAirflow(apiOf(kind), testDAG, "other_dag")}
	switch kind {
	case directV1, directV2:
		srv := httptest.NewServer(r.af)
		t.Cleanup(srv.Close)
		r.url = srv.URL
		if s.URL == "" {
			s.URL = srv.URL
		}
		if s.Username == "" && s.Token == "" {
			s.Username, s.Password = "admin", "s3cret"
		}
	default:
		awsFiles(t)
		r.mwaa = &fakeMWAA{t: t, env: "prod", af: r.af}
		srv := httptest.NewTLSServer(r.mwaa)
		t.Cleanup(srv.Close)
		if s.Environment == "" {
			s.Environment = "prod"
		}
		s.CLI = kind == cliV1
		s.Region, s.AccessKey, s.SecretKey = "us-east-1", "AKIDTEST", "secret"
		s.MWAAEndpoint, s.HTTPClient = "https://airflow.example.com", redirect(srv)
	}
	c, err := New(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	c.sleep = func(_ context.Context, d time.Duration) error {
		r.waits = append(r.waits, d)
		return nil
	}
	if cl, ok := c.tr.(*cli); ok {
		cl.now = func() time.Time { return time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC) }
	}
	r.c = c
	return r
}

func date(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }

// seed gives the DAG two scheduled runs: the older succeeded, the newer failed in clean_geo.
func (r *rig) seed() {
	r.af.addRun(testDAG, "scheduled__2026-11-29T00:00:00+00:00", "scheduled", "success", date(29), "success", "success", "success", "success", "success")
	r.af.addRun(testDAG, "scheduled__2026-11-30T00:00:00+00:00", "scheduled", "failed", date(30), "success", "success", "failed", "success", "upstream_failed")
}

// TestContract runs the same operations through every transport against the fakes.
func TestContract(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			r := newRig(t, kind, Settings{})
			r.seed()
			r.checkDAGs(t, kind)
			runs, err := r.c.Runs(ctx, testDAG, 1, 0)
			if err != nil {
				t.Fatal(err)
			}
			if runs.Total != 2 || len(runs.Runs) != 1 || runs.Runs[0].ID != "scheduled__2026-11-30T00:00:00+00:00" {
				t.Fatalf("first page: %+v", runs)
			}
			older, err := r.c.Runs(ctx, testDAG, 1, 1)
			if err != nil || len(older.Runs) != 1 || older.Runs[0].ID != "scheduled__2026-11-29T00:00:00+00:00" || older.Runs[0].State != "success" {
				t.Fatalf("second page: %+v, %v", older, err)
			}
			run, err := r.c.Run(ctx, testDAG, "scheduled__2026-11-30T00:00:00+00:00")
			if err != nil {
				t.Fatal(err)
			}
			if run.DAG != testDAG || run.State != "failed" || run.Type != "scheduled" || !run.LogicalDate.Equal(date(30)) || !run.Start.Equal(date(30).Add(time.Minute)) || !run.End.Equal(date(30).Add(150*time.Second)) {
				t.Fatalf("run: %+v", run)
			}
			tis, err := r.c.TaskInstances(ctx, testDAG, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			var states []string
			for _, ti := range tis {
				states = append(states, ti.Task+"="+ti.State)
			}
			if want := "load_landings=success clean_pin=success clean_geo=failed clean_user=success analytics=upstream_failed"; strings.Join(states, " ") != want {
				t.Fatalf("task instances %s, want %s", strings.Join(states, " "), want)
			}
			r.checkTrigger(t, kind)
			r.checkPause(t)
			r.checkNotFound(t)
		})
	}
}

func (r *rig) checkDAGs(t *testing.T, kind string) {
	t.Helper()
	dags, err := r.c.DAGs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	next := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	want := []DAG{{ID: testDAG, Paused: true, Schedule: "@daily", NextRun: &next}, {ID: "other_dag", Paused: true, Schedule: "@daily", NextRun: &next}}
	if kind == cliV1 {
		// dags list prints neither the schedule nor the next run.
		want[0].Schedule, want[0].NextRun, want[1].Schedule, want[1].NextRun = "", nil, "", nil
	}
	if !reflect.DeepEqual(dags, want) {
		t.Fatalf("DAGs\n got %+v\nwant %+v", dags, want)
	}
}

func (r *rig) checkTrigger(t *testing.T, kind string) {
	t.Helper()
	ctx := context.Background()
	run, err := r.c.Trigger(ctx, testDAG, map[string]any{"note": "by hand"})
	if err != nil {
		t.Fatal(err)
	}
	if run.State != "queued" || run.Type != "manual" || !strings.HasPrefix(run.ID, "manual__2026-12-01T10:") || run.DAG != testDAG {
		t.Fatalf("triggered %+v", run)
	}
	if kind != cliV1 && !reflect.DeepEqual(run.Conf, map[string]any{"note": "by hand"}) {
		t.Fatalf("conf %v", run.Conf)
	}
	if kind == cliV1 {
		if want := `dags trigger 0a1b2c3d4e5f_dag -c '{"note":"by hand"}' -r manual__2026-12-01T10:30:00.000000+00:00`; !contains(r.mwaa.lines, want) {
			t.Fatalf("CLI lines %q lack %q", r.mwaa.lines, want)
		}
	}
	runs, err := r.c.Runs(ctx, testDAG, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if runs.Total != 3 || runs.Runs[0].ID != run.ID {
		t.Fatalf("after the trigger the newest run is %+v, want %s", runs.Runs[0], run.ID)
	}
	got, err := r.c.Run(ctx, testDAG, run.ID)
	if err != nil || got.ID != run.ID || got.State != "queued" {
		t.Fatalf("run %+v, %v", got, err)
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

func (r *rig) checkPause(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	d, err := r.c.SetPaused(ctx, testDAG, false)
	if err != nil || d.Paused || d.ID != testDAG {
		t.Fatalf("unpause: %+v, %v", d, err)
	}
	if d, err = r.c.DAG(ctx, testDAG); err != nil || d.Paused {
		t.Fatalf("after unpause: %+v, %v", d, err)
	}
	if d, err = r.c.SetPaused(ctx, testDAG, true); err != nil || !d.Paused {
		t.Fatalf("pause: %+v, %v", d, err)
	}
}

func (r *rig) checkNotFound(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	where := r.c.Where()
	_, err := r.c.DAG(ctx, "nope_dag")
	if want := "unknown DAG nope_dag (HTTP 404: DAG with dag_id: 'nope_dag' not found on " + where + "): deploy it with pintui deploy, then wait for Airflow to parse it (a minute or two)"; err == nil || err.Error() != want || !NotFound(err) {
		t.Fatalf("unknown DAG: %v\nwant %s", err, want)
	}
	if _, err = r.c.Trigger(ctx, "nope_dag", nil); err == nil || !strings.HasPrefix(err.Error(), "unknown DAG nope_dag (HTTP 404") {
		t.Fatalf("trigger of an unknown DAG: %v", err)
	}
	_, err = r.c.Run(ctx, testDAG, "manual__nope")
	if err == nil || !strings.HasPrefix(err.Error(), "DAG "+testDAG+" has no run manual__nope, or the DAG is unknown (HTTP 404") || !strings.HasSuffix(err.Error(), ": list its runs with pintui dag runs "+testDAG) {
		t.Fatalf("unknown run: %v", err)
	}
}

func TestLogs(t *testing.T) {
	ctx := context.Background()
	want := map[string]string{
		directV1: "submitted run 7 of clean_pin\nrun 7 ended SUCCESS\n",
		directV2: "2026-12-01T10:01:00.000000Z info submitted run 7 of clean_pin\n2026-12-01T10:01:30.000000Z info run 7 ended SUCCESS\n",
	}
	for kind, text := range want {
		r := newRig(t, kind, Settings{})
		r.seed()
		got, err := r.c.Log(ctx, testDAG, "scheduled__2026-11-30T00:00:00+00:00", "clean_pin", 1)
		if err != nil || got != text {
			t.Fatalf("%s: log %q, %v; want %q", kind, got, err, text)
		}
		_, err = r.c.Log(ctx, testDAG, "scheduled__2026-11-30T00:00:00+00:00", "clean_pin", 2)
		if err == nil || !strings.HasPrefix(err.Error(), "no log of try 2 of task clean_pin in run scheduled__2026-11-30T00:00:00+00:00 of DAG 0a1b2c3d4e5f_dag (HTTP 404") {
			t.Fatalf("%s: try 2: %v", kind, err)
		}
	}
	r := newRig(t, invokeV1, Settings{})
	r.seed()
	_, err := r.c.Log(ctx, testDAG, "scheduled__2026-11-30T00:00:00+00:00", "clean_pin", 1)
	if want := "GET /dags/0a1b2c3d4e5f_dag/dagRuns/scheduled__2026-11-30T00:00:00+00:00/taskInstances/clean_pin/logs/1: MWAA environment prod takes paths of at most 64 characters and this one has 98: look at it in the Airflow UI instead"; err == nil || err.Error() != want {
		t.Fatalf("invoke log: %v\nwant %s", err, want)
	}
	r = newRig(t, cliV1, Settings{})
	r.seed()
	_, err = r.c.Log(ctx, testDAG, "scheduled__2026-11-30T00:00:00+00:00", "clean_pin", 1)
	if err == nil || !strings.HasSuffix(err.Error(), "the MWAA CLI gives no task logs: read them in CloudWatch Logs, log group airflow-prod-Task, or use InvokeRestApi (leave airflow.cli off) on Airflow 2.4.3 or later") {
		t.Fatalf("cli log: %v", err)
	}
}

// TestThrottled checks that 429 is retried after Retry-After, or after a growing wait when the
// transport loses the header, up to 5 tries, and then fails saying so.
func TestThrottled(t *testing.T) {
	ctx := context.Background()
	waits := map[string][]time.Duration{
		directV1: {3 * time.Second, 3 * time.Second},
		directV2: {3 * time.Second, 3 * time.Second},
		invokeV1: {time.Second, 2 * time.Second},
		invokeV2: {time.Second, 2 * time.Second},
		cliV1:    {3 * time.Second, 3 * time.Second},
	}
	for _, kind := range kinds {
		r := newRig(t, kind, Settings{API: apiOf(kind)})
		r.af.throttle, r.af.retryAfter = 2, "3"
		if _, err := r.c.DAGs(ctx); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if !reflect.DeepEqual(r.waits, waits[kind]) {
			t.Fatalf("%s: waited %v, want %v", kind, r.waits, waits[kind])
		}
		r.af.throttle, r.waits = 10, nil
		_, err := r.c.DAGs(ctx)
		over := "12s"
		if strings.HasPrefix(kind, "invoke") {
			over = "15s"
		}
		if want := "GET /dags: " + r.c.Where() + " is throttling calls (HTTP 429 after 5 tries over " + over + "): wait a minute and try again, or make fewer calls"; err == nil || err.Error() != want {
			t.Fatalf("%s: %v\nwant %s", kind, err, want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"7": 7 * time.Second, "0": 0, "Tue, 01 Dec 2026 10:00:05 GMT": 5 * time.Second, "Tue, 01 Dec 2026 09:00:00 GMT": 0,
	} {
		if got, ok := parseRetryAfter(in, now); !ok || got != want {
			t.Errorf("Retry-After %q: %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "soon", "-1", "1.5"} {
		if _, ok := parseRetryAfter(in, now); ok {
			t.Errorf("Retry-After %q was read", in)
		}
	}
}
