package delta_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
)

// countingStore counts the reads a Table makes of a folder store and keeps every key its
// listings returned.
type countingStore struct {
	*objstore.Dir

	mu     sync.Mutex
	gets   int
	lists  int
	listed []string
}

func (s *countingStore) Get(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	s.gets++
	s.mu.Unlock()
	return s.Dir.Get(ctx, key)
}

func (s *countingStore) List(ctx context.Context, prefix string) ([]objstore.Object, error) {
	return s.count(s.Dir.List(ctx, prefix))
}

func (s *countingStore) ListAfter(ctx context.Context, prefix, after string) ([]objstore.Object, error) {
	return s.count(s.Dir.ListAfter(ctx, prefix, after))
}

func (s *countingStore) count(objs []objstore.Object, err error) ([]objstore.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists++
	for _, o := range objs {
		s.listed = append(s.listed, o.Key)
	}
	return objs, err
}

func (s *countingStore) reset() (gets, lists int, listed []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gets, lists, listed = s.gets, s.lists, s.listed
	s.gets, s.lists, s.listed = 0, 0, nil
	return gets, lists, listed
}

func TestFreshSnapshotReadsOnlyTheLogSinceTheCheckpoint(t *testing.T) {
	ctx := context.Background()
	store := &countingStore{Dir: objstore.NewDir(t.TempDir())}
	writer := delta.Open(store.Dir, "lakehouse/x_geo_table")
	lastCheckpoint := writer.Root() + "/_delta_log/_last_checkpoint"
	from := int64(0)
	for _, commits := range []int64{25, 125} {
		writeMicroBatches(t, writer, from, commits)
		store.reset()
		reader := delta.Open(store, writer.Root())
		snap, err := reader.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if snap.Version != commits-1 || len(snap.Files) != int(commits) || snap.Txns["stream-geo"] != commits-1 {
			t.Fatalf("snapshot after %d micro-batches: version %d, %d files, txn %d", commits, snap.Version, len(snap.Files), snap.Txns["stream-geo"])
		}
		// _last_checkpoint, the checkpoint, its commit, the 4 commits after it and the missing next one.
		since := (commits - 1) % delta.CheckpointInterval
		gets, lists, listed := store.reset()
		if want := int(since) + 4; gets != want || lists != 1 || !reflect.DeepEqual(listed, []string{lastCheckpoint}) {
			t.Errorf("a fresh snapshot at version %d made %d gets (want %d) and %d listings returning %d keys; want one listing returning only %s",
				snap.Version, gets, want, lists, len(listed), lastCheckpoint)
		}
		// Once its read is proven, a Table only probes for the next commit, as the stream job's
		// Table does before each micro-batch.
		writeMicroBatches(t, reader, commits, commits+1)
		if _, err := reader.Snapshot(ctx); err != nil {
			t.Fatal(err)
		}
		if _, lists, _ := store.reset(); lists != 0 {
			t.Errorf("a commit and a read on a Table that read the log before made %d listings, want none", lists)
		}
		from = commits + 1
	}
}

func TestTombstonesOfACheckpointKeepRemovedFilesFromVacuum(t *testing.T) {
	ctx := context.Background()
	// The table's clock runs a month ahead, so every data file is older than the retention and
	// only its tombstone keeps it.
	later := func() time.Time { return time.Now().Add(30 * 24 * time.Hour) }
	store := objstore.NewDir(t.TempDir())
	writer := delta.Open(store, "lakehouse/x_geo_batch", delta.WithClock(later))
	for range 2*delta.CheckpointInterval + 3 {
		if _, err := delta.WriteRecords(ctx, writer, delta.Write{Mode: delta.Overwrite}, geoRows()); err != nil {
			t.Fatal(err)
		}
	}
	removed := 2*delta.CheckpointInterval + 2
	for name, table := range map[string]*delta.Table{"the writer": writer, "a fresh table": delta.Open(store, writer.Root(), delta.WithClock(later))} {
		v, err := table.Vacuum(ctx, time.Hour)
		if err != nil || len(v.Deleted) != 0 {
			t.Fatalf("%s: vacuum within the retention deleted %v, %v; want the %d removed files kept by their tombstones", name, v.Deleted, err, removed)
		}
	}
	v, err := delta.Open(store, writer.Root(), delta.WithClock(later)).Vacuum(ctx, 0)
	if err != nil || len(v.Deleted) != removed || v.Live != 1 {
		t.Fatalf("vacuum with no retention: %d deleted, %d live, %v; want %d deleted and 1 live", len(v.Deleted), v.Live, err, removed)
	}
}

func TestListTablesReadsNoLog(t *testing.T) {
	ctx := context.Background()
	store := &countingStore{Dir: objstore.NewDir(t.TempDir())}
	for _, name := range []string{"x_geo_table", "x_geo_batch", "analytics/top_country"} {
		writeMicroBatches(t, delta.Open(store.Dir, "lakehouse/"+name), 0, 15)
	}
	if err := store.Put(ctx, "lakehouse/not_a_table/part-0.parquet", []byte("x")); err != nil {
		t.Fatal(err)
	}
	store.reset()
	for _, prefix := range []string{"", "lakehouse/"} {
		got, err := delta.ListTables(ctx, store, prefix)
		if want := []string{"lakehouse/analytics/top_country", "lakehouse/x_geo_batch", "lakehouse/x_geo_table"}; err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("ListTables(%q) = %v, %v; want %v", prefix, got, err, want)
		}
		if _, lists, _ := store.reset(); lists != 0 {
			t.Errorf("ListTables(%q) listed objects %d times, want the folders looked at and no commit listed", prefix, lists)
		}
	}
}
