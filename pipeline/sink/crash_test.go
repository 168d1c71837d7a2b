package sink

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	childBrokers = "PINTUI_SINK_TEST_CHILD_BROKERS"
	childDir     = "PINTUI_SINK_TEST_CHILD_DIR"
	crashGroup   = "connect-crash-test"
)

// TestChildSink is the sink process that TestKilledSinkLandsEveryRecordOnce kills; it does
// nothing when run on its own.
func TestChildSink(t *testing.T) {
	brokers := os.Getenv(childBrokers)
	if brokers == "" {
		t.Skip("runs only as the child process of TestKilledSinkLandsEveryRecordOnce")
	}
	s, err := New(objstore.NewDir(os.Getenv(childDir)),
		Brokers(strings.Split(brokers, ",")...),
		Topics(allTopics...),
		Group(crashGroup),
		ClientOpts(
			kgo.SessionTimeout(500*time.Millisecond),
			kgo.RebalanceTimeout(500*time.Millisecond),
			kgo.HeartbeatInterval(50*time.Millisecond),
			kgo.FetchMaxWait(50*time.Millisecond),
		),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func pinValue(topic string, i int) string {
	return fmt.Sprintf(`{"index":%d,"topic":%q,"title":"Pin %d","follower_count":"%dk"}`, i, topic, i, i%997)
}

// TestKilledSinkLandsEveryRecordOnce kills a sink process with SIGKILL in the middle of its
// work, then finishes with a new sink in the same group: the store must hold every record
// exactly once, and at no moment may the group's offset point past an unlanded record.
func TestKilledSinkLandsEveryRecordOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	const perTopic = 1000
	c := newCluster(t)
	for _, topic := range allTopics {
		values := make([]string, perTopic)
		for i := range values {
			values[i] = pinValue(topic, i)
		}
		produce(t, c, topic, values...)
	}
	dir := t.TempDir()
	store := objstore.NewDir(dir)

	child := exec.Command(os.Args[0], "-test.run=^TestChildSink$", "-test.count=1")
	child.Env = append(os.Environ(), childBrokers+"="+strings.Join(c.ListenAddrs(), ","), childDir+"="+dir)
	child.Stdout, child.Stderr = os.Stdout, os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()

	checkPrefixLanded := func() int {
		offsets := committed(t, c, crashGroup) // read first: the landing can only be ahead of it
		objs, err := store.List(context.Background(), "topics/")
		if err != nil {
			t.Fatal(err)
		}
		keys := make(map[string]bool, len(objs))
		for _, o := range objs {
			keys[o.Key] = true
		}
		for topic, upTo := range offsets {
			for i := range upTo {
				if !keys[Key(topic, 0, i)] {
					t.Fatalf("group committed %s at %d but offset %d has not landed", topic, upTo, i)
				}
			}
		}
		return len(objs)
	}
	waitFor(t, "the child to land a third of the records", func() bool {
		time.Sleep(20 * time.Millisecond)
		return checkPrefixLanded() >= perTopic
	})
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	before := checkPrefixLanded()
	at := committed(t, c, crashGroup)
	t.Logf("killed the child with %d objects landed and offsets %v committed", before, at)
	if before == 3*perTopic {
		t.Log("the child landed everything before the kill; the restart only rewrites")
	}

	s := newSink(t, c, store, Group(crashGroup))
	stop := started(t, s)
	waitFor(t, "the new sink to catch up", func() bool {
		offsets := committed(t, c, crashGroup)
		return offsets[pinTopic] == perTopic && offsets[geoTopic] == perTopic && offsets[userTopic] == perTopic
	})
	stop()

	want := map[string]string{}
	for _, topic := range allTopics {
		for i := range perTopic {
			want[Key(topic, 0, int64(i))] = pinValue(topic, i) + "\n"
		}
	}
	assertObjects(t, contents(t, store), want)
}
