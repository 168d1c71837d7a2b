package bench

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pintui/pintui/pipeline/batch"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/sink"
)

func TestLandingsLandsInTheSinkLayoutAndMeasuresEachStep(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store := objstore.NewDir(filepath.Join(dir, "bucket"))
	lakehouse := objstore.NewDir(filepath.Join(dir, "lakehouse"))
	var ls int
	var waits []int
	r, err := Landings(ctx, LandingsOptions{Landings: store, Lakehouse: lakehouse, UID: "u", RefUID: "ref", Objects: 300, Puts: 4,
		Ls: func(context.Context, string) error { ls++; return nil },
		Wait: func(ctx context.Context, want int) (int, error) {
			waits = append(waits, want)
			objs, err := store.List(ctx, "topics/")
			return len(objs), err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Objects != 300 || r.FirstCounted != 300 || r.Listed != 300 || r.Batch.Objects != 300 || r.RawGets != 300 {
		t.Fatalf("landed %d, counted %d, listed %d, batch read %d, raw gets %d; want 300 each", r.Objects, r.FirstCounted, r.Listed, r.Batch.Objects, r.RawGets)
	}
	if ls != 6 || !slices.Equal(waits, []int{0, 300, 0}) {
		t.Errorf("ran s3 ls %d times and wait landings >= %v, want 6 and >= 0, 300, 0", ls, waits)
	}
	if r.GetAlone.Seen != gets || r.GetListing.Seen < gets || r.Batch.PeakHeap == 0 || r.Reference.Objects != 0 {
		t.Errorf("GETs alone %d, under a listing %d, peak heap %d, reference run %+v", r.GetAlone.Seen, r.GetListing.Seen, r.Batch.PeakHeap, r.Reference)
	}
	for _, key := range []string{sink.Key("u.pin", 0, 0), sink.Key("u.geo", 0, 99), sink.Key("u.user", 0, 99)} {
		if _, err := store.Get(ctx, key); err != nil {
			t.Errorf("landing %s: %v", key, err)
		}
	}
	// 100 rows a topic, every fourth a re-draw of the one before: 75 distinct pins.
	snap, err := delta.Open(lakehouse, batch.TableName("u", record.TablePin)).Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := snap.NumRecords(); rows != 75 {
		t.Errorf("the pin batch table holds %d rows, want 75", rows)
	}
}
