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
	cfg.DataDir, cfg.UID = t.TempDir(), "0a1b2c3d4e5f"
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
