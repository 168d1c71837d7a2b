package emulate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
)

// poster is what tells the batch and the streaming emulator apart: where and how each posts a
// row of one table, and how it reads the gateway's answer. The loop, pacing, retries and
// counters around it are the emulator's.
type poster interface {
	// target is the URL the rows of table are posted to, below base.
	target(base string, table record.Table) string
	// appendBody writes the body of one post: the row of table drawn as draw number n.
	appendBody(b []byte, n int64, row source.Row, table record.Table) []byte
	// header sets the request's content type and what it accepts.
	header(h http.Header)
	// answer checks the gateway's answer to one post: nil when the record was taken, a
	// retriable when another attempt may succeed.
	answer(status int, payload []byte) error
}

// emulator draws rows from the source and posts each, pin → geo → user, through its poster.
type emulator struct {
	// name is how errors call it: "batch emulator", "streaming emulator".
	name   string
	src    Source
	method string
	// targets are the URLs of the three tables, in record.Tables order.
	targets [3]string
	poster  poster
	// together posts a draw's three records at once rather than pin → geo → user; each table
	// still gets the draws in order.
	together bool
	opts     Options
	stats    *counters
	// sleep waits d, or until ctx ends or wake is closed; tests replace it to observe pacing
	// without waiting.
	sleep func(ctx context.Context, d time.Duration, wake <-chan struct{}) error

	// rateMu guards rate and rateChanged, which SetRate changes while Run paces by them.
	rateMu sync.Mutex
	rate   float64
	// rateChanged is closed, and replaced, when the rate changes, waking a draw that waits.
	rateChanged chan struct{}
}

// newEmulator checks base and fills in the defaults of opts; what names the resources the uid
// is needed for ("topics", "streams").
func newEmulator(name, method, what string, src Source, base string, opts Options, p poster) (*emulator, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s base %q: want an http(s) URL such as http://127.0.0.1:8082 or an API Gateway invoke URL", name, base)
	}
	if opts.UID == "" {
		return nil, fmt.Errorf("%s: no user id to name the %s; set the uid in the config", name, what)
	}
	if opts.Seed == 0 {
		opts.Seed = DefaultSeed
	}
	if opts.Retries == 0 {
		opts.Retries = 5
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 100 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Second
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 30 * time.Second}
	}
	e := &emulator{name: name, src: src, method: method, poster: p, opts: opts, stats: &counters{}, sleep: sleep,
		rate: opts.Rate, rateChanged: make(chan struct{})}
	base = strings.TrimSuffix(base, "/")
	for i, t := range record.Tables {
		e.targets[i] = p.target(base, t)
	}
	return e, nil
}

// SetRate changes the draws per second of a running (or not yet running) emulator; 0 is as fast
// as the gateway answers. The counters go on, and the draw being waited for is the first one
// paced by the new rate. A faithful emulator has no rate to change.
func (e *emulator) SetRate(rate float64) error {
	if e.opts.Faithful {
		return errors.New("the emulator runs --faithful, pausing 0 or 1 s like the original: restart it without --faithful to set a rate")
	}
	if err := CheckRate(rate); err != nil {
		return err
	}
	e.rateMu.Lock()
	defer e.rateMu.Unlock()
	if rate != e.rate {
		e.rate = rate
		close(e.rateChanged)
		e.rateChanged = make(chan struct{})
	}
	return nil
}

// CheckRate reports whether rate is a rate SetRate takes: a finite number of draws per second,
// not negative.
func CheckRate(rate float64) error {
	if rate < 0 || math.IsNaN(rate) || math.IsInf(rate, 0) {
		return fmt.Errorf("rate %g is not valid: use draws per second, 0 for as fast as possible", rate)
	}
	return nil
}

// Rate returns the draws per second the emulator paces by now; 0 is as fast as possible.
func (e *emulator) Rate() float64 {
	e.rateMu.Lock()
	defer e.rateMu.Unlock()
	return e.rate
}

func (e *emulator) pacing() (float64, <-chan struct{}) {
	e.rateMu.Lock()
	defer e.rateMu.Unlock()
	return e.rate, e.rateChanged
}

// Stats returns the live counters; it is safe to call while Run is running.
func (e *emulator) Stats() Stats { return e.stats.snapshot() }

// draw is one iteration handed to a worker: its number in the run and the row id drawn.
type draw struct{ n, id int64 }

