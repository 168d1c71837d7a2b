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
	"github.com/pintui/pintui/ui/component/sparkline"
	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

// detail is one topic described as `topic NAME` answers, polled while it shows: each partition
// with its offsets and records/s, and each consumer group's committed offset and lag on each
// partition, as kafka-consumer-groups --describe lays them out.
type detail struct {
	topic  string
	parts  *ratedTable
	groups *table.Model
	filter *filter.Model
	// onGroups says the keys move the groups, not the partitions.
	onGroups bool

	ticket        int
	err           error
	loaded, stale bool
	updated       time.Time
	groupCount    int
}

// lists is the filter target of a description: one text narrows both its lists.
type lists []filter.Target

// SetFilter narrows every list.
func (l lists) SetFilter(text string) {
	for _, t := range l {
		t.SetFilter(text)
	}
}

func newDetail(ctx *screen.Context, topic string) *detail {
	d := &detail{topic: topic, parts: newRatedTable(ctx.Styles), groups: table.New(ctx.Styles)}
	d.groups.Blurred = true
	d.filter = filter.New(ctx.Styles, lists{d.parts, d.groups}, "text in any column of either list")
	return d
}

// focused is the list the keys move.
func (d *detail) focused() *table.Model {
	if d.onGroups {
		return d.groups
	}
	return d.parts.Model
}

// show lays out an answer: the partitions, their rates measured into kept, and the groups.
func (d *detail) show(td command.TopicDetail, kept map[partitionKey]*sparkline.Series, now time.Time) {
	observe(td, kept, now)
	columns := []string{"partition", "start_offset", "end_offset", "records"}
	rows := make([][]string, len(td.Partitions))
	rates := make([]*sparkline.Series, len(td.Partitions))
	for i, p := range td.Partitions {
		rows[i] = []string{strconv.Itoa(int(p.Partition)), i64(p.StartOffset), i64(p.EndOffset), i64(p.Records)}
		rates[i] = series(kept, partitionKey{td.Topic, p.Partition})
	}
	counts := map[string]units.Format{"start_offset": units.Count, "end_offset": units.Count, "records": units.Count,
		"total_lag": units.Count, "committed": units.Count, "lag": units.Count}
	d.parts.set(columns, units.Cells(columns, rows, counts), rates)

	columns = []string{"group", "state", "total_lag", "partition", "committed", "lag"}
	rows = nil
	for _, g := range td.Groups {
		group := []string{g.Group, g.State, i64(g.Lag)}
		if len(g.Partitions) == 0 {
			rows = append(rows, append(group, "", "", ""))
		}
		for _, p := range g.Partitions {
			committed := "-" // never committed here, as kafka-consumer-groups shows it
			if p.Committed >= 0 {
				committed = i64(p.Committed)
			}
			rows = append(rows, append(append([]string(nil), group...), strconv.Itoa(int(p.Partition)), committed, i64(p.Lag)))
		}
	}
	d.groups.SetRows(columns, units.Cells(columns, rows, counts))
	d.groupCount = len(td.Groups)
}

// observe feeds each partition's end offset to its series, from a description or a tail's
// partitions, so both polls measure the same rates.
func observe(td command.TopicDetail, kept map[partitionKey]*sparkline.Series, now time.Time) {
	at := float64(now.UnixNano()) / 1e9
	for _, p := range td.Partitions {
		series(kept, partitionKey{td.Topic, p.Partition}).Observe(p.EndOffset, at, screen.PollInterval.Seconds())
	}
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// describe opens the description of topic and asks for its first answer.
func (m *Model) describe(topic string) tea.Cmd {
	m.detail = newDetail(m.ctx, topic)
	return m.fetch()
}

// detailKey handles a key on the description: / opens its filter, tab moves between the lists,
// enter tails the topic, and the rest move the focused list.
func (m *Model) detailKey(msg tea.KeyPressMsg) tea.Cmd {
	d, k := m.detail, m.ctx.Keys
	switch {
	case key.Matches(msg, k.Filter):
		d.filter.Open()
	case key.Matches(msg, k.Focus):
		d.onGroups = !d.onGroups
		d.parts.Blurred, d.groups.Blurred = d.onGroups, !d.onGroups
	case key.Matches(msg, k.Refresh):
		return m.fetch()
	case key.Matches(msg, k.Enter):
		return m.open(d.topic, defaultStart)
	case key.Matches(msg, k.Left):
		d.focused().ScrollColumns(-1)
	case key.Matches(msg, k.Right):
		d.focused().ScrollColumns(1)
	default:
		k.Move(msg, d.focused())
	}
	return nil
}

// detailView draws the description in width×height cells: the partitions above the groups, each
// list given the rows it needs while both fit and half the room each when they do not.
func (m *Model) detailView(width, height int) string {
	s, d, k := m.ctx.Styles, m.detail, m.ctx.Keys
	title := s.Title.Render("Topics › " + d.topic)
	switch {
	case d.stale:
		title += s.Muted.Render("  updated " + units.Ago(m.ctx.Now().Sub(d.updated)) + " · asking topic…")
	case d.loaded:
		title += s.Muted.Render(fmt.Sprintf("  %s · %s · %s · every 1s", units.Plural(d.parts.Len(), "partition", "partitions"),
			units.Plural(d.groupCount, "group", "groups"),
			keys.Hints(keys.As(k.Enter, "tails"), keys.As(k.Focus, "next list"), keys.As(k.Filter, "filters"), keys.As(k.Back, "back"))))
	default:
		title += s.Muted.Render("  asking topic…")
	}
	lines := []string{title, d.filter.View(width)}
	if d.err != nil {
		lines[1] = s.Error.Render(d.err.Error())
	}
	if m.start.IsOpen() {
		lines = append(lines[:1], m.start.View(width)...)
	}
	if !d.loaded {
		return screen.Fill(strings.Join(lines, "\n"), width, height)
	}
	label := func(text string, focused bool) string {
		if focused {
			return s.Title.Render(text)
		}
		return s.Muted.Render(text)
	}
	room := height - len(lines) - 3 // the two labels and the line between the lists
	if room < 4 {
		return screen.Fill(strings.Join(lines, "\n"), width, height)
	}
	ph, gh := split(room, d.parts.Len()+1+btoi(d.parts.Len() == 0), d.groups.Len()+1+btoi(d.groups.Len() == 0))
	lines = append(lines, label("Partitions", !d.onGroups), d.parts.View(width, ph), "", label("Consumer groups", d.onGroups))
	if d.groupCount == 0 {
		lines = append(lines, s.Muted.Render("  no consumer group has committed an offset on this topic"))
	} else {
		lines = append(lines, d.groups.View(width, gh))
	}
	return screen.Fill(strings.Join(lines, "\n"), width, height)
}

// split shares room lines between two lists that need a and b: each gets what it needs while both
// fit, and a list that needs less than half leaves the rest to the other.
func split(room, a, b int) (int, int) {
	if a+b <= room {
		return a, room - a
	}
	half := room / 2
	switch {
	case a <= half:
		return a, room - a
	case b <= room-half:
		return room - b, b
	}
	return half, room - half
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
