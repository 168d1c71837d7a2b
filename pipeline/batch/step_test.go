package batch

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pintui/pintui/pipeline/dag"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
)

// seededLandings lands 600 draws of a seeded source of 300 rows, re-draws included, as the S3
// sink would after `emulate batch --count 600`.
func seededLandings(t *testing.T) objstore.Store {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "source.db")
	if err := source.Seed(ctx, db, 300, source.DefaultSeed, nil); err != nil {
		t.Fatal(err)
	}
	src, err := source.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	store := objstore.NewDir(filepath.Join(dir, "bucket"))
	if err := source.WriteLandings(ctx, store, src, uid, 600, source.DefaultSeed); err != nil {
		t.Fatal(err)
	}
	return store
}

// tableRows reads every batch table and analytics output back, in the clean encoding for the
// batch tables and as Go values for the outputs.
func tableRows(t *testing.T, lakehouse objstore.Store) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, table := range record.Tables {
		out[TableName(uid, table)] = cleanedText(t, lakehouse, table)
	}
	outputs, err := ReadAnalytics(context.Background(), lakehouse)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outputs {
		out[o.Name] = o
	}
	return out
}

// ranWhole runs the whole job over seeded landings and returns it with a second job over the
// same landings and an empty lakehouse.
func ranWhole(t *testing.T) (whole, other *Job) {
	t.Helper()
	landings := seededLandings(t)
	whole = &Job{UID: uid, Landings: landings, Lakehouse: objstore.NewDir(filepath.Join(t.TempDir(), "lakehouse"))}
	if _, err := whole.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return whole, &Job{UID: uid, Landings: landings, Lakehouse: objstore.NewDir(filepath.Join(t.TempDir(), "lakehouse"))}
}

// sameTables fails for each table of want whose rows got does not hold after what.
func sameTables(t *testing.T, want, got map[string]any, what string) {
	t.Helper()
	for name, rows := range want {
		if !reflect.DeepEqual(got[name], rows) {
			t.Errorf("table %s after %s:\n got %v\nwant %v", name, what, got[name], rows)
		}
	}
}

func TestStepsInOrderWriteWhatRunWrites(t *testing.T) {
	ctx := context.Background()
	whole, stepped := ranWhole(t)
	summaries := map[string]StepSummary{}
	for _, task := range dag.Tasks() {
		out, err := stepped.RunStep(ctx, task.ID)
		if err != nil {
			t.Fatalf("step %s: %v", task.ID, err)
		}
		var s StepSummary
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("step %s summary %s: %v", task.ID, out, err)
		}
		summaries[task.ID] = s
	}
	want, got := tableRows(t, whole.Lakehouse), tableRows(t, stepped.Lakehouse)
	if len(got) != 12 {
		t.Fatalf("%d tables, want the 3 batch tables and the 9 outputs", len(got))
	}
	sameTables(t, want, got, "the steps")

	if l := summaries[dag.TaskLoadLandings].Landings; len(l) != 3 || l[0] != (TopicLandings{Topic: uid + ".pin", Landings: 600}) {
		t.Errorf("load_landings found %+v, want 600 landings on each of the three topics", l)
	}
	pin := summaries[dag.TaskCleanPin]
	if len(pin.Tables) != 1 || pin.Tables[0].Name != uid+"_pin_batch" || pin.Tables[0].Landings != 600 ||
		pin.Tables[0].Written+pin.Tables[0].Duplicates != 600 || pin.Tables[0].Version != 0 {
		t.Errorf("clean_pin summary %+v", pin.Tables)
	}
	if o := summaries[dag.TaskAnalytics].Outputs; len(o) != 9 || o[0].Name != "category_by_country" || o[0].Written == 0 {
		t.Errorf("analytics summary %+v", o)
	}
}

func TestEveryStepIsTheWholeRun(t *testing.T) {
	ctx := context.Background()
	whole, all := ranWhole(t)
	all.RunID = "5e1f0c2a9b7d"
	out, err := all.RunStep(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var s StepSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Step != "" || s.RunID != "5e1f0c2a9b7d" || len(s.Landings) != 3 || len(s.Tables) != 3 || len(s.Outputs) != 9 {
		t.Errorf("summary of every step: %s", out)
	}
	if want, got := tableRows(t, whole.Lakehouse), tableRows(t, all.Lakehouse); !reflect.DeepEqual(got, want) {
		t.Errorf("every step wrote other tables than Run")
	}
}

func TestLoadLandingsNeedsEveryTopic(t *testing.T) {
	j := newJob(t)
	if err := j.Landings.Delete(context.Background(), landingKey(record.TableUser, 0)); err != nil {
		t.Fatal(err)
	}
	if err := j.Landings.Delete(context.Background(), landingKey(record.TableUser, 1)); err != nil {
		t.Fatal(err)
	}
	_, err := j.RunStep(context.Background(), dag.TaskLoadLandings)
	want := "run batch step load_landings: no landings under topics/" + uid + ".user/: run emulate batch and wait landings first"
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
	j.AllowEmpty = true
	if _, err := j.RunStep(context.Background(), dag.TaskLoadLandings); err != nil {
		t.Fatalf("with AllowEmpty: %v", err)
	}
}

func TestAnalyticsStepNeedsTheBatchTables(t *testing.T) {
	j := newJob(t)
	if _, err := j.RunStep(context.Background(), dag.TaskCleanPin); err != nil {
		t.Fatal(err)
	}
	_, err := j.RunStep(context.Background(), dag.TaskAnalytics)
	want := "run batch step analytics: read table " + uid + "_geo_batch: the table does not exist yet: run the step clean_geo first"
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
	if _, err := delta.Open(j.Lakehouse, "category_by_country").Snapshot(context.Background()); err == nil {
		t.Error("a refused analytics step wrote an output")
	}
}

func TestUnknownStep(t *testing.T) {
	_, err := newJob(t).RunStep(context.Background(), "clean_pins")
	want := `run batch step clean_pins: unknown step: give one of load_landings, clean_pin, clean_geo, clean_user, analytics, or none for every step`
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
}

// TestAnalyticsStepReadsBatchTablesOfManyFiles runs the analytics step over batch tables
// rewritten in files of 64 rows: it reads them a file at a time and must answer as over one file.
func TestAnalyticsStepReadsBatchTablesOfManyFiles(t *testing.T) {
	ctx := context.Background()
	whole, parted := ranWhole(t)
	rewriteInParts[record.CleanPin](t, whole, parted, record.TablePin)
	rewriteInParts[record.CleanGeo](t, whole, parted, record.TableGeo)
	rewriteInParts[record.CleanUser](t, whole, parted, record.TableUser)
	if _, err := parted.RunStep(ctx, dag.TaskAnalytics); err != nil {
		t.Fatal(err)
	}
	sameTables(t, tableRows(t, whole.Lakehouse), tableRows(t, parted.Lakehouse), "the analytics step")
}

// rewriteInParts writes the batch table of from into to in files of 64 rows.
func rewriteInParts[T any](t *testing.T, from, to *Job, table record.Table) {
	t.Helper()
	ctx := context.Background()
	name := TableName(uid, table)
	rows, err := delta.Read[T](ctx, delta.Open(from.Lakehouse, name))
	if err != nil {
		t.Fatal(err)
	}
	w, err := delta.NewWriter[T](ctx, delta.Open(to.Lakehouse, name, delta.WithRowsPerFile(64)), delta.Write{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if c, err := w.Commit(ctx); err != nil || c.Files < 4 {
		t.Fatalf("rewrite %s: %+v %v, want files of 64 rows", name, c, err)
	}
}
