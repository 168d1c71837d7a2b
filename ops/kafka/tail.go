package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TailOptions bound a tail: where it starts, how many records it returns, and whether it waits for new ones.
type TailOptions struct {
	From From
	// Max stops the tail after this many records; 0 means no limit.
	Max int
	// Follow keeps waiting for new records until the context ends; without it the tail stops at
	// the end offsets seen when it started.
	Follow bool
}

// Record is one Kafka record as a tail delivers it.
type Record struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte
	Value     []byte
	Time      time.Time
}

// errTailDone stops the poll loop once the tail has delivered what was asked for.
var errTailDone = errors.New("tail done")

// Tail reads records of topic and hands each to fn in partition order, without joining a
// consumer group, so it never moves anyone's committed offsets. It returns when Max records were
// delivered, when the end is reached (without Follow), when fn returns an error (which Tail
// returns), or when ctx ends (a nil error if the tail was following).
func (c *Client) Tail(ctx context.Context, topic string, o TailOptions, fn func(Record) error) error {
	t, err := c.Topic(ctx, topic)
	if err != nil {
		return fmt.Errorf("tail %s: %w", topic, err)
	}
	firsts, err := c.firstOffsets(ctx, t, o.From)
	if err != nil {
		return fmt.Errorf("tail %s: %w", topic, err)
	}
	start := make(map[int32]kgo.Offset, len(t.Partitions))
	remaining := make(map[int32]int64, len(t.Partitions))
	for _, p := range t.Partitions {
		first := firsts[p.ID]
		start[p.ID] = kgo.NewOffset().At(first)
		if !o.Follow && first < p.End {
			remaining[p.ID] = p.End
		}
	}
	if !o.Follow && len(remaining) == 0 {
		return nil
	}
	opts := append(append([]kgo.Opt(nil), c.opts...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: start}))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("tail %s: %w", topic, err)
	}
	defer cl.Close()

	delivered := 0
	deliver := func(r *kgo.Record) error {
		if end, ok := remaining[r.Partition]; !o.Follow && (!ok || r.Offset >= end) {
			return nil
		}
		if err := fn(Record{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, Key: r.Key, Value: r.Value, Time: r.Timestamp}); err != nil {
			return err
		}
		delivered++
		if !o.Follow && r.Offset+1 >= remaining[r.Partition] {
			delete(remaining, r.Partition)
		}
		if (o.Max > 0 && delivered >= o.Max) || (!o.Follow && len(remaining) == 0) {
			return errTailDone
		}
		return nil
	}
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			if o.Follow {
				return nil
			}
			return fmt.Errorf("tail %s: %w", topic, ctx.Err())
		}
		var fetchErr error
		fetches.EachError(func(t string, p int32, err error) {
			if fetchErr == nil {
				fetchErr = fmt.Errorf("tail %s partition %d: %w", t, p, err)
			}
		})
		if fetchErr != nil {
			return fetchErr
		}
		var stop error
		fetches.EachRecord(func(r *kgo.Record) {
			if stop == nil {
				stop = deliver(r)
			}
		})
		if errors.Is(stop, errTailDone) {
			return nil
		}
		if stop != nil {
			return stop
		}
	}
}

// firstOffsets is where a tail from f starts on each partition of t; a time asks the cluster for
// each partition's first offset stamped at or after it.
func (c *Client) firstOffsets(ctx context.Context, t Topic, f From) (map[int32]int64, error) {
	firsts := make(map[int32]int64, len(t.Partitions))
	if f.kind != fromTime {
		for _, p := range t.Partitions {
			firsts[p.ID] = f.offset(p)
		}
		return firsts, nil
	}
	listed, err := c.adm.ListOffsetsAfterMilli(ctx, f.n, t.Name)
	if err == nil {
		err = listed.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("list offsets after %s: %w", time.UnixMilli(f.n).UTC().Format(time.RFC3339Nano), err)
	}
	for _, p := range t.Partitions {
		o, ok := listed.Lookup(t.Name, p.ID)
		if !ok {
			return nil, fmt.Errorf("list offsets after %s: no answer for partition %d", time.UnixMilli(f.n).UTC().Format(time.RFC3339Nano), p.ID)
		}
		firsts[p.ID] = max(o.Offset, p.Start)
	}
	return firsts, nil
}
