package sink

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// GroupStatus reads a sink's progress from Kafka alone, for a status query from a process other
// than the one running the sink. Because the sink commits only past published files, the
// committed offset of each partition is also where its landing ends. Counters that live only in
// the running sink (objects, bytes, errors, buffered and in-flight files) are zero.
func GroupStatus(ctx context.Context, client *kgo.Client, group string, topics ...string) (Status, error) {
	adm := kadm.NewClient(client)
	ends, err := adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return Status{}, fmt.Errorf("list end offsets of %v: %w; check that Kafka is reachable", topics, err)
	}
	commits, err := adm.FetchOffsets(ctx, group)
	if err != nil && !errors.Is(err, kerr.GroupIDNotFound) {
		return Status{}, fmt.Errorf("fetch offsets of group %s: %w; check that Kafka is reachable", group, err)
	}
	st := Status{Group: group}
	var failed error
	ends.Each(func(end kadm.ListedOffset) {
		ps := PartitionStatus{Topic: end.Topic, Partition: end.Partition, LastLanded: -1, Committed: -1, End: end.Offset}
		if end.Err != nil {
			failed = cmp.Or(failed, fmt.Errorf("end offset of %s partition %d: %w", end.Topic, end.Partition, end.Err))
			ps.End = -1
			ps.Error = end.Err.Error()
		}
		if c, ok := commits.Lookup(end.Topic, end.Partition); ok && c.Err == nil && c.At >= 0 {
			ps.Committed = c.At
			ps.LastLanded = c.At - 1
		}
		if ps.End >= 0 {
			ps.Lag = max(ps.End-(ps.LastLanded+1), 0)
		}
		st.Partitions = append(st.Partitions, ps)
	})
	sortPartitions(st.Partitions)
	if len(st.Partitions) == 0 && failed == nil {
		return st, fmt.Errorf("status of group %s: none of the topics %v exist; start the pipeline or check the user id", group, topics)
	}
	return st, failed
}
