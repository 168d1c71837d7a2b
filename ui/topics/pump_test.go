package topics

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// partitionTailer delivers a one-partition topic the way the Kafka Tailer does: every record in a
// batch of its own, as fast as emit returns. The test sends it the offsets to deliver, and it
// acknowledges each range once every record of it was emitted.
type partitionTailer struct {
	ranges chan [2]int
	sent   chan struct{}
}

func newPartitionTailer() *partitionTailer {
	return &partitionTailer{ranges: make(chan [2]int), sent: make(chan struct{})}
}

func (f *partitionTailer) Tail(ctx context.Context, _, _ string, emit func([]TailRecord)) error {
	for {
		select {
		case r := <-f.ranges:
			for off := r[0]; off < r[1]; off++ {
				emit(records(off, 1, pin))
			}
			f.sent <- struct{}{}
		case <-ctx.Done():
			return nil
		}
	}
}

// deliver has the Tailer emit offsets [from, to) and returns once it did.
func (f *partitionTailer) deliver(from, to int) {
	f.ranges <- [2]int{from, to}
	<-f.sent
}

// settle hands the screen the pump's frames until the tail received want records.
func settle(m *Model, want int64) {
	for m.tail.received < want {
		m.Update(m.tail.pump.next())
	}
}

func offsets(t *tail) string {
	var b strings.Builder
	for i, r := range t.recs {
		if i > 0 && r.Offset == t.recs[i-1].Offset+1 && i+1 < len(t.recs) && t.recs[i+1].Offset == r.Offset+1 {
			continue
		}
		if i > 0 && r.Offset == t.recs[i-1].Offset+1 {
			fmt.Fprintf(&b, "–%d", r.Offset)
			continue
		}
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%d", r.Offset)
	}
	return b.String()
}

func TestTailOpensOnTheLast100RecordsWithoutDrops(t *testing.T) {
	f := newPartitionTailer()
	m := opened(t, f)
	m.tail.pump.launch(f, "u.pin", "-100")()
	f.deliver(200, 300) // the last 100 of a 300-record partition
	settle(m, 100)
	if got := offsets(m.tail); got != "200–299" || m.tail.dropped() != 0 {
		t.Fatalf("the tail holds offsets %s and dropped %d, want 200–299 and 0", got, m.tail.dropped())
	}
	if out := plain(m, 120, 40); !strings.Contains(out, "100 received · 100 in buffer · dropped 0") {
		t.Errorf("the status does not account for the 100 records:\n%s", out)
	}
}

func TestTailDropsOnlyWhatTheBoundEvicts(t *testing.T) {
	f := newPartitionTailer()
	m := opened(t, f)
	m.tail.bound, m.tail.pump.bound = 100, 100
	m.tail.pump.launch(f, "u.pin", "-100")()
	f.deliver(200, 300)
	settle(m, 100)
	f.deliver(300, 310)
	settle(m, 110)
	f.deliver(310, 330)
	f.deliver(330, 350) // two batches in one frame
	settle(m, 150)
	if got := offsets(m.tail); got != "250–349" || m.tail.dropped() != 50 {
		t.Errorf("the tail holds offsets %s and dropped %d, want 250–349 and the 50 evicted", got, m.tail.dropped())
	}
	f.deliver(350, 600) // more than the bound before the screen takes any
	settle(m, 400)
	if got := offsets(m.tail); got != "500–599" || m.tail.dropped() != 300 {
		t.Errorf("the tail holds offsets %s and dropped %d, want 500–599 and the 300 evicted", got, m.tail.dropped())
	}
	if out := plain(m, 120, 40); !strings.Contains(out, "400 received · 100 in buffer · dropped 300") {
		t.Errorf("the status does not account for the 400 records:\n%s", out)
	}
}
