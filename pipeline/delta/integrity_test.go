package delta_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

func commitKey(table *delta.Table, version int64) string {
	return fmt.Sprintf("%s/_delta_log/%020d.json", table.Root(), version)
}

// appendVersions commits versions 0 to last, one geo row each.
func appendVersions(t *testing.T, table *delta.Table, last int64) {
	t.Helper()
	for v := int64(0); v <= last; v++ {
		if _, err := delta.WriteRecords(context.Background(), table, delta.Write{}, geoRows()[:1]); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGapInTheLogIsReported(t *testing.T) {
	ctx := context.Background()
	table, store := newTable(t, fixedOptions()...)
	appendVersions(t, table, 6)
	if err := store.Delete(ctx, commitKey(table, 3)); err != nil {
		t.Fatal(err)
	}
	reader := delta.Open(store, table.Root())
	_, err := reader.Snapshot(ctx)
	if !errors.Is(err, delta.ErrDamaged) {
		t.Fatalf("snapshot of a log without commit 3: %v, want ErrDamaged", err)
	}
	want := "read table lakehouse/x_geo_batch: damaged delta log: commit 3 is missing while commits up to 6 are present; restore the missing commit, or overwrite the table to rebuild it"
	if err.Error() != want {
		t.Fatalf("error:\n%s\nwant:\n%s", err, want)
	}
	// A writer that comes after the gap, as the next batch run does, must not fill it.
	_, err = delta.WriteRecords(ctx, delta.Open(store, table.Root()), delta.Write{}, geoRows()[:1])
	if !errors.Is(err, delta.ErrDamaged) {
		t.Fatalf("append to a log with a gap: %v, want ErrDamaged", err)
	}
	if _, err := store.Get(ctx, commitKey(table, 3)); !errors.Is(err, objstore.ErrNotFound) {
		t.Fatalf("commit 3 after the append: %v, want it still missing", err)
	}
	if _, err := store.Get(ctx, commitKey(table, 7)); !errors.Is(err, objstore.ErrNotFound) {
		t.Fatalf("commit 7 after the append: %v, want none", err)
	}
}

func TestMissingFirstCommitIsReported(t *testing.T) {
	ctx := context.Background()
	table, store := newTable(t, fixedOptions()...)
	appendVersions(t, table, 2)
	if err := store.Delete(ctx, commitKey(table, 0)); err != nil {
		t.Fatal(err)
	}
	_, err := delta.Open(store, table.Root()).Snapshot(ctx)
	if !errors.Is(err, delta.ErrDamaged) || !strings.Contains(err.Error(), "commit 0 is missing while commits up to 2 are present") {
		t.Fatalf("snapshot without commit 0: %v, want commit 0 named missing", err)
	}
}

func TestGarbledCommitIsDamaged(t *testing.T) {
	ctx := context.Background()
	table, store := newTable(t, fixedOptions()...)
	appendVersions(t, table, 3)
	if err := store.Put(ctx, commitKey(table, 2), []byte("{\"add\":{\"path\":\"part-")); err != nil {
		t.Fatal(err)
	}
	_, err := delta.Open(store, table.Root()).Snapshot(ctx)
	want := "read table lakehouse/x_geo_batch: damaged delta log: commit 2 does not parse: line 1: unexpected end of JSON input; restore the commit, or overwrite the table to rebuild it"
	if !errors.Is(err, delta.ErrDamaged) || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
}

// damage leaves a table at version 6 with commit 3 garbled or gone, as a reader sees it.
var damage = map[string]func(ctx context.Context, store objstore.Store, table *delta.Table) error{
	"gap": func(ctx context.Context, store objstore.Store, table *delta.Table) error {
		return store.Delete(ctx, commitKey(table, 3))
	},
	"garbled": func(ctx context.Context, store objstore.Store, table *delta.Table) error {
		return store.Put(ctx, commitKey(table, 3), []byte("not json\n"))
	},
	"garbled last checkpoint": func(ctx context.Context, store objstore.Store, table *delta.Table) error {
		return store.Put(ctx, table.Root()+"/_delta_log/_last_checkpoint", []byte("{\"vers"))
	},
}

func TestOverwriteRebuildsADamagedTable(t *testing.T) {
	for name, damageIt := range damage {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			table, store := newTable(t, fixedOptions()...)
			appendVersions(t, table, 6)
			if err := damageIt(ctx, store, table); err != nil {
				t.Fatal(err)
			}
			writer := delta.Open(store, table.Root(), fixedOptions()...)
			if _, err := delta.WriteRecords(ctx, writer, delta.Write{Mode: delta.Overwrite}, geoRows()); !errors.Is(err, delta.ErrDamaged) {
				t.Fatalf("overwrite without Rebuild: %v, want ErrDamaged", err)
			}
			c, err := delta.WriteRecords(ctx, writer, delta.Write{Mode: delta.Overwrite, Rebuild: true}, geoRows())
			if err != nil {
				t.Fatal(err)
			}
			if c.Version != 7 || c.Rows != 3 {
				t.Fatalf("rebuild committed %+v, want version 7 with 3 rows", c)
			}
			got, err := delta.Read[record.CleanGeo](ctx, delta.Open(store, table.Root()))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, geoRows()) {
				t.Fatalf("rebuilt table reads %+v, want the overwrite's rows once", got)
			}
			if _, err := store.Get(ctx, fmt.Sprintf("%s/_delta_log/%020d.checkpoint.parquet", table.Root(), 7)); err != nil {
				t.Fatalf("checkpoint of the rebuild: %v", err)
			}
			if name != "gap" {
				if _, err := store.Get(ctx, commitKey(table, 3)); err != nil {
					t.Fatalf("the damaged commit must stay for inspection: %v", err)
				}
			}
			c, err = delta.WriteRecords(ctx, writer, delta.Write{}, geoRows()[:1])
			if err != nil || c.Version != 8 {
				t.Fatalf("append after the rebuild: %+v, %v; want version 8", c, err)
			}
		})
	}
}

