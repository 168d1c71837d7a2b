package connect

import (
	"context"
	"reflect"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestLagReadsTheConnectorGroupPerPartition commits as Kafka Connect's group for the connector
// would, on a kfake cluster, and expects each partition's commit, end and lag; a partition the
// group never committed on lags by all it holds, and another group's commits do not count.
func TestLagReadsTheConnectorGroupPerPartition(t *testing.T) {
	topics := []string{uid + ".geo", uid + ".pin", uid + ".user"}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	ctx := context.Background()
	for _, r := range []struct {
		topic string
		p     int32
		n     int
	}{{uid + ".pin", 0, 5}, {uid + ".pin", 1, 3}, {uid + ".geo", 0, 4}, {uid + ".user", 1, 2}} {
		for range r.n {
			if err := cl.ProduceSync(ctx, &kgo.Record{Topic: r.topic, Partition: r.p, Value: []byte("{}")}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
	adm := kadm.NewClient(cl)
	group := Group(uid + "-s3-sink")
	commit := kadm.Offsets{}
	commit.Add(kadm.Offset{Topic: uid + ".pin", Partition: 0, At: 5})
	commit.Add(kadm.Offset{Topic: uid + ".pin", Partition: 1, At: 1})
	commit.Add(kadm.Offset{Topic: uid + ".geo", Partition: 0, At: 4})
	if _, err := adm.CommitOffsets(ctx, group, commit); err != nil {
		t.Fatal(err)
	}
	other := kadm.Offsets{}
	other.Add(kadm.Offset{Topic: uid + ".user", Partition: 1, At: 2})
	if _, err := adm.CommitOffsets(ctx, "connect-someone-else", other); err != nil {
		t.Fatal(err)
	}
	got, err := Lag(ctx, adm, group, topics...)
	if err != nil {
		t.Fatal(err)
	}
	want := []PartitionLag{
		{Topic: uid + ".geo", Partition: 0, Committed: 4, End: 4, Lag: 0},
		{Topic: uid + ".geo", Partition: 1, Committed: -1, End: 0, Lag: 0},
		{Topic: uid + ".pin", Partition: 0, Committed: 5, End: 5, Lag: 0},
		{Topic: uid + ".pin", Partition: 1, Committed: 1, End: 3, Lag: 2},
		{Topic: uid + ".user", Partition: 0, Committed: -1, End: 0, Lag: 0},
		{Topic: uid + ".user", Partition: 1, Committed: -1, End: 2, Lag: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if group != "connect-0a1b2c3d4e5f-s3-sink" {
		t.Errorf("group %s", group)
	}
}
