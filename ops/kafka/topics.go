package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// Partition is one partition of a topic with the offsets it holds: Start is the first offset
// still stored and End the offset the next record will get, so End-Start records are stored.
type Partition struct {
	ID    int32
	Start int64
	End   int64
}

// PartitionLag is how far one consumer group's committed offset trails a partition's end.
type PartitionLag struct {
	Partition int32
	// Committed is the group's next offset to read, or -1 if it never committed on this partition.
	Committed int64
	End       int64
	Lag       int64
}

// GroupLag is the lag of one consumer group on a topic, such as the S3 sink's group.
type GroupLag struct {
	Group      string
	State      string
	Partitions []PartitionLag
	// Total is the sum of the partitions' lags.
	Total int64
}

// Topic is a topic with its partitions' offsets and, from Client.Topic, its consumer groups' lag.
type Topic struct {
	Name       string
	Partitions []Partition
	Groups     []GroupLag
}

// Records returns how many records the topic stores across its partitions.
func (t Topic) Records() int64 {
	var n int64
	for _, p := range t.Partitions {
		n += p.End - p.Start
	}
	return n
}

// Topics returns every non-internal topic sorted by name, with partition offsets but no group lag.
func (c *Client) Topics(ctx context.Context) ([]Topic, error) {
	details, err := c.adm.ListTopics(ctx)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	names := details.Names()
	if len(names) == 0 {
		return nil, nil
	}
	topics, err := c.offsets(ctx, names...)
	if err != nil {
		return nil, err
	}
	return topics, nil
}

// Topic returns one topic with its partitions' offsets and the lag of every group that committed on it.
func (c *Client) Topic(ctx context.Context, name string) (Topic, error) {
	topics, err := c.Describe(ctx, name)
	if err != nil {
		return Topic{}, err
	}
	return topics[0], nil
}

// Describe returns the named topics, in the order given, each with its partitions' offsets and
// the lag of every group that committed on it. It asks the cluster once for all of them, as
// `status` and `topics` do every second.
func (c *Client) Describe(ctx context.Context, names ...string) ([]Topic, error) {
	if len(names) == 0 {
		return nil, nil
	}
	details, err := c.adm.ListTopics(ctx, names...)
	if err != nil {
		return nil, fmt.Errorf("describe topics %v: %w", names, err)
	}
	for _, name := range names {
		if d, ok := details[name]; !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition) {
			return nil, fmt.Errorf("describe topic %s: no such topic: list topics to see the names", name)
		} else if d.Err != nil {
			return nil, fmt.Errorf("describe topic %s: %w", name, d.Err)
		}
	}
	sorted, err := c.offsets(ctx, slices.Clone(names)...)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]*Topic, len(sorted))
	for i := range sorted {
		byName[sorted[i].Name] = &sorted[i]
	}
	lags, err := c.adm.Lag(ctx)
	if err != nil {
		return nil, fmt.Errorf("consumer group lag of topics %v: %w", names, err)
	}
	for _, g := range lags.Sorted() {
		if g.Error() != nil {
			continue
		}
		for name, parts := range g.Lag {
			t, ok := byName[name]
			if !ok {
				continue
			}
			gl := GroupLag{Group: g.Group, State: g.State}
			for _, p := range parts {
				pl := PartitionLag{Partition: p.Partition, Committed: p.Commit.At, End: p.End.Offset, Lag: p.Lag}
				if pl.Lag > 0 {
					gl.Total += pl.Lag
				}
				gl.Partitions = append(gl.Partitions, pl)
			}
			sort.Slice(gl.Partitions, func(i, j int) bool { return gl.Partitions[i].Partition < gl.Partitions[j].Partition })
			t.Groups = append(t.Groups, gl)
		}
	}
	out := make([]Topic, len(names))
	for i, name := range names {
		out[i] = *byName[name]
	}
	return out, nil
}

// offsets lists the start and end offsets of the topics' partitions, sorted by topic and partition.
func (c *Client) offsets(ctx context.Context, names ...string) ([]Topic, error) {
	starts, err := c.adm.ListStartOffsets(ctx, names...)
	if err != nil {
		return nil, fmt.Errorf("list start offsets of %v: %w", names, err)
	}
	ends, err := c.adm.ListEndOffsets(ctx, names...)
	if err != nil {
		return nil, fmt.Errorf("list end offsets of %v: %w", names, err)
	}
	if err := ends.Error(); err != nil {
		return nil, fmt.Errorf("list end offsets of %v: %w", names, err)
	}
	byName := make(map[string]*Topic, len(names))
	out := make([]Topic, len(names))
	sort.Strings(names)
	for i, n := range names {
		out[i].Name = n
		byName[n] = &out[i]
	}
	ends.Each(func(o kadm.ListedOffset) {
		t := byName[o.Topic]
		p := Partition{ID: o.Partition, End: o.Offset}
		if s, ok := starts.Lookup(o.Topic, o.Partition); ok && s.Err == nil {
			p.Start = s.Offset
		}
		t.Partitions = append(t.Partitions, p)
	})
	for i := range out {
		ps := out[i].Partitions
		sort.Slice(ps, func(a, b int) bool { return ps[a].ID < ps[b].ID })
	}
	return out, nil
}

// EnsureTopics creates the topics that do not exist yet with the given partitions; existing topics are left as they are.
func (c *Client) EnsureTopics(ctx context.Context, partitions int32, names ...string) error {
	details, err := c.adm.ListTopics(ctx, names...)
	if err != nil {
		return fmt.Errorf("ensure topics %v: %w", names, err)
	}
	var missing []string
	for _, n := range names {
		if d, ok := details[n]; !ok || d.Err != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	created, err := c.adm.CreateTopics(ctx, partitions, -1, nil, missing...)
	if err != nil {
		return fmt.Errorf("create topics %v: %w", missing, err)
	}
	for _, r := range created.Sorted() {
		if r.Err != nil && !errors.Is(r.Err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w: check the cluster's permissions (CreateTopic) or create it by hand", r.Topic, r.Err)
		}
	}
	return nil
}