func TestRunIDIsRecordedInCommitInfo(t *testing.T) {
	ctx := context.Background()
	table, store := newTable(t, fixedOptions()...)
	for v := range delta.CheckpointInterval + 1 {
		w := delta.Write{Mode: delta.Overwrite, RunID: fmt.Sprintf("run-%d", v)}
		if _, err := delta.WriteRecords(ctx, table, w, geoRows()[:1]); err != nil {
			t.Fatal(err)
		}
	}
	data, err := store.Get(ctx, commitKey(table, 10))
	if err != nil || !strings.Contains(string(data), `"runId":"run-10"`) {
		t.Fatalf("commit 10 = %s, %v; want runId run-10 in its commitInfo", data, err)
	}
	snap, err := delta.Open(store, table.Root()).Snapshot(ctx)
	if err != nil || snap.RunID != "run-10" {
		t.Fatalf("snapshot from the checkpoint: %v; run id %q, want run-10", err, snap.RunID)
	}
	if _, err := delta.WriteRecords(ctx, table, delta.Write{}, geoRows()[:1]); err != nil {
		t.Fatal(err)
	}
	snap, err = delta.Open(store, table.Root()).Snapshot(ctx)
	if err != nil || snap.RunID != "" {
		t.Fatalf("after a commit without a run id: %v; run id %q, want none", err, snap.RunID)
	}
}