// Run emulates until Count iterations are done or ctx ends (the way `emulate stop` ends it),
// returning nil in both cases. A post that still fails after its retries is counted as failed
// and the run goes on; only a source that cannot be read stops it with an error.
func (e *emulator) Run(ctx context.Context) error {
	maxID, err := e.src.MaxID(ctx)
	if err != nil {
		return fmt.Errorf("%s: read row count: %w", e.name, err)
	}
	if maxID < 0 {
		return fmt.Errorf("%s: the source tables are empty; run `pintui seed` first", e.name)
	}
	stopSampling := e.stats.sample(ctx)
	defer stopSampling()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		fatal     error
		fatalOnce sync.Once
	)
	work := func(d draw, body *[]byte) {
		if err := e.iterate(ctx, d, body); err != nil {
			fatalOnce.Do(func() { fatal = err })
			cancel()
		}
	}
	// With one worker the draws are posted in the dispatching goroutine, strictly in order.
	var (
		queue   chan draw
		workers sync.WaitGroup
	)
	if e.opts.Workers > 1 {
		queue = make(chan draw)
		for range e.opts.Workers {
			workers.Go(func() {
				var body []byte
				for d := range queue {
					work(d, &body)
				}
			})
		}
	}
	draws := source.NewDraws(e.opts.Seed, maxID)
	var body []byte
	now := time.Now()
	sched := schedule{rate: e.Rate(), start: now, last: now}
	for i := int64(0); e.opts.Count == 0 || i < e.opts.Count; i++ {
		next := draws.Next()
		if e.pace(ctx, &sched, i, next.Pause) != nil {
			break
		}
		sched.last, sched.lastDraw = time.Now(), i
		if queue == nil {
			work(draw{i, next.ID}, &body)
			continue
		}
		select {
		case queue <- draw{i, next.ID}:
		case <-ctx.Done():
		}
	}
	if queue != nil {
		close(queue)
	}
	workers.Wait()
	return fatal
}

// iterate reads the drawn row and posts it pin → geo → user. Only a source that cannot be read
// is an error; a failed post is counted and the next table still gets its post.
func (e *emulator) iterate(ctx context.Context, d draw, body *[]byte) error {
	row, err := e.src.Row(ctx, d.id)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("%s: %w", e.name, err)
	}
	if e.together {
		var wg sync.WaitGroup
		for t, table := range record.Tables {
			wg.Go(func() { e.postTable(ctx, t, e.poster.appendBody(nil, d.n, row, table)) })
		}
		wg.Wait()
	} else {
		for t, table := range record.Tables {
			*body = e.poster.appendBody((*body)[:0], d.n, row, table)
			e.postTable(ctx, t, *body)
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	e.stats.iterations.Add(1)
	return nil
}

// postTable posts the body of table t's record and counts it sent or failed; a post the end of
// the run cut short is not counted.
func (e *emulator) postTable(ctx context.Context, t int, body []byte) {
	if err := e.post(ctx, record.Tables[t], e.targets[t], body); err != nil {
		if ctx.Err() == nil {
			e.stats.failed[t].Add(1)
			e.stats.setError(err)
		}
		return
	}
	e.stats.sent[t].Add(1)
}

// schedule is when the rate-paced draws are due: draw i at start + (i-first)/rate.
type schedule struct {
	rate  float64
	start time.Time
	first int64
	// last and lastDraw are when the latest draw went out and its number, where a new rate
	// takes over the schedule.
	last     time.Time
	lastDraw int64
}

// pace waits before iteration i: the drawn pause when faithful, else the rate schedule, which
// restarts from the latest draw when SetRate changes the rate, even while this draw waits.
func (e *emulator) pace(ctx context.Context, s *schedule, i int64, pause time.Duration) error {
	if e.opts.Faithful {
		return e.sleep(ctx, pause, nil)
	}
	for {
		rate, changed := e.pacing()
		if rate != s.rate {
			s.rate, s.start, s.first = rate, s.last, s.lastDraw
		}
		if rate <= 0 {
			return ctx.Err()
		}
		due := s.start.Add(time.Duration(float64(i-s.first) / rate * float64(time.Second)))
		if err := e.sleep(ctx, time.Until(due), changed); err != nil {
			return err
		}
		select {
		case <-changed:
		default:
			return nil
		}
	}
}

func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-wake:
		return nil
	case <-t.C:
		return nil
	}
}

// retriable marks a failure worth another attempt: a 5xx, a connection error, or the gateway
// reporting a retriable error for the record.
type retriable struct{ err error }

// Error returns the underlying failure's text.
func (r retriable) Error() string { return r.err.Error() }

// Unwrap exposes the underlying failure.
func (r retriable) Unwrap() error { return r.err }

// post sends one body to target, retrying with exponential backoff.
func (e *emulator) post(ctx context.Context, table record.Table, target string, body []byte) error {
	delay := e.opts.Backoff
	for attempt := 0; ; attempt++ {
		err := e.postOnce(ctx, target, body)
		var again retriable
		if err == nil || !errors.As(err, &again) || attempt >= e.opts.Retries || ctx.Err() != nil {
			if err != nil {
				return fmt.Errorf("post %s to %s (%d attempts): %w", table, target, attempt+1, err)
			}
			return nil
		}
		if err := e.sleep(ctx, delay, nil); err != nil {
			return err
		}
		delay = min(2*delay, e.opts.MaxBackoff)
	}
}

func (e *emulator) postOnce(ctx context.Context, target string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, e.method, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	e.poster.header(req.Header)
	resp, err := e.opts.Client.Do(req)
	if err != nil {
		return retriable{err}
	}
	defer resp.Body.Close()
	payload, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return retriable{err}
	}
	return e.poster.answer(resp.StatusCode, payload)
}
