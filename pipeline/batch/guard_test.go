package batch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pintui/pintui/pipeline/analytics"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

// tableVersions returns the version of each batch table and analytics output.
func tableVersions(t *testing.T, lakehouse objstore.Store) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	names := analytics.Names()
	for _, table := range record.Tables {
		names = append(names, TableName(uid, table))
	}
	for _, name := range names {
		snap, err := delta.Open(lakehouse, name).Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out[name] = snap.Version
	}
	return out
}

func TestRunOverNoLandingsKeepsNonEmptyTables(t *testing.T) {
	ctx := context.Background()
	j := newJob(t)
	if _, err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	before := tableVersions(t, j.Lakehouse)
	j.Landings = objstore.NewDir(filepath.Join(t.TempDir(), "mistyped"))
	_, err := j.Run(ctx)
	want := "run batch job: found no landings under topics/" + uid + ".pin/ (pin 0, geo 0, user 0), but table " + uid +
		"_pin_batch holds 2 rows; check --landings and the uid, or give --allow-empty to empty the tables"
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
	if after := tableVersions(t, j.Lakehouse); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("a refused run changed the tables: %v, before %v", after, before)
	}
	j.AllowEmpty = true
	res, err := j.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range res.Tables {
		if run.Written != 0 || run.Version != 1 {
			t.Errorf("--allow-empty: %+v, want version 1 with no rows", run)
		}
	}
}

func TestRunOverOneEmptyTopicKeepsItsTable(t *testing.T) {
	ctx := context.Background()
	j := newJob(t)
	if _, err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	objs, err := j.Landings.List(ctx, TopicPrefix(uid, record.TableGeo))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if err := j.Landings.Delete(ctx, o.Key); err != nil {
			t.Fatal(err)
		}
	}
	_, err = j.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "found no landings under topics/"+uid+".geo/ (pin 5, geo 0, user 2), but table "+uid+"_geo_batch holds 2 rows") {
		t.Fatalf("error %v, want the empty geo topic named", err)
	}
}

func TestOpenLandingsRefusesAMissingFolder(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "landigns")
	_, err := OpenLandings(missing)
	want := "landings folder " + missing + " does not exist: give the folder `seed --landings` wrote, or leave --landings out to read the landing bucket"
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
	file := filepath.Join(t.TempDir(), "pins.json")
	if err := objstore.NewDir(filepath.Dir(file)).Put(context.Background(), "pins.json", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenLandings(file); err == nil || !strings.Contains(err.Error(), "is not a folder") {
		t.Fatalf("a file as landings: %v, want it refused", err)
	}
	if _, err := OpenLandings(t.TempDir()); err != nil {
		t.Fatalf("an existing folder: %v", err)
	}
}

func TestRunRebuildsADamagedTable(t *testing.T) {
	ctx := context.Background()
	j := newJob(t)
	if _, err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	want := cleanedText(t, j.Lakehouse, record.TablePin)
	name := TableName(uid, record.TablePin)
	torn := name + "/_delta_log/00000000000000000000.json"
	if err := j.Lakehouse.Put(ctx, torn, []byte(`{"commitInfo":{"timest`)); err != nil {
		t.Fatal(err)
	}
	if _, err := delta.Open(j.Lakehouse, name).Snapshot(ctx); !errors.Is(err, delta.ErrDamaged) {
		t.Fatalf("torn commit: %v, want the table damaged", err)
	}
	res, err := j.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Tables[0].Version; v != 1 {
		t.Fatalf("rebuilt %s at version %d, want 1", name, v)
	}
	if got := cleanedText(t, j.Lakehouse, record.TablePin); got != want {
		t.Fatalf("rebuilt pin table:\n got %s\nwant %s", got, want)
	}
	if data, err := j.Lakehouse.Get(ctx, torn); err != nil || !strings.HasSuffix(string(data), "timest") {
		t.Fatalf("the torn commit must stay for inspection: %q, %v", data, err)
	}
}

func TestRunIDIsInEveryCommit(t *testing.T) {
	ctx := context.Background()
	j := newJob(t)
	j.RunID = "3f2a9c1b0d4e"
	res, err := j.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.RunID != j.RunID {
		t.Fatalf("result run id %q, want %q", res.RunID, j.RunID)
	}
	for name := range tableVersions(t, j.Lakehouse) {
		snap, err := delta.Open(j.Lakehouse, name).Snapshot(ctx)
		if err != nil || snap.RunID != j.RunID {
			t.Errorf("%s: run id %q, %v; want %q", name, snap.RunID, err, j.RunID)
		}
	}
	j.RunID = ""
	res, err = j.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.RunID) != 12 || res.RunID == "3f2a9c1b0d4e" {
		t.Fatalf("drawn run id %q, want 12 new hex digits", res.RunID)
	}
}
