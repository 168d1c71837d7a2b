package topics

import (
	"context"
	"sync"
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
// ("beginning", "end", an offset, "-N" for the last N records of each partition, or a time such as
// "2026-12-01T10:00:00Z" or "-10m"), and hands records to emit in batches until ctx ends or
// reading fails; it returns nil when ctx ended it. emit never blocks, and keeps the records it is
// given, so a Tailer must not reuse the Values it emitted.
type Tailer interface {
	Tail(ctx context.Context, topic, from string, emit func([]TailRecord)) error
}

// frame is how long the pump gathers records into one message, so the console redraws once per
// frame however fast records arrive.
const frame = time.Second / 60

// pump carries one tail's records from the Tailer's goroutine to Update. emit appends to a queue
// bounded like the tail's buffer and never blocks; each next hands over everything queued as one
// message. A record leaves the queue early only when bound newer records follow it, and then the
// buffer would have pushed it out anyway, so the pump loses nothing the screen could show.
type pump struct {
	ctx    context.Context
	cancel context.CancelFunc
	bound  int

	mu      sync.Mutex
	queued  []TailRecord
	evicted int64 // records pushed out of queued by bound

	ready chan struct{} // holds a token once records are queued
	done  chan struct{}
	err   error // set before done is closed
}

func newPump(parent context.Context, bound int) *pump {
	ctx, cancel := context.WithCancel(parent)
	return &pump{ctx: ctx, cancel: cancel, bound: bound, ready: make(chan struct{}, 1), done: make(chan struct{})}
}

// tailMsg is one frame's records of a tail; evicted is the pump's running count of records its
// bound pushed out before the screen took them.
type tailMsg struct {
	pump    *pump
	records []TailRecord
	evicted int64
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
	p.mu.Lock()
	p.queued = append(p.queued, b...)
	if over := len(p.queued) - p.bound; over > 0 {
		p.evicted += int64(over)
		p.queued = p.queued[over:] // the next append that outgrows the array copies only what is kept
	}
	p.mu.Unlock()
	select {
	case p.ready <- struct{}{}:
	default:
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

// next waits for records, gathers what else arrives within a frame, and returns it all as one
// tailMsg; Update re-arms it after each message. Once the Tailer returned, its last records come
// before the tailEndMsg.
func (p *pump) next() tea.Msg {
	for {
		select {
		case <-p.ready:
		case <-p.done:
			if msg, ok := p.take(); ok {
				return msg
			}
			return tailEndMsg{pump: p, err: p.err}
		case <-p.ctx.Done():
			return tailEndMsg{pump: p}
		}
		t := time.NewTimer(frame)
		select {
		case <-t.C:
		case <-p.done:
		case <-p.ctx.Done():
			t.Stop()
			return tailEndMsg{pump: p}
		}
		t.Stop()
		// A token left by an emit whose records an earlier take already carried finds nothing.
		if msg, ok := p.take(); ok {
			return msg
		}
	}
}

// take empties the queue into a message, if it holds anything.
func (p *pump) take() (tailMsg, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.queued) == 0 {
		return tailMsg{}, false
	}
	msg := tailMsg{pump: p, records: p.queued, evicted: p.evicted}
	p.queued = nil
	return msg, true
}
