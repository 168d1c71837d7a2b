package app

import (
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/screen"
)

// asking is a command that asked first (SPEC §7): its question, shown in place of the status
// bar, and the line that runs it with --yes once the user agrees.
type asking struct {
	asker    screen.ID
	kind     screen.Kind
	line     string
	question string
}

// asked takes a reply whose command asked first instead of running, reporting whether it was
// one; a read-only profile's refusal is not a question and is shown as the error it is.
func (m *Model) asked(msg screen.ResultMsg) bool {
	var ce *command.ConfirmError
	if !errors.As(msg.Err, &ce) {
		return false
	}
	m.ask = &asking{asker: msg.Screen, kind: msg.Kind, line: ce.Line + " --yes", question: strings.TrimSuffix(ce.Question, "?")}
	m.notice = ""
	return true
}

// answer takes the key pressed while a question shows: y runs the line again with --yes for
// whoever asked, any other key leaves it undone and says so.
func (m *Model) answer(msg tea.KeyPressMsg) tea.Cmd {
	a := m.ask
	m.ask = nil
	if msg.String() != "y" {
		m.notice = "cancelled: nothing was done (" + a.question + ")"
		return nil
	}
	switch {
	case a.asker == screen.Palette:
		cmd, t := m.ctx.Run(screen.Palette, a.line)
		m.paletteTicket = t
		return cmd
	case a.kind == screen.Action:
		cmd, _ := m.ctx.Act(a.asker, a.line)
		return cmd
	}
	cmd, _ := m.ctx.Run(a.asker, a.line)
	return cmd
}
