package gateway

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// groupRecords is the most records the producer buffers before it flushes them; a larger
// group is flushed in parts of this many.
const groupRecords = 10_000

// Kafka is the Producer that writes to a Kafka cluster (the embedded one or MSK) with franz-go.
//
// Requests that arrive while a group of earlier ones is being produced wait for it and then go
// out together, so under load the cluster gets a few produce requests of many records instead
// of one per HTTP request (at one record per request that was two produce requests for every
// three posts, and they cost the gateway as much CPU as the HTTP side did), while a request
// that finds the producer idle is flushed at once.
type Kafka struct {
	client *kgo.Client
	admin  *kadm.Client

	mu         sync.RWMutex
	partitions map[string]int32 // partition count per known topic

	queue   sync.Mutex
	waiting []*produceCall // requests for the next group, in arrival order
	closed  bool           // set by Close; later requests produce on their own
	wake    chan struct{}  // has a value when waiting may hold requests
	flushed chan struct{}  // closed once the flusher has returned
	calls   sync.Pool      // of *produceCall
}

// NewKafka connects to the cluster at seeds. opts are appended to the gateway's defaults
// (records leave when the flusher flushes them, so a one-record request that finds the
// producer idle is not held back; key placement as Kafka's own murmur2 partitioner), which
// lets the caller add TLS and SASL for MSK.
func NewKafka(seeds []string, opts ...kgo.Opt) (*Kafka, error) {
	base := []kgo.Opt{
		kgo.SeedBrokers(seeds...),
		kgo.RecordPartitioner(restPartitioner{kgo.StickyKeyPartitioner(nil)}),
		kgo.ManualFlushing(),
		kgo.MaxBufferedRecords(groupRecords),
		kgo.RecordDeliveryTimeout(30 * time.Second),
	}
	client, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("connect gateway producer to %v: %w", seeds, err)
	}
	k := &Kafka{client: client, admin: kadm.NewClient(client), partitions: map[string]int32{},
		wake: make(chan struct{}, 1), flushed: make(chan struct{})}
	go k.flush()
	return k, nil
}

// Close closes the producer's connections; call it after the HTTP server has stopped. A
// request still waiting for its records gets kgo.ErrClientClosed for them, as it did before
// requests were grouped.
func (k *Kafka) Close() {
	k.client.Close()
	k.queue.Lock()
	if !k.closed {
		k.closed = true
		close(k.wake)
	}
	k.queue.Unlock()
	<-k.flushed
}

// Produce sends the records of one request, in order, and waits for every acknowledgement.
func (k *Kafka) Produce(ctx context.Context, topic string, records []Record) ([]Result, error) {
	highest := maxPartition(records)
	n, err := k.partitionCount(ctx, topic, highest)
	if err != nil {
		return nil, err
	}
	if highest >= n {
		return nil, fmt.Errorf("produce to %s partition %d: %w (the topic has %d)", topic, highest, ErrPartitionNotFound, n)
	}
	c := k.acquire(ctx, len(records))
	defer k.release(c)
	for i, r := range records {
		c.krs[i] = kgo.Record{Topic: topic, Key: r.Key, Value: r.Value, Partition: r.Partition}
		c.records[i] = &c.krs[i]
	}
	if len(records) > 0 {
		k.enqueue(c)
		<-c.done
	}
	results := make([]Result, len(records))
	for i := range c.krs {
		results[i] = Result{Partition: c.krs[i].Partition, Offset: c.krs[i].Offset}
		if c.errs != nil && c.errs[i] != nil {
			results[i] = Result{Err: c.errs[i]}
		}
	}
	return results, nil
}

// produceCall is the records of one request on their way through a group. Calls are reused
// across requests (at 100 records a request its records are 20 KiB), so one goes back to the
// pool only once every record has been acknowledged or failed and its results are read.
type produceCall struct {
	ctx     context.Context
	krs     []kgo.Record
	records []*kgo.Record // pointers into krs, as franz-go takes them
	left    atomic.Int64  // records not yet acknowledged or failed
	mu      sync.Mutex
	errs    []error       // per record, allocated on the first failure
	done    chan struct{} // receives once, after the last record's promise
	// onDone is promise as a func value, made once per call rather than once per record.
	onDone func(*kgo.Record, error)
}

// acquire returns a call for n records from the pool.
func (k *Kafka) acquire(ctx context.Context, n int) *produceCall {
	c, _ := k.calls.Get().(*produceCall)
	if c == nil {
		c = &produceCall{done: make(chan struct{}, 1)}
		c.onDone = c.promise
	}
	c.ctx, c.errs = ctx, nil
	c.krs = slices.Grow(c.krs[:0], n)[:n]
	c.records = slices.Grow(c.records[:0], n)[:n]
	c.left.Store(int64(n))
	return c
}

// release returns c to the pool without the request's context, keys and values.
func (k *Kafka) release(c *produceCall) {
	clear(c.krs)
	clear(c.records)
	c.ctx = nil
	k.calls.Put(c)
}

// promise records the outcome of one record and, after the last, tells the request that the
// call is done.
func (c *produceCall) promise(r *kgo.Record, err error) {
	if err != nil {
		c.mu.Lock()
		if c.errs == nil {
			c.errs = make([]error, len(c.records))
		}
		c.errs[slices.Index(c.records, r)] = err
		c.mu.Unlock()
	}
	if c.left.Add(-1) == 0 {
		c.done <- struct{}{}
	}
}

// enqueue hands c to the flusher, or, once the producer is closed, produces it alone so that
// its records fail at once with the client's error.
func (k *Kafka) enqueue(c *produceCall) {
	k.queue.Lock()
	if k.closed {
		k.queue.Unlock()
		k.send(c)
		return
	}
	k.waiting = append(k.waiting, c)
	select {
	case k.wake <- struct{}{}:
	default:
	}
	k.queue.Unlock()
}

// send produces the records of c in order on a closed client, which fails them at once.
func (k *Kafka) send(c *produceCall) {
	for _, r := range c.records {
		k.client.Produce(c.ctx, r, c.onDone)
	}
}

// flush produces the waiting requests one group at a time: it takes every request waiting,
// buffers their records, in arrival order, and flushes them before it takes the next group,
// which meanwhile gathers the requests that arrive. The client flushes only when told to, so a
// group leaves as one produce request per broker however the goroutines are scheduled; a group
// larger than the client's buffer is flushed a buffer at a time.
func (k *Kafka) flush() {
	defer close(k.flushed)
	var group []*produceCall
	for range k.wake {
		k.queue.Lock()
		group, k.waiting = k.waiting, group[:0]
		k.queue.Unlock()
		buffered := 0
		for _, c := range group {
			for _, r := range c.records {
				if buffered == groupRecords {
					k.flushBuffered()
					buffered = 0
				}
				k.client.Produce(c.ctx, r, c.onDone)
				buffered++
			}
		}
		k.flushBuffered()
		clear(group)
	}
}

// flushBuffered sends every buffered record and waits for the last acknowledgement or
// failure; Close fails the records still buffered, which ends the wait.
func (k *Kafka) flushBuffered() {
	_ = k.client.Flush(context.Background())
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
