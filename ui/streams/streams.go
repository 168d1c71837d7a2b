// Package streams is screen 4: the Kinesis streams with their shards and how far the stream job's
// reading is behind each (its iterator age), polled from the streams command, and a live tail of
// one stream read through a Tailer outside the command registry, with the Topics tail's keys and
// guarantees, because a tail is a stream and not a command's one answer.
package streams

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/filter"
	"github.com/pintui/pintui/ui/component/livetail"
	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

// Tailer reads a stream live. Tail reads stream from from, written as `tail stream --from` takes
// it (trim-horizon, latest, a sequence number, or a time such as 2026-12-01T10:00:00Z or -10m),
// and hands records to emit in batches until ctx ends or reading fails; it returns nil when ctx
// ended it. Each record's Part is its shard id and its Position the sequence number. emit never
// blocks, and keeps the records it is given, so a Tailer must not reuse the Values it emitted.
type Tailer interface {
	Tail(ctx context.Context, stream, from string, emit func([]livetail.Record)) error
}

// DefaultStart is where a tail starts unless the start prompt says otherwise: the records of the
// last ten minutes, since a Kinesis shard has no offsets to count back by.
const DefaultStart = "-10m"

// unavailable is what a tail says without a Tailer.
const unavailable = "live tail unavailable: this console has no stream reader; the shards below still refresh"

// Model is the Streams screen: the list, and the stream opened from it.
type Model struct {
	screen.Named
	ctx    *screen.Context
	tailer Tailer
	poll   *screen.Poll

	list       *table.Model
	listFilter *filter.Model
	listTicket int
	listErr    error
	loaded     bool
	stale      bool // the list is from before the screen was last entered
	updated    time.Time

	start  *livetail.Start
	stream *stream // nil while the list shows
}

// New returns the Streams screen; a nil tailer leaves the list and the shards working and says
// the tail is unavailable.
func New(ctx *screen.Context, tailer Tailer) *Model {
	m := &Model{Named: screen.NewNamed(screen.Streams, "streams", "Streams"), ctx: ctx, tailer: tailer, poll: screen.NewPoll(screen.Streams), list: table.New(ctx.Styles)}
	m.listFilter = filter.New(ctx.Styles, m.list, "text in any column")
	m.start = livetail.NewStart(ctx.Styles, DefaultStart, "trim-horizon, latest, a sequence number, or a time: 2026-12-01T10:00:00Z, -10m",
		func(from string) error { return checkFrom(from, ctx.Now()) })
	return m
}

// Capturing reports that the list's or the tail's filter, or a tail's start, is being typed.
func (m *Model) Capturing() bool {
	return m.start.IsOpen() || m.stream != nil && m.stream.tail.Capturing() || m.stream == nil && m.listFilter.Capturing()
}

// Enter refreshes the list or the open stream's shards, and polls while the screen shows.
func (m *Model) Enter() tea.Cmd {
	m.poll.Start()
	m.stale = m.loaded
	return m.fetch()
}

// Leave stops polling; an open tail keeps reading into its bounded buffer.
func (m *Model) Leave() { m.poll.Stop() }

func (m *Model) fetch() tea.Cmd {
	if m.stream != nil {
		cmd, t := m.ctx.Run(screen.Streams, "stream "+screen.Quote(m.stream.name))
		m.stream.ticket = t
		return cmd
	}
	cmd, t := m.ctx.Run(screen.Streams, "streams")
	m.listTicket = t
	return cmd
}

// Back closes, in order: the start being typed, the tail's filter, the stream (ending its tail),
// the list's filter.
func (m *Model) Back() (screen.Screen, tea.Cmd) {
	switch {
	case m.start.IsOpen():
		m.start.Close()
	case m.stream != nil && m.stream.tail.Back():
	case m.stream != nil:
		m.closeStream()
		return m, m.fetch()
	default:
		m.listFilter.Clear()
	}
	return m, nil
}

func (m *Model) closeStream() {
	m.stream.tail.Close()
	m.stream = nil
}

// Update handles the poll tick, replies, tail batches and keys.
func (m *Model) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case screen.PollMsg:
		if m.poll.Due(msg) {
			return m, m.fetch()
		}
	case screen.ResultMsg:
		return m, m.reply(msg)
	case livetail.BatchMsg, livetail.EndMsg:
		if m.stream != nil {
			return m, m.stream.tail.Update(msg)
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) reply(msg screen.ResultMsg) tea.Cmd {
	switch {
	case msg.Ticket == m.listTicket:
		m.listErr = msg.Err
		if msg.Err == nil {
			m.loaded, m.stale, m.updated = true, false, m.ctx.Now()
			list, _ := msg.Result.Data.([]command.StreamSummary)
			m.setList(list)
		}
	case m.stream != nil && msg.Ticket == m.stream.ticket:
		m.stream.err = msg.Err
		if d, ok := resultData[command.StreamDetail](msg); ok {
			m.stream.show(d)
		}
	default:
		return nil
	}
	return m.poll.Next(m.ctx)
}

