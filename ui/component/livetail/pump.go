package livetail

import (
	"context"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ui/screen"
)

// frame is how long the pump gathers records into one message, so the console redraws once per
// frame however fast records arrive.
const frame = time.Second / 60

// pump carries one tail's records from the Source's goroutine to Update. emit appends to a queue
// bounded like the tail's buffer and never blocks; each next hands over everything queued as one
// message. A record leaves the queue early only when bound newer records follow it, and then the
// buffer would have pushed it out anyway, so the pump loses nothing the screen could show.
type pump struct {
	ctx    context.Context
	cancel context.CancelFunc
	bound  int
	screen screen.ID // the screen the tail belongs to, which its messages are addressed to

	mu      sync.Mutex
	queued  []Record
	evicted int64 // records pushed out of queued by bound

	ready chan struct{} // holds a token once records are queued
	done  chan struct{}
	err   error // set before done is closed
}

func newPump(parent context.Context, id screen.ID, bound int) *pump {
	ctx, cancel := context.WithCancel(parent)
	return &pump{ctx: ctx, cancel: cancel, bound: bound, screen: id, ready: make(chan struct{}, 1), done: make(chan struct{})}
}

// BatchMsg is one frame's records of a tail, a poll's kind of reply: a batch of a tail already
// closed is dropped.
type BatchMsg struct {
	pump    *pump
	records []Record
	evicted int64 // the pump's running count of records its bound pushed out before the screen took them
}

// Addressee is the screen of the tail, which keeps it running while another screen shows.
func (m BatchMsg) Addressee() screen.ID { return m.pump.screen }

// EndMsg says the Source of a tail returned.
type EndMsg struct {
	pump *pump
	err  error
}

// Addressee is the screen of the tail.
func (m EndMsg) Addressee() screen.ID { return m.pump.screen }

// emit is the callback the Source calls; it never blocks.
func (p *pump) emit(b []Record) {
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

// launch starts the Source's goroutine.
func (p *pump) launch(src Source, from string) tea.Cmd {
	return func() tea.Msg {
		go func() {
			p.err = src(p.ctx, from, p.emit)
			close(p.done)
		}()
		return nil
	}
}

// next waits for records, gathers what else arrives within a frame, and returns it all as one
// BatchMsg; Update re-arms it after each message. Once the Source returned, its last records
// come before the EndMsg.
func (p *pump) next() tea.Msg {
	for {
		select {
		case <-p.ready:
		case <-p.done:
			if msg, ok := p.take(); ok {
				return msg
			}
			return EndMsg{pump: p, err: p.err}
		case <-p.ctx.Done():
			return EndMsg{pump: p}
		}
		t := time.NewTimer(frame)
		select {
		case <-t.C:
		case <-p.done:
		case <-p.ctx.Done():
			t.Stop()
			return EndMsg{pump: p}
		}
		t.Stop()
		// A token left by an emit whose records an earlier take already carried finds nothing.
		if msg, ok := p.take(); ok {
			return msg
		}
	}
}

// take empties the queue into a message, if it holds anything.
func (p *pump) take() (BatchMsg, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.queued) == 0 {
		return BatchMsg{}, false
	}
	msg := BatchMsg{pump: p, records: p.queued, evicted: p.evicted}
	p.queued = nil
	return msg, true
}
