// Package livetail is the console's live tail of a stream of records, shared by the Topics and
// Streams screens: a pump that carries the records of a Source to Update one frame at a time, a
// bounded buffer that counts what its bound pushes out as dropped, a filter over the values,
// pause, follow and paging, raw or pretty JSON, and the prompt that asks where a tail starts.
// Its records carry a generic position, a partition and offset for Kafka, a shard and sequence
// number for Kinesis.
package livetail

import (
	"bytes"
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ui/component/prompt"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

// BufferSize bounds the records a tail keeps; older records leave the buffer and are counted as
// dropped.
const BufferSize = 10_000

// Record is one record of a tail.
type Record struct {
	// Part is where the record was read, as the tail draws it: "p0" for a Kafka partition, the
	// shard id for a Kinesis shard.
	Part string
	// Position is the record's place in its part: an offset, a sequence number.
	Position string
	Time     time.Time
	Value    []byte
}

// Source reads records live for one tail. It reads from from, in the forms of its screen's start
// prompt, and hands records to emit in batches until ctx ends or reading fails; it returns nil
// when ctx ended it. emit never blocks, and keeps the records it is given, so a Source must not
// reuse the Values it emitted.
type Source func(ctx context.Context, from string, emit func([]Record)) error

// Model is one live tail: a buffer of at most bound records, the filter over their values, and
// where the view stands. While paused, records keep arriving into the bounded buffer (held, not
// dropped) and the view stays still; resuming jumps to the newest.
type Model struct {
	ctx         *screen.Context
	from        string // where the tail started, as the Source was asked
	src         Source
	unavailable string // what to say when there is no Source
	pump        *pump  // nil without a Source
	bound       int
	recs        []Record
	matches     []int // indexes into recs whose value contains the filter
	filter      string
	prompt      *prompt.Model // the filter while it is typed
	typing      bool

	// received counts every record the Source emitted; evicted and pumpEvicted those the bound
	// pushed out of this buffer and of the pump's queue.
	received, evicted, pumpEvicted int64
	held                           int // records received while paused

	pretty, follow, paused bool
	top                    int // index into matches of the first record drawn when not following
	shown                  int // records the last View drew, for paging and scroll bounds

	ended bool
	err   error
}

// New returns the tail of screen id reading src from from; Start begins the reading. A nil src
// leaves the tail empty, saying unavailable in its place.
func New(ctx *screen.Context, id screen.ID, from string, src Source, unavailable string) *Model {
	t := &Model{ctx: ctx, from: from, src: src, unavailable: unavailable, bound: BufferSize, follow: true, pretty: true, shown: 1,
		prompt: prompt.New(ctx.Styles, "/", "text in the record's value")}
	if src != nil {
		t.pump = newPump(ctx.Ctx, id, t.bound)
	}
	return t
}

// Start returns the commands that begin reading: the Source's goroutine and the first wait for
// its records; none without a Source.
func (t *Model) Start() []tea.Cmd {
	if t.pump == nil {
		return nil
	}
	return []tea.Cmd{t.pump.launch(t.src, t.from), t.pump.next}
}

// Close ends the reading.
func (t *Model) Close() {
	if t.pump != nil {
		t.pump.cancel()
	}
}

// From is where the tail started.
func (t *Model) From() string { return t.from }

// Capturing reports that the filter is being typed.
func (t *Model) Capturing() bool { return t.typing }

// Update takes the tail's own BatchMsg and EndMsg and re-arms the pump after each batch; a message
// of another tail is dropped.
func (t *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case BatchMsg:
		if t.pump == nil || msg.pump != t.pump {
			return nil
		}
		t.add(msg)
		return t.pump.next
	case EndMsg:
		if t.pump != nil && msg.pump == t.pump {
			t.ended, t.err = true, msg.err
		}
	}
	return nil
}

// Back closes the filter being typed, or clears the filter, and reports whether it did either.
func (t *Model) Back() bool {
	switch {
	case t.typing:
		t.typing = false
	case t.filter != "":
		t.setFilter("")
	default:
		return false
	}
	return true
}

// dropped is every record received and pushed out by the buffer's bound, before or after it
// reached the screen.
func (t *Model) dropped() int64 { return t.pumpEvicted + t.evicted }

// add appends a frame's records, keeps the buffer bounded and the view where it stood.
func (t *Model) add(msg BatchMsg) {
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
		if match(t.recs[i], needle) {
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

func match(r Record, needle []byte) bool {
	return len(needle) == 0 || bytes.Contains(bytes.ToLower(r.Value), needle)
}

// setFilter keeps only records whose value contains text, ignoring case, and follows again.
func (t *Model) setFilter(text string) {
	t.filter = text
	t.matches = t.matches[:0]
	needle := []byte(strings.ToLower(text))
	for i, r := range t.recs {
		if match(r, needle) {
			t.matches = append(t.matches, i)
		}
	}
	t.top, t.follow = 0, !t.paused
}

// bottomTop is the first record of the last screenful.
func (t *Model) bottomTop() int { return max(0, len(t.matches)-t.shown) }

// scroll moves the view by n records; reaching the bottom follows again unless paused.
func (t *Model) scroll(n int) {
	if t.follow {
		t.top = t.bottomTop()
	}
	t.top = max(0, min(t.top+n, t.bottomTop()))
	t.follow = !t.paused && n > 0 && t.top == t.bottomTop()
}

// togglePause freezes the view where it is, or resumes following the newest record.
func (t *Model) togglePause() {
	if t.paused {
		t.paused, t.follow, t.held = false, true, 0
		return
	}
	if t.follow {
		t.top = t.bottomTop()
	}
	t.paused, t.follow = true, false
}

// Key handles the tail's keys: the filter while it is typed, / to type it, pause, raw/pretty and
// moving through the records.
func (t *Model) Key(msg tea.KeyPressMsg) {
	k := t.ctx.Keys
	if t.typing {
		t.filterKey(msg)
		return
	}
	switch {
	case key.Matches(msg, k.Filter):
		t.typing = true
		t.prompt.SetValue(t.filter)
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

// filterKey edits the filter, which narrows the records as it is typed.
func (t *Model) filterKey(msg tea.KeyPressMsg) {
	switch t.prompt.Update(msg) {
	case prompt.Cancelled:
		t.typing = false
		t.setFilter("")
	case prompt.Submitted:
		t.typing = false
	default:
		t.setFilter(t.prompt.Value())
	}
}

// Hints names the tail's keys for a screen's title.
func (t *Model) Hints() string {
	k := t.ctx.Keys
	return keys.Hints(keys.As(k.Pause, "pauses"), keys.As(k.RawJSON, "raw/pretty"), keys.As(k.Filter, "filters"))
}
