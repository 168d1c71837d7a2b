package source

import (
	"testing"
	"time"
)

// TestDrawsReplayOriginal checks the first 20 draws of seed 100 against the sequence the
// original emulator produced (reference/seed-implementations.md §4.1).
func TestDrawsReplayOriginal(t *testing.T) {
	ids := []int64{7528, 2863, 5730, 8304, 8731, 1313, 4315, 10794, 5494, 5069, 2923, 3089, 6063,
		3454, 7554, 6145, 10625, 2959, 9875, 2418}
	pauses := []int{0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1}
	d := NewDraws(DefaultSeed, DefaultRows-1)
	for i := range ids {
		want := Draw{ID: ids[i], Pause: time.Duration(pauses[i]) * time.Second}
		if got := d.Next(); got != want {
			t.Fatalf("draw %d = %+v, want %+v", i+1, got, want)
		}
	}
}

func TestDrawsRange(t *testing.T) {
	for _, seed := range []int64{0, -5, 1 << 40} {
		d := NewDraws(seed, 9)
		seen := map[int64]bool{}
		for range 1000 {
			id := d.Next().ID
			if id < 0 || id > 9 {
				t.Fatalf("seed %d: id %d outside 0…9", seed, id)
			}
			seen[id] = true
		}
		if len(seen) != 10 {
			t.Errorf("seed %d: only %d of 10 ids drawn in 1000 draws", seed, len(seen))
		}
	}
	if NewDraws(1, 0).Next().ID != 0 {
		t.Error("a one-row source drew a non-zero id")
	}
}
