// Package emulate plays the users of the original pipeline: it draws rows from the source
// database and posts them, pin → geo → user, to the gateway the way the original
// user_posting_emulation.py did, so everything downstream sees the same traffic.
package emulate

import (
	"bytes"
	"context"
	"encoding/json"
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

// DefaultSeed is the original emulator's `random.seed(100)`: its first draw is row 7528.
const DefaultSeed = 100

// Source is the source database as the emulator reads it.
type Source interface {
	// MaxID is the largest row id a draw may pick.
	MaxID(ctx context.Context) (int64, error)
	// Row reads row id of the three tables.
	Row(ctx context.Context, id int64) (source.Row, error)
}

// Options tunes a batch emulator; the zero value runs forever, as fast as the gateway takes it.
type Options struct {
	// UID names the topics `<uid>.pin`, `<uid>.geo` and `<uid>.user`.
	UID string
	// Count is the number of iterations (three posts each); 0 runs until the context ends.
	Count int64
	// Rate is the number of iterations per second; 0 is as fast as the gateway answers.
	Rate float64
	// Faithful sleeps 0 or 1 s, drawn at random, before each iteration like the original,
	// instead of pacing by Rate.
	Faithful bool
	// Workers is how many draws are posted at once; 0 or 1 posts them one after the other like
	// the original, so every topic receives the draws in draw order.
	Workers int
	// Seed seeds the draws; 0 means DefaultSeed.
	Seed int64
	// Retries is how many times a post is retried on a 5xx or connection error; 0 means 5,
	// negative means never.
	Retries int
	// Backoff is the first retry delay, doubled each retry up to MaxBackoff; 0 means 100 ms.
	Backoff time.Duration
	// MaxBackoff caps the retry delay; 0 means 5 s.
	MaxBackoff time.Duration
	// Client posts the records; nil means a client with a 30 s timeout.
	Client *http.Client
}

// Batch is the batch emulator: it posts to the REST Proxy produce route of a gateway.
type Batch struct {
	src   Source
	base  string
	opts  Options
	stats *counters
	// sleep waits d, or until ctx ends or wake is closed; tests replace it to observe pacing
	// without waiting.
	sleep func(ctx context.Context, d time.Duration, wake <-chan struct{}) error

	// rateMu guards rate and rateChanged, which SetRate changes while Run paces by them.
	rateMu sync.Mutex
	rate   float64
	// rateChanged is closed, and replaced, when the rate changes, waking a draw that waits.
	rateChanged chan struct{}
}

// NewBatch returns a batch emulator posting to base, the gateway's URL with any API Gateway
// stage (`http://127.0.0.1:8082`, `https://<id>.execute-api.<region>.amazonaws.com/dev`).
func NewBatch(src Source, base string, opts Options) (*Batch, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("batch emulator base %q: want an http(s) URL such as http://127.0.0.1:8082 or an API Gateway invoke URL", base)
	}
	if opts.UID == "" {
		return nil, errors.New("batch emulator: no user id to name the topics; set the uid in the config")
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
	return &Batch{src: src, base: strings.TrimSuffix(base, "/"), opts: opts, stats: &counters{}, sleep: sleep,
		rate: opts.Rate, rateChanged: make(chan struct{})}, nil
}

// SetRate changes the draws per second of a running (or not yet running) emulator; 0 is as fast
// as the gateway answers. The counters go on, and the draw being waited for is the first one
// paced by the new rate. A faithful emulator has no rate to change.
func (b *Batch) SetRate(rate float64) error {
	if b.opts.Faithful {
		return errors.New("the emulator runs --faithful, pausing 0 or 1 s like the original: restart it without --faithful to set a rate")
	}
	if err := CheckRate(rate); err != nil {
		return err
	}
	b.rateMu.Lock()
	defer b.rateMu.Unlock()
	if rate != b.rate {
		b.rate = rate
		close(b.rateChanged)
		b.rateChanged = make(chan struct{})
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
func (b *Batch) Rate() float64 {
	b.rateMu.Lock()
	defer b.rateMu.Unlock()
	return b.rate
}

func (b *Batch) pacing() (float64, <-chan struct{}) {
	b.rateMu.Lock()
	defer b.rateMu.Unlock()
	return b.rate, b.rateChanged
}

// Stats returns the live counters; it is safe to call while Run is running.
func (b *Batch) Stats() Stats { return b.stats.snapshot() }

// Run emulates until Count iterations are done or ctx ends (the way `emulate stop` ends it),
// returning nil in both cases. A post that still fails after its retries is counted as failed
// and the run goes on; only a source that cannot be read stops it with an error.
func (b *Batch) Run(ctx context.Context) error {
	maxID, err := b.src.MaxID(ctx)
	if err != nil {
		return fmt.Errorf("batch emulator: read row count: %w", err)
	}
	if maxID < 0 {
		return errors.New("batch emulator: the source tables are empty; run `pintui seed` first")
	}
	stopSampling := b.stats.sample(ctx)
	defer stopSampling()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		fatal     error
		fatalOnce sync.Once
	)
	work := func(id int64, body *[]byte) {
		if err := b.iterate(ctx, id, body); err != nil {
			fatalOnce.Do(func() { fatal = err })
			cancel()
		}
	}
	// With one worker the draws are posted in the dispatching goroutine, strictly in order.
	var (
		queue   chan int64
		workers sync.WaitGroup
	)
	if b.opts.Workers > 1 {
		queue = make(chan int64)
		for range b.opts.Workers {
			workers.Go(func() {
				var body []byte
				for id := range queue {
					work(id, &body)
				}
			})
		}
	}
	draws := source.NewDraws(b.opts.Seed, maxID)
	var body []byte
	now := time.Now()
	sched := schedule{rate: b.Rate(), start: now, last: now}
	for i := int64(0); b.opts.Count == 0 || i < b.opts.Count; i++ {
		draw := draws.Next()
		if b.pace(ctx, &sched, i, draw.Pause) != nil {
			break
		}
		sched.last, sched.lastDraw = time.Now(), i
		if queue == nil {
			work(draw.ID, &body)
			continue
		}
		select {
		case queue <- draw.ID:
		case <-ctx.Done():
		}
	}
	if queue != nil {
		close(queue)
	}
	workers.Wait()
	return fatal
}

// iterate reads row id and posts it pin → geo → user. Only a source that cannot be read is an
// error; a failed post is counted and the next table still gets its post.
func (b *Batch) iterate(ctx context.Context, id int64, body *[]byte) error {
	row, err := b.src.Row(ctx, id)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("batch emulator: %w", err)
	}
	for t, table := range record.Tables {
		*body = appendEnvelope((*body)[:0], row, table)
		if err := b.post(ctx, table, *body); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			b.stats.failed[t].Add(1)
			b.stats.setError(err)
			continue
		}
		b.stats.sent[t].Add(1)
	}
	b.stats.iterations.Add(1)
	return nil
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
func (b *Batch) pace(ctx context.Context, s *schedule, i int64, pause time.Duration) error {
	if b.opts.Faithful {
		return b.sleep(ctx, pause, nil)
	}
	for {
		rate, changed := b.pacing()
		if rate != s.rate {
			s.rate, s.start, s.first = rate, s.last, s.lastDraw
		}
		if rate <= 0 {
			return ctx.Err()
		}
		due := s.start.Add(time.Duration(float64(i-s.first) / rate * float64(time.Second)))
		if err := b.sleep(ctx, time.Until(due), changed); err != nil {
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

// appendEnvelope writes the REST Proxy v2 json-format body of one row of table.
func appendEnvelope(b []byte, row source.Row, table record.Table) []byte {
	b = append(b, `{"records":[{"value":`...)
	switch table {
	case record.TablePin:
		b = row.Pin.AppendJSON(b)
	case record.TableGeo:
		b = row.Geo.AppendJSON(b)
	default:
		b = row.User.AppendJSON(b)
	}
	return append(b, `}]}`...)
}

// retriable marks a failure worth another attempt: a 5xx, a connection error, or Kafka
// reporting a retriable error for the record.
type retriable struct{ err error }

// Error returns the underlying failure's text.
func (r retriable) Error() string { return r.err.Error() }

// Unwrap exposes the underlying failure.
func (r retriable) Unwrap() error { return r.err }

// post sends one body to the topic of table, retrying with exponential backoff.
func (b *Batch) post(ctx context.Context, table record.Table, body []byte) error {
	topic := b.opts.UID + "." + string(table)
	target := b.base + "/topics/" + topic
	delay := b.opts.Backoff
	for attempt := 0; ; attempt++ {
		err := b.postOnce(ctx, target, body)
		var again retriable
		if err == nil || !errors.As(err, &again) || attempt >= b.opts.Retries || ctx.Err() != nil {
			if err != nil {
				return fmt.Errorf("post %s to %s (%d attempts): %w", table, target, attempt+1, err)
			}
			return nil
		}
		if err := b.sleep(ctx, delay, nil); err != nil {
			return err
		}
		delay = min(2*delay, b.opts.MaxBackoff)
	}
}

// produceResponse is the part of a REST Proxy v2 produce response the emulator checks.
type produceResponse struct {
	Offsets []struct {
		ErrorCode *int    `json:"error_code"`
		Error     *string `json:"error"`
	} `json:"offsets"`
	Message string `json:"message"`
}

func (b *Batch) postOnce(ctx context.Context, target string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/vnd.kafka.json.v2+json")
	req.Header.Set("Accept", "application/vnd.kafka.v2+json, application/json")
	resp, err := b.opts.Client.Do(req)
	if err != nil {
		return retriable{err}
	}
	defer resp.Body.Close()
	payload, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return retriable{err}
	}
	var pr produceResponse
	decodeErr := json.Unmarshal(payload, &pr)
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(pr.Message)
		if decodeErr != nil || msg == "" {
			msg = strings.TrimSpace(string(payload))
		}
		err := fmt.Errorf("HTTP %d: %s", resp.StatusCode, msg)
		if resp.StatusCode >= 500 {
			return retriable{err}
		}
		return err
	}
	if decodeErr != nil || len(pr.Offsets) != 1 {
		return fmt.Errorf("unexpected produce response %q: is the base URL a Kafka REST Proxy?", payload)
	}
	if o := pr.Offsets[0]; o.ErrorCode != nil {
		msg := ""
		if o.Error != nil {
			msg = *o.Error
		}
		err := fmt.Errorf("record not produced, Kafka error %d: %s", *o.ErrorCode, msg)
		if *o.ErrorCode == 50003 {
			return retriable{err}
		}
		return err
	}
	return nil
}
