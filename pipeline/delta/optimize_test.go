package delta_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

// numberedGeo is one geo row per micro-batch, told apart by its ind.
func numberedGeo(v int64) []record.CleanGeo {
	return []record.CleanGeo{{Ind: v, Country: ptr(fmt.Sprintf("country %d", v)), Coordinates: []float64{float64(v), -float64(v)}}}
}

// writeMicroBatches commits micro-batches from..to-1 of numberedGeo rows with a txn, as the
// stream job does, and returns their commits.
func writeMicroBatches(t testing.TB, table *delta.Table, from, to int64) []delta.Commit {
	t.Helper()
	var out []delta.Commit
	for v := from; v < to; v++ {
		c, err := delta.WriteRecords(context.Background(), table, delta.Write{Txn: &delta.Txn{AppID: "stream-geo", Version: v}}, numberedGeo(v))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func wantGeo(from, to int64) []record.CleanGeo {
	var out []record.CleanGeo
	for v := from; v < to; v++ {
		out = append(out, numberedGeo(v)...)
	}
	return out
}

func TestOptimizeCompactsWithoutChangingData(t *testing.T) {
	ctx := context.Background()
	table, store := newTable(t, fixedOptions()...)
	writeMicroBatches(t, table, 0, 30)
	before, _ := table.Snapshot(ctx)
	o, err := table.Optimize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o.Version != 30 || o.FilesRemoved != 30 || o.FilesAdded != 1 || o.Rows != 30 || o.BytesBefore <= o.BytesAfter {
		t.Fatalf("optimize = %+v, want version 30 compacting 30 files into 1 of the 30 rows, smaller", o)
	}
	fresh := delta.Open(store, table.Root())
	got, err := delta.Read[record.CleanGeo](ctx, fresh)
	if err != nil || !reflect.DeepEqual(got, wantGeo(0, 30)) {
		t.Fatalf("after optimize the table reads %+v, %v; want the 30 rows in order", got, err)
	}
	snap, _ := fresh.Snapshot(ctx)
	if len(snap.Files) != 1 || snap.Txns["stream-geo"] != 29 || !reflect.DeepEqual(snap.Txns, before.Txns) {
		t.Fatalf("snapshot after optimize: %d files, txns %v; want 1 file and the txns of before %v", len(snap.Files), snap.Txns, before.Txns)
	}
	if n, exact := snap.NumRecords(); n != 30 || !exact {
		t.Fatalf("stats count %d rows (exact %v), want 30", n, exact)
	}
	log, err := store.Get(ctx, commitKey(table, 30))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), `"operation":"OPTIMIZE"`) || strings.Contains(string(log), `"dataChange":true`) ||
		bytes.Count(log, []byte(`"remove":`)) != 30 || bytes.Count(log, []byte(`"add":`)) != 1 {
		t.Fatalf("the optimize commit is not 30 removes and 1 add, all with dataChange false:\n%s", log)
	}
	if c := writeMicroBatches(t, fresh, 29, 30)[0]; !c.Skipped {
		t.Fatalf("micro-batch 29 replayed after optimize: %+v, want skipped", c)
	}
	again, err := fresh.Optimize(ctx)
	if err != nil || again != (delta.Optimized{Version: 30, Rows: 30}) {
		t.Fatalf("optimize of a compacted table = %+v, %v; want nothing done at version 30", again, err)
	}
}

func TestOptimizeTargets(t *testing.T) {
	ctx := context.Background()
	table, _ := newTable(t)
	writeMicroBatches(t, table, 0, 25)
	o, err := table.Optimize(ctx, delta.TargetFileRows(10))
	if err != nil || o.FilesRemoved != 25 || o.FilesAdded != 3 {
		t.Fatalf("optimize to 10 rows a file = %+v, %v; want 25 files into 3", o, err)
	}
	if o, err := table.Optimize(ctx, delta.TargetFileSize(1)); err != nil || o.FilesRemoved != 0 {
		t.Fatalf("optimize to 1 byte a file = %+v, %v; want nothing small enough", o, err)
	}
	got, err := delta.Read[record.CleanGeo](ctx, table)
	if err != nil || !reflect.DeepEqual(got, wantGeo(0, 25)) {
		t.Fatalf("read %d rows, %v; want the 25 in order", len(got), err)
	}
}

func TestOptimizeLeavesALargeFileBesideFewSmallOnes(t *testing.T) {
	ctx := context.Background()
	table, _ := newTable(t)
	if _, err := delta.WriteRecords(ctx, table, delta.Write{}, wantGeo(0, 2000)); err != nil {
		t.Fatal(err)
	}
	writeMicroBatches(t, table, 2000, 2003)
	o, err := table.Optimize(ctx)
	if err != nil || o.FilesRemoved != 3 || o.FilesAdded != 1 || o.Rows != 2003 {
		t.Fatalf("optimize = %+v, %v; want the 3 small files compacted and the 2,000-row file left", o, err)
	}
	got, err := delta.Read[record.CleanGeo](ctx, table)
	if err != nil || !reflect.DeepEqual(got, wantGeo(0, 2003)) {
		t.Fatalf("read %d rows, %v; want the 2,003 in order", len(got), err)
	}
}

// interposingStore runs before once, just before the first optimize commit is put, as another
// writer committing between optimize's read and its commit.
type interposingStore struct {
	*objstore.Dir
	once   sync.Once
	before func()
}

func (s *interposingStore) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	if bytes.Contains(data, []byte(`"operation":"OPTIMIZE"`)) {
		s.once.Do(s.before)
	}
	return s.Dir.PutIfAbsent(ctx, key, data)
}

