package topics

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/kafka"
	"github.com/pintui/pintui/ui/component/livetail"
)

// defaultStart is where a tail starts unless the start prompt says otherwise: the last
// RecentRecords of each partition.
var defaultStart = fmt.Sprintf("-%d", RecentRecords)

// newStart is the prompt that asks where the next tail starts, in the forms of `tail topic --from`.
func (m *Model) newStart() *livetail.Start {
	return livetail.NewStart(m.ctx.Styles, defaultStart, "beginning, end, an offset, -N, or a time: 2026-12-01T10:00:00Z, -10m",
		func(from string) error {
			_, err := kafka.ParseFrom(from, m.ctx.Now())
			return err
		})
}

// startKey edits the start; enter opens the tail there, on the open tail's topic, the described
// one or the selected one, and esc leaves everything as it was.
func (m *Model) startKey(msg tea.KeyPressMsg) tea.Cmd {
	from, ok := m.start.Key(msg)
	if !ok {
		return nil
	}
	topic := ""
	switch row := m.list.Selected(); {
	case m.tail != nil:
		topic = m.tail.topic
		m.closeTail()
	case m.detail != nil:
		topic = m.detail.topic
	case len(row) > 0:
		topic = row[0]
	}
	if topic != "" {
		return m.open(topic, from)
	}
	return nil
}
