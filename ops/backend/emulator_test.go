package backend

import (
	"context"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/emulate"
)

// TestStreamEmulatorRunsBesideTheBatchOneInTheOwner has one attached process start both
// emulators, which run at once in the owner, and another attached process stop the streaming
// one while the batch one goes on.
func TestStreamEmulatorRunsBesideTheBatchOneInTheOwner(t *testing.T) {
	dir := seeded(t)
	owner := open(t, dir)
	first := open(t, dir)
	second := open(t, dir)
	if _, ok := second.Emulator(StreamEmulator); ok {
		t.Fatal("a streaming emulator is reported before any started")
	}
	// One draw goes out at once; the next is due in 100 s, so the counters hold still.
	for _, kind := range EmulatorKinds {
		if err := first.StartEmulator(kind, emulate.Options{Count: 5, Rate: 0.01}); err != nil {
			t.Fatalf("start %s: %v", kind, err)
		}
	}
	runningKind(t, owner, BatchEmulator, 1)
	seen := runningKind(t, owner, StreamEmulator, 1)
	if got := runningKind(t, second, StreamEmulator, 1); !got.Started.Equal(seen.Started) || got.Options.Count != 5 {
		t.Errorf("the other attached process sees %+v, the owner %+v", got, seen)
	}
	want := "the streaming emulator is already running: `emulate stop stream` it first"
	if err := second.StartEmulator(StreamEmulator, emulate.Options{Count: 1}); err == nil || err.Error() != want {
		t.Errorf("second start: %v, want %q", err, want)
	}
	if err := second.SetEmulatorRate(StreamEmulator, 0.02); err != nil {
		t.Fatal(err)
	}
	if st := runningKind(t, owner, StreamEmulator, 1); st.Options.Rate != 0.02 {
		t.Errorf("the streaming emulator paces by %g after it was set to 0.02", st.Options.Rate)
	}
	if st := runningKind(t, owner, BatchEmulator, 1); st.Options.Rate != 0.01 {
		t.Errorf("re-pacing the streaming emulator changed the batch one to %g", st.Options.Rate)
	}

	if !second.StopEmulator(StreamEmulator) {
		t.Fatal("stop found no streaming emulator running")
	}
	if st, ok := owner.Emulator(StreamEmulator); !ok || st.Running || st.Stats.Iterations != 1 {
		t.Errorf("after stop the owner's streaming emulator is %+v", st)
	}
	runningKind(t, first, BatchEmulator, 1)
	want = "no streaming emulator is running: start one with `emulate stream --rate N`"
	if err := second.SetEmulatorRate(StreamEmulator, 1); err == nil || err.Error() != want {
		t.Errorf("rate of the stopped streaming emulator: %v, want %q", err, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if st, err := second.WaitEmulator(ctx, StreamEmulator); err != nil || st.Running {
		t.Errorf("wait for the stopped streaming emulator: %v %+v", err, st)
	}
	if !first.StopEmulator(BatchEmulator) || second.StopEmulator(StreamEmulator) {
		t.Error("stopping the batch emulator found it stopped, or the streaming one running")
	}
}
