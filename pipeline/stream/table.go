package stream

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/record"
)

// tableJob is the loop of one stream and its table. Its fields other than mu's are used by the
// loop's goroutine only.
type tableJob struct {
	job   *Job
	table record.Table
	name  string
	// appID names the table's micro-batches in Delta txns.
	appID  string
	stream string
	delta  *delta.Table
	cp     checkpoint

	mu          sync.Mutex
	batch       int64
	last        time.Time
	rows        int64
	quarantined int64
	appended    []appendSample
	lag         map[string]time.Duration
	shards      int
	readErr     map[string]string
	batchErr    string
}

// appendSample is one micro-batch's rows, for the rate.
type appendSample struct {
	at   time.Time
	rows int64
}

func newTableJob(j *Job, t record.Table) *tableJob {
	name, stream := TableName(j.uid, t), StreamName(j.uid, t)
	return &tableJob{
		job: j, table: t, name: name, stream: stream, appID: j.id + "-" + stream,
		// Each micro-batch adds a data file; compacting past a file count keeps reads fast.
		delta: delta.Open(j.lakehouse, name, append([]delta.Option{delta.AutoOptimize(delta.DefaultAutoOptimizeFiles)}, j.tableOpts...)...),
		cp:    checkpoint{store: j.lakehouse, root: CheckpointPrefix + name + "/"},
		batch: -1, lag: map[string]time.Duration{}, readErr: map[string]string{},
	}
}

// run serves the stream until ctx ends, starting again from the checkpoint after each failure.
func (t *tableJob) run(ctx context.Context) {
	wait := t.job.backoffFirst
	for ctx.Err() == nil {
		progressed, err := t.serve(ctx)
		if ctx.Err() != nil {
			return
		}
		t.mu.Lock()
		t.batchErr = err.Error()
		t.mu.Unlock()
		if progressed {
			wait = t.job.backoffFirst
		}
		if !sleep(ctx, wait) {
			return
		}
		wait = min(2*wait, t.job.backoffMost)
	}
}

// sleep waits d or until ctx ends, reporting whether the wait ran out.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// shardReader is one shard as the loop reads it.
type shardReader struct {
	id string
	// after is the last sequence number read from the shard ("" before any).
	after    string
	iterator string
	closed   bool
	pending  []Record
	// nextRead holds the shard back after a failed read, wait doubling with each failure in a
	// row, or after reads that found it caught up, idle doubling with each.
	nextRead time.Time
	wait     time.Duration
	idle     time.Duration
}

// serve recovers the checkpoint, then polls the shards and commits a micro-batch every trigger
// until ctx ends or a read of the checkpoint, a commit or an iterator fails. progressed says
// whether it committed anything.
func (t *tableJob) serve(ctx context.Context) (progressed bool, err error) {
	positions, next, err := t.recover(ctx)
	if err != nil {
		return false, err
	}
	ids, err := t.job.reader.Shards(ctx, t.stream)
	if err != nil {
		return false, fmt.Errorf("list the shards of %s: %w", t.stream, err)
	}
	shards := make([]*shardReader, len(ids))
	for i, id := range ids {
		shards[i] = &shardReader{id: id, after: positions[id]}
		if shards[i].iterator, err = t.job.reader.Iterator(ctx, t.stream, id, shards[i].after); err != nil {
			return false, fmt.Errorf("get an iterator into %s %s: %w", t.stream, id, err)
		}
	}
	t.mu.Lock()
	t.shards, t.batchErr = len(ids), ""
	clear(t.lag)
	t.mu.Unlock()

	poll := time.NewTicker(t.job.pollInterval())
	defer poll.Stop()
	cut := time.Now()
	for {
		select {
		case <-ctx.Done():
			return progressed, nil
		case <-poll.C:
		}
		for _, s := range shards {
			t.fetch(ctx, s)
		}
		if time.Since(cut) < t.job.trigger || !anyPending(shards) {
			continue
		}
		cut = time.Now()
		plan := plannedBatch{Stream: t.stream, Batch: next, Planned: cut.UTC()}
		var recs []batchRecord
		for _, s := range shards {
			plan.Shards = append(plan.Shards, ShardRange{Shard: s.id, After: positions[s.id], End: s.after})
			for _, r := range s.pending {
				recs = append(recs, batchRecord{shard: s.id, Record: r})
			}
			s.pending = nil
		}
		if err := t.cp.plan(ctx, plan); err != nil {
			return progressed, err
		}
		if err := t.commit(ctx, plan, recs); err != nil {
			return progressed, err
		}
		for _, r := range plan.Shards {
			positions[r.Shard] = r.End
		}
		next++
		progressed = true
	}
}

