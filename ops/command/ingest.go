package command

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/kafka"
	"github.com/pintui/pintui/pipeline/sink"
)

// errNoBackends is returned by commands that need the running pipeline when it is not open.
var errNoBackends = errors.New("the pipeline is not running in this command: use the console or pintui --script")

// backends returns the running pipeline, or the one error that says why it cannot be reached:
// not open in this command, or its owner has stopped.
func (env *Env) backends() (*backend.Backends, error) {
	if env.Backends == nil {
		return nil, errNoBackends
	}
	if err := env.Backends.Owner().Err; err != nil {
		return nil, err
	}
	return env.Backends, nil
}

func (env *Env) ingestCommands() []*Command {
	return []*Command{
		{Name: "topics", Help: "List the Kafka topics with partitions, end offsets, records landed by the S3 sink and its lag.", Run: env.topics},
		{Name: "topic", Args: "TOPIC", MinArgs: 1, MaxArgs: 1, Help: "Show a topic's partitions with start and end offsets and each consumer group's committed offset and lag.", Run: env.topic, Complete: env.completeTopics},
		{
			Name: "tail topic", Args: "TOPIC", MinArgs: 1, MaxArgs: 1,
			Help: "Print a topic's records without joining a consumer group.",
			Flags: []Flag{
				{Name: "from", Default: "beginning", Help: "where to start: beginning, end, an offset, -N for the last N records of each partition, or a time (RFC 3339, -10m, s@<unix ms>) for each partition's first record at or after it"},
				{Name: "max", Default: "100", Help: "stop after this many records (0: up to the current end)"},
			},
			Run: env.tail, Complete: env.completeTopics,
		},
		{
			Name:  "emulate batch",
			Help:  "Start the batch emulator in the background: draw rows from the source and post pin, geo and user to the gateway's REST Proxy routes, into Kafka.",
			Flags: emulateFlags(stopLine(backend.BatchEmulator)),
			Run:   env.emulateBatch,
		},
		{
			Name:  "emulate stream",
			Help:  "Start the streaming emulator in the background: draw rows from the source and put pin, geo and user to the gateway's Kinesis proxy, into the three streams.",
			Flags: emulateFlags(stopLine(backend.StreamEmulator)),
			Run:   env.emulateStream,
		},
		{Name: "emulate stop", Args: "[batch|stream]", MaxArgs: 1, Help: "Stop the running emulator, the batch one unless stream is named.", Run: env.emulateStop, Complete: completeKinds},
		{
			Name: "emulate rate", Args: "[batch|stream] DRAWS_PER_S", MinArgs: 1, MaxArgs: 2,
			Help: "Change the draws per second of the running emulator, the batch one unless stream is named; its counters go on.",
			Run:  env.emulateRate, Complete: completeKinds,
		},
		{
			Name: "emulate status", Args: "[batch|stream]", MaxArgs: 1,
			Help: "Show both emulators, or the one named: state, configured and measured draws/s and per-table sent and failed posts.",
			Run:  env.emulateStatus, Complete: completeKinds,
		},
		{
			Name: "s3 ls", Args: "[PREFIX]", MaxArgs: 1,
			Help: "List the landing bucket under a prefix: folders first, then objects with size and time.",
			Flags: []Flag{
				{Name: "limit", Default: "1000", Help: "list at most this many entries (0: all)"},
				{Name: "token", Help: "go on from an earlier listing: the next_token it printed"},
				{Name: "last", Help: "list the last N entries instead (a partition's newest landings), reading --limit at a time"},
			},
			Run: env.s3Ls, Complete: env.completeKeys,
		},
		{Name: "s3 cat", Args: "KEY", MinArgs: 1, MaxArgs: 1, Help: "Print an object of the landing bucket.", Run: env.s3Cat, Complete: env.completeKeys},
		{Name: "sink status", Help: "Show, per topic partition, the last offset the S3 sink landed, the end offset, the lag and the objects written.", Run: env.sinkStatus},
		{
			Name: "wait emulator", Args: "[batch|stream]", MaxArgs: 1,
			Help:  "Wait until the running emulator, the batch one unless stream is named, has posted its --count draws.",
			Flags: []Flag{{Name: "timeout", Default: "60s", Help: "give up after this long"}},
			Run:   env.waitEmulator, Complete: completeKinds,
		},
		{
			Name: "wait landings", Args: ">= N", MinArgs: 2, MaxArgs: 2,
			Help:  "Wait until the landing bucket holds at least N objects across the three topics.",
			Flags: []Flag{{Name: "timeout", Default: "60s", Help: "give up after this long"}},
			Run:   env.waitLandings,
		},
	}
}