func TestVacuumDeletesRemovedAndUnreferencedFiles(t *testing.T) {
	ctx := context.Background()
	table, store := newTable(t)
	for range 3 {
		if _, err := delta.WriteRecords(ctx, table, delta.Write{Mode: delta.Overwrite}, geoRows()); err != nil {
			t.Fatal(err)
		}
	}
	orphan := table.Root() + "/part-00000-left-by-a-killed-run-c000.snappy.parquet"
	if err := store.Put(ctx, orphan, []byte("PAR1")); err != nil {
		t.Fatal(err)
	}
	kept, err := table.Vacuum(ctx, time.Hour)
	if err != nil || len(kept.Deleted) != 0 {
		t.Fatalf("vacuum within the retention: %+v, %v; want nothing deleted", kept, err)
	}
	v, err := table.Vacuum(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Deleted) != 3 || !strings.Contains(strings.Join(v.Deleted, " "), "left-by-a-killed-run") || v.Live != 1 || v.Version != 2 {
		t.Fatalf("vacuum: %+v; want the two removed files and the orphan deleted, one live file kept", v)
	}
	if _, err := store.Get(ctx, orphan); !errors.Is(err, objstore.ErrNotFound) {
		t.Fatalf("orphan after vacuum: %v", err)
	}
	got, err := delta.Read[record.CleanGeo](ctx, delta.Open(store, table.Root()))
	if err != nil || !reflect.DeepEqual(got, geoRows()) {
		t.Fatalf("table after vacuum: %+v, %v", got, err)
	}
	if _, err := store.Get(ctx, commitKey(table, 0)); err != nil {
		t.Fatalf("vacuum must keep the log: %v", err)
	}
}

func TestVacuumRefusesADamagedTable(t *testing.T) {
	ctx := context.Background()
	table, store := newTable(t, fixedOptions()...)
	appendVersions(t, table, 2)
	if err := store.Put(ctx, commitKey(table, 1), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := delta.Open(store, table.Root()).Vacuum(ctx, 0); !errors.Is(err, delta.ErrDamaged) {
		t.Fatalf("vacuum of a damaged table: %v, want ErrDamaged", err)
	}
	objs, _ := store.List(ctx, table.Root()+"/part-")
	if len(objs) != 3 {
		t.Fatalf("data files after a refused vacuum: %d, want all 3", len(objs))
	}
}

// lateStore answers the first Get of one key as missing, as a store does when a writer commits
// that version, and the next, just after a reader probed for it.
type lateStore struct {
	objstore.Store
	key    string
	missed bool
}

func (s *lateStore) Get(ctx context.Context, key string) ([]byte, error) {
	if key == s.key && !s.missed {
		s.missed = true
		return nil, fmt.Errorf("get %s: %w", key, objstore.ErrNotFound)
	}
	return s.Store.Get(ctx, key)
}

func TestCommitsLandingDuringAReadAreNoGap(t *testing.T) {
	ctx := context.Background()
	table, store := newTable(t, fixedOptions()...)
	appendVersions(t, table, 3)
	late := &lateStore{Store: store, key: commitKey(table, 2)}
	snap, err := delta.Open(late, table.Root()).Snapshot(ctx)
	if err != nil || snap.Version != 3 || len(snap.Files) != 4 {
		t.Fatalf("snapshot while commits 2 and 3 land: %v, want version 3 with 4 files", err)
	}
}

// ambiguousStore stores the first commit it is given and then answers with an error, as an S3
// put whose answer is lost after the object was written.
type ambiguousStore struct {
	*objstore.Dir
	once sync.Once
}

func (s *ambiguousStore) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	if !strings.Contains(key, "_delta_log/") {
		return s.Dir.PutIfAbsent(ctx, key, data)
	}
	err := s.Dir.PutIfAbsent(ctx, key, data)
	answered := false
	s.once.Do(func() { answered = true })
	if err == nil && answered {
		return errors.New("connection reset after the request was sent")
	}
	return err
}

func TestACommitWhoseAnswerWasLostKeepsItsDataFiles(t *testing.T) {
	ctx := context.Background()
	store := &ambiguousStore{Dir: objstore.NewDir(t.TempDir())}
	table := delta.Open(store, "lakehouse/x_geo_table")
	if _, err := delta.WriteRecords(ctx, table, delta.Write{}, geoRows()); err == nil {
		t.Fatal("the write whose commit answer was lost reported success")
	}
	got, err := delta.Read[record.CleanGeo](ctx, delta.Open(store, "lakehouse/x_geo_table"))
	if err != nil {
		t.Fatalf("read the table the commit landed in: %v", err)
	}
	if len(got) != len(geoRows()) {
		t.Fatalf("read %d rows, want %d", len(got), len(geoRows()))
	}
}