func anyPending(shards []*shardReader) bool {
	for _, s := range shards {
		if len(s.pending) > 0 {
			return true
		}
	}
	return false
}

// fetch reads what shard s holds past its last record into its pending records. A failed read
// is shown and tried again after a backoff; an expired iterator is renewed after the last record
// read.
func (t *tableJob) fetch(ctx context.Context, s *shardReader) {
	start := time.Now()
	if s.closed || start.Before(s.nextRead) {
		return
	}
	s.nextRead = start.Add(t.job.readInterval)
	recs, next, behind, err := t.job.reader.Records(ctx, s.iterator, fetchLimit)
	if errors.Is(err, ErrIteratorExpired) {
		s.iterator, err = t.job.reader.Iterator(ctx, t.stream, s.id, s.after)
		if err == nil {
			recs, next, behind, err = t.job.reader.Records(ctx, s.iterator, fetchLimit)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		s.wait = min(max(2*s.wait, t.job.backoffFirst), t.job.backoffMost)
		s.nextRead = later(s.nextRead, time.Now().Add(s.wait))
		t.mu.Lock()
		t.readErr[s.id] = fmt.Sprintf("read %s %s: %v", t.stream, s.id, err)
		t.mu.Unlock()
		return
	}
	s.wait = 0
	s.iterator, s.closed = next, next == ""
	// A shard with nothing new is asked less and less often, up to the idle poll: an idle job
	// costs a few calls a second, and one under load reads every poll.
	if len(recs) == 0 && behind == 0 {
		s.idle = min(max(2*s.idle, t.job.pollInterval()), t.job.idlePoll())
		s.nextRead = later(s.nextRead, time.Now().Add(s.idle))
	} else {
		s.idle = 0
	}
	if len(recs) > 0 {
		s.pending = append(s.pending, recs...)
		s.after = recs[len(recs)-1].Sequence
	}
	t.mu.Lock()
	delete(t.readErr, s.id)
	t.lag[s.id] = behind
	t.mu.Unlock()
}

// status returns the table's progress at now.
func (t *tableJob) status(now time.Time) TableStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := TableStatus{
		Table: t.name, Stream: t.stream, MicroBatch: t.batch, LastCommit: t.last, Rows: t.rows,
		Quarantined: t.quarantined, Err: t.batchErr, Reading: t.shards > 0 && len(t.lag) == t.shards,
	}
	st.ShardLag = maps.Clone(t.lag)
	for _, l := range t.lag {
		st.Lag = max(st.Lag, l)
	}
	for _, id := range sortedKeys(t.readErr) {
		if st.Err == "" {
			st.Err = t.readErr[id]
		}
	}
	var rows int64
	for _, a := range t.appended {
		if now.Sub(a.at) <= RateWindow {
			rows += a.rows
		}
	}
	st.Rate = float64(rows) / RateWindow.Seconds()
	return st
}

// noteCommit records micro-batch id in the status once it is in the table.
func (t *tableJob) noteCommit(m committedBatch, appended int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.batch, t.last, t.quarantined = m.Batch, m.Committed, m.Quarantined
	t.rows += appended
	t.appended = append(t.appended, appendSample{at: time.Now(), rows: appended})
	for len(t.appended) > 0 && time.Since(t.appended[0].at) > RateWindow {
		t.appended = t.appended[1:]
	}
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
