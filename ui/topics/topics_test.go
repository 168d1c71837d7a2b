package topics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/theme"
)

// feedTailer emits what the test feeds it, acknowledging each batch once emit returned, and
// reports when its Tail returns.
type feedTailer struct {
	feed     chan []TailRecord
	emitted  chan struct{}
	returned chan struct{}
}

func newFeedTailer() *feedTailer {
	return &feedTailer{feed: make(chan []TailRecord), emitted: make(chan struct{}), returned: make(chan struct{})}
}

func (f *feedTailer) Tail(ctx context.Context, _, _ string, emit func([]TailRecord)) error {
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

func (f *feedTailer) send(b []TailRecord) {
	f.feed <- b
	<-f.emitted
}

func records(from, n int, value func(i int) string) []TailRecord {
	out := make([]TailRecord, n)
	for i := range out {
		off := int64(from + i)
		out[i] = TailRecord{Offset: off, Time: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC), Value: []byte(value(from + i))}
	}
	return out
}

func pin(i int) string {
	return fmt.Sprintf(`{"index": %d, "category": "%s"}`, i, []string{"art", "travel"}[i%2])
}

func TestPumpCoalescesQueuedBatches(t *testing.T) {
	f := newFeedTailer()
	p := newPump(context.Background(), BufferSize)
	defer p.cancel()
	p.launch(f, "t", "end")()
	for i := range 3 {
		f.send(records(i*10, 10, pin))
	}
	msg := p.next().(tailMsg)
	if len(msg.records) != 30 || msg.records[0].Offset != 0 || msg.records[29].Offset != 29 {
		t.Fatalf("one message carried %d records, want the 30 of three batches in order", len(msg.records))
	}
	if msg.evicted != 0 {
		t.Errorf("evicted = %d", msg.evicted)
	}
}

func TestPumpKeepsTheNewestBoundRecords(t *testing.T) {
	f := newFeedTailer()
	p := newPump(context.Background(), 10)
	defer p.cancel()
	p.launch(f, "t", "end")()
	for i := range 25 {
		f.send(records(i, 1, pin))
	}
	msg := p.next().(tailMsg)
	if len(msg.records) != 10 || msg.records[0].Offset != 15 || msg.records[9].Offset != 24 || msg.evicted != 15 {
		t.Errorf("kept %d records from offset %d and evicted %d, want 10 from 15 and 15", len(msg.records), msg.records[0].Offset, msg.evicted)
	}
	f.send(records(25, 3, pin))
	if msg := p.next().(tailMsg); len(msg.records) != 3 || msg.records[0].Offset != 25 || msg.evicted != 15 {
		t.Errorf("the next frame carried %d records from offset %d, evicted %d; want 3 from 25, still 15", len(msg.records), msg.records[0].Offset, msg.evicted)
	}
}

func TestPumpDeliversTheLastRecordsBeforeTheEnd(t *testing.T) {
	p := newPump(context.Background(), BufferSize)
	defer p.cancel()
	p.launch(lastWords{}, "t", "end")()
	if msg, ok := p.next().(tailMsg); !ok || len(msg.records) != 2 {
		t.Fatalf("first message = %#v, want the Tailer's 2 records", msg)
	}
	if msg, ok := p.next().(tailEndMsg); !ok || msg.err == nil || msg.err.Error() != "broker gone" {
		t.Errorf("second message = %#v, want the end with the Tailer's error", msg)
	}
}

// lastWords emits two records and fails.
type lastWords struct{}

