// The landing side of the batch half: the bucket the S3 sink fills and the sink's progress.

package command

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/s3"
	"github.com/pintui/pintui/pipeline/sink"
)

// S3Listing is what `s3 ls` returns: one level of the landing bucket under a prefix, a page at a
// time.
type S3Listing struct {
	Bucket string `json:"bucket"`
	Prefix string `json:"prefix"`
	// Prefixes are the folders directly under Prefix; Objects the objects directly under it.
	Prefixes []string   `json:"prefixes"`
	Objects  []S3Object `json:"objects"`
	// Truncated says more entries follow; NextToken, given to --token, lists them.
	Truncated bool   `json:"truncated"`
	NextToken string `json:"next_token"`
	// Earlier says entries come before the ones listed, as when --last lists the newest.
	Earlier bool `json:"earlier"`
}

// S3Object is one object of a listing.
type S3Object struct {
	Key       string `json:"key"`
	SizeBytes int64  `json:"size_bytes"`
	Modified  Time   `json:"modified"`
}

// TextTable lists the folders, then the objects with size and time.
func (l S3Listing) TextTable() Table {
	t := Table{Columns: []string{"key", "size_bytes", "modified"}}
	for _, p := range l.Prefixes {
		t.Rows = append(t.Rows, []string{p, "-", ""})
	}
	for _, o := range l.Objects {
		t.Rows = append(t.Rows, []string{o.Key, i64(o.SizeBytes), Cell(o.Modified)})
	}
	return t
}

// plural says n things, with the plural form past one.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

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
	if err != nil || limit < 0 {
		return nil, fmt.Errorf("--limit %q is not valid: use a number of entries, 0 for all", in.Flag("limit"))
	}
	after, err := decodeToken(in.Flag("token"))
	if err != nil {
		return nil, err
	}
	if in.Changed("last") {
		return env.s3LsLast(ctx, b, in, prefix, limit)
	}
	l, err := b.S3.LsAfter(ctx, b.Bucket, prefix, after, false, limit)
	if err != nil {
		return nil, err
	}
	out := listing(b.Bucket, prefix, l)
	where := listedUnder(b.Bucket, prefix)
	res := &Result{Data: out, Message: fmt.Sprintf("%s, %s under %s", plural(len(l.Objects), "object", "objects"), plural(len(l.Prefixes), "prefix", "prefixes"), where)}
	if l.More {
		res.Message = fmt.Sprintf("the first %d entries under %s; more follow: add --token %s for the next page, or narrow the prefix", limit, where, out.NextToken)
	}
	return res, nil
}

// listing is the typed value of one page the S3 client listed.
func listing(bucket, prefix string, l s3.Listing) S3Listing {
	out := S3Listing{Bucket: bucket, Prefix: prefix, Prefixes: append([]string{}, l.Prefixes...), Objects: []S3Object{}, Truncated: l.More}
	for _, o := range l.Objects {
		out.Objects = append(out.Objects, S3Object{Key: o.Key, SizeBytes: o.Size, Modified: At(o.Modified)})
	}
	if l.More {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(l.Last))
	}
	return out
}

// listedUnder names a prefix for a message, the bucket's root as its URL.
func listedUnder(bucket, prefix string) string {
	if prefix == "" {
		return "s3://" + bucket + "/"
	}
	return prefix
}

// s3LsLast lists the last --last entries under prefix, which for a landing partition are its
// newest landings.
func (env *Env) s3LsLast(ctx context.Context, b *backend.Backends, in *Invocation, prefix string, limit int) (*Result, error) {
	n, err := in.Int("last")
	if err != nil || n <= 0 {
		return nil, fmt.Errorf("--last %q is not valid: use a number of entries above 0, e.g. --last 100", in.Flag("last"))
	}
	if in.Flag("token") != "" {
		return nil, fmt.Errorf("--last and --token do not go together: --last lists the end of %s, --token goes on from an earlier page", listedUnder(b.Bucket, prefix))
	}
	var l s3.Listing
	var earlier bool
	if topic, partition, ok := partitionPrefix(prefix); ok {
		l, earlier, err = env.lastLandings(ctx, b, topic, partition, n)
	} else {
		l, earlier, err = lastEntries(ctx, b, prefix, n, limit)
	}
	if err != nil {
		return nil, err
	}
	out := listing(b.Bucket, prefix, l)
	out.Earlier = earlier
	msg := fmt.Sprintf("%s, %s under %s", plural(len(l.Objects), "object", "objects"), plural(len(l.Prefixes), "prefix", "prefixes"), listedUnder(b.Bucket, prefix))
	if earlier {
		msg = fmt.Sprintf("the last %d entries under %s; earlier ones come before", n, listedUnder(b.Bucket, prefix))
	}
	return &Result{Data: out, Message: msg}, nil
}

