// Package assets holds what `pintui deploy` puts in the cloud, embedded in the binary: the
// Airflow DAG file <uid>_dag.py, which runs the batch job on MWAA as one
// DatabricksSubmitRunOperator per task of the DAG, and the batch and stream notebooks, the
// PySpark versions of the batch and stream jobs. The files are rendered from templates with
// every name taken from pipeline/dag, pipeline/batch and pipeline/stream and every cleaning rule,
// column and analytics output from pipeline/clean, pipeline/record and pipeline/analytics, so the
// notebooks clean exactly as pintui does.
package assets

import (
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/pintui/pintui/pipeline/analytics"
	"github.com/pintui/pintui/pipeline/batch"
	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/dag"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/stream"
)

//go:embed templates/*.tmpl
var files embed.FS

var templates = template.Must(template.New("assets").
	Funcs(template.FuncMap{"py": pyLiteral, "pydict": pyDict}).
	ParseFS(files, "templates/*.tmpl"))

// DAGFile renders the DAG file <uid>_dag.py for Airflow 2 and 3 (MWAA): the DAG dag.ID(uid) on
// the settings' schedule, each task of dag.Tasks() a run of the batch notebook under notebookDir
// on the existing cluster clusterID, with the task's id as its step.
func DAGFile(uid string, s dag.Settings, notebookDir, clusterID string) []byte {
	type task struct{ ID string }
	var tasks []task
	for _, t := range dag.Tasks() {
		tasks = append(tasks, task{t.ID})
	}
	return render("dag.py.tmpl", map[string]any{
		"DAGID":        dag.ID(uid),
		"Schedule":     s.Schedule,
		"Catchup":      s.Catchup,
		"Retries":      s.Retries,
		"RetryDelay":   timedelta(s.RetryDelay),
		"NotebookPath": dag.NotebookPath(notebookDir, uid, dag.BatchNotebook),
		"ClusterID":    clusterID,
		"StepParam":    dag.StepParam,
		"Tasks":        tasks,
		"Edges":        edges(dag.Tasks()),
	})
}

// BatchNotebook renders the batch notebook of uid in Databricks SOURCE format.
func BatchNotebook(uid string) []byte {
	return render("batch.py.tmpl", notebookData(uid))
}

// StreamNotebook renders the stream notebook of uid in Databricks SOURCE format.
func StreamNotebook(uid string) []byte {
	return render("stream.py.tmpl", notebookData(uid))
}

// Notebooks returns both notebooks of uid keyed by their workspace paths under notebookDir.
func Notebooks(uid, notebookDir string) map[string][]byte {
	return map[string][]byte{
		dag.NotebookPath(notebookDir, uid, dag.BatchNotebook):  BatchNotebook(uid),
		dag.NotebookPath(notebookDir, uid, dag.StreamNotebook): StreamNotebook(uid),
	}
}

// table is what the notebooks need of one of the three tables.
type table struct {
	Name          string
	Topic         string
	RawColumns    []string
	Fields        []record.Field
	LandingPrefix string
	BatchTable    string
	CleanStep     string
	Stream        string
	StreamTable   string
}

func notebookData(uid string) map[string]any {
	// A pin's id may also arrive as ind, when a producer renamed index already.
	raw := map[record.Table][]string{
		record.TablePin:  append(append([]string(nil), record.RawPinColumns...), "ind"),
		record.TableGeo:  record.RawGeoColumns,
		record.TableUser: record.RawUserColumns,
	}
	fields := map[record.Table][]record.Field{
		record.TablePin:  record.CleanPinFields,
		record.TableGeo:  record.CleanGeoFields,
		record.TableUser: record.CleanUserFields,
	}
	steps := map[record.Table]string{
		record.TablePin:  dag.TaskCleanPin,
		record.TableGeo:  dag.TaskCleanGeo,
		record.TableUser: dag.TaskCleanUser,
	}
	var tables []table
	for _, t := range record.Tables {
		tables = append(tables, table{
			Name:          string(t),
			Topic:         uid + "." + string(t), // SPEC §1's topic, <uid>.<table>
			RawColumns:    raw[t],
			Fields:        fields[t],
			LandingPrefix: batch.TopicPrefix(uid, t),
			BatchTable:    batch.TableName(uid, t),
			CleanStep:     steps[t],
			Stream:        stream.StreamName(uid, t),
			StreamTable:   stream.TableName(uid, t),
		})
	}
	var outputs []analytics.Output
	for _, name := range analytics.Names() {
		f, _ := analytics.Fields(name)
		outputs = append(outputs, analytics.Output{Name: name, Fields: f})
	}
	return map[string]any{
		"UID":                uid,
		"StepParam":          dag.StepParam,
		"LoadStep":           dag.TaskLoadLandings,
		"AnalyticsStep":      dag.TaskAnalytics,
		"Tables":             tables,
		"Placeholders":       clean.PinPlaceholders(),
		"FollowerSuffixes":   clean.FollowerSuffixes(),
		"SaveLocationPrefix": clean.SaveLocationPrefix,
		"Analytics":          outputs,
		// SPEC §1's bucket, user-<uid>-bucket; the widget takes another bucket or a mount.
		"Landings":    "s3a://user-" + uid + "-bucket",
		"Checkpoints": "dbfs:/pintui/" + uid + "/checkpoints",
	}
}

func render(name string, data any) []byte {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		// The templates are embedded and their data built above: a failure is a defect of the
		// binary, caught by the tests, never a consequence of input.
		panic(fmt.Sprintf("render %s: %v", name, err))
	}
	return b.Bytes()
}

// edges writes the DAG's dependencies as Airflow's >> statements, one per group of tasks that
// share the same upstream tasks: load_landings >> [clean_pin, clean_geo, clean_user].
func edges(tasks []dag.Task) []string {
	var order []string
	downstream := map[string][]string{}
	for _, t := range tasks {
		if len(t.Upstream) == 0 {
			continue
		}
		up := taskList(t.Upstream)
		if _, seen := downstream[up]; !seen {
			order = append(order, up)
		}
		downstream[up] = append(downstream[up], t.ID)
	}
	lines := make([]string, len(order))
	for i, up := range order {
		lines[i] = up + " >> " + taskList(downstream[up])
	}
	return lines
}

// taskList writes task variables as one name, or a list of them.
func taskList(ids []string) string {
	if len(ids) == 1 {
		return ids[0]
	}
	return "[" + strings.Join(ids, ", ") + "]"
}

// timedelta writes d as Python's timedelta, in whole seconds when it has no fraction of one.
func timedelta(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("timedelta(seconds=%d)", d/time.Second)
	}
	return fmt.Sprintf("timedelta(microseconds=%d)", d/time.Microsecond)
}

// pyLiteral writes a Go value as a Python literal. Go's quoted strings are valid Python string
// literals: both read \n, \t, \\, \", \xHH, \uHHHH and \UHHHHHHHH alike.
func pyLiteral(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v), nil
	case bool:
		if v {
			return "True", nil
		}
		return "False", nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case []string:
		quoted := make([]string, len(v))
		for i, s := range v {
			quoted[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(quoted, ", ") + "]", nil
	}
	return "", fmt.Errorf("no Python literal for %T", v)
}

// pyDict writes a one-entry Python dict of two strings.
func pyDict(key, value string) string {
	return "{" + strconv.Quote(key) + ": " + strconv.Quote(value) + "}"
}
