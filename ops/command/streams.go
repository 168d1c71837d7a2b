package command

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/kinesis"
	"github.com/pintui/pintui/pipeline/stream"
)

// errNoKinesis is the error of the stream commands when the pipeline reaches no Kinesis.
var errNoKinesis = errors.New("the local stack serves no Kinesis: stop the pintui that owns the data dir and start pintui again")

// kinesisBackends returns the running pipeline with its Kinesis client, or why there is none.
func (env *Env) kinesisBackends() (*backend.Backends, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	if b.Kinesis == nil {
		return nil, errNoKinesis
	}
	return b, nil
}

// jobReading is the stream job's reading of stream while the job runs and every shard of the
// stream has answered it once.
func jobReading(st backend.StreamJobState, name string) (stream.TableStatus, bool) {
	if !st.Running {
		return stream.TableStatus{}, false
	}
	for _, t := range st.Status.Tables {
		if t.Stream == name && t.Reading {
			return t, true
		}
	}
	return stream.TableStatus{}, false
}

// streamAge is the stream job's iterator age on stream, its largest MillisBehindLatest over
// the shards; nil while the job does not read the stream.
func streamAge(st backend.StreamJobState, name string) *int64 {
	t, ok := jobReading(st, name)
	if !ok {
		return nil
	}
	ms := t.Lag.Milliseconds()
	return &ms
}

// shardAge is the stream job's MillisBehindLatest on one shard; nil while the job does not read it.
func shardAge(st backend.StreamJobState, name, shard string) *int64 {
	t, ok := jobReading(st, name)
	lag, read := t.ShardLag[shard]
	if !ok || !read {
		return nil
	}
	ms := lag.Milliseconds()
	return &ms
}

func (env *Env) streamCommands() []*Command {
	return []*Command{
		{Name: "streams", Help: "List the Kinesis streams with status, open shards, retention, creation time and the stream job's iterator age.", Run: env.streams},
		{
			Name: "stream", Args: "STREAM", MinArgs: 1, MaxArgs: 1,
			Help: "Show a stream's shards: hash-key ranges, first and newest sequence numbers and the stream job's iterator age.",
			Run:  env.stream, Complete: env.completeStreams,
		},
		{
			Name: "tail stream", Args: "STREAM", MinArgs: 1, MaxArgs: 1,
			Help: "Print a stream's records, every shard read at once, in the order they arrived.",
			Flags: []Flag{
				{Name: "from", Default: "trim-horizon", Help: "where each shard starts: " + kinesis.FromForms},
				{Name: "max", Default: "100", Help: "stop after this many records (0: up to the current end)"},
			},
			Run: env.tailStream, Complete: env.completeStreams,
		},
	}
}

// pipelineFirst orders streams with the pipeline's own first, in the pipeline's order, then the
// others by name.
func pipelineFirst(list []kinesis.Stream, pipeline []string) []kinesis.Stream {
	rank := func(name string) int {
		if i := slices.Index(pipeline, name); i >= 0 {
			return i
		}
		return len(pipeline)
	}
	slices.SortStableFunc(list, func(a, b kinesis.Stream) int {
		if d := rank(a.Name) - rank(b.Name); d != 0 {
			return d
		}
		return strings.Compare(a.Name, b.Name)
	})
	return list
}

func (env *Env) streams(ctx context.Context, _ *Invocation) (*Result, error) {
	b, err := env.kinesisBackends()
	if err != nil {
		return nil, err
	}
	pipeline, job := b.Streams(), b.StreamJob()
	list, err := b.Kinesis.Streams(ctx)
	if err != nil {
		return nil, err
	}
	rows := []StreamSummary{}
	var missing []string
	for _, name := range pipeline {
		if !slices.ContainsFunc(list, func(s kinesis.Stream) bool { return s.Name == name }) {
			missing = append(missing, name)
		}
	}
	for _, s := range pipelineFirst(list, pipeline) {
		rows = append(rows, StreamSummary{Stream: s.Name, Status: s.Status, Shards: s.Shards, RetentionHours: s.RetentionHours, Created: At(s.Created),
			IteratorAgeMS: streamAge(job, s.Name)})
	}
	res := &Result{Data: rows}
	if len(missing) > 0 {
		res.Message = fmt.Sprintf("%s missing: the local stack creates the pipeline's streams when it starts; in AWS create them (aws kinesis create-stream --stream-name NAME --shard-count 1)",
			strings.Join(missing, ", "))
	}
	return res, nil
}

