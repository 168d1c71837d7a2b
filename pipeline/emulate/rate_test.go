package emulate

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"
)

func TestSetRateRepacesFromTheNextDraw(t *testing.T) {
	s := newStack(t)
	b, err := NewBatch(testRows(), s.server.URL, Options{UID: uid, Count: 8, Rate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	b.sleep = func(_ context.Context, d time.Duration, _ <-chan struct{}) error {
		waits = append(waits, d)
		if len(waits) == 3 {
			if err := b.SetRate(0.5); err != nil {
				t.Error(err)
			}
		}
		return nil
	}
	if err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Draws 0–2 wait at 1000/s; the change arrives while draw 2 waits, so draw 2 waits again,
	// 2 s after draw 1, and every later draw 2 s after the one before.
	if len(waits) != 9 {
		t.Fatalf("%d waits %v, want 9", len(waits), waits)
	}
	for k, w := range waits[:3] {
		if w > 3*time.Millisecond {
			t.Errorf("draw %d at 1000/s waited %s", k, w)
		}
	}
	for k, w := range waits[3:] {
		due := time.Duration(k+1) * 2 * time.Second
		if w > due || w <= due-time.Second {
			t.Errorf("draw %d at 0.5/s waited %s, due %s after draw 1", k+2, w, due)
		}
	}
	if st := b.Stats(); st.Iterations != 8 || st.Sent() != 24 {
		t.Errorf("stats %+v, want the 8 draws counted through the change", st)
	}
	if b.Rate() != 0.5 {
		t.Errorf("Rate() = %g, want 0.5", b.Rate())
	}
}

func TestSetRateWhileRunning(t *testing.T) {
	s := newStack(t)
	b, err := NewBatch(testRows(), s.server.URL, Options{UID: uid, Rate: 0, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- b.Run(ctx) }()
	for b.Stats().Iterations < 5 {
		time.Sleep(time.Millisecond)
	}
	for _, r := range []float64{50, 0, 1e6} {
		if err := b.SetRate(r); err != nil {
			t.Fatal(err)
		}
		if b.Rate() != r {
			t.Fatalf("Rate() = %g after SetRate(%g)", b.Rate(), r)
		}
	}
	// The counters go on from where they were.
	at := b.Stats().Iterations
	for b.Stats().Iterations < at+5 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSetRateRefusesFaithfulAndBadRates(t *testing.T) {
	b, err := NewBatch(testRows(), "http://127.0.0.1:1", Options{UID: uid, Faithful: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "the emulator runs --faithful, pausing 0 or 1 s like the original: restart it without --faithful to set a rate"
	if err := b.SetRate(10); err == nil || err.Error() != want {
		t.Errorf("faithful SetRate: %v, want %q", err, want)
	}
	b, err = NewBatch(testRows(), "http://127.0.0.1:1", Options{UID: uid, Rate: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []float64{-1, math.NaN(), math.Inf(1)} {
		want := fmt.Sprintf("rate %g is not valid", r) + ": use draws per second, 0 for as fast as possible"
		if err := b.SetRate(r); err == nil || err.Error() != want {
			t.Errorf("SetRate(%g): %v, want %q", r, err, want)
		}
	}
	if b.Rate() != 3 {
		t.Errorf("Rate() = %g after refused changes, want 3", b.Rate())
	}
}
