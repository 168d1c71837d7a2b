package livetail

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/pintui/pintui/ui/screen"
)

// partitionSource delivers a one-partition topic the way the Kafka Tailer does: every record in
// a batch of its own, as fast as emit returns. The test sends it the offsets to deliver, and it
// acknowledges each range once every record of it was emitted.
type partitionSource struct {
	ranges chan [2]int
	sent   chan struct{}
}

func newPartitionSource() *partitionSource {
	return &partitionSource{ranges: make(chan [2]int), sent: make(chan struct{})}
}

func (f *partitionSource) read(ctx context.Context, _ string, emit func([]Record)) error {
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

// deliver has the Source emit offsets [from, to) and returns once it did.
func (f *partitionSource) deliver(from, to int) {
	f.ranges <- [2]int{from, to}
	<-f.sent
}

// settle hands the tail the pump's frames until it received want records.
func settle(m *Model, want int64) {
	for m.received < want {
		m.Update(m.pump.next())
	}
}

// positions writes the buffer's positions as ranges, e.g. "200–299".
func positions(m *Model) string {
	var b strings.Builder
	pos := func(i int) int64 { n, _ := strconv.ParseInt(m.recs[i].Position, 10, 64); return n }
	for i := range m.recs {
		if i > 0 && pos(i) == pos(i-1)+1 && i+1 < len(m.recs) && pos(i+1) == pos(i)+1 {
			continue
		}
		if i > 0 && pos(i) == pos(i-1)+1 {
			fmt.Fprintf(&b, "–%d", pos(i))
			continue
		}
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%d", pos(i))
	}
	return b.String()
}

func TestTailOpensOnTheLast100RecordsWithoutDrops(t *testing.T) {
	f := newPartitionSource()
	m := opened(f.read)
	m.Start()[0]()
	defer m.Close()
	f.deliver(200, 300) // the last 100 of a 300-record partition
	settle(m, 100)
	if got := positions(m); got != "200–299" || m.dropped() != 0 {
		t.Fatalf("the tail holds offsets %s and dropped %d, want 200–299 and 0", got, m.dropped())
	}
	if out := plain(m, 120, 40); !strings.Contains(out, "100 received · 100 in buffer · dropped 0") {
		t.Errorf("the status does not account for the 100 records:\n%s", out)
	}
}

func TestTailDropsOnlyWhatTheBoundEvicts(t *testing.T) {
	f := newPartitionSource()
	m := opened(f.read)
	m.bound, m.pump.bound = 100, 100
	m.Start()[0]()
	defer m.Close()
	f.deliver(200, 300)
	settle(m, 100)
	f.deliver(300, 310)
	settle(m, 110)
	f.deliver(310, 330)
	f.deliver(330, 350) // two batches in one frame
	settle(m, 150)
	if got := positions(m); got != "250–349" || m.dropped() != 50 {
		t.Errorf("the tail holds offsets %s and dropped %d, want 250–349 and the 50 evicted", got, m.dropped())
	}
	f.deliver(350, 600) // more than the bound before the screen takes any
	settle(m, 400)
	if got := positions(m); got != "500–599" || m.dropped() != 300 {
		t.Errorf("the tail holds offsets %s and dropped %d, want 500–599 and the 300 evicted", got, m.dropped())
	}
	if out := plain(m, 120, 40); !strings.Contains(out, "400 received · 100 in buffer · dropped 300") {
		t.Errorf("the status does not account for the 400 records:\n%s", out)
	}
}

func TestPumpCoalescesQueuedBatches(t *testing.T) {
	f := newFeedSource()
	p := newPump(context.Background(), screen.Topics, BufferSize)
	defer p.cancel()
	p.launch(f.read, "end")()
	for i := range 3 {
		f.send(records(i*10, 10, pin))
	}
	msg := p.next().(BatchMsg)
	if len(msg.records) != 30 || msg.records[0].Position != "0" || msg.records[29].Position != "29" {
		t.Fatalf("one message carried %d records, want the 30 of three batches in order", len(msg.records))
	}
	if msg.evicted != 0 {
		t.Errorf("evicted = %d", msg.evicted)
	}
}

func TestPumpKeepsTheNewestBoundRecords(t *testing.T) {
	f := newFeedSource()
	p := newPump(context.Background(), screen.Topics, 10)
	defer p.cancel()
	p.launch(f.read, "end")()
	for i := range 25 {
		f.send(records(i, 1, pin))
	}
	msg := p.next().(BatchMsg)
	if len(msg.records) != 10 || msg.records[0].Position != "15" || msg.records[9].Position != "24" || msg.evicted != 15 {
		t.Errorf("kept %d records from position %s and evicted %d, want 10 from 15 and 15", len(msg.records), msg.records[0].Position, msg.evicted)
	}
	f.send(records(25, 3, pin))
	if msg := p.next().(BatchMsg); len(msg.records) != 3 || msg.records[0].Position != "25" || msg.evicted != 15 {
		t.Errorf("the next frame carried %d records from position %s, evicted %d; want 3 from 25, still 15", len(msg.records), msg.records[0].Position, msg.evicted)
	}
}

func TestPumpDeliversTheLastRecordsBeforeTheEnd(t *testing.T) {
	p := newPump(context.Background(), screen.Topics, BufferSize)
	defer p.cancel()
	p.launch(lastWords, "end")()
	if msg, ok := p.next().(BatchMsg); !ok || len(msg.records) != 2 {
		t.Fatalf("first message = %#v, want the Source's 2 records", msg)
	}
	if msg, ok := p.next().(EndMsg); !ok || msg.err == nil || msg.err.Error() != "broker gone" {
		t.Errorf("second message = %#v, want the end with the Source's error", msg)
	}
}

// lastWords emits two records and fails.
func lastWords(_ context.Context, _ string, emit func([]Record)) error {
	emit(records(0, 2, pin))
	return errors.New("broker gone")
}
