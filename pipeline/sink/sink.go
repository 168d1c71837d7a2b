// Package sink lands Kafka topics in an object store with the semantics of Confluent's S3 sink
// connector, the MSK Connect plugin of the original pipeline: each topic-partition is cut into
// files of flush.size records named after their first offset, every file is published whole,
// and the consumer-group offset moves only past published files. A crash or rebalance resumes
// from the committed offset and meets identical files under identical keys, so the landing
// area holds every record exactly once. A landing is never replaced: a key that holds other
// bytes stops its partition with an error, and a partition that ends before the group's
// committed offset stops the sink from starting. The batch job reads what this package writes.
//
// Correctness rests only on Kafka's committed offsets and on the objects themselves; nothing
// the sink keeps in memory is needed after a kill. Each file holds one value per line, byte
// for byte as produced, with one exception: valid JSON spread over several lines is compacted
// onto one. A value that is not JSON lands unchanged, newlines included, and a null value lands
// as an empty line; nothing is dropped, and readers quarantine the lines they cannot parse.
package sink

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Store is what the sink needs from an object store: an atomic whole-object put that never
// replaces an object, and a read to compare a refused put with what is there. The pipeline's
// objstore.Store (a folder locally, S3 in the cloud) satisfies it.
type Store interface {
	// PutIfAbsent publishes data whole under key unless an object has the key, and then returns
	// an error wrapping objstore.ErrExist. It must not keep data after it returns: the sink
	// reuses the buffer for a later file.
	PutIfAbsent(ctx context.Context, key string, data []byte) error
	// Get returns the whole object under key, or an error wrapping objstore.ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
}

// DefaultGroup is the consumer group of the sink, named like the group Connect gives a connector.
const DefaultGroup = "connect-pintui-s3-sink"

type config struct {
	brokers        []string
	group          string
	topics         []string
	flushSize      int
	clientOpts     []kgo.Opt
	concurrency    int
	rotateSchedule time.Duration
	backoffMin     time.Duration
	backoffMax     time.Duration
	backlogFiles   int
	backlogBytes   int
}

// Option configures a Sink.
type Option func(*config)

// Brokers sets the seed brokers to consume from.
func Brokers(addrs ...string) Option { return func(c *config) { c.brokers = addrs } }

// Group sets the consumer group whose committed offsets record what has landed; DefaultGroup
// otherwise.
func Group(id string) Option { return func(c *config) { c.group = id } }

// Topics sets the topics to land, for example <uid>.pin, <uid>.geo and <uid>.user.
func Topics(topics ...string) Option { return func(c *config) { c.topics = topics } }

// FlushSize sets how many records of one partition go into one file (Connect's flush.size,
// default 1). Changing it between runs changes file boundaries, so keep it fixed for a group.
func FlushSize(n int) Option { return func(c *config) { c.flushSize = n } }

// ClientOpts adds franz-go client options, such as TLS and AWS_MSK_IAM SASL for MSK or shorter
// group timeouts; they are applied after the sink's own and may override them.
func ClientOpts(opts ...kgo.Opt) Option {
	return func(c *config) { c.clientOpts = append(c.clientOpts, opts...) }
}

// Concurrency sets how many object puts run at once across all partitions (default 16).
func Concurrency(n int) Option { return func(c *config) { c.concurrency = n } }

// RetryBackoff sets the first and the longest wait between attempts of a failed put or commit
// (default 100ms and 5s).
func RetryBackoff(first, longest time.Duration) Option {
	return func(c *config) { c.backoffMin, c.backoffMax = first, longest }
}

// RotateSchedule publishes a partial file once it has been open for d of wall-clock time, like
// Connect's rotate.schedule.interval.ms, so records land promptly when flush.size is large and
// traffic is light. It is off by default because it breaks exactly-once: file boundaries then
// depend on timing, so after a crash a record can land again inside a file with another start
// offset. With flush.size 1 it has nothing to do.
func RotateSchedule(d time.Duration) Option { return func(c *config) { c.rotateSchedule = d } }

// Backlog sets how many sealed files or bytes one partition may hold unpublished before its
// fetching pauses (default 16384 files, 64 MiB); it bounds memory when the store is slow.
func Backlog(files, bytes int) Option {
	return func(c *config) { c.backlogFiles, c.backlogBytes = files, bytes }
}

