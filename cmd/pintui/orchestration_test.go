package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/pipeline/analytics"
	"github.com/pintui/pintui/pipeline/dag"
)

// TestScriptRunsTheDAGEndToEnd is issue 9's acceptance: on a fresh data dir a script seeds,
// lands 500 draws, triggers the DAG and waits for it; the local scheduler's tasks submit their
// notebook runs to the local workspace, which runs the batch job's steps, so the tables, the
// analytics, the DAG's runs and the workspace's runs all show the run.
func TestScriptRunsTheDAGEndToEnd(t *testing.T) {
	home := t.TempDir()
	uid := "0a1b2c3d4e5f"
	script := strings.Join([]string{
		"seed",
		"emulate batch --count 500 --rate 0",
		"wait landings >= 1500 --timeout 120s",
		"dag trigger",
		"dag wait --last --timeout 5m",
		"tables",
		"analytics",
		"dag runs",
		"job runs",
	}, "\n")
	cmd := exec.Command(binary, "--script", "-", "-o", "json", "--kafka-addr", "127.0.0.1:0", "--s3-addr", "127.0.0.1:0",
		"--gateway-addr", "127.0.0.1:0", "--kinesis-addr", "127.0.0.1:0", "--airflow-addr", "127.0.0.1:0", "--workspace-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"))
	cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s\n%s", err, stderr.String(), raw)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 9 {
		t.Fatalf("want 9 results, got %d:\n%s", len(lines), raw)
	}
	decode := func(i int, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(lines[i]), v); err != nil {
			t.Fatalf("line %d: %v\n%s", i+1, err, lines[i])
		}
	}

	var triggered, waited command.DAGRun
	decode(3, &triggered)
	decode(4, &waited)
	if waited.DAG != dag.ID(uid) || waited.RunID != triggered.RunID || waited.State != command.DAGRunSuccess {
		t.Fatalf("dag wait --last = %s, want run %s of %s in success", lines[4], triggered.RunID, dag.ID(uid))
	}
	var taskIDs []string
	for _, task := range dag.Tasks() {
		taskIDs = append(taskIDs, task.ID)
	}
	var ran []string
	for _, ti := range waited.Tasks {
		ran = append(ran, ti.Task)
		if ti.State != "success" {
			t.Errorf("task %s ended %s, want success", ti.Task, ti.State)
		}
	}
	if !slices.Equal(ran, taskIDs) {
		t.Errorf("the run's tasks are %v, want %v", ran, taskIDs)
	}

	var tables []command.TableInfo
	decode(5, &tables)
	rows := map[string]int64{}
	for _, ti := range tables {
		rows[ti.Table] = ti.Rows
	}
	for _, name := range []string{uid + "_pin_batch", uid + "_geo_batch", uid + "_user_batch"} {
		if rows[name] == 0 {
			t.Errorf("tables lists %s with %d rows, want the batch table with the draws' rows", name, rows[name])
		}
	}
	var outputs map[string][]map[string]any
	decode(6, &outputs)
	for _, name := range analytics.Names() {
		if _, ok := outputs[name]; !ok {
			t.Errorf("analytics has no %s", name)
		}
	}
	if len(outputs) != 9 {
		t.Errorf("analytics returned %d outputs, want 9", len(outputs))
	}

	var dagRuns command.DAGRuns
	decode(7, &dagRuns)
	i := slices.IndexFunc(dagRuns.Runs, func(r command.DAGRun) bool { return r.RunID == triggered.RunID })
	if i < 0 || len(dagRuns.Runs[i].Tasks) != 5 {
		t.Fatalf("dag runs = %s, want run %s with its five tasks", lines[7], triggered.RunID)
	}
	var jobRuns command.JobRuns
	decode(8, &jobRuns)
	submitted := map[string]int{}
	for _, r := range jobRuns.Runs {
		if r.RunType == "SUBMIT_RUN" && r.ResultState == "SUCCESS" {
			submitted[r.RunName]++
		}
	}
	for _, id := range taskIDs {
		if submitted[dag.ID(uid)+"."+id] == 0 {
			t.Errorf("job runs has no successful run %s.%s: %s", dag.ID(uid), id, lines[8])
		}
	}
}