// partitionPrefix reads the topic and partition of a landing partition's prefix,
// topics/<topic>/partition=<p>/, as sink.Prefix writes it.
func partitionPrefix(prefix string) (topic string, partition int32, ok bool) {
	rest, found := strings.CutPrefix(prefix, "topics/")
	if !found {
		return "", 0, false
	}
	topic, p, found := strings.Cut(rest, "/partition=")
	if !found {
		return "", 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(p, "/"), 10, 32)
	if err != nil || sink.Prefix(topic, int32(n)) != prefix {
		return "", 0, false
	}
	return topic, int32(n), true
}

// lastLandings lists the newest n landings of a partition without reading the older ones: keys
// sort by start offset, so the listing starts at the key of an offset n records before the end
// and steps back, twice as far each time, while fewer than n came, as a file holds one record or
// more.
func (env *Env) lastLandings(ctx context.Context, b *backend.Backends, topic string, partition int32, n int) (s3.Listing, bool, error) {
	st, err := env.sinkProgress(ctx, b, false)
	if err != nil {
		return s3.Listing{}, false, err
	}
	end := int64(-1)
	for _, p := range st.Partitions {
		if p.Topic == topic && p.Partition == partition {
			end = p.EndOffset
		}
	}
	prefix := sink.Prefix(topic, partition)
	if end < 0 {
		return lastEntries(ctx, b, prefix, n, 1000) // a topic the sink does not read: its keys are listed whole
	}
	for span := int64(n); ; span *= 2 {
		from := max(end-span, 0)
		after := ""
		if from > 0 {
			after = sink.Key(topic, partition, from-1)
		}
		l, err := b.S3.LsAfter(ctx, b.Bucket, prefix, after, false, 0)
		if err != nil {
			return s3.Listing{}, false, err
		}
		if len(l.Objects)+len(l.Prefixes) < n && from > 0 {
			continue
		}
		kept, dropped := keepLast(l, n)
		if dropped || from == 0 {
			return kept, dropped, nil
		}
		first, err := b.S3.Ls(ctx, b.Bucket, prefix, false, 1)
		if err != nil {
			return s3.Listing{}, false, err
		}
		return kept, len(first.Objects) > 0 && first.Objects[0].Key <= after, nil
	}
}

// lastEntries pages through everything under prefix, page entries at a time (0: at once), and
// keeps the last n entries.
func lastEntries(ctx context.Context, b *backend.Backends, prefix string, n, page int) (s3.Listing, bool, error) {
	var all s3.Listing
	earlier := false
	for after := ""; ; {
		l, err := b.S3.LsAfter(ctx, b.Bucket, prefix, after, false, page)
		if err != nil {
			return s3.Listing{}, false, err
		}
		all.Prefixes = append(all.Prefixes, l.Prefixes...)
		all.Objects = append(all.Objects, l.Objects...)
		var dropped bool
		all, dropped = keepLast(all, n)
		earlier = earlier || dropped
		if !l.More {
			return all, earlier, nil
		}
		after = l.Last
	}
}

// keepLast keeps the last n entries of a listing in key order, prefixes and objects together,
// and says whether it dropped any.
func keepLast(l s3.Listing, n int) (s3.Listing, bool) {
	drop := len(l.Prefixes) + len(l.Objects) - n
	if drop <= 0 {
		return l, false
	}
	for drop > 0 {
		// Drop the entry whose key sorts first.
		if len(l.Objects) == 0 || (len(l.Prefixes) > 0 && l.Prefixes[0] < l.Objects[0].Key) {
			l.Prefixes = l.Prefixes[1:]
		} else {
			l.Objects = l.Objects[1:]
		}
		drop--
	}
	return l, true
}

// decodeToken reads --token, the next_token of an earlier `s3 ls`.
func decodeToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	after, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(after) == 0 {
		return "", fmt.Errorf("--token %q is not a token of s3 ls: give the next_token an earlier listing printed", token)
	}
	return string(after), nil
}

