package command

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/record"
)

// lakehouseEnv is an Env with a data dir and no stack, enough for the lakehouse commands.
func lakehouseEnv(t *testing.T) *Env {
	t.Helper()
	cfg := &config.Loaded{}
	cfg.DataDir, cfg.UID, cfg.Profile = t.TempDir(), "0a1b2c3d4e5f", "local"
	return &Env{Config: cfg}
}

func TestTablesShowsADamagedTableAndListsTheOthers(t *testing.T) {
	ctx := context.Background()
	env := lakehouseEnv(t)
	store := env.lakehouse()
	for _, name := range []string{"a_geo_batch", "b_geo_batch"} {
		w := delta.Write{Mode: delta.Overwrite, RunID: "5e1f0c2a9b7d"}
		if _, err := delta.Open(store, name).WriteRows(ctx, w, record.CleanGeoFields, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Put(ctx, "a_geo_batch/_delta_log/00000000000000000000.json", []byte("{\"commitInfo\":")); err != nil {
		t.Fatal(err)
	}
	res, err := New(env).Run(ctx, "tables")
	if err != nil {
		t.Fatal(err)
	}
	want := []TableInfo{
		{Table: "a_geo_batch", Kind: "batch", Version: -1, Damaged: "read table a_geo_batch: damaged delta log: commit 0 does not parse: line 1: unexpected end of JSON input; restore the commit, or overwrite the table to rebuild it"},
		{Table: "b_geo_batch", Kind: "batch", Version: 0, Run: "5e1f0c2a9b7d"},
	}
	if got := res.Data; !reflect.DeepEqual(got, want) {
		t.Fatalf("tables:\n%+v\nwant\n%+v", got, want)
	}
}

func TestBatchRunRefusesAMissingLandingsFolder(t *testing.T) {
	env := lakehouseEnv(t)
	missing := filepath.Join(env.Config.DataDir, "landigns")
	_, err := New(env).Run(context.Background(), "batch run --landings "+missing)
	if err == nil || !strings.Contains(err.Error(), "landings folder "+missing+" does not exist") {
		t.Fatalf("error %v, want the missing folder named", err)
	}
	if _, err := os.Stat(env.Config.LakehouseDir()); !os.IsNotExist(err) {
		t.Fatalf("the refused run wrote the lakehouse: %v", err)
	}
}

func TestVacuumCommandDeletesAnOrphan(t *testing.T) {
	ctx := context.Background()
	env := lakehouseEnv(t)
	store := env.lakehouse()
	if _, err := delta.Open(store, "a_geo_batch").WriteRows(ctx, delta.Write{}, record.CleanGeoFields, nil); err != nil {
		t.Fatal(err)
	}
	orphan := "a_geo_batch/part-00000-orphan-c000.snappy.parquet"
	if err := store.Put(ctx, orphan, []byte("PAR1")); err != nil {
		t.Fatal(err)
	}
	reg := New(env)
	if _, err := reg.Run(ctx, "vacuum a_geo_batch --retain -1s"); err == nil || !strings.Contains(err.Error(), "retention -1s is negative") {
		t.Fatalf("negative retention: %v", err)
	}
	res, err := reg.Run(ctx, "vacuum a_geo_batch --retain 0s")
	if err != nil {
		t.Fatal(err)
	}
	want := TableVacuum{Table: "a_geo_batch", Version: 0, RetainMS: 0, Deleted: []string{"part-00000-orphan-c000.snappy.parquet"}, DeletedBytes: 4, LiveFiles: 0}
	if !reflect.DeepEqual(res.Data, want) {
		t.Fatalf("vacuum: %+v, want %+v", res.Data, want)
	}
	if _, err := store.Get(ctx, orphan); err == nil {
		t.Fatal("the orphan is still there")
	}
	if _, err := reg.Run(ctx, "vacuum no_such_table"); err == nil || !strings.Contains(err.Error(), `no table "no_such_table": the tables are a_geo_batch`) {
		t.Fatalf("vacuum of a missing table: %v", err)
	}
}

func TestTablesTellStreamTablesByTheirNames(t *testing.T) {
	ctx := context.Background()
	env := lakehouseEnv(t)
	store := env.lakehouse()
	for _, name := range []string{"top_country", "0a1b2c3d4e5f_pin_table", "0a1b2c3d4e5f_geo_batch", "notes_table", "ffffffffffff_user_table"} {
		if _, err := delta.Open(store, name).WriteRows(ctx, delta.Write{}, record.CleanGeoFields, nil); err != nil {
			t.Fatal(err)
		}
	}
	res, err := New(env).Run(ctx, "tables")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ti := range res.Data.([]TableInfo) {
		got = append(got, ti.Table+" "+ti.Kind)
	}
	want := []string{"0a1b2c3d4e5f_geo_batch batch", "ffffffffffff_user_table batch", "notes_table batch", "0a1b2c3d4e5f_pin_table stream", "top_country analytics"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("tables:\n%q\nwant\n%q", got, want)
	}
}

func TestOptimizeCommandCompactsAStreamTable(t *testing.T) {
	ctx := context.Background()
	env := lakehouseEnv(t)
	table := delta.Open(env.lakehouse(), "0a1b2c3d4e5f_geo_table")
	for v := range 5 {
		w := delta.Write{Txn: &delta.Txn{AppID: "stream-geo", Version: int64(v)}}
		if _, err := table.WriteRows(ctx, w, record.CleanGeoFields, [][]any{{int64(v), "Aruba", nil, nil}}); err != nil {
			t.Fatal(err)
		}
	}
	reg := New(env)
	res, err := reg.Run(ctx, "optimize 0a1b2c3d4e5f_geo_table")
	if err != nil {
		t.Fatal(err)
	}
	got := res.Data.(TableOptimize)
	if got.Table != "0a1b2c3d4e5f_geo_table" || got.Version != 5 || got.FilesRemoved != 5 || got.FilesAdded != 1 || got.Rows != 5 || got.BytesAfter >= got.BytesBefore {
		t.Fatalf("optimize: %+v, want version 5 compacting 5 files of 5 rows into 1, smaller", got)
	}
	if !strings.HasPrefix(res.Message, "compacted 5 files of 0a1b2c3d4e5f_geo_table into 1 at version 5; its 5 rows are unchanged") {
		t.Errorf("message %q", res.Message)
	}
	res, err = reg.Run(ctx, "optimize 0a1b2c3d4e5f_geo_table")
	if err != nil || res.Data != (TableOptimize{Table: "0a1b2c3d4e5f_geo_table", Version: 5, Rows: 5}) {
		t.Fatalf("second optimize: %+v, %v; want nothing done", res.Data, err)
	}
	if want := "nothing to compact in 0a1b2c3d4e5f_geo_table at version 5: no two small files sit together"; res.Message != want {
		t.Errorf("message %q, want %q", res.Message, want)
	}
	if _, err := reg.Run(ctx, "optimize no_such_table"); err == nil || !strings.Contains(err.Error(), `no table "no_such_table": the tables are 0a1b2c3d4e5f_geo_table`) {
		t.Fatalf("optimize of a missing table: %v", err)
	}
}
