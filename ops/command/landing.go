// The landing side of the batch half: the bucket the S3 sink fills and the sink's progress.

package command

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/pipeline/sink"
)

func (env *Env) s3Ls(ctx context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	prefix := ""
	if len(in.Args) == 1 {
		prefix = in.Args[0]
	}
	limit, err := in.Int("limit")
	if err != nil {
		return nil, err
	}
	l, err := b.S3.Ls(ctx, b.Bucket, prefix, false, limit)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"key", "size", "modified"}}
	for _, p := range l.Prefixes {
		res.Rows = append(res.Rows, []string{p, "-", ""})
	}
	for _, o := range l.Objects {
		res.Rows = append(res.Rows, []string{o.Key, i64(o.Size), o.Modified.UTC().Format(time.RFC3339)})
	}
	where := prefix
	if where == "" {
		where = "s3://" + b.Bucket + "/"
	}
	res.Message = fmt.Sprintf("%d objects, %d prefixes under %s", len(l.Objects), len(l.Prefixes), where)
	if l.More {
		res.Message = fmt.Sprintf("the first %d entries under %s; more follow: narrow the prefix or raise --limit", limit, where)
	}
	res.Data = map[string]any{"bucket": b.Bucket, "prefixes": l.Prefixes, "objects": l.Objects, "more": l.More}
	return res, nil
}

func (env *Env) s3Cat(ctx context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	var buf strings.Builder
	if _, err := b.S3.Cat(ctx, b.Bucket, in.Args[0], &buf); err != nil {
		return nil, err
	}
	text := strings.TrimSuffix(buf.String(), "\n")
	return &Result{Message: text, Data: map[string]string{"key": in.Args[0], "content": buf.String()}}, nil
}

// sinkRow is one row of `sink status`.
type sinkRow struct {
	Topic        string `json:"topic"`
	Partition    int32  `json:"partition"`
	LandedOffset int64  `json:"landed_offset"`
	EndOffset    int64  `json:"end_offset"`
	Lag          int64  `json:"lag"`
	Objects      int64  `json:"objects"`
	Bytes        int64  `json:"bytes"`
	Errors       int64  `json:"errors"`
	Error        string `json:"error,omitempty"`
}

func (env *Env) sinkStatus(ctx context.Context, _ *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	rows, note, err := env.sinkRows(ctx, b)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"topic", "partition", "landed_offset", "end_offset", "lag", "objects", "bytes", "errors"}, Data: rows, Message: note}
	for _, r := range rows {
		res.Rows = append(res.Rows, []string{r.Topic, strconv.Itoa(int(r.Partition)), i64(r.LandedOffset), i64(r.EndOffset), i64(r.Lag), i64(r.Objects), i64(r.Bytes), i64(r.Errors)})
		if r.Error != "" {
			res.Message += fmt.Sprintf("\n%s[%d]: %s", r.Topic, r.Partition, r.Error)
		}
	}
	return res, nil
}

// sinkRows reads the sink's progress. The offsets come from Kafka (the topics' end offsets and
// the sink group's commits), which survive restarts; when this process runs the sink, its own
// counters add what Kafka cannot know (objects, bytes and errors of this run, files landed but not
// yet committed). Otherwise the objects are counted in the bucket.
func (env *Env) sinkRows(ctx context.Context, b *backend.Backends) ([]sinkRow, string, error) {
	st, ok := b.SinkStatus()
	if !ok {
		tally, err := env.bucket.get(func() (bucketTally, error) { return tallyBucket(ctx, b) })
		if err != nil {
			return nil, "", err
		}
		rows, err := groupRows(ctx, b, tally)
		return rows, "sink runs in another process (group " + sink.DefaultGroup + "); figures from its committed offsets and the bucket", err
	}
	note := fmt.Sprintf("sink running in this process: group %s, flush.size %d; objects and bytes count this run's landings", st.Group, st.FlushSize)
	if st.Error != "" {
		note += "; " + st.Error
	}
	rows, err := groupRows(ctx, b, bucketTally{})
	if err != nil {
		rows = nil
		note += "; offsets as this run saw them (" + err.Error() + ")"
	}
	at := map[string]int{}
	for i, r := range rows {
		at[fmt.Sprintf("%s/%d", r.Topic, r.Partition)] = i
	}
	for _, p := range st.Partitions {
		i, known := at[fmt.Sprintf("%s/%d", p.Topic, p.Partition)]
		if !known {
			i = len(rows)
			rows = append(rows, sinkRow{Topic: p.Topic, Partition: p.Partition, LandedOffset: -1, EndOffset: -1})
		}
		r := &rows[i]
		r.LandedOffset = max(r.LandedOffset, p.LastLanded)
		r.EndOffset = max(r.EndOffset, p.End)
		r.Lag = max(r.EndOffset-(r.LandedOffset+1), 0)
		r.Objects, r.Bytes, r.Errors, r.Error = p.Objects, p.Bytes, p.Errors, p.Error
	}
	return rows, note, nil
}

