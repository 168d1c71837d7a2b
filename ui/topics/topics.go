// Package topics is screen 3: the Kafka topics with their end offsets and how far the S3 sink has
// landed them, polled from the topics command, and a live tail of one topic read through a Tailer
// outside the command registry, because a tail is a stream and not a command's one answer.
package topics

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/filter"
	"github.com/pintui/pintui/ui/component/livetail"
	"github.com/pintui/pintui/ui/component/sparkline"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

// RecentRecords is how many of each partition's newest records a tail shows when it opens, before
// the records that arrive while it is open.
const RecentRecords = 100

// Model is the Topics screen: the list, and the tail opened from it.
type Model struct {
	screen.Named
	ctx    *screen.Context
	tailer Tailer
	poll   *screen.Poll

	list       *ratedTable
	listFilter *filter.Model
	listTicket int
	listErr    error
	loaded     bool
	stale      bool // the list is from before the screen was last entered
	updated    time.Time

	start *livetail.Start

	detail *detail // the topic described, nil while the list shows
	tail   *tail   // nil while the list or the description shows

	topicRates map[string]*sparkline.Series       // records/s of each topic, from its end offsets
	partRates  map[partitionKey]*sparkline.Series // records/s of each partition described or tailed
}

// New returns the Topics screen; a nil tailer leaves the list working and says the tail is
// unavailable.
func New(ctx *screen.Context, tailer Tailer) *Model {
	m := &Model{Named: screen.NewNamed(screen.Topics, "topics", "Topics"), ctx: ctx, tailer: tailer, poll: screen.NewPoll(screen.Topics), list: newRatedTable(ctx.Styles),
		topicRates: map[string]*sparkline.Series{}, partRates: map[partitionKey]*sparkline.Series{}}
	m.listFilter = filter.New(ctx.Styles, m.list, "text in any column")
	m.start = m.newStart()
	return m
}

// Capturing reports that the list's, the description's or the tail's filter, or a tail's start,
// is being typed.
func (m *Model) Capturing() bool {
	return m.tail != nil && m.tail.Capturing() || m.start.IsOpen() || m.listFilter.Capturing() || m.detail != nil && m.detail.filter.Capturing()
}

// Enter refreshes the list, the description or the open tail's partitions, and polls while the
// screen shows.
func (m *Model) Enter() tea.Cmd {
	m.poll.Start()
	m.stale = m.loaded
	if m.detail != nil {
		m.detail.stale = m.detail.loaded
	}
	return m.fetch()
}

// Leave stops polling; an open tail keeps reading into its bounded buffer.
func (m *Model) Leave() { m.poll.Stop() }

func (m *Model) fetch() tea.Cmd {
	if m.tail != nil {
		cmd, t := m.ctx.Run(screen.Topics, "topic "+screen.Quote(m.tail.topic))
		m.tail.partsTicket = t
		return cmd
	}
	if m.detail != nil {
		cmd, t := m.ctx.Run(screen.Topics, "topic "+screen.Quote(m.detail.topic))
		m.detail.ticket = t
		return cmd
	}
	cmd, t := m.ctx.Run(screen.Topics, "topics")
	m.listTicket = t
	return cmd
}

// Back closes, in order: the start being typed, the filter being typed, the tail's filter, the
// tail (ending its read, back to the description it was opened from, if any), the description's
// filter, the description, the list's filter.
func (m *Model) Back() (screen.Screen, tea.Cmd) {
	switch {
	case m.start.IsOpen():
		m.start.Close()
	case m.tail != nil && m.tail.Back():
	case m.tail != nil:
		m.closeTail()
		return m, m.fetch()
	case m.detail != nil && m.detail.filter.Clear():
	case m.detail != nil:
		m.detail = nil
		return m, m.fetch()
	default:
		m.listFilter.Clear()
	}
	return m, nil
}

func (m *Model) closeTail() {
	m.tail.Close()
	m.tail = nil
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
		if m.tail != nil {
			return m, m.tail.Update(msg)
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
			list, _ := msg.Result.Data.([]command.TopicSummary)
			m.setList(list)
		}
	case m.tail != nil && msg.Ticket == m.tail.partsTicket:
		m.tail.partsErr = msg.Err
		if msg.Err == nil {
			if d, ok := msg.Result.Data.(command.TopicDetail); ok {
				observe(d, m.partRates, m.ctx.Now())
				t := d.TextTable()
				m.tail.parts.SetRows(t.Columns, units.Cells(t.Columns, t.Rows, map[string]units.Format{
					"start_offset": units.Count, "end_offset": units.Count, "committed": units.Count, "lag": units.Count,
				}))
			}
		}
	case m.detail != nil && msg.Ticket == m.detail.ticket:
		d := m.detail
		d.err = msg.Err
		if msg.Err == nil {
			if td, ok := msg.Result.Data.(command.TopicDetail); ok {
				d.loaded, d.stale, d.updated = true, false, m.ctx.Now()
				d.show(td, m.partRates, m.ctx.Now())
			}
		}
	default:
		return nil
	}
	return m.poll.Next(m.ctx)
}