// S3Content is what `s3 cat` returns: one object's content.
type S3Content struct {
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	SizeBytes int64  `json:"size_bytes"`
	Content   string `json:"content"`
}

func (env *Env) s3Cat(ctx context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	var buf strings.Builder
	n, err := b.S3.Cat(ctx, b.Bucket, in.Args[0], &buf)
	if err != nil {
		return nil, err
	}
	out := S3Content{Bucket: b.Bucket, Key: in.Args[0], SizeBytes: n, Content: buf.String()}
	return &Result{Data: out, Message: strings.TrimSuffix(out.Content, "\n")}, nil
}

// SinkPartition is one topic partition of `sink status`: what the S3 sink has landed of it.
type SinkPartition struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	// LandedOffset is the offset of the last record landed, -1 when none has.
	LandedOffset int64 `json:"landed_offset"`
	// EndOffset is the offset the next record will get; it is never below LandedOffset+1.
	EndOffset int64 `json:"end_offset"`
	// Lag counts the records not landed yet; never negative.
	Lag int64 `json:"lag"`
	// Objects and LandedBytes count the objects published; from this process's sink, or from a
	// listing of the bucket when the sink runs elsewhere and `sink status` asks.
	Objects     int64  `json:"objects"`
	LandedBytes int64  `json:"landed_bytes"`
	Errors      int64  `json:"errors"`
	LastError   string `json:"last_error"`
}

// landedRecords is how many records of the partition have landed.
func (p SinkPartition) landedRecords() int64 { return p.LandedOffset + 1 }

// SinkStatus is what `sink status` returns: the sink's group and its progress per partition.
type SinkStatus struct {
	Group string `json:"group"`
	// FlushSize is the records per object of the sink running in this process, 0 when it runs
	// elsewhere.
	FlushSize int `json:"flush_size"`
	// InProcess says the sink runs in this process, so objects and bytes count this run's;
	// Stopped that it ended on its Error and lands nothing more.
	InProcess  bool            `json:"in_process"`
	Stopped    bool            `json:"stopped"`
	Error      string          `json:"error"`
	Partitions []SinkPartition `json:"partitions"`
}

// TextTable lists the partitions.
func (s SinkStatus) TextTable() Table {
	t := Table{Columns: []string{"topic", "partition", "landed_offset", "end_offset", "lag", "objects", "landed_bytes", "errors"}}
	for _, r := range s.Partitions {
		t.Rows = append(t.Rows, []string{r.Topic, strconv.Itoa(int(r.Partition)), i64(r.LandedOffset), i64(r.EndOffset), i64(r.Lag), i64(r.Objects), i64(r.LandedBytes), i64(r.Errors)})
	}
	return t
}

// totals adds up the partitions: records in Kafka and records landed.
func (s SinkStatus) totals() (end, landed int64) {
	for _, p := range s.Partitions {
		end += p.EndOffset
		landed += p.landedRecords()
	}
	return end, landed
}

func (env *Env) sinkStatus(ctx context.Context, _ *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	if b.ManagedSink() {
		return env.connectorStatus(ctx, b)
	}
	st, err := env.sinkProgress(ctx, b, true)
	if err != nil {
		return nil, err
	}
	note := "sink runs in another process (group " + st.Group + "); offsets from its commits, objects from a listing of the bucket"
	if st.InProcess {
		note = fmt.Sprintf("sink running in this process: group %s, flush.size %d; objects and bytes count this run's landings", st.Group, st.FlushSize)
	}
	if st.Error != "" {
		note += "; " + st.Error
	}
	for _, r := range st.Partitions {
		if r.LastError != "" {
			note += fmt.Sprintf("\n%s[%d]: %s", r.Topic, r.Partition, r.LastError)
		}
	}
	return &Result{Data: st, Message: note}, nil
}