type topicPartition struct {
	topic     string
	partition int32
}

// Sink consumes topics as one consumer-group member and lands them in a Store.
type Sink struct {
	cfg     config
	store   Store
	started atomic.Bool

	mu      sync.Mutex
	writers map[topicPartition]*writer
	tallies map[topicPartition]*tally
	lastErr string // the last failure not tied to one partition

	readyMu sync.Mutex
	ready   []*file
	wakeUp  *sync.Cond
	stopped bool

	commitDue chan struct{}
}

// New checks the options and returns a Sink ready to Run.
func New(store Store, opts ...Option) (*Sink, error) {
	if store == nil {
		return nil, errors.New("new sink: no object store given")
	}
	cfg, err := configure(opts...)
	if err != nil {
		return nil, err
	}
	s := &Sink{
		cfg: cfg, store: store,
		writers:   make(map[topicPartition]*writer),
		tallies:   make(map[topicPartition]*tally),
		commitDue: make(chan struct{}, 1),
	}
	s.wakeUp = sync.NewCond(&s.readyMu)
	return s, nil
}

// configure applies opts over the defaults and checks the result.
func configure(opts ...Option) (config, error) {
	cfg := config{
		group: DefaultGroup, flushSize: 1, concurrency: 16,
		backoffMin: 100 * time.Millisecond, backoffMax: 5 * time.Second,
		backlogFiles: 16384, backlogBytes: 64 << 20,
	}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case len(cfg.brokers) == 0:
		return cfg, errors.New("new sink: no brokers given; pass the Kafka bootstrap servers")
	case len(cfg.topics) == 0:
		return cfg, errors.New("new sink: no topics given; pass <uid>.pin, <uid>.geo and <uid>.user")
	case cfg.group == "":
		return cfg, errors.New("new sink: empty consumer group id")
	case cfg.flushSize < 1:
		return cfg, fmt.Errorf("new sink: flush.size %d: must be at least 1", cfg.flushSize)
	case cfg.concurrency < 1:
		return cfg, fmt.Errorf("new sink: concurrency %d: must be at least 1", cfg.concurrency)
	case cfg.rotateSchedule < 0:
		return cfg, fmt.Errorf("new sink: rotate schedule %v: must not be negative (0 turns it off)", cfg.rotateSchedule)
	case cfg.backoffMin <= 0 || cfg.backoffMax < cfg.backoffMin:
		return cfg, fmt.Errorf("new sink: retry backoff %v..%v: need 0 < first <= longest", cfg.backoffMin, cfg.backoffMax)
	case cfg.backlogFiles < 1 || cfg.backlogBytes < 1:
		return cfg, fmt.Errorf("new sink: backlog %d files, %d bytes: both must be positive", cfg.backlogFiles, cfg.backlogBytes)
	}
	return cfg, nil
}

// Run consumes and lands records until ctx is cancelled, then stops gracefully: puts in flight
// are abandoned, the offsets of published files are committed and the group is left. Partial
// files are never published on stop; their records are read again by the next run. Run returns
// an error only if the sink cannot start, such as a partition that ends before what the group
// has landed from it; a Sink runs once.
func (s *Sink) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("run sink: this sink already ran; create a new one with New")
	}
	if err := s.checkLanded(ctx); err != nil {
		s.failed(err)
		return err
	}
	if ctx.Err() != nil {
		return nil
	}
	opts := append(s.cfg.consumeOpts(),
		kgo.WithHooks(connectHook{s}),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, tps map[string][]int32) {
			// Status lists every owned partition, even one with nothing to land yet.
			for topic, partitions := range tps {
				for _, p := range partitions {
					s.tally(topic, p)
				}
			}
		}),
		kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, tps map[string][]int32) {
			s.release(ctx, cl, tps, true)
		}),
		kgo.OnPartitionsLost(func(ctx context.Context, cl *kgo.Client, tps map[string][]int32) {
			s.release(ctx, cl, tps, false)
		}),
	)
	client, err := kgo.NewClient(append(opts, s.cfg.clientOpts...)...)
	if err != nil {
		return fmt.Errorf("start sink group %s on %v: %w", s.cfg.group, s.cfg.brokers, err)
	}
	runCtx, stop := context.WithCancel(ctx)
	var workers sync.WaitGroup
	for range s.cfg.concurrency {
		workers.Go(func() { s.work(client) })
	}
	var committer sync.WaitGroup
	committer.Go(func() { s.commitLoop(runCtx, client) })

	s.poll(runCtx, client)

	stop()
	s.readyMu.Lock()
	s.stopped = true
	s.ready = nil
	s.readyMu.Unlock()
	s.wakeUp.Broadcast()
	workers.Wait()
	committer.Wait()

	final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = s.commit(final, client, s.current(), true)
	client.CloseAllowingRebalance()
	return nil
}

