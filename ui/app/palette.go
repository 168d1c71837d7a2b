package app

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ui/component/prompt"
	"github.com/pintui/pintui/ui/screen"
)

// completionMsg carries the lines the Runner's Completer found for a palette line.
type completionMsg struct {
	line  string
	lines []string
}

// paletteKey edits the palette line; enter goes to a screen by name, opens the error log or
// runs the command, and the line joins the history.
func (m *Model) paletteKey(msg tea.KeyPressMsg) tea.Cmd {
	before := m.palette.Value()
	switch m.palette.Update(msg) {
	case prompt.Cancelled:
		m.paletteOpen = false
	case prompt.Submitted:
		m.paletteOpen = false
		line := strings.TrimSpace(m.palette.Value())
		if line == "" {
			return nil
		}
		save := m.history.add(line)
		m.palette.SetHistory(m.history.Lines())
		return tea.Batch(save, m.submit(line))
	case prompt.Editing:
		if v := m.palette.Value(); v != before {
			return m.complete(v)
		}
	}
	return nil
}

func (m *Model) submit(line string) tea.Cmd {
	switch line {
	case "quit", "q":
		return m.quit()
	case "errors":
		m.showErrors()
		return nil
	}
	if id, ok := m.screenNamed(line); ok {
		return m.switchTo(id)
	}
	cmd, t := m.ctx.Run(screen.Palette, line)
	m.paletteTicket = t
	return cmd
}

// complete asks the Runner, when it can, for the lines that complete the arguments of a palette
// line; a line still without arguments completes from the command and screen names alone.
func (m *Model) complete(line string) tea.Cmd {
	c, ok := m.ctx.Runner.(screen.Completer)
	if !ok || !strings.Contains(line, " ") {
		return nil
	}
	ctx := m.ctx.Ctx
	return func() tea.Msg {
		lines, err := c.Complete(ctx, line)
		if err != nil {
			return nil // no completions; running the line will say what is wrong
		}
		return completionMsg{line: line, lines: lines}
	}
}

func (m *Model) completed(msg completionMsg) {
	if m.paletteOpen {
		m.palette.SetCompletions(msg.line, msg.lines)
	}
}
