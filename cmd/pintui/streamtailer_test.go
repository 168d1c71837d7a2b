package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/backend/backendtest"
	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ops/kinesis"
	"github.com/pintui/pintui/ui/component/livetail"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/streams"
	"github.com/pintui/pintui/ui/theme"
)

func putRange(t *testing.T, c *kinesis.Client, stream string, from, to int) {
	t.Helper()
	var entries []kinesis.Entry
	for i := from; i < to; i++ {
		entries = append(entries, kinesis.Entry{PartitionKey: strconv.Itoa(i), Data: fmt.Appendf(nil, `{"index":%d}`, i)})
	}
	puts, err := c.PutRecords(context.Background(), stream, entries)
	if err != nil {
		t.Error(err)
		return
	}
	for _, p := range puts {
		if p.Failed() {
			t.Errorf("put into %s failed: %s %s", stream, p.ErrorCode, p.ErrorMessage)
		}
	}
}

var streamLine = regexp.MustCompile(`(?m)^(shardId-\d+) #(\d+) \S+  \{"index":(\d+)\}`)

// streamShown is the indexes the screen draws, top to bottom, and whether each shard's sequence
// numbers rise down the screen.
func streamShown(c *driver) (indexes []int, ordered bool) {
	last := map[string]string{}
	ordered = true
	for _, m := range streamLine.FindAllStringSubmatch(c.view(), -1) {
		if prev, ok := last[m[1]]; ok && (len(m[2]) < len(prev) || len(m[2]) == len(prev) && m[2] <= prev) {
			ordered = false
		}
		last[m[1]] = m[2]
		n, _ := strconv.Atoi(m[3])
		indexes = append(indexes, n)
	}
	return indexes, ordered
}

// TestConsoleTailOfLocalKinesis opens the Streams screen's tail through the Tailer this binary gives
// the console, on a stream of the local Kinesis holding 300 records, then puts while it follows: every record shows
// once, each shard's in order.
func TestConsoleTailOfLocalKinesis(t *testing.T) {
	_, b := backendtest.Open(t)
	client := b.Kinesis
	const name = "streaming-tail-test"
	if err := client.Create(context.Background(), name, 2); err != nil {
		t.Fatal(err)
	}
	putRange(t, client, name, 0, 300)

	reg := command.NewRegistry()
	reg.Add(
		&command.Command{Name: "streams", Run: func(context.Context, *command.Invocation) (*command.Result, error) {
			return &command.Result{Data: []command.StreamSummary{{Stream: name, Status: "ACTIVE", Shards: 2, RetentionHours: 24}}}, nil
		}},
		&command.Command{Name: "stream", MinArgs: 1, MaxArgs: 1, Run: func(context.Context, *command.Invocation) (*command.Result, error) {
			return &command.Result{Data: command.StreamDetail{Stream: name, Shards: []command.StreamShard{}}}, nil
		}},
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sctx := &screen.Context{Ctx: ctx, Runner: reg, Styles: theme.New(theme.Default()), Keys: keys.Default(), Now: time.Now,
		Tick: func(time.Duration, tea.Msg) tea.Cmd { return nil }}
	c := &driver{t: t, s: streams.New(sctx, streamReader(b)), msgs: make(chan tea.Msg, 64)}
	c.run(c.s.Enter())
	c.until("stream list", func() bool { return strings.Contains(c.view(), "1 stream ") })
	c.press("enter")
	c.press("J") // raw: one line a record
	c.until("300 records", func() bool {
		return strings.Contains(c.status(), "300 received") || !strings.Contains(c.status(), "dropped 0")
	})
	if got, ordered := streamShown(c); !slices.Equal(sorted(got), consecutiveInts(0, 300)) || !ordered {
		t.Fatalf("the tail opened on records %v (each shard in order: %t), want 0–299 once each", got, ordered)
	}

	go func() {
		for from := 300; from < 1300; from += 100 {
			putRange(t, client, name, from, from+100)
		}
	}()
	c.until("1,300 records", func() bool {
		return strings.Contains(c.status(), "1300 received") || !strings.Contains(c.status(), "dropped 0")
	})
	if got, ordered := streamShown(c); !slices.Equal(sorted(got), consecutiveInts(0, 1300)) || !ordered {
		t.Errorf("while following, the tail shows records %v (each shard in order: %t), want 0–1299 once each", got, ordered)
	}
	if !strings.Contains(c.status(), "1300 received · 1300 in buffer · dropped 0") {
		t.Errorf("the status does not account for every record: %s", c.status())
	}
}

func sorted(s []int) []int { return slices.Sorted(slices.Values(s)) }

func consecutiveInts(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func TestStreamReaderWithoutKinesisIsNoTailer(t *testing.T) {
	if r := streamReader(&backend.Backends{}); r != nil {
		t.Errorf("without a Kinesis client the console gets the Tailer %#v, want none", r)
	}
}

func TestStreamTailerSaysWhichStartsAreValid(t *testing.T) {
	err := streamTailer{}.Tail(context.Background(), "s", "yesterday", func([]livetail.Record) {})
	const want = `tail s: --from "yesterday" is not valid: use trim-horizon, latest, a sequence number (20 or more digits), ` +
		`or a time: 2026-12-01T10:00:00Z (RFC 3339), -10m for ten minutes ago, s@1796119200000 (Unix milliseconds)`
	if err == nil || err.Error() != want {
		t.Errorf("Tail from yesterday = %v\nwant %s", err, want)
	}
}