// pollRecords is how many records one poll hands the sink at most.
const pollRecords = 10000

// consumeOpts are the client options that decide how the sink's consumer joins its group and
// fetches, without its hooks and callbacks; the bench's consume ceiling fetches with them too.
func (c config) consumeOpts() []kgo.Opt {
	return []kgo.Opt{
		kgo.SeedBrokers(c.brokers...),
		kgo.ConsumerGroup(c.group),
		kgo.ConsumeTopics(c.topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		// Kafka's 1 MiB, not more: at 16 MiB per partition the broker grows each response by
		// doubling and the client reads 48 MiB bodies, which costs twice the CPU per byte.
		kgo.FetchMaxPartitionBytes(1 << 20),
	}
}

// Status returns the progress of every topic-partition this sink has seen.
func (s *Sink) Status() Status {
	s.mu.Lock()
	tallies := make([]*tally, 0, len(s.tallies))
	for _, t := range s.tallies {
		tallies = append(tallies, t)
	}
	st := Status{Group: s.cfg.group, FlushSize: s.cfg.flushSize, Error: s.lastErr, Partitions: make([]PartitionStatus, 0, len(tallies))}
	s.mu.Unlock()
	for _, t := range tallies {
		st.Partitions = append(st.Partitions, t.snapshot())
	}
	sortPartitions(st.Partitions)
	return st
}

// poll is the only goroutine that reads records and fills open files.
func (s *Sink) poll(ctx context.Context, client *kgo.Client) {
	for {
		pollCtx, cancel := ctx, context.CancelFunc(func() {})
		if s.cfg.rotateSchedule > 0 {
			pollCtx, cancel = context.WithTimeout(ctx, s.cfg.rotateSchedule)
		}
		fetches := client.PollRecords(pollCtx, pollRecords)
		cancel()
		if ctx.Err() != nil || fetches.IsClientClosed() {
			client.AllowRebalance()
			return
		}
		failed := false
		fetches.EachError(func(topic string, partition int32, err error) {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				return
			}
			failed = true
			if topic == "" {
				s.failed(fmt.Errorf("fetch from %v: %w; check the brokers and credentials", s.cfg.brokers, err))
				return
			}
			s.tally(topic, partition).failed(fmt.Errorf("fetch %s partition %d: %w", topic, partition, err))
		})
		fetches.EachPartition(func(p kgo.FetchTopicPartition) {
			if len(p.Records) > 0 {
				s.take(ctx, client, p)
			}
		})
		if s.cfg.rotateSchedule > 0 {
			s.rotate()
		}
		client.AllowRebalance()
		if failed && fetches.NumRecords() == 0 {
			sleep(ctx, s.cfg.backoffMin)
		}
	}
}

// take adds one partition's fetched records to its writer and queues every file they complete.
func (s *Sink) take(ctx context.Context, client *kgo.Client, p kgo.FetchTopicPartition) {
	w := s.writer(ctx, p.Topic, p.Partition, p.Records[0].Offset)
	for _, r := range p.Records {
		if f := w.add(r, s.cfg.flushSize); f != nil {
			s.enqueue(f)
		}
	}
	files, bytes := w.backlog()
	w.tally.update(func(ps *PartitionStatus) {
		ps.End = max(ps.End, p.HighWatermark)
		ps.Buffered = w.openCount
		ps.InFlight = files
	})
	if files >= s.cfg.backlogFiles || bytes >= s.cfg.backlogBytes {
		w.mu.Lock()
		if !w.paused {
			w.paused = true
			client.PauseFetchPartitions(map[string][]int32{w.topic: {w.partition}})
		}
		w.mu.Unlock()
	}
}

