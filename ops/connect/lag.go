package connect

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// PartitionLag is the connector's group on one topic partition.
type PartitionLag struct {
	Topic     string
	Partition int32
	// Committed is the group's next offset to read, -1 when it never committed here.
	Committed int64
	End       int64
	// Lag counts the records the connector has not landed yet; never negative.
	Lag int64
}

// Lag returns the group's lag on every partition of the topics, sorted by topic and partition,
// from the partitions' end offsets and the group's commits. A partition the group never
// committed on lags by every offset below its end, since Kafka Connect reads a new partition
// from the earliest record; a commit made between the two reads can pass the end read first,
// and then the lag is 0, never negative.
func Lag(ctx context.Context, adm *kadm.Client, group string, topics ...string) ([]PartitionLag, error) {
	ends, err := adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("list end offsets of %v: %w: check that Kafka is reachable", topics, err)
	}
	commits, err := adm.FetchOffsets(ctx, group)
	if err != nil && !errors.Is(err, kerr.GroupIDNotFound) {
		return nil, fmt.Errorf("fetch offsets of group %s: %w: check that Kafka is reachable and the profile may describe the group", group, err)
	}
	out := []PartitionLag{}
	var failed error
	ends.Each(func(end kadm.ListedOffset) {
		if end.Err != nil {
			failed = errors.Join(failed, fmt.Errorf("end offset of %s partition %d: %w", end.Topic, end.Partition, end.Err))
			return
		}
		p := PartitionLag{Topic: end.Topic, Partition: end.Partition, Committed: -1, End: end.Offset}
		if c, ok := commits.Lookup(end.Topic, end.Partition); ok && c.Err == nil && c.At >= 0 {
			p.Committed = c.At
		}
		p.Lag = max(p.End-max(p.Committed, 0), 0)
		out = append(out, p)
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Topic != out[j].Topic {
			return out[i].Topic < out[j].Topic
		}
		return out[i].Partition < out[j].Partition
	})
	if failed != nil {
		return out, fmt.Errorf("lag of group %s: %w: check that the topics exist", group, failed)
	}
	return out, nil
}
