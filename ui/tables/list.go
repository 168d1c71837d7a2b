package tables

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ui/screen"
)

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case key.Matches(msg, k.Refresh):
		return m.fetchList()
	case key.Matches(msg, k.Filter):
		m.typing = true
		m.prompt = m.newPrompt("table name")
		m.prompt.SetValue(m.list.Filter())
	case key.Matches(msg, k.Enter):
		row := m.list.Selected()
		if len(row) < 2 {
			return nil
		}
		m.open = newDetail(m.ctx, row[0], row[1])
		return m.open.reload(m.ctx)
	default:
		k.Move(msg, m.list)
	}
	return nil
}

func (m *Model) listView(width, height int) string {
	s := m.ctx.Styles
	title := s.Title.Render("Tables")
	switch {
	case m.loading && !m.loaded:
		title += s.Muted.Render("  asking tables…")
	case m.loaded:
		title += s.Muted.Render(fmt.Sprintf("  %d tables · enter opens · / filters · r refreshes", m.list.Len()))
	}
	lines := []string{title}
	switch {
	case m.typing:
		lines = append(lines, m.prompt.View(width))
	case m.list.Filter() != "":
		lines = append(lines, s.Muted.Render("filter ")+s.Text.Render(m.list.Filter())+s.Muted.Render("  (esc clears)"))
	default:
		lines = append(lines, "")
	}
	if m.listErr != nil {
		lines = append(lines, s.Error.Render("tables failed: "+m.listErr.Error()))
	}
	head := strings.Join(lines, "\n")
	if !m.loaded || height <= len(lines) {
		return screen.Fill(head, width, height)
	}
	return screen.Fill(head+"\n"+m.list.View(width, height-len(lines)), width, height)
}
