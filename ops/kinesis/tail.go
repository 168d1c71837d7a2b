package kinesis

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/pintui/pintui/pipeline/stream"
)

// TailRecord is one record as a tail delivers it: the record and the shard it was read from.
type TailRecord struct {
	Shard string
	stream.Record
}

const (
	// readLimit is the most records one GetRecords call returns.
	readLimit = 10000
	// caughtUpPoll is how long a read that reached a shard's newest record waits before it asks
	// again: often enough for a live tail, and within AWS's 5 GetRecords calls per second and shard.
	caughtUpPoll = 150 * time.Millisecond
	// firstBackoff and maxBackoff bound the wait after a throttled call; after a 10 MiB read AWS
	// throttles a shard for 5 seconds.
	firstBackoff = 200 * time.Millisecond
	maxBackoff   = 5 * time.Second
)

// shardRead is the read of one shard: its iterator and the last record it returned, where it
// goes on when the iterator expires.
type shardRead struct {
	c             *Client
	stream, shard string
	from          From
	// opened is when the first iterator was taken: a read from Latest that expired before it
	// returned a record goes on from there.
	opened   time.Time
	last     string
	iterator string
}

// openShard takes an iterator into shard at from.
func (c *Client) openShard(ctx context.Context, name, shard string, from From) (*shardRead, error) {
	r := &shardRead{c: c, stream: name, shard: shard, from: from, opened: time.Now()}
	if err := r.open(ctx, from); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *shardRead) open(ctx context.Context, at From) error {
	out, err := r.c.api.GetShardIterator(ctx, at.iteratorInput(r.stream, r.shard))
	if err != nil {
		return failed(fmt.Sprintf("get an iterator into %s %s at %s", r.stream, r.shard, at), err)
	}
	r.iterator = aws.ToString(out.ShardIterator)
	return nil
}

// closed reports whether the shard is closed and read to its end.
func (r *shardRead) closed() bool { return r.iterator == "" }

// next reads the records behind the iterator, taking a new iterator after the last record read
// when the old one expired. caughtUp reports that the read reached the shard's newest record.
func (r *shardRead) next(ctx context.Context, limit int) (recs []TailRecord, caughtUp bool, err error) {
	got, next, behind, err := r.c.Records(ctx, r.iterator, limit)
	if errors.Is(err, stream.ErrIteratorExpired) {
		if err := r.open(ctx, r.resume()); err != nil {
			return nil, false, err
		}
		got, next, behind, err = r.c.Records(ctx, r.iterator, limit)
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s %s: %w", r.stream, r.shard, err)
	}
	r.iterator = next
	recs = make([]TailRecord, len(got))
	for i, rec := range got {
		recs[i] = TailRecord{Shard: r.shard, Record: rec}
	}
	if len(got) > 0 {
		r.last = got[len(got)-1].Sequence
	}
	// A full answer may have stopped at the limit, whatever MillisBehindLatest says (kinesalite
	// always says 0).
	return recs, behind == 0 && len(got) < limit, nil
}

// resume is where the read goes on with a new iterator.
func (r *shardRead) resume() From {
	switch {
	case r.last != "":
		return after(r.last)
	case r.from.kind == types.ShardIteratorTypeLatest:
		return Since(r.opened)
	default:
		return r.from
	}
}

// follow reads the shard until ctx ends or the shard is closed and read, handing every
// non-empty batch to emit. A read that reached the newest record waits caughtUpPoll before the
// next; a throttled one backs off.
func (r *shardRead) follow(ctx context.Context, emit func([]TailRecord)) error {
	var wait time.Duration
	backoff := firstBackoff
	for !r.closed() {
		if !pause(ctx, wait) {
			return nil
		}
		recs, caughtUp, err := r.next(ctx, readLimit)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrThrottled):
			wait, backoff = backoff, min(2*backoff, maxBackoff)
			continue
		case err != nil:
			return err
		}
		backoff, wait = firstBackoff, 0
		if len(recs) > 0 {
			emit(recs)
		}
		if caughtUp {
			wait = caughtUpPoll
		}
	}
	return nil
}