// rotate seals the open files that have waited out the rotate schedule.
func (s *Sink) rotate() {
	for _, w := range s.current() {
		if w.openCount > 0 && time.Since(w.openedAt) >= s.cfg.rotateSchedule {
			s.enqueue(w.seal())
		}
	}
}

// writer returns the writer of a topic-partition, starting one at offset first if the
// partition is new to this sink or was revoked since.
func (s *Sink) writer(ctx context.Context, topic string, partition int32, first int64) *writer {
	tp := topicPartition{topic, partition}
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.writers[tp]; w != nil {
		return w
	}
	t := s.tallyLocked(tp)
	w := newWriter(ctx, topic, partition, t)
	s.writers[tp] = w
	// The group resumes at a committed offset, which is only ever the end of a published file.
	t.update(func(ps *PartitionStatus) { ps.LastLanded = max(ps.LastLanded, first-1) })
	return w
}

// connectHook shows in the status why nothing lands while no broker can be reached, since the
// client retries such failures internally and never hands them to a poll.
type connectHook struct{ s *Sink }

// OnBrokerConnect records a failed dial and clears the error once a dial succeeds.
func (h connectHook) OnBrokerConnect(meta kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	if err == nil {
		h.s.mu.Lock()
		h.s.lastErr = ""
		h.s.mu.Unlock()
		return
	}
	h.s.failed(fmt.Errorf("connect to broker %s:%d: %w; check that Kafka is running and reachable", meta.Host, meta.Port, err))
}

// failed records a failure that concerns the whole sink rather than one partition.
func (s *Sink) failed(err error) {
	s.mu.Lock()
	s.lastErr = err.Error()
	s.mu.Unlock()
}

func (s *Sink) tally(topic string, partition int32) *tally {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tallyLocked(topicPartition{topic, partition})
}

func (s *Sink) tallyLocked(tp topicPartition) *tally {
	t := s.tallies[tp]
	if t == nil {
		t = newTally(tp.topic, tp.partition)
		s.tallies[tp] = t
	}
	return t
}

// current returns the writers of the partitions this sink owns now.
func (s *Sink) current() []*writer {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := make([]*writer, 0, len(s.writers))
	for _, w := range s.writers {
		ws = append(ws, w)
	}
	return ws
}

// release forgets revoked or lost partitions. Their open files are dropped unpublished and
// their puts in flight abandoned; a put that still completes later is harmless because it
// writes the very object the partition's next owner writes. Revoked partitions get a final
// commit of what has landed; lost ones cannot commit any more.
func (s *Sink) release(ctx context.Context, client *kgo.Client, tps map[string][]int32, commit bool) {
	var gone []*writer
	s.mu.Lock()
	for topic, partitions := range tps {
		for _, p := range partitions {
			tp := topicPartition{topic, p}
			if w := s.writers[tp]; w != nil {
				gone = append(gone, w)
				delete(s.writers, tp)
			}
		}
	}
	s.mu.Unlock()
	for _, w := range gone {
		w.cancel()
		w.tally.update(func(ps *PartitionStatus) { ps.Buffered, ps.InFlight = 0, 0 })
	}
	// Pauses outlive assignments; a partition paused here must fetch again if it comes back.
	client.ResumeFetchPartitions(tps)
	if commit {
		_ = s.commit(ctx, client, gone, true)
	}
}

// enqueue hands a sealed file to the put workers.
func (s *Sink) enqueue(f *file) {
	s.readyMu.Lock()
	if !s.stopped {
		s.ready = append(s.ready, f)
	}
	s.readyMu.Unlock()
	s.wakeUp.Signal()
}

// next waits for a sealed file to publish; ok is false once the sink stops.
func (s *Sink) next() (f *file, ok bool) {
	s.readyMu.Lock()
	defer s.readyMu.Unlock()
	for len(s.ready) == 0 && !s.stopped {
		s.wakeUp.Wait()
	}
	if s.stopped {
		return nil, false
	}
	f = s.ready[0]
	s.ready[0] = nil
	s.ready = s.ready[1:]
	return f, true
}

