package streams

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/livetail"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/theme"
)

const pinStream = "streaming-0a1b2c3d4e5f-pin"

func ms(n int64) *int64 { return &n }

// newRunner answers streams and stream as the real commands do, for two streams, one of them
// read by the stream job and split over two shards.
func newRunner() *command.Registry {
	created := command.At(time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC))
	reg := command.NewRegistry()
	reg.Add(
		&command.Command{Name: "streams", Run: func(context.Context, *command.Invocation) (*command.Result, error) {
			return &command.Result{Data: []command.StreamSummary{
				{Stream: pinStream, Status: "ACTIVE", Shards: 2, RetentionHours: 24, Created: created, IteratorAgeMS: ms(1250)},
				{Stream: "streaming-0a1b2c3d4e5f-geo", Status: "ACTIVE", Shards: 1, RetentionHours: 24, Created: created},
			}}, nil
		}},
		&command.Command{Name: "stream", MinArgs: 1, MaxArgs: 1, Run: func(_ context.Context, in *command.Invocation) (*command.Result, error) {
			return &command.Result{Data: command.StreamDetail{Stream: in.Args[0], Status: "ACTIVE", RetentionHours: 24, Created: created,
				Shards: []command.StreamShard{
					{Shard: "shardId-000000000000", StartingHashKey: "0", EndingHashKey: "170141183460469231731687303715884105727",
						StartingSequence: "49590338271490256608559692538361571095921575989136588898", LatestSequence: "49590338271490256608559692540925702592781936113297571842", IteratorAgeMS: ms(1250)},
					{Shard: "shardId-000000000001", StartingHashKey: "170141183460469231731687303715884105728", EndingHashKey: "340282366920938463463374607431768211455",
						StartingSequence: "49590338271512557353758223161503106814194224337596071954"},
				}}}, nil
		}},
	)
	return reg
}

func press(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

func clock() time.Time { return time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC) }

// testContext is a screen context whose commands run at once and whose ticks never fire.
func testContext() *screen.Context {
	return &screen.Context{Ctx: context.Background(), Runner: newRunner(), Styles: theme.New(theme.Default()),
		Keys: keys.Default(), Now: clock, Tick: func(time.Duration, tea.Msg) tea.Cmd { return nil }}
}

// listed returns the Streams screen showing its list, with f as the Tailer.
func listed(f Tailer) *Model {
	m := New(testContext(), f)
	m.Update(m.Enter()())
	return m
}

// opened returns the screen with the pin stream open, its shards answered, and the commands that
// start its tail, not yet run.
func opened(t *testing.T, f Tailer) (*Model, []tea.Cmd) {
	t.Helper()
	m := listed(f)
	_, cmd := m.Update(press("enter"))
	if m.stream == nil {
		t.Fatal("enter opened no stream")
	}
	msg := cmd()
	var rest []tea.Cmd
	if batch, ok := msg.(tea.BatchMsg); ok {
		msg, rest = batch[0](), batch[1:]
	}
	m.Update(msg.(screen.ResultMsg))
	return m, rest
}

func plain(m *Model, w, h int) string { return ansi.Strip(m.View(w, h)) }

// shardTailer emits the records it is fed, then ends with the feed.
type shardTailer struct {
	from  chan string
	feed  chan []livetail.Record
	ended chan struct{}
}

func newShardTailer() *shardTailer {
	return &shardTailer{from: make(chan string, 1), feed: make(chan []livetail.Record), ended: make(chan struct{})}
}

func (f *shardTailer) Tail(ctx context.Context, stream, from string, emit func([]livetail.Record)) error {
	defer close(f.ended)
	f.from <- stream + " from " + from
	for {
		select {
		case b, ok := <-f.feed:
			if !ok {
				return nil
			}
			emit(b)
		case <-ctx.Done():
			return nil
		}
	}
}

func shardRecords(shard string, seq ...string) []livetail.Record {
	out := make([]livetail.Record, len(seq))
	for i, s := range seq {
		out[i] = livetail.Record{Part: shard, Position: s, Time: clock(), Value: []byte(`{"index": ` + s[len(s)-2:] + `}`)}
	}
	return out
}

func TestListShowsEachStreamWithItsIteratorAge(t *testing.T) {
	m := listed(nil)
	golden.RequireEqual(t, plain(m, 120, 6))
}

