package emulators

import (
	"strings"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

// View draws each emulator's state, the note or prompt, and the per-table counters in
// width×height cells.
func (m *Model) View(width, height int) string {
	s := m.ctx.Styles
	k := m.ctx.Keys
	title := s.Title.Render("Emulators") + s.Muted.Render("  batch and streaming · every 1s · "+
		keys.Hints(keys.Pair(k.Down, k.Up, "pick one"), keys.As(k.Start, "starts"), keys.As(k.Stop, "stops"),
			keys.As(k.Faster, "doubles"), keys.As(k.Slower, "halves the rate"), keys.As(k.Filter, "filters")))
	lines := []string{title, ""}
	switch {
	case m.err != nil:
		lines = append(lines, s.Error.Render("emulate status failed: "+m.err.Error()))
	case !m.loaded:
		lines = append(lines, s.Muted.Render("asking emulate status…"))
	default:
		for i, kind := range kinds {
			line := m.stateLine(kind)
			if i == 0 && m.stale {
				line += s.Muted.Render("  updated " + units.Ago(m.ctx.Now().Sub(m.updated)) + " · asking emulate status…")
			}
			lines = append(lines, line)
		}
	}
	switch {
	case m.filter.Capturing() || m.filter.Text() != "":
		lines = append(lines, m.filter.View(width))
	case m.asking != "":
		lines = append(lines, m.prompt.View(width))
	case m.confirming != "":
		lines = append(lines, s.Confirm.Render(" stop the "+name(m.confirming)+"? press y to stop, any other key to keep it running "))
	case m.noteErr:
		lines = append(lines, s.Error.Render(m.note))
	default:
		lines = append(lines, s.Muted.Render(m.note))
	}
	lines = append(lines, "")
	if !m.loaded || height <= len(lines)+1 {
		return screen.Fill(strings.Join(lines, "\n"), width, height)
	}
	th := min(height-len(lines), m.table.Len()+2)
	return screen.Fill(strings.Join(lines, "\n")+"\n"+m.table.View(width, th), width, height)
}

// stateLine is one emulator's state: its kind, marked when its row is selected, the state's
// symbol and the status in a sentence.
func (m *Model) stateLine(kind string) string {
	s := m.ctx.Styles
	st, ok := m.statuses[kind]
	if !ok {
		st = command.EmulatorStatus{Kind: kind, State: command.EmulatorNotStarted}
	}
	word := "stopped"
	switch {
	case st.Running():
		word = "running"
	case st.State == command.EmulatorNotStarted:
		word = "not started"
	}
	mark := "  "
	if kind == m.selected() {
		mark = "› "
	}
	style, sym := s.State(word)
	return s.Text.Render(mark+padKind(kind)) + style.Render(sym+" "+word) + s.Text.Render("  "+describe(st))
}

// padKind pads a kind to the width of the longest, so the states line up.
func padKind(kind string) string { return kind + strings.Repeat(" ", len(stream)+2-len(kind)) }
