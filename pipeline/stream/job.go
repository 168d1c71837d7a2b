package stream

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

// DefaultTrigger is how often the job cuts a micro-batch of what arrived: short enough that a
// record posted at 1,000 records/s is visible in its table well within 150 ms (the shards are
// polled twice per trigger, and a commit of a few hundred rows takes milliseconds).
const DefaultTrigger = 50 * time.Millisecond

// DefaultJobID names the job in every Delta txn it commits; a restarted job must keep its id,
// or its replayed micro-batches would not be recognised as committed.
const DefaultJobID = "pintui-stream"

// fetchLimit is the most records one GetRecords call asks for, Kinesis's own maximum.
const fetchLimit = 10000

// Option configures a Job.
type Option func(*Job)

// Trigger sets the micro-batch trigger interval; the shards are polled every half of it, and
// at most every 10 ms.
func Trigger(d time.Duration) Option { return func(j *Job) { j.trigger = d } }

// ReadInterval sets the least time between two GetRecords calls on one shard. Kinesis takes 5
// calls a second per shard, shared by every reader of the stream, so against AWS (or the local
// Kinesis with AWS's limits) the job keeps to 4 and leaves one to a tail; 0, the default, reads
// every poll.
func ReadInterval(d time.Duration) Option { return func(j *Job) { j.readInterval = d } }

// JobID sets the id the job's Delta txns are committed under (app id `<id>-<stream>`).
func JobID(id string) Option { return func(j *Job) { j.id = id } }

// Tables limits the job to some of the three tables; by default it runs pin, geo and user.
func Tables(tables ...record.Table) Option { return func(j *Job) { j.tables = tables } }

// TableOptions are passed to every stream table the job opens, after its default of
// delta.AutoOptimize(delta.DefaultAutoOptimizeFiles); tests fix the clock and ids.
func TableOptions(opts ...delta.Option) Option { return func(j *Job) { j.tableOpts = opts } }

// RetryBackoff sets the first and the longest wait before a failed read or commit is tried
// again; each failure in a row doubles the wait.
func RetryBackoff(first, longest time.Duration) Option {
	return func(j *Job) { j.backoffFirst, j.backoffMost = first, longest }
}

// Job is the stream job: one loop per stream, each reading its shards, cutting micro-batches on
// the trigger and appending them exactly once to its stream table. Create it with New, run it
// with Run and watch it with Status; Status is safe to call while it runs.
type Job struct {
	uid       string
	reader    Reader
	lakehouse objstore.Store
	id        string
	trigger   time.Duration
	tables    []record.Table
	tableOpts []delta.Option

	backoffFirst, backoffMost time.Duration
	readInterval              time.Duration

	mu      sync.Mutex
	started time.Time
	streams []*tableJob
}

// New returns the stream job of user uid, reading through r and keeping its tables, checkpoints
// and quarantine in lakehouse.
func New(uid string, r Reader, lakehouse objstore.Store, opts ...Option) (*Job, error) {
	j := &Job{
		uid: uid, reader: r, lakehouse: lakehouse, id: DefaultJobID, trigger: DefaultTrigger,
		tables: record.Tables, backoffFirst: 100 * time.Millisecond, backoffMost: 5 * time.Second,
	}
	for _, o := range opts {
		o(j)
	}
	switch {
	case uid == "" || r == nil || lakehouse == nil:
		return nil, errors.New("start the stream job: it needs a user id, a Kinesis reader and a lakehouse store")
	case j.trigger <= 0:
		return nil, fmt.Errorf("start the stream job: trigger interval %s is not valid: use a positive duration such as 50ms", j.trigger)
	case j.id == "":
		return nil, errors.New("start the stream job: the job id is empty: give the id its checkpoints were written with")
	case j.backoffFirst <= 0 || j.backoffMost < j.backoffFirst:
		return nil, fmt.Errorf("start the stream job: retry backoff %s to %s is not valid: use a positive first wait no longer than the longest", j.backoffFirst, j.backoffMost)
	}
	for _, t := range j.tables {
		switch t {
		case record.TablePin, record.TableGeo, record.TableUser:
		default:
			return nil, fmt.Errorf("start the stream job: unknown table %q: use pin, geo or user", t)
		}
		j.streams = append(j.streams, newTableJob(j, t))
	}
	return j, nil
}

// pollInterval is how often each shard is asked for new records: twice per trigger, so a record
// waits at most half a trigger to be read.
func (j *Job) pollInterval() time.Duration { return max(j.trigger/2, 10*time.Millisecond) }

// idlePoll is how often a shard that keeps answering with nothing new is asked: every four
// triggers, within AWS's 5 GetRecords calls a second per shard at the default trigger.
func (j *Job) idlePoll() time.Duration { return 4 * j.trigger }

// Run reads the streams and commits their micro-batches until ctx ends. A failure to read
// Kinesis or to write the lakehouse never stops it: it is shown in Status and tried again with
// backoff, from the last checkpoint, so nothing is lost or appended twice.
func (j *Job) Run(ctx context.Context) error {
	j.mu.Lock()
	j.started = time.Now().UTC()
	j.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range j.streams {
		wg.Go(func() { s.run(ctx) })
	}
	wg.Wait()
	return nil
}

// Status is the job's progress: when it started, its trigger and each table's micro-batches.
type Status struct {
	// Started is when Run last started; zero before.
	Started time.Time
	Trigger time.Duration
	// Err joins the errors the tables are retrying, "" when none is.
	Err    string
	Tables []TableStatus
}

// TableStatus is how far the job has appended one stream table.
type TableStatus struct {
	Table  string
	Stream string
	// MicroBatch is the id of the last micro-batch committed, -1 before the first, and
	// LastCommit when it committed.
	MicroBatch int64
	LastCommit time.Time
	// Rows is the table's row count: its snapshot's when the job started, plus what it appended.
	Rows int64
	// Rate is the rows per second appended over the last RateWindow.
	Rate float64
	// Lag is the largest MillisBehindLatest over the stream's shards; Reading is false until
	// every shard has answered once.
	Lag     time.Duration
	Reading bool
	// ShardLag is each shard's MillisBehindLatest as its last read answered, by shard id.
	ShardLag map[string]time.Duration
	// Quarantined counts the records that did not parse since the checkpoint began.
	Quarantined int64
	// Err is the error being retried, "" when none is.
	Err string
}

// RateWindow is the span Rate averages over.
const RateWindow = 5 * time.Second

// Status returns the job's progress now.
func (j *Job) Status() Status {
	j.mu.Lock()
	st := Status{Started: j.started, Trigger: j.trigger}
	j.mu.Unlock()
	var errs []string
	for _, s := range j.streams {
		ts := s.status(time.Now())
		if ts.Err != "" {
			errs = append(errs, ts.Table+": "+ts.Err)
		}
		st.Tables = append(st.Tables, ts)
	}
	st.Err = strings.Join(errs, "; ")
	return st
}
