// Package peak samples how much memory a measured run holds at its most.
package peak

import (
	"runtime/metrics"
	"time"
)

// heapObjects is the runtime metric of the heap's live and unswept objects.
const heapObjects = "/memory/classes/heap/objects:bytes"

// HeapNow returns the heap's live and unswept objects now; after runtime.GC, the live heap.
func HeapNow() uint64 {
	s := []metrics.Sample{{Name: heapObjects}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// Heap reads the heap's live and unswept objects every 5 ms until stop closes, and returns the
// most it saw.
func Heap(stop <-chan struct{}) uint64 {
	s := []metrics.Sample{{Name: heapObjects}}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	var most uint64
	for {
		metrics.Read(s)
		most = max(most, s[0].Value.Uint64())
		select {
		case <-stop:
			return most
		case <-tick.C:
		}
	}
}
