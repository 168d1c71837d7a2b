package sink

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const (
	pinTopic  = "0a1b2c3d4e5f.pin"
	geoTopic  = "0a1b2c3d4e5f.geo"
	userTopic = "0a1b2c3d4e5f.user"
)

var allTopics = []string{pinTopic, geoTopic, userTopic}

// newCluster starts an in-process Kafka with the three topics, one partition each, and group
// timeouts short enough for a dead member to leave quickly.
func newCluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{
		kfake.NumBrokers(1),
		kfake.SeedTopics(1, allTopics...),
		kfake.GroupMinSessionTimeout(100 * time.Millisecond),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func produce(t *testing.T, c *kfake.Cluster, topic string, values ...string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	rs := make([]*kgo.Record, len(values))
	for i, v := range values {
		rs[i] = &kgo.Record{Topic: topic, Value: []byte(v)}
	}
	if err := cl.ProduceSync(context.Background(), rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// committed reads the group's committed offset per topic, -1 where there is none.
func committed(t *testing.T, c *kfake.Cluster, group string) map[string]int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resp, err := kadm.NewClient(cl).FetchOffsets(context.Background(), group)
	if err != nil && !errors.Is(err, kerr.GroupIDNotFound) {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, topic := range allTopics {
		out[topic] = -1
		if o, ok := resp.Lookup(topic, 0); ok && o.Err == nil {
			out[topic] = o.At
		}
	}
	return out
}

// waitFor polls cond until it holds; the deadline only catches a hung test.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// started runs a sink in the background and returns a stop function that cancels it and
// waits for Run to return.
func started(t *testing.T, s *Sink) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func newSink(t *testing.T, c *kfake.Cluster, store Store, opts ...Option) *Sink {
	t.Helper()
	s, err := New(store, append([]Option{
		Brokers(c.ListenAddrs()...),
		Topics(allTopics...),
		RetryBackoff(time.Millisecond, 10*time.Millisecond),
		ClientOpts(
			kgo.SessionTimeout(500*time.Millisecond),
			kgo.RebalanceTimeout(500*time.Millisecond),
			kgo.HeartbeatInterval(50*time.Millisecond),
			kgo.FetchMaxWait(50*time.Millisecond),
		),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func landed(t *testing.T, s *Sink, topic string) int64 {
	return partitionStatus(s, topic).LastLanded
}

// partitionStatus returns the status of a topic's partition 0, or an empty one if the sink
// has not seen it.
func partitionStatus(s *Sink, topic string) PartitionStatus {
	for _, ps := range s.Status().Partitions {
		if ps.Topic == topic && ps.Partition == 0 {
			return ps
		}
	}
	return PartitionStatus{LastLanded: -1, Committed: -1, End: -1}
}

// contents reads every object of the store.
func contents(t *testing.T, store *objstore.Dir) map[string]string {
	t.Helper()
	objs, err := store.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, o := range objs {
		data, err := store.Get(context.Background(), o.Key)
		if err != nil {
			t.Fatal(err)
		}
		out[o.Key] = string(data)
	}
	return out
}

func assertObjects(t *testing.T, got, want map[string]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			t.Errorf("object %s = %q, want %q", k, got[k], want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected object %s = %q", k, got[k])
		}
	}
}

func TestFlushSizeOneLandsEachRecordUnderItsOffset(t *testing.T) {
	c := newCluster(t)
	produce(t, c, pinTopic, `{"index":7528,"title":"a"}`, "{\n  \"index\": 1,\n  \"title\": \"pretty\"\n}", `{"index":3}`)
	produce(t, c, geoTopic, `{"ind":7528}`, "not json\nat all")
	store := objstore.NewDir(t.TempDir())
	s := newSink(t, c, store)
	stop := started(t, s)
	waitFor(t, "every record landed", func() bool {
		return landed(t, s, pinTopic) == 2 && landed(t, s, geoTopic) == 1
	})
	waitFor(t, "offsets committed", func() bool {
		return partitionStatus(s, geoTopic).Committed == 2 && partitionStatus(s, pinTopic).Committed == 3
	})
	stop()

	assertObjects(t, contents(t, store), map[string]string{
		"topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+0000000000.json": "{\"index\":7528,\"title\":\"a\"}\n",
		"topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+0000000001.json": "{\"index\":1,\"title\":\"pretty\"}\n",
		"topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+0000000002.json": "{\"index\":3}\n",
		"topics/0a1b2c3d4e5f.geo/partition=0/0a1b2c3d4e5f.geo+0+0000000000.json": "{\"ind\":7528}\n",
		"topics/0a1b2c3d4e5f.geo/partition=0/0a1b2c3d4e5f.geo+0+0000000001.json": "not json\nat all\n",
	})
	want := map[string]int64{pinTopic: 3, geoTopic: 2, userTopic: -1}
	if got := committed(t, c, DefaultGroup); !maps.Equal(got, want) {
		t.Errorf("committed offsets = %v, want %v", got, want)
	}
	st := s.Status()
	if len(st.Partitions) != 3 || st.Group != DefaultGroup || st.FlushSize != 1 || st.Error != "" {
		t.Errorf("status = %+v, want the three partitions of the default group, flush size 1, no error", st)
	}
	if ps := partitionStatus(s, pinTopic); ps.Objects != 3 || ps.Bytes != 68 || ps.Lag != 0 || ps.End != 3 {
		t.Errorf("pin status = %+v, want 3 objects, 68 bytes, end 3, no lag", ps)
	}
}

func TestFlushSizeThreeKeepsPartialFilesForTheNextRun(t *testing.T) {
	c := newCluster(t)
	for i := range 7 {
		produce(t, c, userTopic, fmt.Sprintf(`{"ind":%d}`, i))
	}
	store := objstore.NewDir(t.TempDir())
	s := newSink(t, c, store, FlushSize(3))
	stop := started(t, s)
	waitFor(t, "two files landed", func() bool { return landed(t, s, userTopic) == 5 })
	waitFor(t, "the seventh record buffered", func() bool {
		ps := partitionStatus(s, userTopic)
		return ps.Buffered == 1 && ps.Lag == 1
	})
	stop()
	if got := committed(t, c, DefaultGroup)[userTopic]; got != 6 {
		t.Fatalf("committed offset after the first run = %d, want 6 (the partial file stays unlanded)", got)
	}

	produce(t, c, userTopic, `{"ind":7}`, `{"ind":8}`)
	s = newSink(t, c, store, FlushSize(3))
	stop = started(t, s)
	waitFor(t, "the third file landed", func() bool { return landed(t, s, userTopic) == 8 })
	stop()

	prefix := "topics/0a1b2c3d4e5f.user/partition=0/0a1b2c3d4e5f.user+0+"
	assertObjects(t, contents(t, store), map[string]string{
		prefix + "0000000000.json": "{\"ind\":0}\n{\"ind\":1}\n{\"ind\":2}\n",
		prefix + "0000000003.json": "{\"ind\":3}\n{\"ind\":4}\n{\"ind\":5}\n",
		prefix + "0000000006.json": "{\"ind\":6}\n{\"ind\":7}\n{\"ind\":8}\n",
	})
	if got := committed(t, c, DefaultGroup)[userTopic]; got != 9 {
		t.Errorf("committed offset after the second run = %d, want 9", got)
	}
}

// gatedStore fails puts of chosen keys a set number of times and then holds them back until
// released, so tests can open gaps and errors in the landed run at will.
type gatedStore struct {
	*objstore.Dir
	mu       sync.Mutex
	gates    map[string]chan struct{}
	failures map[string]int
}

func (g *gatedStore) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	g.mu.Lock()
	gate := g.gates[key]
	fail := g.failures[key] > 0
	if fail {
		g.failures[key]--
	}
	g.mu.Unlock()
	if fail {
		return fmt.Errorf("put %s: disk quota exceeded", key)
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return g.Dir.PutIfAbsent(ctx, key, data)
}

func TestCommitNeverPassesAnUnpublishedFile(t *testing.T) {
	c := newCluster(t)
	values := make([]string, 10)
	for i := range values {
		values[i] = fmt.Sprintf(`{"index":%d}`, i)
	}
	produce(t, c, pinTopic, values...)
	gate := make(chan struct{})
	store := &gatedStore{
		Dir:      objstore.NewDir(t.TempDir()),
		gates:    map[string]chan struct{}{Key(pinTopic, 0, 4): gate},
		failures: map[string]int{Key(pinTopic, 0, 4): 3},
	}
	s := newSink(t, c, store)
	stop := started(t, s)

	waitFor(t, "every file but the held one put", func() bool {
		return len(contents(t, store.Dir)) == 9
	})
	waitFor(t, "the run before the gap committed", func() bool {
		return committed(t, c, DefaultGroup)[pinTopic] == 4
	})
	waitFor(t, "the held file's three failed puts", func() bool {
		return partitionStatus(s, pinTopic).Errors == 3
	})
	ps := partitionStatus(s, pinTopic)
	if ps.LastLanded != 3 || ps.InFlight != 6 || ps.Errors != 3 || ps.Objects != 4 {
		t.Errorf("status with a held put = %+v, want last landed 3, 6 in flight, 3 errors, 4 objects", ps)
	}
	key := Key(pinTopic, 0, 4)
	if want := "put landing " + key + " (offsets 4-4, attempt 3, retrying in 4ms; check the object store): put " + key + ": disk quota exceeded"; ps.Error != want {
		t.Errorf("last error = %q, want %q", ps.Error, want)
	}
	if got := committed(t, c, DefaultGroup)[pinTopic]; got != 4 {
		t.Fatalf("committed offset with file 4 unpublished = %d, want 4", got)
	}

	close(gate)
	waitFor(t, "everything committed", func() bool {
		return committed(t, c, DefaultGroup)[pinTopic] == 10
	})
	stop()
	ps = partitionStatus(s, pinTopic)
	if ps.LastLanded != 9 || ps.InFlight != 0 || ps.Objects != 10 || ps.Error != "" {
		t.Errorf("final status = %+v, want last landed 9, none in flight, 10 objects, error cleared", ps)
	}
}

// TestRestartRecreatesIdenticalObjects lands every record while the cluster refuses commits,
// so a second run must read them all again and rewrite the same objects.
func TestRestartRecreatesIdenticalObjects(t *testing.T) {
	c := newCluster(t)
	refuse := true
	var refuseMu sync.Mutex
	c.ControlKey(kmsg.OffsetCommit.Int16(), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		refuseMu.Lock()
		defer refuseMu.Unlock()
		if !refuse {
			return nil, nil, false
		}
		r := req.(*kmsg.OffsetCommitRequest)
		resp := r.ResponseKind().(*kmsg.OffsetCommitResponse)
		for _, rt := range r.Topics {
			st := kmsg.NewOffsetCommitResponseTopic()
			st.Topic, st.TopicID = rt.Topic, rt.TopicID
			for _, rp := range rt.Partitions {
				sp := kmsg.NewOffsetCommitResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = kerr.OffsetMetadataTooLarge.Code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
	for i := range 20 {
		produce(t, c, geoTopic, fmt.Sprintf(`{"ind":%d,"country":"Albania"}`, i))
	}
	dir := objstore.NewDir(t.TempDir())
	s := newSink(t, c, dir, FlushSize(4))
	stop := started(t, s)
	waitFor(t, "every file landed", func() bool { return landed(t, s, geoTopic) == 19 })
	stop()
	ps := partitionStatus(s, geoTopic)
	if ps.Errors == 0 || !strings.Contains(ps.Error, "commit group "+DefaultGroup) {
		t.Errorf("status after refused commits = %+v, want commit errors", ps)
	}
	first := contents(t, dir)
	if len(first) != 5 {
		t.Fatalf("first run landed %d files, want 5", len(first))
	}

	refuseMu.Lock()
	refuse = false
	refuseMu.Unlock()
	rewrites := &recordingStore{Dir: dir, existing: first}
	s = newSink(t, c, rewrites, FlushSize(4))
	stop = started(t, s)
	waitFor(t, "the group caught up", func() bool { return committed(t, c, DefaultGroup)[geoTopic] == 20 })
	stop()
	assertObjects(t, contents(t, dir), first)
	if got := rewrites.rewritten(); !slices.Equal(got, slices.Sorted(maps.Keys(first))) {
		t.Errorf("second run rewrote %v, want every first-run key", got)
	}
}

// recordingStore checks that every put of an existing key carries the same bytes.
type recordingStore struct {
	*objstore.Dir
	existing map[string]string
	mu       sync.Mutex
	again    []string
}

func (r *recordingStore) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	if old, ok := r.existing[key]; ok {
		if old != string(data) {
			return errors.New("rewrite of " + key + " differs from the first landing")
		}
		r.mu.Lock()
		r.again = append(r.again, key)
		r.mu.Unlock()
	}
	return r.Dir.PutIfAbsent(ctx, key, data)
}

func (r *recordingStore) rewritten() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(slices.Values(r.again))
}

func TestStatusExplainsAnUnreachableBroker(t *testing.T) {
	c := newCluster(t)
	addr := c.ListenAddrs()[0]
	c.Close()
	s, err := New(objstore.NewDir(t.TempDir()), Brokers(addr), Topics(allTopics...))
	if err != nil {
		t.Fatal(err)
	}
	stop := started(t, s)
	waitFor(t, "the dial failure in the status", func() bool { return s.Status().Error != "" })
	stop()
	st := s.Status()
	if want := "connect to broker " + addr + ": unable to dial: dial tcp " + addr + ": connect: connection refused; check that Kafka is running and reachable"; st.Error != want {
		t.Errorf("status error = %q, want %q", st.Error, want)
	}
}
