package assets

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/dag"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	uid     = "0a1b2c3d4e5f"
	cluster = "0101-120000-abcd1234"
)

// python3 returns the interpreter the asset tests run, failing in CI when it is missing.
func python3(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is not installed: .ci/run installs it; the asset tests need it")
		}
		t.Skip("python3 is not installed: install it to compile and inspect the Python assets")
	}
	return py
}

// assetFiles writes every asset of uid to a folder and returns their paths by name.
func assetFiles(t *testing.T, s dag.Settings) map[string]string {
	t.Helper()
	return assetFilesOf(t, uid, s)
}

func assetFilesOf(t *testing.T, uid string, s dag.Settings) map[string]string {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{
		dag.FileName(uid): DAGFile(uid, s, dag.DefaultNotebookDir, cluster),
		"batch.py":        BatchNotebook(uid),
		"stream.py":       StreamNotebook(uid),
	}
	paths := map[string]string{}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	return paths
}

func TestAssetsCompile(t *testing.T) {
	py := python3(t)
	// A uid is 12 hex digits once the config is validated; any other still renders valid Python.
	for _, id := range []string{uid, "x\"\"\"'\n#\\"} {
		for name, p := range assetFilesOf(t, id, dag.DefaultSettings()) {
			out, err := exec.Command(py, "-m", "py_compile", p).CombinedOutput()
			if err != nil {
				t.Errorf("%s of uid %q does not compile: %v\n%s", name, id, err, out)
			}
		}
	}
}

// inspect runs testdata/inspect.py over one asset and decodes what it prints.
func inspect(t *testing.T, mode, path string, into any) {
	t.Helper()
	cmd := exec.Command(python3(t), filepath.Join("testdata", "inspect.py"), mode, path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("inspect %s: %v\n%s", path, err, stderr.String())
	}
	if err := json.Unmarshal(out, into); err != nil {
		t.Fatalf("inspect %s: %v\n%s", path, err, out)
	}
}

func TestDAGFileGolden(t *testing.T) {
	got := DAGFile(uid, dag.DefaultSettings(), dag.DefaultNotebookDir, cluster)
	golden := filepath.Join("testdata", "dag.py.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v: run go test ./pipeline/assets -update", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("DAGFile differs from %s; run go test ./pipeline/assets -update and read the diff\n%s", golden, got)
	}
}

// dagShape is what inspect.py reads from a DAG file.
type dagShape struct {
	Constants   map[string]any `json:"constants"`
	DefaultArgs map[string]any `json:"default_args"`
	DAG         struct {
		Func   string         `json:"func"`
		Kwargs map[string]any `json:"kwargs"`
	} `json:"dag"`
	Tasks []struct {
		Var      string         `json:"var"`
		Operator string         `json:"operator"`
		Kwargs   map[string]any `json:"kwargs"`
	} `json:"tasks"`
	Edges [][2]string `json:"edges"`
}

func TestDAGFileAST(t *testing.T) {
	settings := []dag.Settings{
		dag.DefaultSettings(),
		{Schedule: "30 4 * * 1-5", Catchup: true, Retries: 3, RetryDelay: 90 * time.Second},
		{Schedule: "@hourly", Retries: 0, RetryDelay: 1500 * time.Millisecond},
	}
	for _, s := range settings {
		var d dagShape
		inspect(t, "dag", assetFiles(t, s)[dag.FileName(uid)], &d)
		if d.DAG.Func != "DAG" {
			t.Fatalf("the DAG is made by %q, want DAG(...)", d.DAG.Func)
		}
		kw := d.DAG.Kwargs
		for key, want := range map[string]any{
			"dag_id": dag.ID(uid), "catchup": s.Catchup, "is_paused_upon_creation": false,
			"default_args": "default_args", "start_date": "datetime(2024, 1, 1, tzinfo=timezone.utc)",
			"**": "{_SCHEDULE_ARG: SCHEDULE}",
		} {
			if kw[key] != want {
				t.Errorf("DAG(%s=%v), want %v", key, kw[key], want)
			}
		}
		if got := d.Constants["SCHEDULE"]; got != s.Schedule {
			t.Errorf("SCHEDULE = %v, want %q", got, s.Schedule)
		}
		wantDelay := "timedelta(seconds=" + strconv.Itoa(int(s.RetryDelay/time.Second)) + ")"
		if s.RetryDelay%time.Second != 0 {
			wantDelay = "timedelta(microseconds=" + strconv.Itoa(int(s.RetryDelay/time.Microsecond)) + ")"
		}
		if d.DefaultArgs["retries"] != float64(s.Retries) || d.DefaultArgs["retry_delay"] != wantDelay {
			t.Errorf("default_args = %v, want retries %d and retry_delay %s", d.DefaultArgs, s.Retries, wantDelay)
		}
		checkTasks(t, d)
	}
}

