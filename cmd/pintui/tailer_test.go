package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ops/kafka"
	"github.com/pintui/pintui/ui/component/livetail"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/theme"
	"github.com/pintui/pintui/ui/topics"
)

// driver drives one screen the way the Bubble Tea runtime does: each command runs on its own
// goroutine and its message comes back to Update on the test's.
type driver struct {
	t    *testing.T
	s    screen.Screen
	msgs chan tea.Msg
}

func (c *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		switch msg := cmd().(type) {
		case nil:
		case tea.BatchMsg:
			for _, cmd := range msg {
				c.run(cmd)
			}
		default:
			c.msgs <- msg
		}
	}()
}

// until hands messages to the screen until done holds, failing after a minute without it.
func (c *driver) until(what string, done func() bool) {
	c.t.Helper()
	guard := time.NewTimer(time.Minute)
	defer guard.Stop()
	for !done() {
		select {
		case msg := <-c.msgs:
			_, cmd := c.s.Update(msg)
			c.run(cmd)
		case <-guard.C:
			c.t.Fatalf("no %s after a minute: %s", what, c.status())
		}
	}
}

func (c *driver) press(k string) {
	msg := tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
	if k == "enter" {
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	}
	_, cmd := c.s.Update(msg)
	c.run(cmd)
}

// status is the tail's account of what it received and dropped.
func (c *driver) status() string { return strings.Split(c.view(), "\n")[1] }

// view is the screen tall enough for every record the test sends, one line each.
func (c *driver) view() string { return ansi.Strip(c.s.View(200, 1500)) }

var recordLine = regexp.MustCompile(`(?m)^p0 #(\d+) `)

// shown is the offsets the screen draws, top to bottom.
func (c *driver) shown() []int64 {
	var out []int64
	for _, m := range recordLine.FindAllStringSubmatch(c.view(), -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, n)
	}
	return out
}

func consecutive(from, to int64) []int64 {
	var out []int64
	for o := from; o < to; o++ {
		out = append(out, o)
	}
	return out
}

func produceRange(t *testing.T, prod *kgo.Client, from, to int) {
	t.Helper()
	var recs []*kgo.Record
	for i := from; i < to; i++ {
		recs = append(recs, &kgo.Record{Topic: "u.pin", Value: fmt.Appendf(nil, `{"index":%d}`, i)})
	}
	if err := prod.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Error(err)
	}
}

// TestConsoleTailOfEmbeddedKafka opens the Topics screen's tail through this binary's Tailer on
// a 300-record partition of an embedded cluster, then produces while it follows.
func TestConsoleTailOfEmbeddedKafka(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "u.pin"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	client, err := kafka.New(context.Background(), kafka.Settings{Brokers: cluster.ListenAddrs()})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	prod, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.DefaultProduceTopic("u.pin"))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	produceRange(t, prod, 0, 300)

	reg := command.NewRegistry()
	reg.Add(
		&command.Command{Name: "topics", Run: func(context.Context, *command.Invocation) (*command.Result, error) {
			return &command.Result{Data: []command.TopicSummary{{Topic: "u.pin", Partitions: 1, Records: 300, EndOffset: 300}}}, nil
		}},
		&command.Command{Name: "topic", MinArgs: 1, MaxArgs: 1, Run: func(context.Context, *command.Invocation) (*command.Result, error) {
			return &command.Result{Data: command.TopicDetail{Topic: "u.pin", Partitions: []command.TopicPartition{}, Groups: []command.TopicGroup{}}}, nil
		}},
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sctx := &screen.Context{Ctx: ctx, Runner: reg, Styles: theme.New(theme.Default()), Keys: keys.Default(), Now: time.Now,
		Tick: func(time.Duration, tea.Msg) tea.Cmd { return nil }}
	c := &driver{t: t, s: topics.New(sctx, tailer{client}), msgs: make(chan tea.Msg, 64)}
	c.run(c.s.Enter())
	c.until("topic list", func() bool { return strings.Contains(c.view(), "1 topic ") })
	c.press("enter")
	c.press("J") // raw: one line a record
	c.until("100 records", func() bool {
		return strings.Contains(c.status(), "100 received") || !strings.Contains(c.status(), "dropped 0")
	})
	if got, want := c.shown(), consecutive(200, 300); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the tail opened on offsets %v, want 200–299", got)
	}

	go func() {
		for from := 300; from < 1300; from += 100 {
			produceRange(t, prod, from, from+100)
		}
	}()
	c.until("1,100 records", func() bool {
		return strings.Contains(c.status(), "1100 received") || !strings.Contains(c.status(), "dropped 0")
	})
	if got, want := c.shown(), consecutive(200, 1300); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("while following, the tail shows offsets %v, want 200–1299 once each", got)
	}
	if !strings.Contains(c.status(), "1100 received · 1100 in buffer · dropped 0") {
		t.Errorf("the status does not account for every record: %s", c.status())
	}
}

func TestTailerSaysWhichStartsAreValid(t *testing.T) {
	err := tailer{}.Tail(context.Background(), "u.pin", "yesterday", func([]livetail.Record) {})
	const want = `tail u.pin: --from "yesterday" is not valid: use beginning, end, an offset such as 42, ` +
		`-10 for the last 10 records of each partition, or a time: 2026-12-01T10:00:00Z (RFC 3339), ` +
		`-10m for ten minutes ago, s@1796119200000 (Unix milliseconds)`
	if err == nil || err.Error() != want {
		t.Errorf("Tail from yesterday = %v\nwant %s", err, want)
	}
}
