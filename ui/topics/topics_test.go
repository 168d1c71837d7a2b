package topics

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/livetail"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/theme"
)

// feedTailer emits what the test feeds it, acknowledging each batch once emit returned, and
// reports when its Tail returns.
type feedTailer struct {
	feed     chan []livetail.Record
	emitted  chan struct{}
	returned chan struct{}
}

func newFeedTailer() *feedTailer {
	return &feedTailer{feed: make(chan []livetail.Record), emitted: make(chan struct{}), returned: make(chan struct{})}
}

func (f *feedTailer) Tail(ctx context.Context, _, _ string, emit func([]livetail.Record)) error {
	defer close(f.returned)
	for {
		select {
		case b := <-f.feed:
			emit(b)
			f.emitted <- struct{}{}
		case <-ctx.Done():
			return nil
		}
	}
}

func (f *feedTailer) send(b []livetail.Record) {
	f.feed <- b
	<-f.emitted
}

func records(from, n int, value func(i int) string) []livetail.Record {
	out := make([]livetail.Record, n)
	for i := range out {
		out[i] = livetail.Record{Part: "p0", Position: strconv.Itoa(from + i), Time: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC), Value: []byte(value(from + i))}
	}
	return out
}

func pin(i int) string {
	return fmt.Sprintf(`{"index": %d, "category": "%s"}`, i, []string{"art", "travel"}[i%2])
}

// runner answers the topics and topic commands.
type runner struct{ reg *command.Registry }

func newRunner() *runner {
	r := &runner{reg: command.NewRegistry()}
	r.reg.Add(
		&command.Command{Name: "topics", Run: func(context.Context, *command.Invocation) (*command.Result, error) {
			return &command.Result{Data: []command.TopicSummary{{Topic: "u.pin", Partitions: 1, Records: 100, EndOffset: 100, Landed: 90, Lag: 10}}}, nil
		}},
		&command.Command{Name: "topic", MinArgs: 1, MaxArgs: 1, Run: func(context.Context, *command.Invocation) (*command.Result, error) {
			return &command.Result{Data: command.TopicDetail{Topic: "u.pin",
				Partitions: []command.TopicPartition{{Partition: 0, StartOffset: 0, EndOffset: 100, Records: 100}},
				Groups:     []command.TopicGroup{{Group: "sink", Lag: 10, Partitions: []command.TopicGroupPartition{{Partition: 0, Committed: 90, EndOffset: 100, Lag: 10}}}}}}, nil
		}},
	)
	return r
}

func (r *runner) Run(ctx context.Context, line string) (*command.Result, error) {
	return r.reg.Run(ctx, line)
}
func (r *runner) Commands() []*command.Command { return r.reg.Commands() }

func press(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

// testContext is a screen context whose commands run at once and whose ticks never fire.
func testContext() *screen.Context {
	return &screen.Context{Ctx: context.Background(), Runner: newRunner(), Styles: theme.New(theme.Default()),
		Keys: keys.Default(), Now: time.Now, Tick: func(time.Duration, tea.Msg) tea.Cmd { return nil }}
}

// opened returns the Topics screen with the tail of u.pin open on f, its replies handled.
func opened(t testing.TB, f Tailer) *Model {
	t.Helper()
	m := New(testContext(), f)
	m.Update(m.Enter()())
	_, cmd := m.Update(press("enter"))
	if m.tail == nil {
		t.Fatal("enter opened no tail")
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		msg = batch[0]() // the partitions; the launch and next are left to each test
	}
	m.Update(msg.(screen.ResultMsg))
	return m
}

func plain(m *Model, w, h int) string { return ansi.Strip(m.View(w, h)) }

// follow runs the launch of the open tail and hands the screen its records until its status
// says want.
func follow(t *testing.T, m *Model, want string) {
	t.Helper()
	start := m.tail.Start()
	start[0]()
	next := start[1]
	for !strings.Contains(plain(m, 120, 40), want) {
		_, next = m.Update(next())
		if next == nil {
			t.Fatalf("the tail stopped before %q:\n%s", want, plain(m, 120, 40))
		}
	}
}

func TestEscCancelsTheTail(t *testing.T) {
	f := newFeedTailer()
	m := opened(t, f)
	m.tail.Start()[0]()
	m.Back()
	if m.tail != nil {
		t.Fatal("esc did not close the tail")
	}
	<-f.returned // the Tailer saw its context end
}

func TestTailRecordsReachTheScreenInOrder(t *testing.T) {
	f := newFeedTailer()
	m := opened(t, f)
	go func() {
		f.send(records(0, 3, pin))
		f.send(records(3, 2, pin))
	}()
	follow(t, m, "5 received")
	m.Update(press("J"))
	out := plain(m, 120, 40)
	for i := range 5 {
		if !strings.Contains(out, fmt.Sprintf("p0 #%d 09:26:53.000  %s", i, pin(i))) {
			t.Errorf("the tail lacks record %d:\n%s", i, out)
		}
	}
	m.Back()
}

func TestNoTailerSaysSo(t *testing.T) {
	m := opened(t, nil)
	if out := plain(m, 120, 40); !strings.Contains(out, "live tail unavailable") || !strings.Contains(out, "sink") {
		t.Errorf("the tail without a Tailer:\n%s", out)
	}
}

// fromTailer records where it was asked to start and ends at once.
type fromTailer struct{ from chan string }

func (f fromTailer) Tail(_ context.Context, _, from string, _ func([]livetail.Record)) error {
	f.from <- from
	return nil
}

func TestTailOpensOnTheRecentRecords(t *testing.T) {
	f := fromTailer{from: make(chan string, 1)}
	m := New(testContext(), f)
	m.Update(m.Enter()())
	_, cmd := m.Update(press("enter"))
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) != 3 {
		t.Fatalf("enter gave %T, want the partitions, the launch and the pump", cmd())
	}
	batch[1]() // the launch
	if got := <-f.from; got != "-100" {
		t.Errorf("the tail started from %q, want the last %d records (-100)", got, RecentRecords)
	}
}