// sinkProgress reads the sink's progress as one consistent snapshot. The offsets come from Kafka
// (the sink group's commits and the partitions' end offsets), which survive restarts; when this
// process runs the sink its own tallies add what Kafka cannot know yet (files landed but not
// committed, objects, bytes and errors of this run). Only when count is set and the sink runs
// elsewhere is the bucket listed for the objects and bytes: `status`, which the console asks
// every second, never lists it.
func (env *Env) sinkProgress(ctx context.Context, b *backend.Backends, count bool) (SinkStatus, error) {
	st := SinkStatus{Group: sink.DefaultGroup, Partitions: []SinkPartition{}}
	own, inProcess := b.SinkStatus()
	rows, err := groupRows(ctx, b)
	if err != nil {
		if !inProcess {
			return SinkStatus{}, err
		}
		st.Error = "offsets as this run saw them (" + err.Error() + ")"
	}
	st.Partitions = append(st.Partitions, rows...)
	if !inProcess {
		if count {
			tally, err := env.bucket.get(func() (bucketTally, error) { return env.counter.tally(ctx, b.Landings(), b.Topics()) })
			if err != nil {
				return SinkStatus{}, err
			}
			for i := range st.Partitions {
				p := &st.Partitions[i]
				found := tally.partitions[sink.Prefix(p.Topic, p.Partition)]
				p.Objects, p.LandedBytes = found.objects, found.bytes
			}
		}
		return st, nil
	}
	st.InProcess, st.Stopped, st.FlushSize, st.Group = true, own.Stopped, own.FlushSize, own.Group
	if own.Error != "" {
		st.Error = strings.TrimPrefix(strings.TrimPrefix(st.Error+"; ", "; ")+own.Error, "; ")
	}
	at := map[string]int{}
	for i, r := range st.Partitions {
		at[fmt.Sprintf("%s/%d", r.Topic, r.Partition)] = i
	}
	for _, p := range own.Partitions {
		i, known := at[fmt.Sprintf("%s/%d", p.Topic, p.Partition)]
		if !known {
			i = len(st.Partitions)
			st.Partitions = append(st.Partitions, SinkPartition{Topic: p.Topic, Partition: p.Partition, LandedOffset: -1})
		}
		r := &st.Partitions[i]
		r.EndOffset = max(r.EndOffset, p.End)
		r.LandedOffset = min(max(r.LandedOffset, p.LastLanded), r.EndOffset-1)
		r.Lag = r.EndOffset - r.landedRecords()
		r.Objects, r.LandedBytes, r.Errors, r.LastError = p.Objects, p.Bytes, p.Errors, p.Error
	}
	return st, nil
}

// groupRows computes the sink's progress from what any process can see: the topics' end
// offsets and the sink group's committed offsets. The group's offsets are read after the end
// offsets, so a record landed between the two reads could show a commit past the end; the
// later end offset that came with the commits is taken, so landed never passes the end and the
// lag is never negative.
func groupRows(ctx context.Context, b *backend.Backends) ([]SinkPartition, error) {
	rows := []SinkPartition{}
	topics, err := b.Kafka.Describe(ctx, b.Topics()...)
	if err != nil {
		return nil, err
	}
	for _, t := range topics {
		topic := t.Name
		committed, ends := landed(t)
		for _, p := range t.Partitions {
			end := max(p.End, ends[p.ID])
			done := min(committed[p.ID], end)
			rows = append(rows, SinkPartition{Topic: topic, Partition: p.ID, LandedOffset: done - 1, EndOffset: end, Lag: end - done})
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

// bucketCache keeps the last tally of the bucket for `sink status`. A tally is reused until it is
// three times as old as it took to make, so listing a bucket of many landings never takes more
// than a quarter of the time.
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

// LandingsWait is what `wait landings` returns: the landings counted and how long it waited.
type LandingsWait struct {
	Landings int   `json:"landings"`
	WaitedMS int64 `json:"waited_ms"`
}

// checkBudget bounds how long one check of `wait landings` lists the bucket: the first check of
// a bucket of a million landings would take seconds, so it counts as far as it gets and the
// next check goes on from there, each one seeing the deadline and an interrupt in time.
const checkBudget = 500 * time.Millisecond

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
		tally, complete, err := env.counter.check(ctx, b.Landings(), b.Topics(), counted.Add(checkBudget))
		if err != nil {
			return nil, err
		}
		n := tally.objects
		if n >= want {
			waited := time.Since(start)
			return &Result{Data: LandingsWait{Landings: n, WaitedMS: waited.Milliseconds()}, Message: fmt.Sprintf("%d landings after %s", n, waited.Round(time.Millisecond))}, nil
		}
		// A count the budget cut short goes on at once; a whole one lists what landed since the
		// last, and pausing twice as long as it took keeps the listing from starving the sink.
		wait := max(100*time.Millisecond, 2*time.Since(counted))
		if !complete {
			wait = 0
		}
		pause := time.NewTimer(wait)
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