// checkTasks asserts one DatabricksSubmitRunOperator per task of dag.Tasks(), with the batch
// notebook, the task's step, and the DAG's dependencies.
func checkTasks(t *testing.T, d dagShape) {
	t.Helper()
	var ids []string
	var wantEdges [][2]string
	for _, task := range dag.Tasks() {
		ids = append(ids, task.ID)
		for _, up := range task.Upstream {
			wantEdges = append(wantEdges, [2]string{up, task.ID})
		}
	}
	var got []string
	for _, task := range d.Tasks {
		got = append(got, task.Kwargs["task_id"].(string))
		if task.Operator != "DatabricksSubmitRunOperator" || task.Var != task.Kwargs["task_id"] {
			t.Errorf("task %s = %s(...), want a DatabricksSubmitRunOperator named after its task", task.Var, task.Operator)
		}
		if task.Kwargs["databricks_conn_id"] != "databricks_default" || task.Kwargs["existing_cluster_id"] != cluster {
			t.Errorf("task %s runs on %v, %v; want databricks_default, %s", task.Var, task.Kwargs["databricks_conn_id"], task.Kwargs["existing_cluster_id"], cluster)
		}
		nt, _ := json.Marshal(task.Kwargs["notebook_task"])
		want, _ := json.Marshal(map[string]any{
			"notebook_path":   dag.NotebookPath(dag.DefaultNotebookDir, uid, dag.BatchNotebook),
			"base_parameters": map[string]string{dag.StepParam: task.Var},
		})
		if !bytes.Equal(nt, want) {
			t.Errorf("task %s notebook_task = %s, want %s", task.Var, nt, want)
		}
	}
	if !slices.Equal(got, ids) {
		t.Errorf("tasks %v, want %v", got, ids)
	}
	if !slices.Equal(d.Edges, wantEdges) {
		t.Errorf("dependencies %v, want %v", d.Edges, wantEdges)
	}
}

// TestDAGFileQuotesItsValues renders a notebook folder and cluster id full of Python's special
// characters and reads them back unchanged, with nothing Airflow's Jinja would expand.
func TestDAGFileQuotesItsValues(t *testing.T) {
	dir, clusterID := `/Shared/it's "odd"\n	dir`, `0101-"x"\`
	file := filepath.Join(t.TempDir(), dag.FileName(uid))
	data := DAGFile(uid, dag.DefaultSettings(), dir, clusterID)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var d dagShape
	inspect(t, "dag", file, &d)
	if got, want := d.Constants["NOTEBOOK_PATH"], dag.NotebookPath(dir, uid, dag.BatchNotebook); got != want {
		t.Errorf("NOTEBOOK_PATH = %q, want %q", got, want)
	}
	if got := d.Constants["CLUSTER_ID"]; got != clusterID {
		t.Errorf("CLUSTER_ID = %q, want %q", got, clusterID)
	}
	for _, marker := range []string{"{{", "{%", "{#"} {
		if bytes.Contains(DAGFile(uid, dag.DefaultSettings(), dag.DefaultNotebookDir, cluster), []byte(marker)) {
			t.Errorf("the DAG file holds %s, which Airflow's Jinja would expand in a templated field", marker)
		}
	}
}
