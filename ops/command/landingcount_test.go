package command

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

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

// pages lists two keys a page and moves a clock on by a second for every page.
type pages struct {
	*objstore.Dir
	clock time.Time
	pages int
}

func (p *pages) ListPage(ctx context.Context, prefix, after string) ([]objstore.Object, bool, error) {
	objs, err := p.Dir.ListAfter(ctx, prefix, after)
	p.clock = p.clock.Add(time.Second)
	p.pages++
	if len(objs) > 2 {
		return objs[:2], true, err
	}
	return objs, false, err
}

// TestLandingCheckStopsAtItsBudgetAndNeverCountsOver gives each check three seconds of a clock
// that a page listed moves by one: a bucket of 21 landings takes several checks, each listing
// at most three pages, each counting no more than the bucket holds, until one is complete.
func TestLandingCheckStopsAtItsBudgetAndNeverCountsOver(t *testing.T) {
	ctx := context.Background()
	store := &pages{Dir: objstore.NewDir(t.TempDir()), clock: time.Unix(0, 0)}
	for _, l := range []struct {
		topic     string
		partition int32
		n         int64
	}{{"u.pin", 0, 9}, {"u.pin", 1, 5}, {"u.geo", 0, 7}} {
		for o := range l.n {
			if err := store.Put(ctx, sink.Key(l.topic, l.partition, o), []byte("{}\n")); err != nil {
				t.Fatal(err)
			}
		}
	}
	c := landingCounter{unsettled: 1, now: func() time.Time { return store.clock }}
	var counts []int
	for range 20 {
		before := store.pages
		tally, complete, err := c.check(ctx, store, []string{"u.pin", "u.geo"}, store.clock.Add(3*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if listed := store.pages - before; listed > 3 {
			t.Errorf("a check of a three-second budget listed %d pages", listed)
		}
		if tally.objects > 21 {
			t.Fatalf("counted %d of the 21 landings", tally.objects)
		}
		counts = append(counts, tally.objects)
		if complete {
			break
		}
	}
	if last := counts[len(counts)-1]; last != 21 || len(counts) < 3 {
		t.Fatalf("counts by check %v, want several checks ending at all 21", counts)
	}
	if n, err := c.tally(ctx, store, []string{"u.pin", "u.geo"}); err != nil || n.objects != 21 {
		t.Fatalf("a whole tally after the checks counted %d, %v; want 21", n.objects, err)
	}
}