// resultData is a successful reply's typed value.
func resultData[T any](msg screen.ResultMsg) (T, bool) {
	var zero T
	if msg.Err != nil || msg.Result == nil {
		return zero, false
	}
	v, ok := msg.Result.Data.(T)
	return v, ok
}

// key routes a key. An open prompt or filter takes every key first, so an o typed there is text
// and not a tail's start.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case m.start.IsOpen():
		return m.startKey(msg)
	case m.stream != nil && m.stream.tail.Capturing():
		m.stream.tail.Key(msg)
	case m.stream == nil && m.listFilter.Capturing():
		m.listFilter.Key(msg)
	case key.Matches(msg, k.TailFrom):
		m.start.Open()
	case m.stream != nil:
		m.stream.tail.Key(msg)
	default:
		return m.listKey(msg)
	}
	return nil
}

// startKey edits the start; enter opens the tail there, on the open stream or the selected one.
func (m *Model) startKey(msg tea.KeyPressMsg) tea.Cmd {
	from, ok := m.start.Key(msg)
	if !ok {
		return nil
	}
	name := ""
	switch row := m.list.Selected(); {
	case m.stream != nil:
		name = m.stream.name
		m.closeStream()
	case len(row) > 0:
		name = row[0]
	}
	if name == "" {
		return nil
	}
	return m.open(name, from)
}

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case key.Matches(msg, k.Filter):
		m.listFilter.Open()
	case key.Matches(msg, k.Refresh):
		return m.fetch()
	case key.Matches(msg, k.Enter):
		if row := m.list.Selected(); len(row) > 0 {
			return m.open(row[0], DefaultStart)
		}
	case key.Matches(msg, k.Left):
		m.list.ScrollColumns(-1)
	case key.Matches(msg, k.Right):
		m.list.ScrollColumns(1)
	default:
		k.Move(msg, m.list)
	}
	return nil
}

// setList shows the streams; the shown rows begin with the stream's name, which open reads back.
func (m *Model) setList(list []command.StreamSummary) {
	columns := []string{"stream", "status", "shards", "retention", "iterator_age"}
	rows := make([][]string, len(list))
	for i, s := range list {
		rows[i] = []string{s.Stream, s.Status, strconv.Itoa(s.Shards), fmt.Sprintf("%d h", s.RetentionHours), age(s.IteratorAgeMS)}
	}
	m.list.SetRows(columns, rows)
}

// age is an iterator age as a screen shows it: "-" while the stream job does not read.
func age(ms *int64) string {
	if ms == nil {
		return "-"
	}
	return units.Millis(*ms)
}

// open shows stream with a tail from where from says, and asks for its shards.
func (m *Model) open(name, from string) tea.Cmd {
	m.stream = newStream(m.ctx, m.tailer, name, from)
	return tea.Batch(append([]tea.Cmd{m.fetch()}, m.stream.tail.Start()...)...)
}

// View draws the list or the open stream in width×height cells.
func (m *Model) View(width, height int) string {
	if m.stream != nil {
		return m.streamView(width, height)
	}
	s, k := m.ctx.Styles, m.ctx.Keys
	title := s.Title.Render("Streams")
	switch {
	case m.stale:
		title += s.Muted.Render(fmt.Sprintf("  %s · updated %s · asking streams…", units.Plural(m.list.Len(), "stream", "streams"), units.Ago(m.ctx.Now().Sub(m.updated))))
	case m.loaded:
		title += s.Muted.Render(fmt.Sprintf("  %s · %s · every 1s · iterator age: the stream job's lag", units.Plural(m.list.Len(), "stream", "streams"),
			keys.Hints(keys.As(k.Enter, "shards and tail"), keys.As(k.TailFrom, "tails from…"), keys.As(k.Filter, "filters"))))
	default:
		title += s.Muted.Render("  asking streams…")
	}
	lines := []string{title, m.listFilter.View(width)}
	if m.listErr != nil {
		lines[1] = s.Error.Render("streams failed: " + m.listErr.Error())
	}
	if m.start.IsOpen() {
		lines = append(lines[:1], m.start.View(width)...)
	}
	if !m.loaded || height <= len(lines) {
		return screen.Fill(strings.Join(lines, "\n"), width, height)
	}
	return screen.Fill(strings.Join(lines, "\n")+"\n"+m.list.View(width, height-len(lines)), width, height)
}
