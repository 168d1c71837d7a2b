package tables

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case key.Matches(msg, k.Refresh):
		return m.fetchList()
	case key.Matches(msg, k.Filter):
		m.filter.Open()
	case key.Matches(msg, k.Enter):
		row := m.list.Selected()
		if len(row) < 2 {
			return nil
		}
		m.open = newDetail(m.ctx, row[0], row[1], m.version(row[0]))
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
		k := m.ctx.Keys
		title += s.Muted.Render(fmt.Sprintf("  %s · %s", units.Plural(m.list.Len(), "table", "tables"),
			keys.Hints(keys.As(k.Enter, "opens"), keys.As(k.Filter, "filters"), keys.As(k.Refresh, "refreshes"))))
	}
	lines := []string{title, m.filter.View(width)}
	if m.listErr != nil {
		lines = append(lines, s.Error.Render("tables failed: "+m.listErr.Error()))
	}
	head := strings.Join(lines, "\n")
	if !m.loaded || height <= len(lines) {
		return screen.Fill(head, width, height)
	}
	return screen.Fill(head+"\n"+m.list.View(width, height-len(lines)), width, height)
}
