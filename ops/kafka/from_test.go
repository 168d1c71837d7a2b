package kafka

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestParseFrom(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC)
	valid := []struct {
		in   string
		want From
	}{
		{"beginning", Beginning},
		{"end", End},
		{"0", At(0)},
		{"42", At(42)},
		{"-10", Last(10)},
		{"-0", Last(0)},
		{"2026-12-01T10:00:00Z", Since(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))},
		{"2026-12-01T11:00:00.25+01:00", Since(time.Date(2026, 12, 1, 10, 0, 0, 250e6, time.UTC))},
		{"-10m", Since(time.Date(2026, 12, 1, 10, 20, 0, 0, time.UTC))},
		{"-1h30m", Since(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))},
		{"s@1796119200000", Since(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))},
	}
	for _, c := range valid {
		if got, err := ParseFrom(c.in, now); err != nil || got != c.want {
			t.Errorf("ParseFrom(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	const forms = "use beginning, end, an offset such as 42, -10 for the last 10 records of each partition, " +
		"or a time: 2026-12-01T10:00:00Z (RFC 3339), -10m for ten minutes ago, s@1796119200000 (Unix milliseconds)"
	const badTime = "write RFC 3339 with a zone, such as 2026-12-01T10:00:00Z or 2026-12-01T11:00:00+01:00"
	invalid := []struct{ in, want string }{
		{"latest", `--from "latest" is not valid: ` + forms},
		{"", `--from "" is not valid: ` + forms},
		{"10x", `--from "10x" is not valid: ` + forms},
		{"99999999999999999999", `--from "99999999999999999999" is out of range: an offset or a count of records is at most 9223372036854775807`},
		{"-9223372036854775808", `--from "-9223372036854775808" is out of range: an offset or a count of records is at most 9223372036854775807`},
		{"2026-13-01T10:00:00Z", `--from "2026-13-01T10:00:00Z" is not a valid time: ` + badTime},
		{"2026-12-01 10:00:00", `--from "2026-12-01 10:00:00" is not a valid time: ` + badTime},
		{"2026-12-01T10:00:00", `--from "2026-12-01T10:00:00" is not a valid time: ` + badTime},
		{"-3d", `--from "-3d" is not a valid duration: use the units h, m, s or ms, such as -10m or -1h30m`},
		{"10m", `--from "10m" would start in the future: a relative time looks back, such as -10m`},
		{"+10m", `--from "+10m" would start in the future: a relative time looks back, such as -10m`},
		{"s@soon", `--from "s@soon" is not valid: s@ takes Unix milliseconds, such as s@1796119200000`},
		{"s@-5", `--from "s@-5" is not valid: s@ takes Unix milliseconds, such as s@1796119200000`},
	}
	for _, c := range invalid {
		if got, err := ParseFrom(c.in, now); err == nil || err.Error() != c.want {
			t.Errorf("ParseFrom(%q) = %+v, %v\nwant the error %s", c.in, got, err, c.want)
		}
	}
}

func TestLastZeroStartsAtTheEnd(t *testing.T) {
	cl, prod := cluster(t, "u.pin")
	produce(t, prod, "u.pin", "a", "b")
	if got := tail(t, cl, TailOptions{From: Last(0)}); got != nil {
		t.Errorf("Tail from Last(0) = %v, want nothing", got)
	}
}

// stamped starts a cluster with topic u.pin of two partitions and produces to each the values
// given for it, stamped one minute apart from 10:00 in the order given, partition 0 first.
func stamped(t *testing.T, values map[int32][]string) (*Client, *kgo.Client) {
	t.Helper()
	cl, prod := partitioned(t, 2, "u.pin")
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for p := range int32(2) {
		for _, v := range values[p] {
			r := &kgo.Record{Topic: "u.pin", Partition: p, Value: []byte(v), Timestamp: at}
			if err := prod.ProduceSync(context.Background(), r).FirstErr(); err != nil {
				t.Fatal(err)
			}
			at = at.Add(time.Minute)
		}
	}
	return cl, prod
}

func tailParts(t *testing.T, cl *Client, o TailOptions) []string {
	t.Helper()
	var got []string
	err := cl.Tail(context.Background(), "u.pin", o, func(r Record) error {
		got = append(got, fmt.Sprintf("p%d:%d:%s", r.Partition, r.Offset, r.Value))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestTailSinceStartsEachPartitionAtItsFirstRecordAtOrAfter(t *testing.T) {
	// p0 holds a 10:00, b 10:01, c 10:02; p1 holds d 10:03, e 10:04.
	cl, _ := stamped(t, map[int32][]string{0: {"a", "b", "c"}, 1: {"d", "e"}})
	at := func(h, m, s int) From { return Since(time.Date(2026, 12, 1, h, m, s, 0, time.UTC)) }
	cases := []struct {
		name string
		from From
		want []string
	}{
		{"before every record", at(9, 0, 0), []string{"p0:0:a", "p0:1:b", "p0:2:c", "p1:0:d", "p1:1:e"}},
		{"exactly at one", at(10, 1, 0), []string{"p0:1:b", "p0:2:c", "p1:0:d", "p1:1:e"}},
		{"between two", at(10, 3, 30), []string{"p1:1:e"}},
		{"after every record", at(11, 0, 0), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := tailParts(t, cl, TailOptions{From: c.from})
			if !reflect.DeepEqual(sortByPartition(got), c.want) {
				t.Errorf("Tail = %v, want %v", got, c.want)
			}
		})
	}
}

func TestTailSinceTheFutureFollowsNewRecords(t *testing.T) {
	cl, prod := stamped(t, map[int32][]string{0: {"a"}, 1: {"b"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		from := Since(time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC))
		done <- cl.Tail(ctx, "u.pin", TailOptions{From: from, Follow: true}, func(r Record) error {
			got <- fmt.Sprintf("p%d:%d:%s", r.Partition, r.Offset, r.Value)
			return nil
		})
	}()
	r := &kgo.Record{Topic: "u.pin", Partition: 1, Value: []byte("new"), Timestamp: time.Date(2026, 12, 1, 11, 5, 0, 0, time.UTC)}
	if err := prod.ProduceSync(context.Background(), r).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if first := <-got; first != "p1:1:new" {
		t.Errorf("first followed record = %q, want p1:1:new", first)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Tail after cancel = %v, want nil", err)
	}
}

// sortByPartition puts the records of partition 0 before those of 1, keeping each partition's
// order, since a tail interleaves partitions as fetches return them.
func sortByPartition(recs []string) []string {
	var out []string
	for _, p := range []string{"p0:", "p1:"} {
		for _, r := range recs {
			if r[:3] == p {
				out = append(out, r)
			}
		}
	}
	return out
}

func TestTailLastCountsEachPartition(t *testing.T) {
	cl, _ := stamped(t, map[int32][]string{0: {"a", "b", "c"}, 1: {"d", "e"}})
	got := sortByPartition(tailParts(t, cl, TailOptions{From: Last(2)}))
	if want := []string{"p0:1:b", "p0:2:c", "p1:0:d", "p1:1:e"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Tail from Last(2) = %v, want %v", got, want)
	}
}
