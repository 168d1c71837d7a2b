package kafka

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// cluster starts an in-memory one-broker cluster with the given topics of one partition each.
func cluster(t *testing.T, topics ...string) (*Client, *kgo.Client) {
	t.Helper()
	return partitioned(t, 1, topics...)
}

// partitioned starts an in-memory one-broker cluster with the given topics of n partitions each,
// and a producer that writes each record to the partition it names.
func partitioned(t *testing.T, n int32, topics ...string) (*Client, *kgo.Client) {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(n, topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cl, err := New(context.Background(), Settings{Brokers: c.ListenAddrs()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prod.Close)
	return cl, prod
}

func produce(t *testing.T, prod *kgo.Client, topic string, values ...string) {
	t.Helper()
	for _, v := range values {
		if err := prod.ProduceSync(context.Background(), &kgo.Record{Topic: topic, Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTopicsListsOffsetsSortedByName(t *testing.T) {
	cl, prod := cluster(t, "u.user", "u.pin", "u.geo")
	produce(t, prod, "u.pin", "a", "b", "c")
	produce(t, prod, "u.geo", "a")
	topics, err := cl.Topics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Topic{
		{Name: "u.geo", Partitions: []Partition{{ID: 0, Start: 0, End: 1}}},
		{Name: "u.pin", Partitions: []Partition{{ID: 0, Start: 0, End: 3}}},
		{Name: "u.user", Partitions: []Partition{{ID: 0, Start: 0, End: 0}}},
	}
	if !reflect.DeepEqual(topics, want) {
		t.Errorf("Topics = %+v\nwant %+v", topics, want)
	}
	if topics[1].Records() != 3 {
		t.Errorf("Records = %d, want 3", topics[1].Records())
	}
}

func TestTopicReportsGroupLag(t *testing.T) {
	ctx := context.Background()
	cl, prod := cluster(t, "u.pin", "u.geo")
	produce(t, prod, "u.pin", "a", "b", "c", "d")
	produce(t, prod, "u.geo", "a")
	var sink, other kadm.Offsets
	sink.AddOffset("u.pin", 0, 1, -1)
	other.AddOffset("u.geo", 0, 1, -1)
	adm := kadm.NewClient(prod)
	if err := adm.CommitAllOffsets(ctx, "sink", sink); err != nil {
		t.Fatal(err)
	}
	if err := adm.CommitAllOffsets(ctx, "other", other); err != nil {
		t.Fatal(err)
	}
	tp, err := cl.Topic(ctx, "u.pin")
	if err != nil {
		t.Fatal(err)
	}
	want := []GroupLag{{Group: "sink", State: "Empty", Total: 3, Partitions: []PartitionLag{{Partition: 0, Committed: 1, End: 4, Lag: 3}}}}
	if !reflect.DeepEqual(tp.Groups, want) {
		t.Errorf("Groups = %+v\nwant %+v", tp.Groups, want)
	}
}

func TestTopicUnknown(t *testing.T) {
	cl, _ := cluster(t, "u.pin")
	_, err := cl.Topic(context.Background(), "u.nope")
	if err == nil || err.Error() != "describe topic u.nope: no such topic: list topics to see the names" {
		t.Errorf("Topic = %v", err)
	}
}

func TestEnsureTopicsCreatesOnlyMissing(t *testing.T) {
	ctx := context.Background()
	cl, prod := cluster(t, "u.pin")
	produce(t, prod, "u.pin", "kept")
	for range 2 {
		if err := cl.EnsureTopics(ctx, 1, "u.pin", "u.geo", "u.user"); err != nil {
			t.Fatal(err)
		}
	}
	topics, err := cl.Topics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tp := range topics {
		got = append(got, fmt.Sprintf("%s:%d:%d", tp.Name, len(tp.Partitions), tp.Records()))
	}
	if want := []string{"u.geo:1:0", "u.pin:1:1", "u.user:1:0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("topics = %v, want %v", got, want)
	}
}

func tail(t *testing.T, cl *Client, o TailOptions) []string {
	t.Helper()
	var got []string
	err := cl.Tail(context.Background(), "u.pin", o, func(r Record) error {
		got = append(got, fmt.Sprintf("%d:%s", r.Offset, r.Value))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestTailStopsAtEndOrMax(t *testing.T) {
	cl, prod := cluster(t, "u.pin")
	produce(t, prod, "u.pin", "a", "b", "c", "d")
	cases := []struct {
		name string
		o    TailOptions
		want []string
	}{
		{"beginning", TailOptions{From: Beginning}, []string{"0:a", "1:b", "2:c", "3:d"}},
		{"max", TailOptions{From: Beginning, Max: 2}, []string{"0:a", "1:b"}},
		{"offset", TailOptions{From: At(2)}, []string{"2:c", "3:d"}},
		{"end", TailOptions{From: End}, nil},
		{"past the end", TailOptions{From: At(99)}, nil},
		{"last two", TailOptions{From: Last(2)}, []string{"2:c", "3:d"}},
		{"last more than stored", TailOptions{From: Last(10)}, []string{"0:a", "1:b", "2:c", "3:d"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := tail(t, cl, c.o); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Tail = %v, want %v", got, c.want)
			}
		})
	}
}

func TestTailEmptyTopicReturnsAtOnce(t *testing.T) {
	cl, _ := cluster(t, "u.pin")
	if got := tail(t, cl, TailOptions{From: Beginning}); got != nil {
		t.Errorf("Tail = %v, want nothing", got)
	}
}

func TestTailFollowDeliversNewRecords(t *testing.T) {
	cl, prod := cluster(t, "u.pin")
	produce(t, prod, "u.pin", "old")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		// Starting at offset 1, past the only stored record, makes the test independent of
		// whether the tail is already polling when the new record arrives.
		done <- cl.Tail(ctx, "u.pin", TailOptions{From: At(1), Follow: true}, func(r Record) error {
			got <- fmt.Sprintf("%d:%s", r.Offset, r.Value)
			return nil
		})
	}()
	produce(t, prod, "u.pin", "new")
	if first := <-got; first != "1:new" {
		t.Errorf("first followed record = %q, want 1:new", first)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Tail after cancel = %v, want nil", err)
	}
}

func TestTailStopsOnCallbackError(t *testing.T) {
	cl, prod := cluster(t, "u.pin")
	produce(t, prod, "u.pin", "a", "b")
	stop := errors.New("stop")
	err := cl.Tail(context.Background(), "u.pin", TailOptions{From: Beginning}, func(Record) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("Tail = %v, want the callback's error", err)
	}
}

func TestSettingsErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := New(ctx, Settings{}); err == nil || !strings.Contains(err.Error(), "no brokers") {
		t.Errorf("New without brokers = %v", err)
	}
	_, err := New(ctx, Settings{Brokers: []string{"127.0.0.1:1"}, SASL: "gssapi"})
	if err == nil || err.Error() != `kafka settings: unknown SASL mechanism "gssapi": use none, AWS_MSK_IAM, SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN` {
		t.Errorf("New with unknown SASL = %v", err)
	}
	for _, m := range []string{"", "none", "scram-sha-512", "SCRAM-SHA-256", "plain"} {
		if _, err := (Settings{Brokers: []string{"127.0.0.1:1"}, SASL: m}).Options(ctx); err != nil {
			t.Errorf("Options with SASL %q: %v", m, err)
		}
	}
}
