package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// From is where a tail starts reading each partition.
type From struct {
	at   int64
	end  bool
	back int64 // records before the end, when positive
}

// Beginning starts a tail at the first record each partition still stores.
var Beginning = From{at: 0}

// End starts a tail after the last record, so only new records arrive.
var End = From{end: true}

// At starts a tail at the given offset of every partition.
func At(offset int64) From { return From{at: offset} }

// Last starts a tail n records before the end of every partition (at its first stored record if
// it holds fewer), as kcat's -o -n does.
func Last(n int64) From { return From{back: n} }

// offset is where the tail starts on a partition holding [start, end); an offset outside is
// clamped into it, so a stale offset never makes the client reset somewhere surprising.
func (f From) offset(p Partition) int64 {
	switch {
	case f.end:
		return p.End
	case f.back > 0:
		return max(p.End-f.back, p.Start)
	case f.at < p.Start:
		return p.Start
	case f.at > p.End:
		return p.End
	default:
		return f.at
	}
}

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
	start := make(map[int32]kgo.Offset, len(t.Partitions))
	remaining := make(map[int32]int64, len(t.Partitions))
	for _, p := range t.Partitions {
		first := o.From.offset(p)
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
