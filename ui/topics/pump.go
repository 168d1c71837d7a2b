package topics

import (
	"context"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ui/screen"
)

// TailRecord is one record read from a topic.
type TailRecord struct {
	Partition int32
	Offset    int64
	Time      time.Time
	Value     []byte
}

// Tailer reads a topic live. Tail reads topic from from, written as `tail topic --from` takes it
// ("beginning", "end", an offset, "-N" for the last N records of each partition), and hands records to emit in batches until ctx ends or reading fails; it
// returns nil when ctx ended it. emit never blocks, and keeps the records it is given, so a Tailer
// must not reuse the Values it emitted.
type Tailer interface {
	Tail(ctx context.Context, topic, from string, emit func([]TailRecord)) error
}

// pumpBatches bounds the batches waiting for the console; a Tailer faster than the console
// overflows it and its records are counted as dropped.
const pumpBatches = 64

// frame is how long the pump gathers batches into one message, so the console redraws once per
// frame however fast records arrive.
const frame = time.Second / 60

// pump carries one tail's batches from the Tailer's goroutine to Update: the goroutine pushes into
// a bounded channel without blocking, and each next delivers everything queued as one message.
type pump struct {
	ctx     context.Context
	cancel  context.CancelFunc
	batches chan []TailRecord
	done    chan struct{}
	err     error // set before done is closed
	dropped atomic.Int64
}

func newPump(parent context.Context) *pump {
	ctx, cancel := context.WithCancel(parent)
	return &pump{ctx: ctx, cancel: cancel, batches: make(chan []TailRecord, pumpBatches), done: make(chan struct{})}
}

// tailMsg is one frame's records of a tail; dropped is the pump's running count of records it
// could not queue.
type tailMsg struct {
	pump    *pump
	records []TailRecord
	dropped int64
}

// Addressee is the Topics screen, which keeps its tail running while another screen shows.
func (tailMsg) Addressee() screen.ID { return screen.Topics }

// tailEndMsg says the Tailer returned.
type tailEndMsg struct {
	pump *pump
	err  error
}

// Addressee is the Topics screen.
func (tailEndMsg) Addressee() screen.ID { return screen.Topics }

// emit is the callback the Tailer calls; it never blocks.
func (p *pump) emit(b []TailRecord) {
	if len(b) == 0 || p.ctx.Err() != nil {
		return
	}
	select {
	case p.batches <- append([]TailRecord(nil), b...):
	default:
		p.dropped.Add(int64(len(b)))
	}
}

// launch starts the Tailer's goroutine.
func (p *pump) launch(t Tailer, topic, from string) tea.Cmd {
	return func() tea.Msg {
		go func() {
			p.err = t.Tail(p.ctx, topic, from, p.emit)
			close(p.done)
		}()
		return nil
	}
}

// next waits for the first batch, gathers what else arrives within a frame, and returns it all as
// one tailMsg; Update re-arms it after each message.
func (p *pump) next() tea.Msg {
	var b []TailRecord
	select {
	case b = <-p.batches:
	case <-p.done:
		select {
		case b = <-p.batches: // the Tailer's last batches come before its end
		default:
			return tailEndMsg{pump: p, err: p.err}
		}
	case <-p.ctx.Done():
		return tailEndMsg{pump: p}
	}
	t := time.NewTimer(frame)
	defer t.Stop()
	select {
	case <-t.C:
	case <-p.done:
	case <-p.ctx.Done():
		return tailEndMsg{pump: p}
	}
	return p.gather(b)
}

// gather adds every queued batch to b, keeping at most BufferSize records: older ones would leave
// the buffer at once, so they count as dropped here.
func (p *pump) gather(b []TailRecord) tailMsg {
	for more := true; more; {
		select {
		case n := <-p.batches:
			b = append(b, n...)
		default:
			more = false
		}
	}
	if over := len(b) - BufferSize; over > 0 {
		p.dropped.Add(int64(over))
		b = append([]TailRecord(nil), b[over:]...)
	}
	return tailMsg{pump: p, records: b, dropped: p.dropped.Load()}
}
