package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// heldCluster is a one-partition cluster whose first produce request the broker holds until
// release is closed, so a test can queue requests behind it; produces counts every produce
// request the broker handles.
type heldCluster struct {
	*kfake.Cluster
	held     chan struct{} // closed once the first produce request has reached the broker
	release  chan struct{}
	mu       sync.Mutex
	produces int
}

func newHeldCluster(t *testing.T) *heldCluster {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, pinTopic))
	if err != nil {
		t.Fatal(err)
	}
	c := &heldCluster{Cluster: cluster, held: make(chan struct{}), release: make(chan struct{})}
	cluster.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		c.mu.Lock()
		c.produces++
		first := c.produces == 1
		c.mu.Unlock()
		if first {
			close(c.held)
			<-c.release
		}
		return nil, nil, false
	})
	t.Cleanup(cluster.Close)
	return c
}

// produceRequests is the number of produce requests the broker has handled.
func (c *heldCluster) produceRequests() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.produces
}

// waitQueued waits until n requests wait for the next group.
func waitQueued(k *Kafka, n int) {
	for {
		k.queue.Lock()
		queued := len(k.waiting)
		k.queue.Unlock()
		if queued >= n {
			return
		}
		runtime.Gosched()
	}
}

// produced is what one Produce call answered.
type produced struct {
	values  []string
	results []Result
	err     error
}

func produceValues(k *Kafka, values ...string) produced {
	records := make([]Record, len(values))
	for i, v := range values {
		records[i] = Record{Value: []byte(v), Partition: -1}
	}
	results, err := k.Produce(context.Background(), pinTopic, records)
	return produced{values: values, results: results, err: err}
}

// groupAfterHeld produces "first" on a held cluster and, while the broker holds it, the
// requests of each group of values, and releases the broker once all of them wait. It returns
// the cluster and what each of the len(groups)+1 produce calls answered.
func groupAfterHeld(t *testing.T, groups [][]string) (*heldCluster, []produced) {
	t.Helper()
	cluster := newHeldCluster(t)
	k, err := NewKafka(cluster.ListenAddrs())
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	answers := make(chan produced, len(groups)+1)
	go func() { answers <- produceValues(k, "first") }()
	<-cluster.held
	for _, values := range groups {
		go func() { answers <- produceValues(k, values...) }()
	}
	waitQueued(k, len(groups))
	close(cluster.release)
	out := make([]produced, 0, len(groups)+1)
	for range len(groups) + 1 {
		out = append(out, <-answers)
	}
	return cluster, out
}

// checkLanded fails unless every record of every answer was acknowledged at consecutive
// offsets of partition 0 and the partition holds at each offset the value answered for it.
func checkLanded(t *testing.T, cluster *heldCluster, answers []produced) {
	t.Helper()
	sent := map[int64]string{}
	for _, a := range answers {
		if a.err != nil {
			t.Fatal(a.err)
		}
		for i, res := range a.results {
			if res.Err != nil || res.Partition != 0 || (i > 0 && res.Offset != a.results[0].Offset+int64(i)) {
				t.Fatalf("%s…: result %d is %+v after %+v", a.values[0], i, res, a.results[max(i-1, 0)])
			}
			sent[res.Offset] = a.values[i]
		}
	}
	s := &stack{cluster: cluster.Cluster}
	for _, r := range s.consume(t, pinTopic, len(sent)) {
		if want := sent[r.Offset]; string(r.Value) != want {
			t.Fatalf("offset %d holds %q, answered as %q", r.Offset, r.Value, want)
		}
	}
}

func TestRequestsArrivingDuringAProduceGoTogether(t *testing.T) {
	var groups [][]string
	for i := range 10 {
		groups = append(groups, []string{fmt.Sprintf("r%d-a", i), fmt.Sprintf("r%d-b", i)})
	}
	cluster, answers := groupAfterHeld(t, groups)
	if n := cluster.produceRequests(); n != 2 {
		t.Errorf("the broker got %d produce requests, want 2: the first, then the ten waiting together", n)
	}
	checkLanded(t, cluster, answers)
}

// TestAGroupLargerThanTheBufferIsFlushedInParts sends a group of more records than the
// producer buffers: every record must be acknowledged, in order, none failed as over the buffer.
func TestAGroupLargerThanTheBufferIsFlushedInParts(t *testing.T) {
	var groups [][]string
	for _, name := range []string{"a", "b"} {
		values := make([]string, groupRecords*3/4)
		for i := range values {
			values[i] = fmt.Sprintf("%s-%d", name, i)
		}
		groups = append(groups, values)
	}
	cluster, answers := groupAfterHeld(t, groups)
	if n := cluster.produceRequests(); n < 3 {
		t.Errorf("the broker got %d produce requests, want the first and then the group in at least two parts", n)
	}
	checkLanded(t, cluster, answers)
}

