package sink

import (
	"context"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/twmb/franz-go/pkg/kgo"
)

// slowStore stretches every put so rebalances happen while files are in flight.
type slowStore struct {
	*objstore.Dir
	puts atomic.Int64
}

func (s *slowStore) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	s.puts.Add(1)
	time.Sleep(2 * time.Millisecond)
	return s.Dir.PutIfAbsent(ctx, key, data)
}

// TestRebalancesLandEveryRecordOnce moves partitions between two sinks of one group while
// they land, and then stops one: the other finishes and nothing is lost or doubled.
func TestRebalancesLandEveryRecordOnce(t *testing.T) {
	const perTopic = 400 // a multiple of the flush size, so every record lands
	c := newCluster(t)
	want := map[string]string{}
	for _, topic := range allTopics {
		values := make([]string, perTopic)
		for i := range values {
			values[i] = pinValue(topic, i)
			want[Key(topic, 0, int64(i/4*4))] += values[i] + "\n"
		}
		produce(t, c, topic, values...)
	}
	dir := objstore.NewDir(t.TempDir())
	store := &slowStore{Dir: dir}
	a := newSink(t, c, store, Concurrency(2), FlushSize(4))
	stopA := started(t, a)
	waitFor(t, "the first sink to start landing", func() bool { return store.puts.Load() > 20 })
	b := newSink(t, c, store, Concurrency(2), FlushSize(4))
	stopB := started(t, b)
	waitFor(t, "the second sink to be assigned a partition", func() bool {
		return len(b.Status().Partitions) > 0
	})
	stopA()
	waitFor(t, "the second sink to land everything", func() bool {
		got := committed(t, c, DefaultGroup)
		return got[pinTopic] == perTopic && got[geoTopic] == perTopic && got[userTopic] == perTopic
	})
	stopB()
	assertObjects(t, contents(t, dir), want)
}

func TestGroupStatusReadsProgressFromKafka(t *testing.T) {
	c := newCluster(t)
	produce(t, c, pinTopic, `{"index":0}`, `{"index":1}`, `{"index":2}`, `{"index":3}`, `{"index":4}`)
	produce(t, c, geoTopic, `{"ind":0}`)
	s := newSink(t, c, objstore.NewDir(t.TempDir()), FlushSize(2))
	stop := started(t, s)
	waitFor(t, "two pin files landed", func() bool { return landed(t, s, pinTopic) == 3 })
	stop()

	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	st, err := GroupStatus(context.Background(), cl, DefaultGroup, allTopics...)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(st.Group, summary(st.Partitions))
	want := fmt.Sprint(DefaultGroup, []string{
		"0a1b2c3d4e5f.geo/0 landed -1 committed -1 end 1 lag 1",
		"0a1b2c3d4e5f.pin/0 landed 3 committed 4 end 5 lag 1",
		"0a1b2c3d4e5f.user/0 landed -1 committed -1 end 0 lag 0",
	})
	if got != want {
		t.Errorf("GroupStatus = %s\nwant %s", got, want)
	}

	if _, err := GroupStatus(context.Background(), cl, DefaultGroup, "missing"); err == nil {
		t.Error("GroupStatus of a missing topic succeeded")
	}
}

func summary(ps []PartitionStatus) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprintf("%s/%d landed %d committed %d end %d lag %d", p.Topic, p.Partition, p.LastLanded, p.Committed, p.End, p.Lag)
	}
	return out
}

func TestRotateSchedulePublishesPartialFiles(t *testing.T) {
	c := newCluster(t)
	produce(t, c, userTopic, `{"ind":0}`, `{"ind":1}`)
	dir := objstore.NewDir(t.TempDir())
	s := newSink(t, c, dir, FlushSize(100), RotateSchedule(20*time.Millisecond))
	stop := started(t, s)
	waitFor(t, "the partial file landed", func() bool { return landed(t, s, userTopic) == 1 })
	stop()
	got := contents(t, dir)
	want := map[string]string{Key(userTopic, 0, 0): "{\"ind\":0}\n{\"ind\":1}\n"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("objects = %q, want %q", got, want)
	}
}
