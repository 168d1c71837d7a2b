package sink

import (
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/objstore"
)

func TestKeyFollowsConnectNaming(t *testing.T) {
	got := Key("0a1b2c3d4e5f.pin", 0, 42)
	want := "topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+0000000042.json"
	if got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
	if got := Prefix("0a1b2c3d4e5f.pin", 2); got != "topics/0a1b2c3d4e5f.pin/partition=2/" {
		t.Errorf("Prefix = %q", got)
	}
}

func TestParseKeyRoundTrips(t *testing.T) {
	for _, c := range []struct {
		topic     string
		partition int32
		start     int64
	}{{"0a1b2c3d4e5f.pin", 0, 0}, {"a+b.geo", 11, 12345678901}, {"u", 2, 9999999999}} {
		topic, partition, start, ok := ParseKey(Key(c.topic, c.partition, c.start))
		if !ok || topic != c.topic || partition != c.partition || start != c.start {
			t.Errorf("ParseKey(Key(%q, %d, %d)) = %q, %d, %d, %v", c.topic, c.partition, c.start, topic, partition, start, ok)
		}
	}
	for _, key := range []string{
		"",
		"topics/x/partition=0/x+0+42.json",
		"topics/x/partition=0/y+0+0000000042.json",
		"topics/x/partition=1/x+0+0000000042.json",
		"topics/x/partition=0/x+0+0000000042.json.gz",
		"topics/x/partition=0/x+0+-000000042.json",
		"landing/x/partition=0/x+0+0000000042.json",
	} {
		if _, _, _, ok := ParseKey(key); ok {
			t.Errorf("ParseKey(%q) accepted a key Key never produces", key)
		}
	}
}

func TestAppendLine(t *testing.T) {
	for _, c := range []struct{ value, want string }{
		{`{"a": 1,  "b":[1, 2]}`, "{\"a\": 1,  \"b\":[1, 2]}\n"},
		{"{\n\t\"a\": 1,\r\n\t\"b\": \"x y\"\n}", "{\"a\":1,\"b\":\"x y\"}\n"},
		{"not json\nat all", "not json\nat all\n"},
		{"", "\n"},
	} {
		if got := string(appendLine([]byte("x\n"), []byte(c.value))); got != "x\n"+c.want {
			t.Errorf("appendLine(%q) = %q, want %q", c.value, got, "x\n"+c.want)
		}
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	store := objstore.NewDir(t.TempDir())
	base := []Option{Brokers("127.0.0.1:9092"), Topics("t")}
	for _, c := range []struct {
		store Store
		opts  []Option
		want  string
	}{
		{nil, base, "new sink: no object store given"},
		{store, []Option{Topics("t")}, "new sink: no brokers given; pass the Kafka bootstrap servers"},
		{store, []Option{Brokers("b")}, "new sink: no topics given; pass <uid>.pin, <uid>.geo and <uid>.user"},
		{store, append(base, Group("")), "new sink: empty consumer group id"},
		{store, append(base, FlushSize(0)), "new sink: flush.size 0: must be at least 1"},
		{store, append(base, Concurrency(0)), "new sink: concurrency 0: must be at least 1"},
		{store, append(base, RotateSchedule(-time.Second)), "new sink: rotate schedule -1s: must not be negative (0 turns it off)"},
		{store, append(base, RetryBackoff(time.Second, time.Millisecond)), "new sink: retry backoff 1s..1ms: need 0 < first <= longest"},
		{store, append(base, Backlog(0, 1)), "new sink: backlog 0 files, 1 bytes: both must be positive"},
	} {
		_, err := New(c.store, c.opts...)
		if err == nil || err.Error() != c.want {
			t.Errorf("New error = %v, want %q", err, c.want)
		}
	}
}
