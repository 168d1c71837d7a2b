package app

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/prompt"
	"github.com/pintui/pintui/ui/screen"
)

// Update handles sizes, replies and keys.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case screen.ResultMsg:
		return m, m.reply(msg)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case screen.SwitchMsg:
		return m, m.switchTo(msg.To)
	case screen.Addressed:
		return m, m.deliver(msg)
	}
	return m, nil
}

// deliver hands a screen its own message, such as a poll tick or a tail batch, whether or not it
// is active: a hidden screen drops its ticks and keeps its tail reading into a bounded buffer.
func (m *Model) deliver(msg screen.Addressed) tea.Cmd {
	i := int(msg.Addressee()) - 1
	if i < 0 || i >= len(m.screens) {
		return nil
	}
	s, cmd := m.screens[i].Update(msg)
	m.screens[i] = s
	return cmd
}

// reply routes a command's answer: palette answers fill the result panel, a screen's answer
// goes to it only while it is still the active screen, and errors go to the status bar.
func (m *Model) reply(msg screen.ResultMsg) tea.Cmd {
	m.ctx.Done()
	if msg.Screen == screen.Palette {
		if msg.Ticket != m.paletteTicket {
			return nil
		}
		if msg.Err != nil {
			m.lastErr = msg.Err.Error()
			return nil
		}
		var b strings.Builder
		if err := msg.Result.Write(&b, command.FormatTable); err != nil {
			m.lastErr = err.Error()
			return nil
		}
		m.result.SetContent(":"+msg.Line, b.String())
		m.showResult, m.showHelp = true, false
		return nil
	}
	if msg.Screen != m.active {
		return nil // the screen that asked was left; it asks again when entered
	}
	if msg.Err != nil {
		m.lastErr = msg.Err.Error()
	}
	s, cmd := m.screen().Update(msg)
	m.screens[m.active-1] = s
	return cmd
}

// key applies global keys in order of precedence and hands the rest to the active screen.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case key.Matches(msg, k.ForceQuit):
		return tea.Quit
	case m.confirmQuit != "":
		m.confirmQuit = ""
		if msg.String() == "y" || key.Matches(msg, k.Quit) {
			return tea.Quit
		}
		return nil
	case m.paletteOpen:
		return m.paletteKey(msg)
	case m.screen().Capturing():
		return m.toScreen(msg)
	case key.Matches(msg, k.Back):
		return m.back()
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Palette):
		m.paletteOpen = true
		m.palette.SetValue("")
		return nil
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
		return nil
	}
	if id, ok := m.numberKey(msg); ok {
		return m.switchTo(id)
	}
	switch {
	case m.showHelp:
		return nil
	case m.showResult:
		m.scrollResult(msg)
		return nil
	}
	return m.toScreen(msg)
}

func (m *Model) toScreen(msg tea.Msg) tea.Cmd {
	s, cmd := m.screen().Update(msg)
	m.screens[m.active-1] = s
	return cmd
}

// back closes the topmost thing open; esc never quits.
func (m *Model) back() tea.Cmd {
	switch {
	case m.showHelp:
		m.showHelp = false
	case m.showResult:
		m.showResult = false
	default:
		s, cmd := m.screen().Back()
		m.screens[m.active-1] = s
		return cmd
	}
	return nil
}

// quit quits at once when nothing runs, and asks first while commands are still running or
// quitting would stop other work, such as a running emulator.
func (m *Model) quit() tea.Cmd {
	var work []string
	if m.deps.Busy != nil {
		if b := m.deps.Busy(); b != "" {
			work = append(work, b)
		}
	}
	if n := m.ctx.Running(); n > 0 {
		work = append(work, fmt.Sprintf("%d command(s) still running", n))
	}
	if len(work) == 0 {
		return tea.Quit
	}
	m.confirmQuit = strings.Join(work, "; ")
	return nil
}

func (m *Model) numberKey(msg tea.KeyPressMsg) (screen.ID, bool) {
	k := m.ctx.Keys
	for i, b := range []key.Binding{k.Overview, k.Emulators, k.Topics, k.Streams, k.S3, k.DAGs, k.Jobs, k.Tables} {
		if key.Matches(msg, b) {
			return screen.ID(i + 1), true
		}
	}
	return 0, false
}

func (m *Model) scrollResult(msg tea.KeyPressMsg) {
	m.ctx.Keys.Move(msg, m.result)
}

// paletteKey edits the palette line; enter goes to a screen by name or runs the command.
func (m *Model) paletteKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.palette.Update(msg) {
	case prompt.Cancelled:
		m.paletteOpen = false
	case prompt.Submitted:
		m.paletteOpen = false
		line := strings.TrimSpace(m.palette.Value())
		if line == "" {
			return nil
		}
		if line == "quit" || line == "q" {
			return m.quit()
		}
		if id, ok := m.screenNamed(line); ok {
			return m.switchTo(id)
		}
		cmd, t := m.ctx.Run(screen.Palette, line)
		m.paletteTicket = t
		return cmd
	}
	return nil
}
