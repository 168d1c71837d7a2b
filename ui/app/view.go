package app

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/component/statusbar"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

// View draws the header, the body (a screen, the help or a result), the palette and the status
// bar in exactly the terminal's size.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "pintui · " + m.screen().Title()
	return v
}

// Render returns the frame as styled text, the same string View hands the terminal.
func (m *Model) Render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	rows := []string{m.header()}
	bodyHeight := m.height - 2
	if m.paletteOpen {
		bodyHeight -= 2
	}
	if bodyHeight > 0 {
		rows = append(rows, m.body(bodyHeight))
	}
	if m.paletteOpen {
		rows = append(rows, m.palette.View(m.width), m.palette.SuggestionsView(m.width))
	}
	rows = append(rows, m.footer())
	return screen.Fill(strings.Join(rows, "\n"), m.width, m.height)
}

func (m *Model) body(height int) string {
	if p := m.panel(); p != nil {
		return p.View(m.width, height)
	}
	return m.screen().View(m.width, height)
}

// header draws the brand and the tabs; when all titles do not fit, inactive tabs show only their
// number.
func (m *Model) header() string {
	s := m.ctx.Styles
	brand := s.Brand.Render(" pintui ")
	tabs := func(short bool) string {
		var b strings.Builder
		for i, sc := range m.screens {
			label := fmt.Sprintf(" %d %s ", i+1, sc.Title())
			switch {
			case sc.ID() == m.active:
				b.WriteString(s.HeaderFill.Render(" ") + s.ActiveTab.Render(strings.TrimSpace(label)) + s.HeaderFill.Render(" "))
			case short:
				b.WriteString(s.Tab.Render(fmt.Sprintf(" %d", i+1)))
			default:
				b.WriteString(s.Tab.Render(label))
			}
		}
		return b.String()
	}
	line := brand + tabs(false)
	if ansi.StringWidth(line) > m.width {
		line = brand + tabs(true)
	}
	if w := ansi.StringWidth(line); w < m.width {
		line += s.HeaderFill.Render(strings.Repeat(" ", m.width-w))
	}
	return ansi.Truncate(line, m.width, "")
}

func (m *Model) footer() string {
	s := m.ctx.Styles
	switch {
	case m.confirmQuit != "":
		text := " " + m.confirmQuit + ": press y to quit, any other key to stay "
		return screen.Fill(s.Confirm.Render(ansi.Truncate(text, m.width, "…")), m.width, 1)
	case m.ask != nil:
		text := " " + m.ask.question + "? y/n: y does it, any other key cancels "
		return screen.Fill(s.Confirm.Render(ansi.Truncate(text, m.width, "…")), m.width, 1)
	case m.notice != "":
		return screen.Fill(s.StatusBar.Render(ansi.Truncate(" "+m.notice+" ", m.width, "…")), m.width, 1)
	}
	var stack string
	var down bool
	if m.deps.Owner != nil {
		stack, down = m.deps.Owner()
	}
	return statusbar.View(s, statusbar.Status{
		Stack:     stack,
		StackDown: down,
		Profile:   m.deps.Profile,
		DataDir:   m.deps.DataDir,
		Running:   m.ctx.Running(),
		Progress:  m.progress,
		Err:       m.lastErr,
		Hint:      m.hint(),
	}, m.width)
}

// hint is the status bar's reminder of the global keys, the error log's once there is one.
func (m *Model) hint() string {
	k := m.ctx.Keys
	if len(m.errs) > 0 {
		return keys.Hints(k.Help, k.Palette, keys.As(k.Errors, "errors"))
	}
	return keys.Hints(k.Help, k.Palette)
}
