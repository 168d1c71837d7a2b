package sink

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// persistedCluster starts a Kafka that keeps its partitions under dir, as the local stack does.
func persistedCluster(t *testing.T, dir string) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, allTopics...),
		kfake.GroupMinSessionTimeout(100*time.Millisecond), kfake.DataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func endOffset(t *testing.T, c *kfake.Cluster, topic string) int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	end, _ := ends.Lookup(topic, 0)
	return end.Offset
}

// TestTruncatedPartitionStopsTheSink lands ten records, cuts the partition's file on disk as a
// damaged disk would, and produces new records, which Kafka gives the offsets of landed ones.
// The sink must refuse to start, saying what is gone, and leave every landing as it was.
func TestTruncatedPartitionStopsTheSink(t *testing.T) {
	dir := t.TempDir()
	c := persistedCluster(t, dir)
	for i := range 10 {
		produce(t, c, pinTopic, fmt.Sprintf(`{"index":%d}`, i))
	}
	store := objstore.NewDir(t.TempDir())
	s := newSink(t, c, store)
	stop := started(t, s)
	waitFor(t, "ten records landed", func() bool { return committed(t, c, DefaultGroup)[pinTopic] == 10 })
	stop()
	c.Close()
	landedBefore := contents(t, store)

	segment := filepath.Join(dir, "partitions", url.PathEscape(pinTopic)+"-0", "0.dat")
	info, err := os.Stat(segment)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(segment, info.Size()/2); err != nil {
		t.Fatal(err)
	}
	c = persistedCluster(t, dir)
	defer c.Close()
	end := endOffset(t, c, pinTopic)
	if end >= 10 {
		t.Fatalf("partition ends at %d after the truncation, want fewer than 10 records", end)
	}
	produce(t, c, pinTopic, `{"index":"new 5"}`, `{"index":"new 6"}`)
	end = endOffset(t, c, pinTopic)

	s = newSink(t, c, store)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var runErr error
	returned := func() bool {
		select {
		case runErr = <-done:
			return true
		default:
			return false
		}
	}
	// Without the check, the consumer finds its offset past the end and resumes at the end,
	// where the next records take the offsets of landed ones.
	waitFor(t, "the sink to refuse or to resume at the end", func() bool {
		return returned() || partitionStatus(s, pinTopic).Errors > 0
	})
	stopped := runErr != nil
	produce(t, c, pinTopic, `{"index":"new 7"}`, `{"index":"new 8"}`, `{"index":"new 9"}`)
	waitFor(t, "the sink to refuse or to change a landing", func() bool {
		return stopped || returned() || !maps.Equal(contents(t, store), landedBefore)
	})
	if runErr == nil {
		cancel()
		runErr = <-done
	}
	want := fmt.Sprintf("start sink group %s: %s partition 0 ends at offset %d but offsets up to 9 have landed (at least %d records gone); "+
		"Kafka has lost landed records and would give their offsets to new ones, whose landings would replace them. "+
		"The landings are intact: restore the partition's data from a backup, or move each damaged partition's landings "+
		"from its end offset on out of the bucket and reset the group to that offset, then start the sink again",
		DefaultGroup, pinTopic, end, 10-end)
	if runErr == nil || runErr.Error() != want {
		t.Errorf("run = %v\nwant %s", runErr, want)
	}
	if got := s.Status().Error; got != want {
		t.Errorf("status error = %q, want the refusal", got)
	}
	assertObjects(t, contents(t, store), landedBefore)
}

// TestSinkNeverReplacesALanding finds another landing already under the key of offset 1: the
// sink must leave it as it is, say so, and commit nothing past it; once the object is moved
// aside, the record lands and the group goes on.
func TestSinkNeverReplacesALanding(t *testing.T) {
	c := newCluster(t)
	produce(t, c, pinTopic, `{"index":0}`, `{"index":1}`, `{"index":2}`)
	store := objstore.NewDir(t.TempDir())
	key := Key(pinTopic, 0, 1)
	if err := store.Put(context.Background(), key, []byte("{\"index\":\"landed before\"}\n")); err != nil {
		t.Fatal(err)
	}
	s := newSink(t, c, store)
	stop := started(t, s)
	waitFor(t, "the refusal or the group past offset 1", func() bool {
		return partitionStatus(s, pinTopic).Error != "" || committed(t, c, DefaultGroup)[pinTopic] > 1
	})
	waitFor(t, "the landings around the refused one", func() bool { return len(contents(t, store)) == 3 })
	want := "landing " + key + " (offsets 1-1) already holds 26 other bytes: the sink never replaces a landing. " +
		"Kafka no longer holds what landed there; move the object out of the bucket to land these records, which the sink retries until then"
	if got := partitionStatus(s, pinTopic).Error; got != want {
		t.Errorf("status error = %q\nwant %q", got, want)
	}
	if got := committed(t, c, DefaultGroup)[pinTopic]; got > 1 {
		t.Errorf("group committed %d, past the refused landing at 1", got)
	}
	assertObjects(t, contents(t, store), map[string]string{
		Key(pinTopic, 0, 0): "{\"index\":0}\n",
		key:                 "{\"index\":\"landed before\"}\n",
		Key(pinTopic, 0, 2): "{\"index\":2}\n",
	})

	if err := store.Delete(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the group past the moved landing", func() bool { return committed(t, c, DefaultGroup)[pinTopic] == 3 })
	stop()
	assertObjects(t, contents(t, store), map[string]string{
		Key(pinTopic, 0, 0): "{\"index\":0}\n",
		key:                 "{\"index\":1}\n",
		Key(pinTopic, 0, 2): "{\"index\":2}\n",
	})
}