func (lastWords) Tail(_ context.Context, _, _ string, emit func([]TailRecord)) error {
	emit(records(0, 2, pin))
	return errors.New("broker gone")
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

func TestTailBatchesRearmAndStaleOnesAreDropped(t *testing.T) {
	m := opened(t, newFeedTailer())
	p := m.tail.pump
	_, cmd := m.Update(tailMsg{pump: p, records: records(0, 5, pin)})
	if cmd == nil {
		t.Fatal("a batch did not re-arm the pump")
	}
	if m.tail.received != 5 || len(m.tail.recs) != 5 {
		t.Fatalf("received %d, kept %d", m.tail.received, len(m.tail.recs))
	}
	if _, cmd := m.Update(tailMsg{pump: newPump(context.Background(), BufferSize), records: records(5, 5, pin)}); cmd != nil || m.tail.received != 5 {
		t.Error("a batch of another tail was taken")
	}
}

func TestTailBufferIsBoundedAndCountsDrops(t *testing.T) {
	m := opened(t, newFeedTailer())
	p := m.tail.pump
	m.Update(tailMsg{pump: p, records: records(0, BufferSize-100, pin)})
	m.Update(tailMsg{pump: p, records: records(BufferSize-100+4, 300, pin), evicted: 4})
	if len(m.tail.recs) != BufferSize || m.tail.recs[0].Offset != 200 {
		t.Fatalf("kept %d records from offset %d, want %d from 200", len(m.tail.recs), m.tail.recs[0].Offset, BufferSize)
	}
	if want := fmt.Sprintf("%d received · %d in buffer · dropped 204", BufferSize+204, BufferSize); !strings.Contains(plain(m, 120, 40), want) {
		t.Errorf("the frame lacks %s:\n%s", want, plain(m, 120, 40))
	}
}

func TestPauseHoldsRecordsAndFreezesTheView(t *testing.T) {
	m := opened(t, newFeedTailer())
	p := m.tail.pump
	m.Update(tailMsg{pump: p, records: records(0, 100, pin)})
	m.Update(press("J")) // raw: one line per record
	m.View(120, 40)
	m.Update(press("p"))
	before := plain(m, 120, 40)
	m.Update(tailMsg{pump: p, records: records(100, 50, pin)})
	after := plain(m, 120, 40)
	if !strings.Contains(after, "paused · 50 new held") || len(m.tail.recs) != 150 {
		t.Errorf("paused tail did not hold the 50 new records:\n%s", after)
	}
	if strings.Contains(after, "#149") || !strings.Contains(before, "#99") || !strings.Contains(after, "#99") {
		t.Errorf("the paused view moved:\n%s", after)
	}
	m.Update(press("p"))
	if out := plain(m, 120, 40); !strings.Contains(out, "#149") || !strings.Contains(out, "following") {
		t.Errorf("resuming did not jump to the newest:\n%s", out)
	}
}

func TestFilterAndJToggle(t *testing.T) {
	m := opened(t, newFeedTailer())
	p := m.tail.pump
	m.Update(tailMsg{pump: p, records: records(0, 10, pin)})
	m.Update(press("/"))
	for _, r := range "TRAVEL" {
		m.Update(press(string(r)))
	}
	m.Update(press("enter"))
	m.Update(tailMsg{pump: p, records: records(10, 4, pin)})
	if got := len(m.tail.matches); got != 7 {
		t.Errorf("%d records match travel, want 7", got)
	}
	out := plain(m, 120, 40)
	if !strings.Contains(out, "7 of 14 match") || strings.Contains(out, `"art"`) {
		t.Errorf("the filter shows the wrong records:\n%s", out)
	}
	if !strings.Contains(out, `    "category": "travel"`) {
		t.Errorf("pretty is not the default:\n%s", out)
	}
	m.Update(press("J"))
	if out := plain(m, 120, 40); !strings.Contains(out, `p0 #13 09:26:53.000  {"index": 13, "category": "travel"}`) {
		t.Errorf("J did not switch to raw:\n%s", out)
	}
	m.Back()
	if m.tail == nil || m.tail.filter != "" || len(m.tail.matches) != 14 {
		t.Error("the first esc did not clear the filter")
	}
}

func TestEscCancelsTheTail(t *testing.T) {
	f := newFeedTailer()
	m := opened(t, f)
	p := m.tail.pump
	p.launch(f, "u.pin", "end")()
	m.Back()
	if m.tail != nil {
		t.Fatal("esc did not close the tail")
	}
	<-f.returned // the Tailer saw its context end
	if msg := p.next(); msg.(tailEndMsg).pump != p {
		t.Errorf("next after cancel = %#v", msg)
	}
}

func TestNoTailerSaysSo(t *testing.T) {
	m := opened(t, nil)
	if out := plain(m, 120, 40); !strings.Contains(out, "live tail unavailable") || !strings.Contains(out, "sink") {
		t.Errorf("the tail without a Tailer:\n%s", out)
	}
}

// fromTailer records where it was asked to start and ends at once.
type fromTailer struct{ from chan string }

func (f fromTailer) Tail(_ context.Context, _, from string, _ func([]TailRecord)) error {
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

func TestOneLineFitsRawValues(t *testing.T) {
	cases := []struct {
		value string
		cells int
		want  string
	}{
		{`{"a":1}`, 10, `{"a":1}`},
		{`{"a":1}`, 7, `{"a":1}`},
		{`{"a":12}`, 7, `{"a":1…`},
		{"{\"a\":\n1}", 20, `{"a": 1}`},
		{`{"t":"café crème"}`, 12, `{"t":"café …`},
		{`{"t":"日本語の題"}`, 12, `{"t":"日本…`},
	}
	for _, c := range cases {
		if got := oneLine([]byte(c.value), c.cells); got != c.want {
			t.Errorf("oneLine(%q, %d) = %q, want %q", c.value, c.cells, got, c.want)
		}
	}
}
