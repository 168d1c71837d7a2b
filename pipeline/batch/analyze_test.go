package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pintui/pintui/pipeline/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output:\n%s", path, got)
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAnalyzeFilesAndFolders reads pins from a file of JSON lines (with a re-draw and a broken
// line), geos from a folder of landed objects and users from a plain file, and must answer as
// the batch job does over the same records.
func TestAnalyzeFilesAndFolders(t *testing.T) {
	dir := t.TempDir()
	pin := exampleLines(t, "raw_pin.jsonl")
	geo := exampleLines(t, "raw_geo.jsonl")
	writeFile(t, filepath.Join(dir, "pin.jsonl"), pin[0]+pin[1]+"\n"+pin[0]+"{\"index\": \n")
	geoDir := filepath.Join(dir, "geo")
	writeFile(t, filepath.Join(geoDir, "topics/x.geo/partition=0/x.geo+0+0000000000.json"), geo[0])
	writeFile(t, filepath.Join(geoDir, "topics/x.geo/partition=0/x.geo+0+0000000001.json"), geo[1])
	writeFile(t, filepath.Join(geoDir, "topics/x.geo/partition=0/README.txt"), "not records\n")
	writeFile(t, filepath.Join(dir, "user.jsonl"), strings.Join(exampleLines(t, "raw_user.jsonl"), ""))

	outputs, report, err := Analyze(Paths{
		Pin:  filepath.Join(dir, "pin.jsonl"),
		Geo:  geoDir,
		User: filepath.Join(dir, "user.jsonl"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if report.Table != "" || report.RowsIn != 8 || report.RowsOut != 6 || report.Duplicates != 1 || len(report.Quarantined) != 1 {
		t.Errorf("report: %+v", report)
	}
	if q := report.Quarantined[0]; q.Where() != filepath.Join(dir, "pin.jsonl")+":5" {
		t.Errorf("quarantined at %s", q.Where())
	}

	j := newJob(t)
	res, err := j.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(outputs, res.Analytics) {
		t.Errorf("analyze and the batch job disagree:\n%v\n%v", outputs, res.Analytics)
	}
	got, err := json.MarshalIndent(outputs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "analyze.json.golden", append(got, '\n'))
}

func TestAnalyzeSaysWhatToGive(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nothing.jsonl")
	_, _, err := Analyze(Paths{Pin: missing, Geo: dir, User: dir})
	if err == nil || !strings.HasPrefix(err.Error(), "read pin records "+missing+": ") ||
		!strings.HasSuffix(err.Error(), "(give a file of JSON lines or a folder of landed .json objects)") {
		t.Errorf("error %v", err)
	}
	writeFile(t, filepath.Join(dir, "pin.jsonl"), "")
	_, _, err = Analyze(Paths{Pin: filepath.Join(dir, "pin.jsonl"), Geo: filepath.Join(dir, "empty"), User: dir})
	if err == nil || !strings.Contains(err.Error(), "read geo records") {
		t.Errorf("error %v", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, _, err = Analyze(Paths{Pin: filepath.Join(dir, "pin.jsonl"), Geo: filepath.Join(dir, "empty"), User: dir})
	want := "read geo records " + filepath.Join(dir, "empty") + ": the folder holds no .json files; give a file of JSON lines or a folder of landed objects"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

func TestTopicPrefix(t *testing.T) {
	if got := TopicPrefix(uid, record.TableGeo); got != "topics/0a1b2c3d4e5f.geo/" {
		t.Errorf("TopicPrefix = %s", got)
	}
	if got := TableName(uid, record.TableUser); got != "0a1b2c3d4e5f_user_batch" {
		t.Errorf("TableName = %s", got)
	}
}