func TestCloseFailsTheWaitingRequests(t *testing.T) {
	cluster := newHeldCluster(t)
	k, err := NewKafka(cluster.ListenAddrs())
	if err != nil {
		t.Fatal(err)
	}
	answers := make(chan produced, 2)
	go func() { answers <- produceValues(k, "in flight") }()
	<-cluster.held
	go func() { answers <- produceValues(k, "waiting") }()
	waitQueued(k, 1)
	k.Close()
	close(cluster.release)
	for range 2 {
		a := <-answers
		if a.err != nil || len(a.results) != 1 || !errors.Is(a.results[0].Err, kgo.ErrClientClosed) {
			t.Errorf("%v: %+v %v, want the record failed with %v", a.values, a.results, a.err, kgo.ErrClientClosed)
		}
	}
	if a := produceValues(k, "after close"); a.err != nil || !errors.Is(a.results[0].Err, kgo.ErrClientClosed) {
		t.Errorf("after close: %+v %v, want the record failed with %v", a.results, a.err, kgo.ErrClientClosed)
	}
}

// TestConcurrentPostsLandTheirOwnRecords posts from many clients at once, so requests share
// groups and pooled buffers: every answered offset must hold the record its own post sent.
func TestConcurrentPostsLandTheirOwnRecords(t *testing.T) {
	s := newStack(t)
	const clients, posts = 8, 25
	type landed struct {
		offset int64
		value  string
	}
	got := make(chan []landed, clients*posts)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for p := range posts {
				n := 1 + (c+p)%3
				var records, values []string
				for i := range n {
					v := fmt.Sprintf(`{"client":%d,"post":%d,"record":%d,"pad":"%s"}`, c, p, i, strings.Repeat("x", 50*c+p))
					records = append(records, `{"value":`+v+`}`)
					values = append(values, v)
				}
				status, _, body := s.post(t, "/topics/"+pinTopic, jsonV2, `{"records":[`+strings.Join(records, ",")+`]}`)
				var answer struct {
					Offsets []struct{ Offset int64 } `json:"offsets"`
				}
				if err := json.Unmarshal([]byte(body), &answer); status != http.StatusOK || err != nil || len(answer.Offsets) != n {
					t.Errorf("post %d of client %d: %d %s", p, c, status, body)
					return
				}
				var mine []landed
				for i, o := range answer.Offsets {
					mine = append(mine, landed{o.Offset, values[i]})
				}
				got <- mine
			}
		})
	}
	wg.Wait()
	close(got)
	sent := map[int64]string{}
	for mine := range got {
		for _, l := range mine {
			if prev, dup := sent[l.offset]; dup {
				t.Fatalf("offset %d answered twice: %s and %s", l.offset, prev, l.value)
			}
			sent[l.offset] = l.value
		}
	}
	for _, r := range s.consume(t, pinTopic, len(sent)) {
		if want := sent[r.Offset]; string(r.Value) != want {
			t.Errorf("offset %d holds %s, answered as %s", r.Offset, r.Value, want)
		}
	}
}

// TestReusedCallStartsClean produces a request whose records fail, then one that succeeds on
// the same pooled call: the second must answer its own offsets, not the first one's errors.
func TestReusedCallStartsClean(t *testing.T) {
	s := newStack(t)
	if a := produceValues(s.kafka, "known topic"); a.err != nil || a.results[0].Err != nil {
		t.Fatalf("first produce: %+v %v", a.results, a.err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	failed, err := s.kafka.Produce(cancelled, pinTopic, []Record{{Value: []byte("a"), Partition: -1}, {Value: []byte("b"), Partition: -1}})
	if err != nil || len(failed) != 2 || !errors.Is(failed[0].Err, context.Canceled) || !errors.Is(failed[1].Err, context.Canceled) {
		t.Fatalf("cancelled produce: %+v %v, want both records failed with %v", failed, err, context.Canceled)
	}
	for i := range 3 {
		a := produceValues(s.kafka, "c", "d")
		if a.err != nil || len(a.results) != 2 || a.results[0].Err != nil || a.results[1].Err != nil ||
			a.results[0].Offset != int64(1+2*i) || a.results[1].Offset != int64(2+2*i) {
			t.Fatalf("produce %d after the failed one: %+v %v", i, a.results, a.err)
		}
	}
}

// TestProduceAllocatesPerRequestNotPerRecord produces 100 records a call: what is allocated
// (here, in franz-go and in the embedded broker) must not grow with each record, as it did
// when every record's promise was a new func value.
func TestProduceAllocatesPerRequestNotPerRecord(t *testing.T) {
	s := newStack(t)
	records := make([]Record, 100)
	for i := range records {
		records[i] = Record{Value: []byte(benchPin), Partition: -1}
	}
	produce := func() {
		if _, err := s.kafka.Produce(context.Background(), pinTopic, records); err != nil {
			t.Fatal(err)
		}
	}
	produce()
	if allocs := testing.AllocsPerRun(50, produce); allocs >= float64(len(records)) {
		t.Errorf("a produce of %d records made %.0f allocations", len(records), allocs)
	}
}
