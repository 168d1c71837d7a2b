package topics

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ops/kafka"
	"github.com/pintui/pintui/ui/component/prompt"
)

// defaultStart is where a tail starts unless the start prompt says otherwise: the last
// RecentRecords of each partition.
var defaultStart = fmt.Sprintf("-%d", RecentRecords)

// startPrompt asks where the next tail starts, in the forms of `tail topic --from`; it checks
// the answer before a tail opens, so a mistyped start is corrected here rather than ending a tail.
type startPrompt struct {
	prompt *prompt.Model
	open   bool
	err    error
}

// showStart opens the start prompt on the default start.
func (m *Model) showStart() {
	if m.start.prompt == nil {
		m.start.prompt = prompt.New(m.ctx.Styles, "tail from ", "beginning, end, an offset, -N, or a time: 2026-12-01T10:00:00Z, -10m")
	}
	m.start.prompt.SetValue(defaultStart)
	m.start.open, m.start.err = true, nil
}

// startKey edits the start; enter opens the tail there, on the open tail's topic, the described
// one or the selected one, and esc leaves everything as it was.
func (m *Model) startKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.start.prompt.Update(msg) {
	case prompt.Cancelled:
		m.start.open = false
	case prompt.Submitted:
		from := strings.TrimSpace(m.start.prompt.Value())
		if _, err := kafka.ParseFrom(from, m.ctx.Now()); err != nil {
			m.start.err = err
			return nil
		}
		m.start.open = false
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
	default:
		m.start.err = nil
	}
	return nil
}

// startView is the prompt's line and, wrapped below it, what was wrong with the last start
// submitted, which lists every valid form and so rarely fits one line.
func (m *Model) startView(width int) []string {
	lines := []string{m.start.prompt.View(width)}
	if m.start.err != nil {
		for _, l := range strings.Split(ansi.Wordwrap(m.start.err.Error()+" · edit and enter, or esc", width, ""), "\n") {
			lines = append(lines, m.ctx.Styles.Error.Render(l))
		}
	}
	return lines
}
