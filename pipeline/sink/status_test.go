package sink

import (
	"errors"
	"testing"
)

// A put that keeps failing stays the partition's error while earlier files land: only a landed
// run that reaches past the failing file, or an error tied to no file, is cleared by landing.
func TestAFailingPutStaysTheErrorWhileEarlierFilesLand(t *testing.T) {
	ta := newTally("t", 0)
	ta.failedAt(errors.New("put file 4: disk quota exceeded"), 4)
	ta.landed(1, 10, 3, 6, true)
	if got := ta.snapshot().Error; got != "put file 4: disk quota exceeded" {
		t.Fatalf("error after files 0-3 landed = %q, want the failing put of file 4 still shown", got)
	}
	ta.landed(6, 60, 9, 0, true)
	if got := ta.snapshot().Error; got != "" {
		t.Fatalf("error after file 4 landed = %q, want it cleared", got)
	}
	ta.failed(errors.New("commit group g: coordinator not available"))
	ta.landed(1, 10, 10, 0, true)
	if got := ta.snapshot().Error; got != "" {
		t.Fatalf("error tied to no file after a landing = %q, want it cleared", got)
	}
}