// work publishes files until the sink stops. Files of one partition are published concurrently
// and complete in any order; the writer only offers the contiguous prefix for commit.
func (s *Sink) work(client *kgo.Client) {
	for {
		f, ok := s.next()
		if !ok {
			return
		}
		ok = s.put(f)
		f.release()
		if !ok {
			continue
		}
		w := f.w
		if w.publish(f) {
			select {
			case s.commitDue <- struct{}{}:
			default:
			}
		}
		files, bytes := w.backlog()
		if files <= s.cfg.backlogFiles/2 && bytes <= s.cfg.backlogBytes/2 && w.ctx.Err() == nil {
			w.mu.Lock()
			if w.paused {
				w.paused = false
				client.ResumeFetchPartitions(map[string][]int32{w.topic: {w.partition}})
			}
			w.mu.Unlock()
		}
	}
}

// put publishes one file, retrying with backoff until it lands or its partition is released;
// it never skips a file, since the committed offset could not move past it anyway.
func (s *Sink) put(f *file) bool {
	ctx := f.w.ctx
	wait := s.cfg.backoffMin
	for attempt := 1; ctx.Err() == nil; attempt++ {
		err := s.land(ctx, f)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		var taken *errTaken
		if !errors.As(err, &taken) {
			err = fmt.Errorf("put landing %s (offsets %d-%d, attempt %d, retrying in %v; check the object store): %w",
				f.key, f.first, f.last, attempt, wait, err)
		}
		f.w.tally.failedAt(err, f.last)
		sleep(ctx, wait)
		wait = min(2*wait, s.cfg.backoffMax)
	}
	return false
}

// commitLoop commits landed offsets whenever a put extends a landed run. Commits coalesce: one
// commit covers every file published while the previous one was in flight.
func (s *Sink) commitLoop(ctx context.Context, client *kgo.Client) {
	wait := s.cfg.backoffMin
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.commitDue:
		}
		if err := s.commit(ctx, client, s.current(), false); err != nil {
			sleep(ctx, wait)
			wait = min(2*wait, s.cfg.backoffMax)
			select {
			case s.commitDue <- struct{}{}:
			default:
			}
			continue
		}
		wait = s.cfg.backoffMin
	}
}

// commit commits, for each writer, the offset just past its landed run. Whatever interleaving
// of commits happens across rebalances, every committed offset is the end of a published file,
// so the group never points past a record that has not landed.
func (s *Sink) commit(ctx context.Context, client *kgo.Client, ws []*writer, sync bool) error {
	offsets := make(map[string]map[int32]kgo.EpochOffset)
	owners := make(map[topicPartition]*writer)
	for _, w := range ws {
		eo, ok := w.uncommitted()
		if !ok {
			continue
		}
		if offsets[w.topic] == nil {
			offsets[w.topic] = make(map[int32]kgo.EpochOffset)
		}
		offsets[w.topic][w.partition] = eo
		owners[topicPartition{w.topic, w.partition}] = w
	}
	if len(offsets) == 0 {
		return nil
	}
	done := make(chan error, 1)
	onDone := func(_ *kgo.Client, req *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil && ctx.Err() != nil {
			done <- err // stopping or revoked: not a failure worth showing
			return
		}
		if err != nil {
			err = fmt.Errorf("commit group %s: %w", s.cfg.group, err)
			for _, w := range owners {
				w.tally.failed(err)
			}
			done <- err
			return
		}
		// From version 10 on, responses may name topics by id only.
		names := make(map[[16]byte]string, len(req.Topics))
		for _, t := range req.Topics {
			names[t.TopicID] = t.Topic
		}
		var first error
		for _, t := range resp.Topics {
			topic := cmp.Or(t.Topic, names[t.TopicID])
			for _, p := range t.Partitions {
				w := owners[topicPartition{topic, p.Partition}]
				if w == nil {
					continue
				}
				if perr := kerr.ErrorForCode(p.ErrorCode); perr != nil {
					perr = fmt.Errorf("commit group %s %s partition %d: %w", s.cfg.group, topic, p.Partition, perr)
					w.tally.failed(perr)
					if first == nil {
						first = perr
					}
					continue
				}
				w.markCommitted(offsets[topic][p.Partition].Offset)
			}
		}
		done <- first
	}
	if sync {
		client.CommitOffsetsSync(ctx, offsets, onDone)
	} else {
		client.CommitOffsets(ctx, offsets, onDone)
	}
	return <-done
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
