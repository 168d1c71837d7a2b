package command

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/sink"
)

// listings records where each listing of a store started, to show what a count reads.
type listings struct {
	*objstore.Dir
	after []string
	whole int
}

func (l *listings) List(ctx context.Context, prefix string) ([]objstore.Object, error) {
	l.whole++
	return l.Dir.List(ctx, prefix)
}

func (l *listings) ListAfter(ctx context.Context, prefix, after string) ([]objstore.Object, error) {
	l.after = append(l.after, after)
	return l.Dir.ListAfter(ctx, prefix, after)
}

func TestLandingCountListsOnlyNewLandings(t *testing.T) {
	ctx := context.Background()
	store := &listings{Dir: objstore.NewDir(t.TempDir())}
	topics := []string{"u.pin", "u.geo"}
	land := func(topic string, partition int32, offsets ...int64) {
		t.Helper()
		for _, o := range offsets {
			if err := store.Put(ctx, sink.Key(topic, partition, o), []byte("{}\n")); err != nil {
				t.Fatal(err)
			}
		}
	}
	// One unsettled key a partition, so the second count lists after the one before the last.
	c := landingCounter{unsettled: 1}
	check := func(want int, wantPartitions map[string]int64) {
		t.Helper()
		tally, err := c.tally(ctx, store, topics)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for p, n := range tally.partitions {
			got[p] = n.objects
			if n.bytes != 3*n.objects {
				t.Errorf("%s: %d bytes in %d objects of 3 bytes", p, n.bytes, n.objects)
			}
		}
		if tally.objects != want || !maps.Equal(got, wantPartitions) {
			t.Fatalf("counted %d landings %v, want %d %v", tally.objects, got, want, wantPartitions)
		}
	}
	pin0, pin1, geo0 := sink.Prefix("u.pin", 0), sink.Prefix("u.pin", 1), sink.Prefix("u.geo", 0)

	land("u.pin", 0, 0, 1, 2)
	land("u.geo", 0, 0, 1)
	check(5, map[string]int64{pin0: 3, geo0: 2})

	store.after = nil
	land("u.pin", 0, 3)
	land("u.pin", 1, 0)
	check(7, map[string]int64{pin0: 4, pin1: 1, geo0: 2})
	wantAfter := []string{sink.Key("u.pin", 0, 1), "", sink.Key("u.geo", 0, 0)}
	if !slices.Equal(store.after, wantAfter) || store.whole != 0 {
		t.Fatalf("the second count listed after %q and %d times whole, want after %q and never whole", store.after, store.whole, wantAfter)
	}

	// A user empties a partition: its first and last landings are gone, so it is counted again.
	for o := range int64(4) {
		if err := store.Delete(ctx, sink.Key("u.pin", 0, o)); err != nil {
			t.Fatal(err)
		}
	}
	land("u.pin", 0, 10)
	check(4, map[string]int64{pin0: 1, pin1: 1, geo0: 2})

	// Deleting the oldest landing of a partition lowers its count too.
	if err := store.Delete(ctx, sink.Key("u.geo", 0, 0)); err != nil {
		t.Fatal(err)
	}
	check(3, map[string]int64{pin0: 1, pin1: 1, geo0: 1})
}

// TestLandingCountSeesLandingsPublishedOutOfOrder lands a key that sorts before the last one
// counted, as a sink with PUTs in flight at once can publish them: it must still be counted, or
// a wait for every landing never ends.
func TestLandingCountSeesLandingsPublishedOutOfOrder(t *testing.T) {
	ctx := context.Background()
	store := objstore.NewDir(t.TempDir())
	c := landingCounter{unsettled: 1}
	count := func(offsets ...int64) int {
		t.Helper()
		for _, o := range offsets {
			if err := store.Put(ctx, sink.Key("u.pin", 0, o), []byte("{}\n")); err != nil {
				t.Fatal(err)
			}
		}
		tally, err := c.tally(ctx, store, []string{"u.pin"})
		if err != nil {
			t.Fatal(err)
		}
		return tally.objects
	}
	if n := count(0, 1, 3); n != 3 {
		t.Fatalf("counted %d of 3", n)
	}
	if n := count(2); n != 4 {
		t.Fatalf("after offset 2 landed late, counted %d of 4", n)
	}
}
