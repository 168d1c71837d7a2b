package command

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/kinesis"
	"github.com/pintui/pintui/pipeline/stream"
)

const pinStream = "streaming-0a1b2c3d4e5f-pin"

// putPins puts n records into the pin stream, keys k0…, data {"index":i}, and returns the puts.
func putPins(t *testing.T, env *Env, n int) []kinesis.Put {
	t.Helper()
	entries := make([]kinesis.Entry, n)
	for i := range entries {
		entries[i] = kinesis.Entry{PartitionKey: fmt.Sprintf("k%d", i), Data: fmt.Appendf(nil, `{"index":%d}`, i)}
	}
	puts, err := env.Backends.Kinesis.PutRecords(context.Background(), pinStream, entries)
	if err != nil {
		t.Fatal(err)
	}
	return puts
}

// runUntil runs line until its result satisfies ok, for what the stream job reports once it has
// read each shard, and returns that result.
func runUntil(t *testing.T, reg *Registry, line string, ok func(*Result) bool) *Result {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res, err := reg.Run(context.Background(), line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if ok(res) || time.Now().After(deadline) {
			return res
		}
	}
}

func TestStreamsListsThePipelinesStreamsFirst(t *testing.T) {
	env := openStack(t)
	ctx := context.Background()
	if err := env.Backends.Kinesis.Create(ctx, "another", 1); err != nil {
		t.Fatal(err)
	}
	// The stack's owner runs the stream job, which reads the pipeline's streams, not another.
	res := runUntil(t, New(env), "streams", func(res *Result) bool {
		rows := res.Data.([]StreamSummary)
		return !slices.ContainsFunc(rows[:3], func(r StreamSummary) bool { return r.IteratorAgeMS == nil })
	})
	rows := res.Data.([]StreamSummary)
	var names []string
	for i, r := range rows {
		names = append(names, r.Stream)
		if r.Status != "ACTIVE" || r.RetentionHours != 24 || r.Created.IsZero() || (r.IteratorAgeMS == nil) != (i == 3) {
			t.Errorf("streams row %+v, want ACTIVE, 24 h, a creation time and the job's iterator age on the pipeline's streams", r)
		}
	}
	if want := append(stream.Streams("0a1b2c3d4e5f"), "another"); !slices.Equal(names, want) {
		t.Errorf("streams lists %v, want %v", names, want)
	}
	if rows[0].Shards != 2 || rows[3].Shards != 1 || res.Message != "" {
		t.Errorf("streams: %+v, %q; want 2 shards per pipeline stream, 1 in another, no message", rows, res.Message)
	}
}

func TestIteratorAgesAreTheRunningJobsReading(t *testing.T) {
	reading := stream.TableStatus{Stream: pinStream, Reading: true, Lag: 40 * time.Millisecond,
		ShardLag: map[string]time.Duration{"shardId-000000000000": 40 * time.Millisecond, "shardId-000000000001": 0}}
	starting := stream.TableStatus{Stream: "streaming-0a1b2c3d4e5f-geo", ShardLag: map[string]time.Duration{"shardId-000000000000": 0}}
	running := backend.StreamJobState{Ran: true, Running: true, Status: stream.Status{Tables: []stream.TableStatus{reading, starting}}}
	cases := []struct {
		st            backend.StreamJobState
		stream, shard string
		want          *int64
	}{
		{running, pinStream, "", counted(40)},
		{running, pinStream, "shardId-000000000000", counted(40)},
		{running, pinStream, "shardId-000000000001", counted(0)},
		{running, pinStream, "shardId-000000000002", nil},
		{running, "streaming-0a1b2c3d4e5f-geo", "", nil},
		{running, "streaming-0a1b2c3d4e5f-geo", "shardId-000000000000", nil},
		{running, "another", "", nil},
		{backend.StreamJobState{Ran: true, Status: running.Status}, pinStream, "", nil},
		{backend.StreamJobState{Ran: true, Status: running.Status}, pinStream, "shardId-000000000000", nil},
		{backend.StreamJobState{}, pinStream, "", nil},
	}
	for _, c := range cases {
		got := streamAge(c.st, c.stream)
		if c.shard != "" {
			got = shardAge(c.st, c.stream, c.shard)
		}
		if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
			t.Errorf("age of %s %s (running %v) = %v, want %v", c.stream, c.shard, c.st.Running, Cell(got), Cell(c.want))
		}
	}
}

func TestStreamShowsEachShardsNewestRecord(t *testing.T) {
	env := openStack(t)
	puts := putPins(t, env, 6)
	newest := map[string]string{}
	for _, p := range puts {
		newest[p.Shard] = p.Sequence
	}
	res := runUntil(t, New(env), "stream "+pinStream, func(res *Result) bool {
		return !slices.ContainsFunc(res.Data.(StreamDetail).Shards, func(s StreamShard) bool { return s.IteratorAgeMS == nil })
	})
	d := res.Data.(StreamDetail)
	if d.Stream != pinStream || d.Status != "ACTIVE" || !strings.HasSuffix(d.ARN, ":stream/"+pinStream) || len(d.Shards) != 2 {
		t.Fatalf("stream = %+v", d)
	}
	for _, s := range d.Shards {
		if s.LatestSequence != newest[s.Shard] || (s.LatestSequence != "") == s.LatestArrival.IsZero() || s.StartingSequence == "" || s.IteratorAgeMS == nil {
			t.Errorf("shard %+v, want its newest record %q and the stream job's iterator age", s, newest[s.Shard])
		}
	}
	if d.Shards[0].StartingHashKey != "0" || d.Shards[1].EndingHashKey != "340282366920938463463374607431768211455" {
		t.Errorf("hash-key ranges %+v, want 0 … 2^128-1 over the shards", d.Shards)
	}
	if want := pinStream + ": ACTIVE, 2 shards, 24 h retention"; res.Message != want {
		t.Errorf("message %q, want %q", res.Message, want)
	}
}