func TestOpenShowsTheShardsAndTailsTheStream(t *testing.T) {
	f := newShardTailer()
	m, start := opened(t, f)
	if len(start) != 2 {
		t.Fatalf("enter gave %d commands besides the shards, want the launch and the pump", len(start))
	}
	start[0]()
	if got := <-f.from; got != pinStream+" from "+DefaultStart {
		t.Errorf("the tail asked for %q, want the pin stream from %s", got, DefaultStart)
	}
	go func() {
		f.feed <- shardRecords("shardId-000000000000", "49590338271490256608559692538361571095921575989136588801", "49590338271490256608559692538361571095921575989136588802")
		f.feed <- shardRecords("shardId-000000000001", "49590338271512557353758223161503106814194224337596071903")
		close(f.feed)
	}()
	next := start[1]
	for !strings.Contains(plain(m, 120, 40), "3 received") {
		_, next = m.Update(next())
	}
	m.Update(press("J"))
	golden.RequireEqual(t, plain(m, 120, 20))
	for next != nil {
		_, next = m.Update(next())
	}
	if out := plain(m, 120, 20); !strings.Contains(out, "tail ended · esc and enter to tail again") {
		t.Errorf("the tail does not say it ended:\n%s", out)
	}
}

func TestEscEndsTheTailAndListsAgain(t *testing.T) {
	f := newShardTailer()
	m, start := opened(t, f)
	start[0]()
	<-f.from
	_, cmd := m.Back()
	if m.stream != nil || cmd == nil {
		t.Fatal("esc did not close the stream and ask for the list")
	}
	<-f.ended // the Tailer saw its context end
	if _, ok := cmd().(screen.ResultMsg); !ok {
		t.Error("esc did not ask for the list")
	}
}

func TestNoTailerSaysSoAndTheShardsStillShow(t *testing.T) {
	m, start := opened(t, nil)
	if len(start) != 0 {
		t.Errorf("a tail without a Tailer started %d commands", len(start))
	}
	out := plain(m, 120, 20)
	if !strings.Contains(out, "live tail unavailable: this console has no stream reader") || !strings.Contains(out, "shardId-000000000001") {
		t.Errorf("the stream without a Tailer:\n%s", out)
	}
}

func TestStartPromptTailsTheSelectedStreamFromWhereItSays(t *testing.T) {
	f := newShardTailer()
	m := listed(f)
	m.Update(press("j"))
	m.Update(press("o"))
	if !m.Capturing() {
		t.Fatal("o opened no prompt that takes the keys")
	}
	m.Update(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	for _, r := range "trim-horizon" {
		m.Update(press(string(r)))
	}
	_, cmd := m.Update(press("enter"))
	if m.stream == nil || cmd == nil {
		t.Fatal("enter on the start opened no stream")
	}
	batch := cmd().(tea.BatchMsg)
	batch[1]()
	if got := <-f.from; got != "streaming-0a1b2c3d4e5f-geo from trim-horizon" {
		t.Errorf("the tail asked for %q, want the geo stream from trim-horizon", got)
	}
	m.Back()
}

func TestFilterTakesTheStartKeyAsText(t *testing.T) {
	m, _ := opened(t, newShardTailer())
	m.Update(press("/"))
	m.Update(press("o"))
	if m.start.IsOpen() || !strings.Contains(plain(m, 120, 10), "/o") {
		t.Errorf("o while filtering opened the start prompt:\n%s", plain(m, 120, 10))
	}
}

func TestListFailureSaysWhy(t *testing.T) {
	ctx := testContext()
	reg := command.NewRegistry()
	reg.Add(&command.Command{Name: "streams", Run: func(context.Context, *command.Invocation) (*command.Result, error) {
		return nil, errorString("list streams: connection refused: is the local Kinesis running? see status")
	}})
	ctx.Runner = reg
	m := New(ctx, nil)
	m.Update(m.Enter()())
	if out := plain(m, 120, 6); !strings.Contains(out, "streams failed: streams: list streams: connection refused") {
		t.Errorf("the failed list does not say why:\n%s", out)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestShortKeepsBothEndsOfASequence(t *testing.T) {
	cases := map[string]string{
		"49590338271490256608559692538361571095921575989136588898": "49590338…989136588898",
		"123456789012345678901": "123456789012345678901",
		"":                      "-",
	}
	for in, want := range cases {
		if got := short(in); got != want {
			t.Errorf("short(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestKeySpanIsTheShareOfTheKeySpace(t *testing.T) {
	cases := map[[2]string]string{
		{"0", "340282366920938463463374607431768211455"}:                                       "0%–100%",
		{"0", "170141183460469231731687303715884105727"}:                                       "0%–50%",
		{"113427455640312821154458202477256070485", "226854911280625642308916404954512140970"}: "33.3%–66.7%",
		{"x", "9"}: "x–9",
	}
	for in, want := range cases {
		if got := keySpan(in[0], in[1]); got != want {
			t.Errorf("keySpan(%s, %s) = %q, want %q", in[0], in[1], got, want)
		}
	}
}