// key routes a key. An open prompt or filter takes every key first, so an o or a d typed there
// is text and not a tail's start or a description.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch f := m.typedFilter(); {
	case m.start.IsOpen():
		return m.startKey(msg)
	case m.tail != nil && m.tail.Capturing():
		m.tail.Key(msg)
		return nil
	case f != nil:
		f.Key(msg)
		return nil
	case key.Matches(msg, k.TailFrom):
		m.start.Open()
		return nil
	case m.tail != nil:
		m.tail.Key(msg)
		return nil
	case m.detail != nil:
		return m.detailKey(msg)
	}
	return m.listKey(msg)
}

// typedFilter is the list's or the description's filter while it is being typed, nil otherwise.
func (m *Model) typedFilter() *filter.Model {
	switch {
	case m.tail != nil:
		return nil
	case m.detail != nil && m.detail.filter.Capturing():
		return m.detail.filter
	case m.detail == nil && m.listFilter.Capturing():
		return m.listFilter
	}
	return nil
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
			return m.open(row[0], defaultStart)
		}
	case key.Matches(msg, k.Describe):
		if row := m.list.Selected(); len(row) > 0 {
			return m.describe(row[0])
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

// setList shows the topics with separators in their offsets and each one's records/s, measured
// from its end offsets across polls; the shown rows begin with the topic's name, which open reads
// back.
func (m *Model) setList(list []command.TopicSummary) {
	now := float64(m.ctx.Now().UnixNano()) / 1e9
	columns := []string{"topic", "partitions", "end_offset", "landed", "lag"}
	rows := make([][]string, len(list))
	rates := make([]*sparkline.Series, len(list))
	for i, t := range list {
		rows[i] = []string{t.Topic, strconv.Itoa(t.Partitions), strconv.FormatInt(t.EndOffset, 10), strconv.FormatInt(t.Landed, 10), strconv.FormatInt(t.Lag, 10)}
		rates[i] = series(m.topicRates, t.Topic)
		rates[i].Observe(t.EndOffset, now, screen.PollInterval.Seconds())
	}
	counts := map[string]units.Format{"partitions": units.Count, "end_offset": units.Count, "landed": units.Count, "lag": units.Count}
	m.list.set(columns, units.Cells(columns, rows, counts), rates)
}

// open starts the tail of topic from where from says, and asks for its partitions.
func (m *Model) open(topic, from string) tea.Cmd {
	m.tail = newTail(m.ctx, m.tailer, topic, from)
	return tea.Batch(append([]tea.Cmd{m.fetch()}, m.tail.Start()...)...)
}

// View draws the list, the description or the tail in width×height cells.
func (m *Model) View(width, height int) string {
	if m.tail != nil {
		return m.tailView(width, height)
	}
	if m.detail != nil {
		return m.detailView(width, height)
	}
	s := m.ctx.Styles
	title := s.Title.Render("Topics")
	switch {
	case m.stale:
		title += s.Muted.Render(fmt.Sprintf("  %s · updated %s · asking topics…", units.Plural(m.list.Len(), "topic", "topics"), units.Ago(m.ctx.Now().Sub(m.updated))))
	case m.loaded:
		k := m.ctx.Keys
		title += s.Muted.Render(fmt.Sprintf("  %s · %s · every 1s · lag: what the sink has yet to land", units.Plural(m.list.Len(), "topic", "topics"),
			keys.Hints(keys.As(k.Enter, "tails"), keys.As(k.Describe, "describes"), keys.As(k.TailFrom, "tails from…"), keys.As(k.Filter, "filters"))))
	default:
		title += s.Muted.Render("  asking topics…")
	}
	lines := []string{title, m.listFilter.View(width)}
	if m.listErr != nil {
		lines[1] = s.Error.Render("topics failed: " + m.listErr.Error())
	}
	if m.start.IsOpen() {
		lines = append(lines[:1], m.start.View(width)...)
	}
	if !m.loaded || height <= len(lines) {
		return screen.Fill(strings.Join(lines, "\n"), width, height)
	}
	return screen.Fill(strings.Join(lines, "\n")+"\n"+m.list.View(width, height-len(lines)), width, height)
}

func (m *Model) tailView(width, height int) string {
	s, t, k := m.ctx.Styles, m.tail, m.ctx.Keys
	lines := []string{
		s.Title.Render("Topics › "+t.topic) + s.Muted.Render("  live tail from "+t.From()+" · "+
			t.Hints()+"  "+keys.Hints(keys.As(k.TailFrom, "starts elsewhere"), keys.As(k.Back, "back"))),
	}
	if m.start.IsOpen() {
		lines = append(lines, m.start.View(width)...)
	} else {
		lines = append(lines, t.StatusLine(width))
	}
	if t.partsErr != nil {
		lines = append(lines, s.Error.Render("topic failed: "+t.partsErr.Error()))
	}
	if n := t.parts.Len(); n > 0 && height >= 12 {
		ph := min(n+1, 4)
		lines = append(lines, strings.Split(t.parts.View(width, ph), "\n")...)
	}
	lines = append(lines, s.PanelBorder.Render(strings.Repeat("─", width)))
	if body := height - len(lines); body > 0 {
		lines = append(lines, t.Records(width, body)...)
	}
	return screen.Fill(strings.Join(lines, "\n"), width, height)
}