// toEnd reads the shard up to its newest record, or max records (0: no limit).
func (r *shardRead) toEnd(ctx context.Context, max int) ([]TailRecord, error) {
	var out []TailRecord
	backoff := firstBackoff
	for !r.closed() && (max == 0 || len(out) < max) {
		limit := readLimit
		if max > 0 {
			limit = min(limit, max-len(out))
		}
		recs, caughtUp, err := r.next(ctx, limit)
		if errors.Is(err, ErrThrottled) {
			if !pause(ctx, backoff) {
				return nil, ctx.Err()
			}
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		if err != nil {
			return nil, err
		}
		backoff = firstBackoff
		out = append(out, recs...)
		if caughtUp {
			break
		}
	}
	return out, nil
}

// openShards takes an iterator into every shard of stream at from. A sequence number belongs to
// one shard, which is the one read; the others refuse it.
func (c *Client) openShards(ctx context.Context, name string, from From) ([]*shardRead, error) {
	shards, err := c.Shards(ctx, name)
	if err != nil {
		return nil, err
	}
	var reads []*shardRead
	for _, shard := range shards {
		r, err := c.openShard(ctx, name, shard, from)
		if from.sequence != "" && errorCode(err) == "InvalidArgumentException" {
			continue
		}
		if err != nil {
			return nil, err
		}
		reads = append(reads, r)
	}
	if len(reads) == 0 && from.sequence != "" {
		return nil, fmt.Errorf("read %s from %s: no shard of the stream holds that sequence number: copy one from tail stream %s", name, from.sequence, name)
	}
	return reads, nil
}

// Tail reads every shard of stream from `from` at once and hands each non-empty batch of
// records to emit, one call at a time, in each shard's order. It follows until ctx ends (and
// then returns nil) or every shard is closed and read; a shard that cannot be read stops the
// tail with its error. The shards are those the stream has when the tail starts: a shard split
// or merged meanwhile is read to its end, and its children by the next tail.
func (c *Client) Tail(ctx context.Context, name string, from From, emit func([]TailRecord)) error {
	reads, err := c.openShards(ctx, name, from)
	if err != nil {
		return fmt.Errorf("tail %s: %w", name, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	serial := func(recs []TailRecord) {
		mu.Lock()
		defer mu.Unlock()
		emit(recs)
	}
	errs := make(chan error, len(reads))
	for _, r := range reads {
		go func() { errs <- r.follow(ctx, serial) }()
	}
	var first error
	for range reads {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}

// Read reads every shard of stream from `from` up to its newest record and returns the records
// in the order they arrived (each shard's in its own order), at most max of them (0: all);
// truncated reports that max cut the read short.
func (c *Client) Read(ctx context.Context, name string, from From, max int) (recs []TailRecord, truncated bool, err error) {
	reads, err := c.openShards(ctx, name, from)
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", name, err)
	}
	// One record past max on each shard tells a read that max cut short from one that reached
	// the end.
	perShard := 0
	if max > 0 {
		perShard = max + 1
	}
	shards := make([][]TailRecord, len(reads))
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, r := range reads {
		wg.Go(func() { shards[i], errs[i] = r.toEnd(ctx, perShard) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, false, err
	}
	recs = mergeByArrival(shards)
	if max > 0 && len(recs) > max {
		return recs[:max], true, nil
	}
	return recs, false, nil
}

// mergeByArrival merges the shards' records into one list by arrival time, keeping each shard's
// own order; on equal times the earlier shard goes first.
func mergeByArrival(shards [][]TailRecord) []TailRecord {
	n := 0
	for _, s := range shards {
		n += len(s)
	}
	out := make([]TailRecord, 0, n)
	heads := make([]int, len(shards))
	for len(out) < n {
		best := -1
		for i, s := range shards {
			if heads[i] < len(s) && (best < 0 || s[heads[i]].Arrival.Before(shards[best][heads[best]].Arrival)) {
				best = i
			}
		}
		out = append(out, shards[best][heads[best]])
		heads[best]++
	}
	return out
}

// newestWindows are how far back Newest looks for a shard's newest record, widening until a
// window holds one; the last, zero, is the whole shard.
var newestWindows = []time.Duration{10 * time.Second, 10 * time.Minute, 0}

// Newest returns the newest record of one shard, false if the shard holds none. Kinesis has no
// call for it, so Newest reads the shard from AT_TIMESTAMP a short while back up to its end (a
// read that reaches the newest record says MillisBehindLatest 0), widening the window while it
// finds nothing: at most three iterators, and about the records of the last ten seconds at the
// usual rates.
func (c *Client) Newest(ctx context.Context, name, shard string) (TailRecord, bool, error) {
	now := time.Now()
	for _, back := range newestWindows {
		from := TrimHorizon
		if back > 0 {
			from = Since(now.Add(-back))
		}
		r, err := c.openShard(ctx, name, shard, from)
		if err != nil {
			return TailRecord{}, false, err
		}
		recs, err := r.toEnd(ctx, 0)
		if err != nil {
			return TailRecord{}, false, err
		}
		if len(recs) > 0 {
			return recs[len(recs)-1], true, nil
		}
	}
	return TailRecord{}, false, nil
}

// pause waits d; false means ctx ended first.
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// errorCode is Kinesis's error code of a failed call, "" for a call that did not fail or got no
// answer.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
