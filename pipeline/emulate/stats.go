package emulate

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pintui/pintui/pipeline/record"
)

// historyLen is how many one-second rate samples Stats keeps for a sparkline.
const historyLen = 60

// Stats is a snapshot of an emulator's progress.
type Stats struct {
	// Iterations is the number of rows drawn and posted (three posts each).
	Iterations int64
	// Tables holds the sent and failed posts per table, in posting order pin, geo, user.
	Tables []TableStats
	// LastError is the most recent post that failed for good, or "".
	LastError string
	// History is the records posted per second, one sample per second, oldest first.
	History []float64
}

// TableStats counts the posts of one table.
type TableStats struct {
	Table  record.Table
	Sent   int64
	Failed int64
}

// Rate is the latest records-per-second sample, or 0 before the first second has passed.
func (s Stats) Rate() float64 {
	if len(s.History) == 0 {
		return 0
	}
	return s.History[len(s.History)-1]
}

// Sent is the number of records posted and acknowledged over all tables.
func (s Stats) Sent() int64 {
	var n int64
	for _, t := range s.Tables {
		n += t.Sent
	}
	return n
}

// Failed is the number of posts that failed for good over all tables.
func (s Stats) Failed() int64 {
	var n int64
	for _, t := range s.Tables {
		n += t.Failed
	}
	return n
}

// counters are written by the run loop and read by Stats at any time.
type counters struct {
	iterations atomic.Int64
	sent       [3]atomic.Int64
	failed     [3]atomic.Int64
	lastErr    atomic.Pointer[string]

	mu      sync.Mutex
	history []float64
}

func (c *counters) setError(err error) {
	msg := err.Error()
	c.lastErr.Store(&msg)
}

func (c *counters) totalSent() int64 {
	return c.sent[0].Load() + c.sent[1].Load() + c.sent[2].Load()
}

// sample records the posting rate once a second until the returned stop is called.
func (c *counters) sample(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		last, lastAt := c.totalSent(), time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				sent := c.totalSent()
				rate := float64(sent-last) / now.Sub(lastAt).Seconds()
				last, lastAt = sent, now
				c.mu.Lock()
				c.history = append(c.history, rate)
				if len(c.history) > historyLen {
					c.history = c.history[len(c.history)-historyLen:]
				}
				c.mu.Unlock()
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

func (c *counters) snapshot() Stats {
	s := Stats{Iterations: c.iterations.Load()}
	for i, t := range record.Tables {
		s.Tables = append(s.Tables, TableStats{Table: t, Sent: c.sent[i].Load(), Failed: c.failed[i].Load()})
	}
	if msg := c.lastErr.Load(); msg != nil {
		s.LastError = *msg
	}
	c.mu.Lock()
	s.History = append([]float64(nil), c.history...)
	c.mu.Unlock()
	return s
}
