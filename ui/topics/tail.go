package topics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/theme"
)

// BufferSize bounds the records a tail keeps; older records leave the buffer and are counted as
// dropped.
const BufferSize = 10_000

// tail is one topic's live tail: a buffer of at most bound records, the filter over their values,
// and where the view stands. While paused, records keep arriving into the bounded buffer (held, not
// dropped) and the view stays still; resuming jumps to the newest.
type tail struct {
	styles  *theme.Styles
	topic   string
	from    string // where the tail started, as the Tailer was asked
	pump    *pump  // nil when no Tailer was given
	bound   int
	recs    []TailRecord
	matches []int // indexes into recs whose value contains the filter
	filter  string

	// received counts every record the Tailer emitted; evicted and pumpEvicted those the bound
	// pushed out of this buffer and of the pump's queue.
	received, evicted, pumpEvicted int64
	held                           int // records received while paused

	pretty, follow, paused bool
	top                    int // index into matches of the first record drawn when not following
	shown                  int // records the last View drew, for paging and scroll bounds

	ended bool
	err   error

	parts       *table.Model // the partitions and the sink's lag, from the topic command
	partsTicket int
	partsErr    error
}

func newTail(ctx *screen.Context, topic, from string) *tail {
	return &tail{styles: ctx.Styles, topic: topic, from: from, bound: BufferSize, follow: true, pretty: true, parts: table.New(ctx.Styles), shown: 1}
}

// dropped is every record received and pushed out by the buffer's bound, before or after it
// reached the screen.
func (t *tail) dropped() int64 { return t.pumpEvicted + t.evicted }

// add appends a frame's records, keeps the buffer bounded and the view where it stood.
func (t *tail) add(msg tailMsg) {
	n := int64(len(msg.records)) + msg.evicted - t.pumpEvicted
	t.pumpEvicted = msg.evicted
	t.received += n
	if t.paused {
		t.held += len(msg.records)
	}
	start := len(t.recs)
	t.recs = append(t.recs, msg.records...)
	needle := []byte(strings.ToLower(t.filter))
	for i := start; i < len(t.recs); i++ {
		if t.match(t.recs[i], needle) {
			t.matches = append(t.matches, i)
		}
	}
	over := len(t.recs) - t.bound
	if over <= 0 {
		return
	}
	t.recs = append(t.recs[:0], t.recs[over:]...)
	t.evicted += int64(over)
	kept := t.matches[:0]
	for _, i := range t.matches {
		if i >= over {
			kept = append(kept, i-over)
		}
	}
	t.top = max(0, t.top-(len(t.matches)-len(kept)))
	t.matches = kept
}

func (t *tail) match(r TailRecord, needle []byte) bool {
	return len(needle) == 0 || bytes.Contains(bytes.ToLower(r.Value), needle)
}

// setFilter keeps only records whose value contains text, ignoring case, and follows again.
func (t *tail) setFilter(text string) {
	t.filter = text
	t.matches = t.matches[:0]
	needle := []byte(strings.ToLower(text))
	for i, r := range t.recs {
		if t.match(r, needle) {
			t.matches = append(t.matches, i)
		}
	}
	t.top, t.follow = 0, !t.paused
}

// bottomTop is the first record of the last screenful.
func (t *tail) bottomTop() int { return max(0, len(t.matches)-t.shown) }

// scroll moves the view by n records; reaching the bottom follows again unless paused.
func (t *tail) scroll(n int) {
	if t.follow {
		t.top = t.bottomTop()
	}
	t.top = max(0, min(t.top+n, t.bottomTop()))
	t.follow = !t.paused && n > 0 && t.top == t.bottomTop()
}

// togglePause freezes the view where it is, or resumes following the newest record.
func (t *tail) togglePause() {
	if t.paused {
		t.paused, t.follow, t.held = false, true, 0
		return
	}
	if t.follow {
		t.top = t.bottomTop()
	}
	t.paused, t.follow = true, false
}

func (t *tail) key(ctx *screen.Context, msg tea.KeyPressMsg) {
	k := ctx.Keys
	switch {
	case key.Matches(msg, k.Pause):
		t.togglePause()
	case key.Matches(msg, k.RawJSON):
		t.pretty = !t.pretty
	case key.Matches(msg, k.Down):
		t.scroll(1)
	case key.Matches(msg, k.Up):
		t.scroll(-1)
	case key.Matches(msg, k.PageDown):
		t.scroll(max(1, t.shown/2))
	case key.Matches(msg, k.PageUp):
		t.scroll(-max(1, t.shown/2))
	case key.Matches(msg, k.Top):
		t.top, t.follow = 0, false
	case key.Matches(msg, k.Bottom):
		t.top, t.follow = t.bottomTop(), !t.paused
	}
}

// window returns the records to draw in height lines: from the top record down, or when
// following, as many of the newest as fit.
func (t *tail) window(height, width int) [][]string {
	var out [][]string
	used := 0
	if t.follow {
		for i := len(t.matches) - 1; i >= 0 && used < height; i-- {
			l := t.lines(t.recs[t.matches[i]], width)
			out = append([][]string{l}, out...)
			used += len(l)
		}
		if used > height && len(out) > 0 {
			out[0] = out[0][used-height:] // the oldest record shown loses its first lines
		}
	} else {
		for i := t.top; i < len(t.matches) && used < height; i++ {
			l := t.lines(t.recs[t.matches[i]], width)
			out = append(out, l)
			used += len(l)
		}
	}
	t.shown = max(1, len(out))
	return out
}

// lines draws one record in width cells: partition, offset and time, then its value on the same
// line when raw, or indented below when pretty and the value is JSON.
func (t *tail) lines(r TailRecord, width int) []string {
	s := t.styles
	meta := fmt.Sprintf("p%d #%d %s", r.Partition, r.Offset, r.Time.UTC().Format("15:04:05.000"))
	if t.pretty {
		var b bytes.Buffer
		if json.Indent(&b, r.Value, "  ", "  ") == nil {
			out := []string{s.Muted.Render(meta)}
			for _, l := range strings.Split("  "+b.String(), "\n") {
				out = append(out, s.Text.Render(ansi.Truncate(l, width, "…")))
			}
			return out
		}
	}
	value := oneLine(r.Value, max(1, width-len(meta)-2))
	return []string{s.Muted.Render(meta+"  ") + s.Text.Render(value)}
}

// oneLine fits a raw value on one line of cells. Values are mostly plain ASCII JSON, which is cut
// by bytes; measuring every grapheme of every record would take most of a frame's budget.
func oneLine(value []byte, cells int) string {
	ascii := true
	for _, c := range value {
		if c < ' ' || c > '~' {
			ascii = false
			break
		}
	}
	if !ascii {
		return ansi.Truncate(strings.ReplaceAll(string(value), "\n", " "), cells, "…")
	}
	if len(value) <= cells {
		return string(value)
	}
	return string(value[:cells-1]) + "…"
}

// status is the tail's one-line account: mode, counts, drops.
func (t *tail) status() string {
	mode := "following"
	switch {
	case t.paused:
		mode = fmt.Sprintf("paused · %d new held", t.held)
	case !t.follow:
		mode = "scrolled · G follows"
	}
	format := "pretty"
	if !t.pretty {
		format = "raw"
	}
	shown := fmt.Sprintf("%d in buffer", len(t.recs))
	if t.filter != "" {
		shown = fmt.Sprintf("%d of %d match", len(t.matches), len(t.recs))
	}
	return fmt.Sprintf("%s · %d received · %s · dropped %d · %s", mode, t.received, shown, t.dropped(), format)
}