func TestOptimizeCommitsAboveAConcurrentAppend(t *testing.T) {
	ctx := context.Background()
	dir := objstore.NewDir(t.TempDir())
	store := &interposingStore{Dir: dir}
	table := delta.Open(store, "lakehouse/x_geo_table")
	writeMicroBatches(t, table, 0, 10)
	job := delta.Open(dir, table.Root())
	store.before = func() { writeMicroBatches(t, job, 10, 11) }
	o, err := table.Optimize(ctx)
	if err != nil || o.Version != 11 || o.FilesRemoved != 10 {
		t.Fatalf("optimize with an append landing first = %+v, %v; want version 11 compacting the 10 files it read", o, err)
	}
	snap, err := delta.Open(dir, table.Root()).Snapshot(ctx)
	if err != nil || len(snap.Files) != 2 || snap.Txns["stream-geo"] != 10 {
		t.Fatalf("snapshot: %v, want the compacted file and the appended one, txn at 10", err)
	}
	got, err := delta.Read[record.CleanGeo](ctx, delta.Open(dir, table.Root()))
	if err != nil || len(got) != 11 {
		t.Fatalf("read %d rows, %v; want all 11 micro-batches once", len(got), err)
	}
}

func TestOptimizeRefusesFilesAnOverwriteRemoved(t *testing.T) {
	ctx := context.Background()
	dir := objstore.NewDir(t.TempDir())
	store := &interposingStore{Dir: dir}
	table := delta.Open(store, "lakehouse/x_geo_table")
	writeMicroBatches(t, table, 0, 3)
	store.before = func() {
		if _, err := delta.WriteRecords(ctx, delta.Open(dir, table.Root()), delta.Write{Mode: delta.Overwrite}, geoRows()); err != nil {
			t.Error(err)
		}
	}
	_, err := table.Optimize(ctx)
	if !errors.Is(err, delta.ErrOptimizeConflict) || !strings.Contains(err.Error(), "optimize table lakehouse/x_geo_table: optimize conflict: version 3 no longer holds part-00000-") ||
		!strings.HasSuffix(err.Error(), "; run optimize again") {
		t.Fatalf("optimize after an overwrite = %v, want a conflict naming the files", err)
	}
	got, err := delta.Read[record.CleanGeo](ctx, delta.Open(dir, table.Root()))
	if err != nil || !reflect.DeepEqual(got, geoRows()) {
		t.Fatalf("table after the refused optimize reads %+v, %v; want the overwrite's rows", got, err)
	}
	objs, _ := dir.List(ctx, table.Root()+"/part-")
	if len(objs) != 4 {
		t.Fatalf("data files %d, want the 3 appended and the overwrite's, the compacted file removed", len(objs))
	}
}

func TestAutoOptimizeBoundsTheFileCount(t *testing.T) {
	ctx := context.Background()
	store := &countingStore{Dir: objstore.NewDir(t.TempDir())}
	table := delta.Open(store, "lakehouse/x_geo_table", delta.AutoOptimize(10))
	commits := writeMicroBatches(t, table, 0, 45)
	var optimized []int64
	for i, c := range commits {
		if c.OptimizeErr != nil {
			t.Fatalf("micro-batch %d: %v", i, c.OptimizeErr)
		}
		if c.Optimized != nil {
			optimized = append(optimized, int64(i))
		}
	}
	// At 10 eleven files become one; at 20 it stays and the ten after it become a second; at 29
	// the two and nine more hold more rows than the first alone, so all become one.
	if want := []int64{10, 20, 29, 39}; !reflect.DeepEqual(optimized, want) {
		t.Fatalf("auto-optimize ran after micro-batches %v, want %v", optimized, want)
	}
	snap, err := delta.Open(store, table.Root()).Snapshot(ctx)
	if err != nil || len(snap.Files) > 10 || snap.Version != 48 {
		t.Fatalf("after 45 micro-batches: %v, version %d with %d files; want version 48 (4 optimizes) with at most 10", err, snap.Version, len(snap.Files))
	}
	got, err := delta.Read[record.CleanGeo](ctx, delta.Open(store, table.Root()))
	if err != nil || !reflect.DeepEqual(got, wantGeo(0, 45)) {
		t.Fatalf("read %d rows, %v; want the 45 micro-batches once, in order", len(got), err)
	}
}

func TestOptimizeWhileTheJobAppends(t *testing.T) {
	ctx := context.Background()
	dir := objstore.NewDir(t.TempDir())
	job := delta.Open(dir, "lakehouse/x_geo_table")
	writeMicroBatches(t, job, 0, 1)
	done := make(chan struct{})
	var appendErr error
	go func() {
		defer close(done)
		for v := int64(1); v < 60 && appendErr == nil; v++ {
			_, appendErr = delta.WriteRecords(ctx, job, delta.Write{Txn: &delta.Txn{AppID: "stream-geo", Version: v}}, numberedGeo(v))
		}
	}()
	optimizer := delta.Open(dir, job.Root())
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		if _, err := optimizer.Optimize(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if appendErr != nil {
		t.Fatal(appendErr)
	}
	got, err := delta.Read[record.CleanGeo](ctx, delta.Open(dir, job.Root()))
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b record.CleanGeo) int { return int(a.Ind - b.Ind) })
	if !reflect.DeepEqual(got, wantGeo(0, 60)) {
		t.Fatalf("read %d rows, want the 60 micro-batches exactly once", len(got))
	}
}
