package delta_test

import (
	"context"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

// microBatches and microBatchRows shape the stream-table benchmark: a few rows a micro-batch,
// as the stream job commits every few hundred milliseconds.
const microBatches, microBatchRows = 10_000, 3

// benchDir is a folder for heavy benchmark data outside the slow /tmp, removed at the end.
func benchDir(b *testing.B) string {
	b.Helper()
	base, err := os.UserCacheDir()
	if err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		b.Fatal(err)
	}
	dir, err := os.MkdirTemp(base, "pintui-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// streamTable appends batches micro-batches of microBatchRows pin rows each with a txn and
// auto-optimize, as the stream job does, and returns the store and the rows in order.
func streamTable(b testing.TB, store objstore.Store, root string, batches int) []record.CleanPin {
	b.Helper()
	ctx := context.Background()
	pins := benchPins(batches * microBatchRows)
	job := delta.Open(store, root, delta.AutoOptimize(delta.DefaultAutoOptimizeFiles))
	for v := range batches {
		w := delta.Write{Txn: &delta.Txn{AppID: "stream-pin", Version: int64(v)}}
		c, err := delta.WriteRecords(ctx, job, w, pins[v*microBatchRows:(v+1)*microBatchRows])
		if err != nil {
			b.Fatal(err)
		}
		if c.CheckpointErr != nil || c.OptimizeErr != nil {
			b.Fatal(c.CheckpointErr, c.OptimizeErr)
		}
	}
	return pins
}

// preview is what `preview TABLE --limit 20` does: a fresh Table, its snapshot, the first page.
func preview(b *testing.B, store objstore.Store, root string) {
	ctx := context.Background()
	t := delta.Open(store, root)
	snap, err := t.Snapshot(ctx)
	if err != nil {
		b.Fatal(err)
	}
	page, err := t.Rows(ctx, delta.Query{Limit: 20})
	if err != nil || len(page.Rows) != 20 {
		b.Fatalf("preview: %v, %d rows", err, len(page.Rows))
	}
	snap.NumRecords()
}

// perOp times n runs of f, in nanoseconds a run.
func perOp(n int, f func()) float64 {
	start := time.Now()
	for range n {
		f()
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

// BenchmarkPreviewAfterMicroBatches previews a stream table after 10,000 micro-batches with
// auto-optimize (ns/op, the target ≤ 200 ms), beside its fresh snapshot alone
// (snapshot-ns/op) and the ceiling: the preview of the same rows written in one commit
// (ceiling-ns/op), measured in the same run; commit-ns is what one micro-batch's commit took,
// its share of the checkpoints and optimizes included.
func BenchmarkPreviewAfterMicroBatches(b *testing.B) {
	ctx := context.Background()
	store := objstore.NewDir(benchDir(b))
	start := time.Now()
	pins := streamTable(b, store, "lakehouse/bench_pin_table", microBatches)
	build := time.Since(start)
	if _, err := delta.WriteRecords(ctx, delta.Open(store, "lakehouse/bench_pin_once"), delta.Write{}, pins); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		preview(b, store, "lakehouse/bench_pin_table")
	}
	b.StopTimer()
	n := max(b.N, 1)
	b.ReportMetric(perOp(n, func() {
		if _, err := delta.Open(store, "lakehouse/bench_pin_table").Snapshot(ctx); err != nil {
			b.Fatal(err)
		}
	}), "snapshot-ns/op")
	b.ReportMetric(perOp(n, func() { preview(b, store, "lakehouse/bench_pin_once") }), "ceiling-ns/op")
	b.ReportMetric(float64(build.Nanoseconds())/microBatches, "commit-ns")
}

func TestMicroBatchTableStructure(t *testing.T) {
	ctx := context.Background()
	const batches = 250
	store := &countingStore{Dir: objstore.NewDir(t.TempDir())}
	pins := streamTable(t, store.Dir, "lakehouse/x_pin_table", batches)
	store.reset()
	table := delta.Open(store, "lakehouse/x_pin_table")
	snap, err := table.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gets, lists, listed := store.reset()
	if gets > delta.CheckpointInterval+4 || lists != 1 || len(listed) != 1 {
		t.Errorf("a fresh snapshot at version %d made %d gets and %d listings returning %d keys; want at most %d gets and one listing of _last_checkpoint",
			snap.Version, gets, lists, len(listed), delta.CheckpointInterval+4)
	}
	if len(snap.Files) > delta.DefaultAutoOptimizeFiles || snap.Txns["stream-pin"] != batches-1 {
		t.Errorf("after %d micro-batches: %d files, txn %d; want at most %d files and the txn at %d", batches, len(snap.Files), snap.Txns["stream-pin"], delta.DefaultAutoOptimizeFiles, batches-1)
	}
	got, err := delta.Read[record.CleanPin](ctx, table)
	if err != nil || !reflect.DeepEqual(got, pins) {
		t.Fatalf("the table reads %d rows, %v; want the %d micro-batches' %d rows in order", len(got), err, batches, len(pins))
	}
}