// landed returns the sink group's committed offsets per partition of a topic, and the end
// offsets that were read with them.
func landed(t kafka.Topic) (committed, ends map[int32]int64) {
	committed, ends = map[int32]int64{}, map[int32]int64{}
	for _, g := range t.Groups {
		if g.Group != sink.DefaultGroup {
			continue
		}
		for _, p := range g.Partitions {
			committed[p.Partition] = max(p.Committed, 0)
			ends[p.Partition] = p.End
		}
	}
	return committed, ends
}

// TopicSummary is one row of `topics`.
type TopicSummary struct {
	Topic      string `json:"topic"`
	Partitions int    `json:"partitions"`
	// Records is how many records the topic stores; EndOffset is the sum of its partitions' ends.
	Records   int64 `json:"records"`
	EndOffset int64 `json:"end_offset"`
	// Landed counts the records the S3 sink has landed; Lag what it has yet to land.
	Landed int64 `json:"landed"`
	Lag    int64 `json:"lag"`
}

func (env *Env) topics(ctx context.Context, _ *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	list, err := b.Kafka.Topics(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(list))
	for i, t := range list {
		names[i] = t.Name
	}
	details, err := b.Kafka.Describe(ctx, names...)
	if err != nil {
		return nil, err
	}
	rows := []TopicSummary{}
	for _, detail := range details {
		r := TopicSummary{Topic: detail.Name, Partitions: len(detail.Partitions), Records: detail.Records()}
		committed, ends := landed(detail)
		for _, p := range detail.Partitions {
			end := max(p.End, ends[p.ID])
			r.EndOffset += end
			r.Landed += min(committed[p.ID], end)
		}
		r.Lag = r.EndOffset - r.Landed
		rows = append(rows, r)
	}
	res := &Result{Data: rows}
	if len(rows) == 0 {
		res.Message = "no topics yet: they are created when the local stack starts or the first record is produced"
	}
	return res, nil
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// TopicDetail is what `topic` returns: a topic's partitions and the consumer groups on it.
type TopicDetail struct {
	Topic      string           `json:"topic"`
	Partitions []TopicPartition `json:"partitions"`
	Groups     []TopicGroup     `json:"groups"`
}

// TopicPartition is one partition with the offsets it stores.
type TopicPartition struct {
	Partition   int32 `json:"partition"`
	StartOffset int64 `json:"start_offset"`
	EndOffset   int64 `json:"end_offset"`
	Records     int64 `json:"records"`
}

// TopicGroup is one consumer group that committed on the topic.
type TopicGroup struct {
	Group      string                `json:"group"`
	State      string                `json:"state"`
	Lag        int64                 `json:"lag"`
	Partitions []TopicGroupPartition `json:"partitions"`
}

// TopicGroupPartition is one group's position on one partition.
type TopicGroupPartition struct {
	Partition int32 `json:"partition"`
	// Committed is the group's next offset to read, -1 if it never committed here.
	Committed int64 `json:"committed"`
	EndOffset int64 `json:"end_offset"`
	Lag       int64 `json:"lag"`
}

// TextTable lists each partition with each group's committed offset and lag on it.
func (d TopicDetail) TextTable() Table {
	t := Table{Columns: []string{"partition", "start_offset", "end_offset", "group", "committed", "lag"}}
	for _, p := range d.Partitions {
		found := false
		for _, g := range d.Groups {
			for _, gp := range g.Partitions {
				if gp.Partition == p.Partition {
					found = true
					t.Rows = append(t.Rows, []string{strconv.Itoa(int(p.Partition)), i64(p.StartOffset), i64(p.EndOffset), g.Group, i64(gp.Committed), i64(gp.Lag)})
				}
			}
		}
		if !found {
			t.Rows = append(t.Rows, []string{strconv.Itoa(int(p.Partition)), i64(p.StartOffset), i64(p.EndOffset), "", "", ""})
		}
	}
	return t
}

func (env *Env) topic(ctx context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	t, err := b.Kafka.Topic(ctx, in.Args[0])
	if err != nil {
		return nil, err
	}
	d := TopicDetail{Topic: t.Name, Partitions: []TopicPartition{}, Groups: []TopicGroup{}}
	for _, p := range t.Partitions {
		d.Partitions = append(d.Partitions, TopicPartition{Partition: p.ID, StartOffset: p.Start, EndOffset: p.End, Records: p.End - p.Start})
	}
	for _, g := range t.Groups {
		tg := TopicGroup{Group: g.Group, State: g.State, Lag: g.Total, Partitions: []TopicGroupPartition{}}
		for _, p := range g.Partitions {
			tg.Partitions = append(tg.Partitions, TopicGroupPartition{Partition: p.Partition, Committed: p.Committed, EndOffset: p.End, Lag: max(p.Lag, 0)})
		}
		d.Groups = append(d.Groups, tg)
	}
	return &Result{Data: d}, nil
}

// TailRecord is one record of `tail topic`.
type TailRecord struct {
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	Timestamp Time   `json:"timestamp"`
	Key       string `json:"key"`
	Value     string `json:"value"`
}

// TailResult is what `tail topic` returns: the records read and whether --max cut the read short.
type TailResult struct {
	Topic   string       `json:"topic"`
	Records []TailRecord `json:"records"`
	// Max is the --max the read stopped at; Truncated says more records were there to read.
	Max       int  `json:"max"`
	Truncated bool `json:"truncated"`
}

// TextTable lists the records; timestamps to the millisecond, as kcat shows them.
func (r TailResult) TextTable() Table {
	t := Table{Columns: []string{"partition", "offset", "timestamp", "value"}}
	for _, rec := range r.Records {
		t.Rows = append(t.Rows, []string{strconv.Itoa(int(rec.Partition)), i64(rec.Offset), rec.Timestamp.UTC().Format("2006-01-02 15:04:05.000"), rec.Value})
	}
	return t
}

func (env *Env) tail(ctx context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	from, err := kafka.ParseFrom(in.Flag("from"), time.Now())
	if err != nil {
		return nil, err
	}
	limit, err := in.Int("max")
	if err != nil || limit < 0 {
		return nil, fmt.Errorf("--max %q is not valid: use 0 or more", in.Flag("max"))
	}
	out := TailResult{Topic: in.Args[0], Records: []TailRecord{}, Max: limit}
	// One record past --max tells a read that stopped at its limit from one that reached the end.
	read := limit
	if limit > 0 {
		read = limit + 1
	}
	err = b.Kafka.Tail(ctx, in.Args[0], kafka.TailOptions{From: from, Max: read}, func(r kafka.Record) error {
		if limit > 0 && len(out.Records) == limit {
			out.Truncated = true
			return nil
		}
		out.Records = append(out.Records, TailRecord{Partition: r.Partition, Offset: r.Offset, Timestamp: At(r.Time), Key: string(r.Key), Value: string(r.Value)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	res := &Result{Data: out, Message: fmt.Sprintf("%d records", len(out.Records))}
	if out.Truncated {
		res.Message = fmt.Sprintf("%d records: stopped at --max %d; more follow: raise --max, or --max 0 reads up to the end", limit, limit)
	}
	return res, nil
}