// groupRows computes the sink's progress from what any process can see: the topics' end
// offsets, the sink group's committed offsets and the objects a listing of the bucket found.
func groupRows(ctx context.Context, b *backend.Backends, bucket bucketTally) ([]sinkRow, error) {
	rows := []sinkRow{}
	for _, topic := range b.Topics() {
		t, err := b.Kafka.Topic(ctx, topic)
		if err != nil {
			return nil, err
		}
		done := landed(t)
		for _, p := range t.Partitions {
			r := sinkRow{Topic: topic, Partition: p.ID, LandedOffset: done[p.ID] - 1, EndOffset: p.End}
			r.Lag = p.End - done[p.ID]
			found := bucket.partitions[fmt.Sprintf("topics/%s/partition=%d/", topic, p.ID)]
			r.Objects, r.Bytes = found.objects, found.bytes
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// bucketTally is what one listing of the bucket found under the three topics: the objects and
// bytes under each partition's prefix (topics/<topic>/partition=<p>/) and the objects in all.
type bucketTally struct {
	partitions map[string]struct{ objects, bytes int64 }
	objects    int
}

// tallyBucket lists the landings of the three topics.
func tallyBucket(ctx context.Context, b *backend.Backends) (bucketTally, error) {
	t := bucketTally{partitions: map[string]struct{ objects, bytes int64 }{}}
	for _, topic := range b.Topics() {
		objs, err := b.Landings().List(ctx, "topics/"+topic+"/")
		if err != nil {
			return bucketTally{}, err
		}
		for _, o := range objs {
			prefix := o.Key[:strings.LastIndex(o.Key, "/")+1]
			p := t.partitions[prefix]
			p.objects++
			p.bytes += o.Size
			t.partitions[prefix] = p
		}
		t.objects += len(objs)
	}
	return t, nil
}

// bucketCache keeps the last tally of the bucket for `status` and `sink status`, which the
// console asks every second. A tally is reused until it is three times as old as it took to make,
// so listing a bucket of many landings never takes more than a quarter of the time.
type bucketCache struct {
	mu    sync.Mutex
	now   func() time.Time // nil means time.Now
	tally bucketTally
	at    time.Time
	took  time.Duration
}

// get returns the kept tally while it is fresh enough, else a new one from list.
func (c *bucketCache) get(list func() (bucketTally, error)) (bucketTally, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now
	if now == nil {
		now = time.Now
	}
	start := now()
	if !c.at.IsZero() && start.Sub(c.at) < 3*c.took {
		return c.tally, nil
	}
	t, err := list()
	if err != nil {
		c.at = time.Time{}
		return bucketTally{}, err
	}
	c.tally, c.at = t, now()
	c.took = c.at.Sub(start)
	return t, nil
}

func (env *Env) waitLandings(ctx context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	if in.Args[0] != ">=" {
		return nil, fmt.Errorf("write the condition as `wait landings >= N`, not %q", strings.Join(in.Args, " "))
	}
	want, err := strconv.Atoi(in.Args[1])
	if err != nil || want < 0 {
		return nil, fmt.Errorf("%q is not a count of landings", in.Args[1])
	}
	timeout, err := in.Duration("timeout")
	if err != nil {
		return nil, err
	}
	start := time.Now()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		counted := time.Now()
		tally, err := tallyBucket(ctx, b)
		if err != nil {
			return nil, err
		}
		n := tally.objects
		if n >= want {
			return &Result{Message: fmt.Sprintf("%d landings after %s", n, time.Since(start).Round(time.Millisecond)), Data: map[string]int{"landings": n}}, nil
		}
		// Counting lists the bucket, which takes longer as it fills: pausing twice as long as the
		// count took keeps the listing from starving the sink it is waiting for.
		pause := time.NewTimer(max(100*time.Millisecond, 2*time.Since(counted)))
		select {
		case <-ctx.Done():
			pause.Stop()
			return nil, ctx.Err()
		case <-deadline.C:
			pause.Stop()
			return nil, fmt.Errorf("timed out after %s with %d of %d landings: check `sink status` and `emulate status`", timeout, n, want)
		case <-pause.C:
		}
	}
}