// TextTable lists the shards with their hash-key ranges, first and newest sequence numbers.
func (d StreamDetail) TextTable() Table {
	t := Table{Columns: []string{"shard", "starting_hash_key", "ending_hash_key", "starting_sequence", "latest_sequence", "latest_arrival", "iterator_age_ms"}}
	for _, s := range d.Shards {
		t.Rows = append(t.Rows, []string{s.Shard, s.StartingHashKey, s.EndingHashKey, s.StartingSequence, s.LatestSequence, Cell(s.LatestArrival), Cell(s.IteratorAgeMS)})
	}
	return t
}

func (env *Env) stream(ctx context.Context, in *Invocation) (*Result, error) {
	b, err := env.kinesisBackends()
	if err != nil {
		return nil, err
	}
	c, job := b.Kinesis, b.StreamJob()
	d, err := c.Describe(ctx, in.Args[0])
	if err != nil {
		return nil, err
	}
	out := StreamDetail{Stream: d.Name, ARN: d.ARN, Status: d.Status, RetentionHours: d.RetentionHours, Created: At(d.Created), Shards: []StreamShard{}}
	for _, s := range d.Shards {
		shard := StreamShard{Shard: s.ID, StartingHashKey: s.StartingHashKey, EndingHashKey: s.EndingHashKey, StartingSequence: s.StartingSequence,
			IteratorAgeMS: shardAge(job, d.Name, s.ID)}
		newest, ok, err := c.Newest(ctx, d.Name, s.ID)
		if err != nil {
			return nil, fmt.Errorf("the newest record of %s %s: %w", d.Name, s.ID, err)
		}
		if ok {
			shard.LatestSequence, shard.LatestArrival = newest.Sequence, At(newest.Arrival)
		}
		out.Shards = append(out.Shards, shard)
	}
	return &Result{Data: out, Message: fmt.Sprintf("%s: %s, %d shards, %d h retention", d.Name, d.Status, len(d.Shards), d.RetentionHours)}, nil
}

// TextTable lists the records; arrival times to the millisecond.
func (r StreamTailResult) TextTable() Table {
	t := Table{Columns: []string{"shard", "sequence", "arrival", "partition_key", "data"}}
	for _, rec := range r.Records {
		t.Rows = append(t.Rows, []string{rec.Shard, rec.Sequence, rec.Arrival.UTC().Format("2006-01-02 15:04:05.000"), rec.PartitionKey, rec.Data})
	}
	return t
}

func (env *Env) tailStream(ctx context.Context, in *Invocation) (*Result, error) {
	b, err := env.kinesisBackends()
	if err != nil {
		return nil, err
	}
	from, err := kinesis.ParseFrom(in.Flag("from"), time.Now())
	if err != nil {
		return nil, usage(err)
	}
	limit, err := in.Int("max")
	if err != nil || limit < 0 {
		return nil, usage(fmt.Errorf("--max %q is not valid: use 0 or more", in.Flag("max")))
	}
	recs, truncated, err := b.Kinesis.Read(ctx, in.Args[0], from, limit)
	if err != nil {
		return nil, err
	}
	out := StreamTailResult{Stream: in.Args[0], Records: make([]StreamTailRecord, len(recs)), Max: limit, Truncated: truncated}
	for i, r := range recs {
		out.Records[i] = StreamTailRecord{Shard: r.Shard, Sequence: r.Sequence, Arrival: At(r.Arrival), PartitionKey: r.PartitionKey, Data: string(r.Data)}
	}
	res := &Result{Data: out, Message: fmt.Sprintf("%d records", len(recs))}
	if truncated {
		res.Message = fmt.Sprintf("%d records: stopped at --max %d; more follow: raise --max, or --max 0 reads up to the end", limit, limit)
	}
	return res, nil
}

// completeStreams offers the streams the Kinesis has.
func (env *Env) completeStreams(ctx context.Context, _ string) ([]string, error) {
	b, err := env.kinesisBackends()
	if err != nil {
		return nil, err
	}
	return b.Kinesis.StreamNames(ctx)
}
