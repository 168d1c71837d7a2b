package livetail

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/theme"
)

// feedSource emits what the test feeds it, acknowledging each batch once emit returned, and
// reports when it returns.
type feedSource struct {
	feed     chan []Record
	emitted  chan struct{}
	returned chan struct{}
}

func newFeedSource() *feedSource {
	return &feedSource{feed: make(chan []Record), emitted: make(chan struct{}), returned: make(chan struct{})}
}

func (f *feedSource) read(ctx context.Context, _ string, emit func([]Record)) error {
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

func (f *feedSource) send(b []Record) {
	f.feed <- b
	<-f.emitted
}

func records(from, n int, value func(i int) string) []Record {
	out := make([]Record, n)
	for i := range out {
		out[i] = Record{Part: "p0", Position: strconv.Itoa(from + i), Time: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC), Value: []byte(value(from + i))}
	}
	return out
}

func pin(i int) string {
	return fmt.Sprintf(`{"index": %d, "category": "%s"}`, i, []string{"art", "travel"}[i%2])
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

// testContext is a screen context on the default keys and styles.
func testContext() *screen.Context {
	return &screen.Context{Ctx: context.Background(), Styles: theme.New(theme.Default()), Keys: keys.Default(), Now: time.Now}
}

// opened returns a tail on src, not yet started.
func opened(src Source) *Model { return New(testContext(), screen.Topics, "-100", src, "no reader") }

// batch is a frame of records of t's own pump.
func batch(t *Model, recs []Record, evicted int64) BatchMsg {
	return BatchMsg{pump: t.pump, records: recs, evicted: evicted}
}

// plain is the status line above the records drawn in w×h cells, without styles.
func plain(t *Model, w, h int) string {
	return ansi.Strip(t.StatusLine(w) + "\n" + strings.Join(t.Records(w, h-1), "\n"))
}

func TestTailBatchesRearmAndStaleOnesAreDropped(t *testing.T) {
	m := opened(newFeedSource().read)
	if cmd := m.Update(batch(m, records(0, 5, pin), 0)); cmd == nil {
		t.Fatal("a batch did not re-arm the pump")
	}
	if m.received != 5 || len(m.recs) != 5 {
		t.Fatalf("received %d, kept %d", m.received, len(m.recs))
	}
	other := BatchMsg{pump: newPump(context.Background(), screen.Topics, BufferSize), records: records(5, 5, pin)}
	if cmd := m.Update(other); cmd != nil || m.received != 5 {
		t.Error("a batch of another tail was taken")
	}
}

func TestMessagesAreAddressedToTheTailsScreen(t *testing.T) {
	m := New(testContext(), screen.Streams, "latest", newFeedSource().read, "no reader")
	if got := batch(m, nil, 0).Addressee(); got != screen.Streams {
		t.Errorf("a batch is addressed to %v, want the Streams screen", got)
	}
	if got := (EndMsg{pump: m.pump}).Addressee(); got != screen.Streams {
		t.Errorf("the end is addressed to %v, want the Streams screen", got)
	}
}

func TestTailBufferIsBoundedAndCountsDrops(t *testing.T) {
	m := opened(newFeedSource().read)
	m.Update(batch(m, records(0, BufferSize-100, pin), 0))
	m.Update(batch(m, records(BufferSize-100+4, 300, pin), 4))
	if len(m.recs) != BufferSize || m.recs[0].Position != "200" {
		t.Fatalf("kept %d records from position %s, want %d from 200", len(m.recs), m.recs[0].Position, BufferSize)
	}
	if want := fmt.Sprintf("%d received · %d in buffer · dropped 204", BufferSize+204, BufferSize); !strings.Contains(plain(m, 120, 40), want) {
		t.Errorf("the frame lacks %s:\n%s", want, plain(m, 120, 40))
	}
}

func TestPauseHoldsRecordsAndFreezesTheView(t *testing.T) {
	m := opened(newFeedSource().read)
	m.Update(batch(m, records(0, 100, pin), 0))
	m.Key(press("J")) // raw: one line per record
	plain(m, 120, 40)
	m.Key(press("p"))
	before := plain(m, 120, 40)
	m.Update(batch(m, records(100, 50, pin), 0))
	after := plain(m, 120, 40)
	if !strings.Contains(after, "paused · 50 new held") || len(m.recs) != 150 {
		t.Errorf("paused tail did not hold the 50 new records:\n%s", after)
	}
	if strings.Contains(after, "#149") || !strings.Contains(before, "#99") || !strings.Contains(after, "#99") {
		t.Errorf("the paused view moved:\n%s", after)
	}
	m.Key(press("p"))
	if out := plain(m, 120, 40); !strings.Contains(out, "#149") || !strings.Contains(out, "following") {
		t.Errorf("resuming did not jump to the newest:\n%s", out)
	}
}

func TestFilterAndJToggle(t *testing.T) {
	m := opened(newFeedSource().read)
	m.Update(batch(m, records(0, 10, pin), 0))
	m.Key(press("/"))
	if !m.Capturing() {
		t.Fatal("/ opened no filter that takes the keys")
	}
	for _, r := range "TRAVEL" {
		m.Key(press(string(r)))
	}
	m.Key(press("enter"))
	m.Update(batch(m, records(10, 4, pin), 0))
	if got := len(m.matches); got != 7 {
		t.Errorf("%d records match travel, want 7", got)
	}
	out := plain(m, 120, 40)
	if !strings.Contains(out, "7 of 14 match") || strings.Contains(out, `"art"`) {
		t.Errorf("the filter shows the wrong records:\n%s", out)
	}
	if !strings.Contains(out, `    "category": "travel"`) {
		t.Errorf("pretty is not the default:\n%s", out)
	}
	m.Key(press("J"))
	if out := plain(m, 120, 40); !strings.Contains(out, `p0 #13 09:26:53.000  {"index": 13, "category": "travel"}`) {
		t.Errorf("J did not switch to raw:\n%s", out)
	}
	if !m.Back() || m.filter != "" || len(m.matches) != 14 {
		t.Error("the first back did not clear the filter")
	}
	if m.Back() {
		t.Error("a back with nothing to close reported it closed something")
	}
}

func TestCloseEndsTheSource(t *testing.T) {
	f := newFeedSource()
	m := opened(f.read)
	m.Start()[0]()
	m.Close()
	<-f.returned // the Source saw its context end
	if msg := m.pump.next(); msg.(EndMsg).pump != m.pump {
		t.Errorf("next after close = %#v", msg)
	}
}

func TestEndSaysWhy(t *testing.T) {
	m := opened(func(context.Context, string, func([]Record)) error { return errors.New("broker gone") })
	m.Start()[0]()
	m.Update(m.pump.next())
	if out := plain(m, 120, 5); !strings.Contains(out, "tail ended: broker gone · esc and enter to tail again") {
		t.Errorf("the ended tail does not say why:\n%s", out)
	}
}

func TestNoSourceSaysSo(t *testing.T) {
	m := opened(nil)
	if m.Start() != nil {
		t.Error("a tail without a Source starts reading")
	}
	if out := plain(m, 120, 5); !strings.Contains(out, "no reader") {
		t.Errorf("the tail without a Source:\n%s", out)
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
