package gateway

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Kafka is the Producer that writes to a Kafka cluster (the embedded one or MSK) with franz-go.
type Kafka struct {
	client *kgo.Client
	admin  *kadm.Client

	mu         sync.RWMutex
	partitions map[string]int32 // partition count per known topic
}

// NewKafka connects to the cluster at seeds. opts are appended to the gateway's defaults
// (linger 0, so a one-record request is not held back; key placement as Kafka's own
// murmur2 partitioner), which lets the caller add TLS and SASL for MSK.
func NewKafka(seeds []string, opts ...kgo.Opt) (*Kafka, error) {
	base := []kgo.Opt{
		kgo.SeedBrokers(seeds...),
		kgo.RecordPartitioner(restPartitioner{kgo.StickyKeyPartitioner(nil)}),
		kgo.ProducerLinger(0),
		kgo.RecordDeliveryTimeout(30 * time.Second),
	}
	client, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("connect gateway producer to %v: %w", seeds, err)
	}
	return &Kafka{client: client, admin: kadm.NewClient(client), partitions: map[string]int32{}}, nil
}

// Close closes the producer's connections; call it after the HTTP server has stopped.
func (k *Kafka) Close() { k.client.Close() }

// Produce sends the records of one request together and waits for every acknowledgement.
func (k *Kafka) Produce(ctx context.Context, topic string, records []Record) ([]Result, error) {
	highest := maxPartition(records)
	n, err := k.partitionCount(ctx, topic, highest)
	if err != nil {
		return nil, err
	}
	if highest >= n {
		return nil, fmt.Errorf("produce to %s partition %d: %w (the topic has %d)", topic, highest, ErrPartitionNotFound, n)
	}
	krs := make([]kgo.Record, len(records))
	ptrs := make([]*kgo.Record, len(records))
	for i, r := range records {
		krs[i] = kgo.Record{Topic: topic, Key: r.Key, Value: r.Value, Partition: r.Partition}
		ptrs[i] = &krs[i]
	}
	// ProduceSync reports in completion order; the records themselves carry where they went.
	produced := k.client.ProduceSync(ctx, ptrs...)
	results := make([]Result, len(krs))
	for i := range krs {
		results[i] = Result{Partition: krs[i].Partition, Offset: krs[i].Offset}
	}
	for _, p := range produced {
		if p.Err != nil {
			i := slices.Index(ptrs, p.Record)
			results[i] = Result{Err: p.Err}
		}
	}
	return results, nil
}

// maxPartition is the highest explicit partition among records, or -1.
func maxPartition(records []Record) int32 {
	highest := int32(-1)
	for _, r := range records {
		highest = max(highest, r.Partition)
	}
	return highest
}

// partitionCount answers from the cache, asking the cluster when the topic is unknown or
// partition is beyond what the cache knows (the topic may have grown).
func (k *Kafka) partitionCount(ctx context.Context, topic string, partition int32) (int32, error) {
	k.mu.RLock()
	n, ok := k.partitions[topic]
	k.mu.RUnlock()
	if ok && partition < n {
		return n, nil
	}
	details, err := k.admin.ListTopics(ctx, topic)
	if err != nil {
		return 0, fmt.Errorf("describe topic %s: %w", topic, err)
	}
	d, ok := details[topic]
	if !ok || d.Err == kerr.UnknownTopicOrPartition {
		return 0, fmt.Errorf("produce to %s: %w", topic, ErrTopicNotFound)
	}
	if d.Err != nil {
		return 0, fmt.Errorf("describe topic %s: %w", topic, d.Err)
	}
	n = int32(len(d.Partitions))
	k.mu.Lock()
	k.partitions[topic] = n
	k.mu.Unlock()
	return n, nil
}

// Topics lists the non-internal topics, sorted.
func (k *Kafka) Topics(ctx context.Context) ([]string, error) {
	details, err := k.admin.ListTopics(ctx)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	return details.Names(), nil
}

// Topic describes one topic with its configs and replicas.
func (k *Kafka) Topic(ctx context.Context, name string) (TopicInfo, error) {
	details, err := k.admin.ListTopics(ctx, name)
	if err != nil {
		return TopicInfo{}, fmt.Errorf("describe topic %s: %w", name, err)
	}
	d, ok := details[name]
	if !ok || d.Err == kerr.UnknownTopicOrPartition {
		return TopicInfo{}, fmt.Errorf("describe topic %s: %w", name, ErrTopicNotFound)
	}
	if d.Err != nil {
		return TopicInfo{}, fmt.Errorf("describe topic %s: %w", name, d.Err)
	}
	info := TopicInfo{Name: name, Configs: map[string]string{}}
	configs, err := k.admin.DescribeTopicConfigs(ctx, name)
	if err != nil {
		return TopicInfo{}, fmt.Errorf("describe configs of topic %s: %w", name, err)
	}
	for _, rc := range configs {
		for _, c := range rc.Configs {
			if c.Value != nil && !c.Sensitive {
				info.Configs[c.Key] = *c.Value
			}
		}
	}
	for _, p := range d.Partitions.Sorted() {
		pi := PartitionInfo{Partition: p.Partition, Leader: p.Leader, Replicas: []ReplicaInfo{}}
		for _, b := range p.Replicas {
			pi.Replicas = append(pi.Replicas, ReplicaInfo{Broker: b, Leader: b == p.Leader, InSync: slices.Contains(p.ISR, b)})
		}
		info.Partitions = append(info.Partitions, pi)
	}
	k.mu.Lock()
	k.partitions[name] = int32(len(d.Partitions))
	k.mu.Unlock()
	return info, nil
}

// restPartitioner places records the way the REST Proxy's Java producer does: an explicit
// partition as given, a key by murmur2, and keyless records stickily.
type restPartitioner struct{ keyed kgo.Partitioner }

// ForTopic returns the partitioner of one topic.
func (p restPartitioner) ForTopic(topic string) kgo.TopicPartitioner {
	return restTopicPartitioner{p.keyed.ForTopic(topic)}
}

type restTopicPartitioner struct{ keyed kgo.TopicPartitioner }

// RequiresConsistency keeps explicit partitions and keyed records where they were sent, even
// when that partition is briefly unwritable.
func (p restTopicPartitioner) RequiresConsistency(r *kgo.Record) bool {
	return r.Partition >= 0 || p.keyed.RequiresConsistency(r)
}

// Partition picks the partition of r among n.
func (p restTopicPartitioner) Partition(r *kgo.Record, n int) int {
	if r.Partition >= 0 {
		return int(r.Partition)
	}
	return p.keyed.Partition(r, n)
}

// OnNewBatch lets the sticky choice for keyless records move on, as Kafka's producer does.
func (p restTopicPartitioner) OnNewBatch() {
	if o, ok := p.keyed.(kgo.TopicPartitionerOnNewBatch); ok {
		o.OnNewBatch()
	}
}