func TestTailStreamReadsUpToMax(t *testing.T) {
	env := openStack(t)
	ctx := context.Background()
	putPins(t, env, 5)
	reg := New(env)
	cases := []struct {
		line      string
		n         int
		truncated bool
		message   string
	}{
		{"tail stream " + pinStream, 5, false, "5 records"},
		{"tail stream " + pinStream + " --max 2", 2, true, "2 records: stopped at --max 2; more follow: raise --max, or --max 0 reads up to the end"},
		{"tail stream " + pinStream + " --max 0", 5, false, "5 records"},
		{"tail stream " + pinStream + " --from latest", 0, false, "0 records"},
		{"tail stream " + pinStream + " --from -1h", 5, false, "5 records"},
	}
	for _, c := range cases {
		res, err := reg.Run(ctx, c.line)
		if err != nil {
			t.Fatalf("%s: %v", c.line, err)
		}
		r := res.Data.(StreamTailResult)
		if len(r.Records) != c.n || r.Truncated != c.truncated || r.Stream != pinStream || res.Message != c.message {
			t.Errorf("%s: %d records, truncated %v, %q; want %d, %v, %q", c.line, len(r.Records), r.Truncated, res.Message, c.n, c.truncated, c.message)
		}
	}
	res, err := reg.Run(ctx, "tail stream "+pinStream)
	if err != nil {
		t.Fatal(err)
	}
	var data []string
	for _, r := range res.Data.(StreamTailResult).Records {
		data = append(data, r.Data)
		if !strings.HasPrefix(r.Shard, "shardId-") || len(r.Sequence) < 20 || r.Arrival.IsZero() || r.PartitionKey == "" {
			t.Errorf("record %+v, want its shard, sequence, arrival and key", r)
		}
	}
	slices.Sort(data)
	if want := []string{`{"index":0}`, `{"index":1}`, `{"index":2}`, `{"index":3}`, `{"index":4}`}; !slices.Equal(data, want) {
		t.Errorf("tail stream read %v, want %v", data, want)
	}
}

func TestStreamCommandsRefuseBadInputClearly(t *testing.T) {
	env := openStack(t)
	reg := New(env)
	ctx := context.Background()
	cases := []struct {
		line, want string
		usage      bool
	}{
		{"tail stream " + pinStream + " --from 42", `tail stream: --from "42" is not valid: a stream has no offsets, and a sequence number has 20 or more digits: use trim-horizon, latest,`, true},
		{"tail stream " + pinStream + " --from beginning", `tail stream: --from "beginning" is not valid: use trim-horizon, latest, a sequence number (20 or more digits), or a time`, true},
		{"tail stream " + pinStream + " --max -1", `tail stream: --max "-1" is not valid: use 0 or more`, true},
		{"tail stream nope", "tail stream: read nope: list the shards of nope: it does not exist (ResourceNotFoundException: ", false},
		{"stream nope", "stream: describe stream nope: it does not exist (ResourceNotFoundException: ", false},
	}
	for _, c := range cases {
		_, err := reg.Run(ctx, c.line)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || IsUsage(err) != c.usage {
			t.Errorf("%s: %v (usage %v), want %q (usage %v)", c.line, err, IsUsage(err), c.want, c.usage)
		}
	}
}

func TestCompleteOffersTheStreams(t *testing.T) {
	env := openStack(t)
	reg := New(env)
	cases := map[string][]string{
		"stream streaming-0a1b2c3d4e5f-p":      {"stream streaming-0a1b2c3d4e5f-pin"},
		"tail stream streaming-0a1b2c3d4e5f-u": {"tail stream streaming-0a1b2c3d4e5f-user"},
	}
	for line, want := range cases {
		got, err := reg.Complete(context.Background(), line)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Complete(%q) = %q, %v; want %q", line, got, err, want)
		}
	}
}

func TestStreamTablesLayOutTheTypedValues(t *testing.T) {
	age := int64(120)
	arrival := At(time.Date(2026, 12, 1, 10, 0, 0, 250e6, time.UTC))
	d := StreamDetail{Shards: []StreamShard{
		{Shard: "shardId-000000000000", StartingHashKey: "0", EndingHashKey: "9", StartingSequence: "100", LatestSequence: "105", LatestArrival: arrival, IteratorAgeMS: &age},
		{Shard: "shardId-000000000001", StartingHashKey: "10", EndingHashKey: "19", StartingSequence: "200"},
	}}
	want := Table{
		Columns: []string{"shard", "starting_hash_key", "ending_hash_key", "starting_sequence", "latest_sequence", "latest_arrival", "iterator_age_ms"},
		Rows: [][]string{
			{"shardId-000000000000", "0", "9", "100", "105", "2026-12-01T10:00:00Z", "120"},
			{"shardId-000000000001", "10", "19", "200", "", "", ""},
		},
	}
	if got := d.TextTable(); !reflect.DeepEqual(got, want) {
		t.Errorf("StreamDetail table\n%v\nwant\n%v", got, want)
	}
	r := StreamTailResult{Records: []StreamTailRecord{{Shard: "shardId-000000000001", Sequence: "200", Arrival: arrival, PartitionKey: "k", Data: `{"index":1}`}}}
	want = Table{
		Columns: []string{"shard", "sequence", "arrival", "partition_key", "data"},
		Rows:    [][]string{{"shardId-000000000001", "200", "2026-12-01 10:00:00.250", "k", `{"index":1}`}},
	}
	if got := r.TextTable(); !reflect.DeepEqual(got, want) {
		t.Errorf("StreamTailResult table\n%v\nwant\n%v", got, want)
	}
}
