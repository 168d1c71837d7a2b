package app

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ui/component/help"
	"github.com/pintui/pintui/ui/component/pager"
	"github.com/pintui/pintui/ui/component/statusbar"
	"github.com/pintui/pintui/ui/screen"
)

// Update handles sizes, replies, ticks and keys.
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
	case errExpiredMsg:
		return m, m.expire(msg)
	case completionMsg:
		m.completed(msg)
		return m, nil
	case historySavedMsg:
		return m, m.fail("", msg.err)
	case progressMsg:
		if m.ctx.Running() > 0 { // a report that comes after its command's answer is stale
			p := statusbar.Progress(msg)
			m.progress = &p
		}
		return m, m.pumpProgress()
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

// reply routes a command's answer: palette answers fill the result panel, an action's answer
// reaches its screen whether or not the screen is active, a fetch's answer only while its screen
// still is, and errors go to the status bar and the error log.
func (m *Model) reply(msg screen.ResultMsg) tea.Cmd {
	m.ctx.Done(msg.Ticket)
	if m.ctx.Running() == 0 {
		m.progress = nil
	}
	if msg.Screen == screen.Palette {
		return m.paletteReply(msg)
	}
	i := int(msg.Screen) - 1
	if i < 0 || i >= len(m.screens) || (msg.Screen != m.active && msg.Kind != screen.Action) {
		return nil // the screen that asked was left; it asks again when entered
	}
	if m.asked(msg) {
		return nil
	}
	var shown tea.Cmd
	if msg.Err != nil {
		shown = m.fail(msg.Line, msg.Err)
	} else {
		m.succeeded(msg)
	}
	s, cmd := m.screens[i].Update(msg)
	m.screens[i] = s
	return tea.Batch(shown, cmd)
}

func (m *Model) paletteReply(msg screen.ResultMsg) tea.Cmd {
	if msg.Ticket != m.paletteTicket || m.asked(msg) {
		return nil
	}
	if msg.Err != nil {
		return m.fail(msg.Line, msg.Err)
	}
	m.succeeded(msg)
	m.result.SetLayout(":"+msg.Line, resultLayout(msg.Result))
	m.overlay = resultOverlay
	return nil
}

// key applies global keys in order of precedence and hands the rest to the active screen.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	m.notice = ""
	switch {
	case key.Matches(msg, k.ForceQuit):
		return tea.Quit
	case m.ask != nil:
		return m.answer(msg)
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
		m.palette.SetCompletions("", nil)
		return nil
	case key.Matches(msg, k.Help):
		if m.overlay == helpOverlay {
			m.overlay = noOverlay
		} else {
			m.showHelp()
		}
		return nil
	case key.Matches(msg, k.Errors):
		m.showErrors()
		return nil
	}
	if id, ok := m.numberKey(msg); ok {
		return m.switchTo(id)
	}
	if p := m.panel(); p != nil {
		k.Move(msg, p)
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
	switch m.overlay {
	case noOverlay:
		s, cmd := m.screen().Back()
		m.screens[m.active-1] = s
		return cmd
	default:
		m.overlay = noOverlay
	}
	return nil
}

// panel is the pager of the open overlay, or nil when none is open.
func (m *Model) panel() *pager.Model {
	switch m.overlay {
	case helpOverlay:
		return m.helpPanel
	case resultOverlay:
		return m.result
	case errorsOverlay:
		return m.errPanel
	}
	return nil
}

// showHelp opens the help, laid out anew for each width from the keymap and the commands.
func (m *Model) showHelp() {
	var cmds []help.Command
	for _, c := range m.ctx.Runner.Commands() {
		cmds = append(cmds, help.Command{Usage: c.Usage(), Help: c.Help})
	}
	styles, groups := m.ctx.Styles, m.ctx.Keys.Groups()
	m.helpPanel.SetLayout("help", func(width int) []string { return help.Lines(styles, groups, cmds, width) })
	m.overlay = helpOverlay
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
