package prompt

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/pintui/pintui/ui/theme"
)

func typeText(m *Model, s string) {
	for _, r := range s {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func key(code rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: code} }

func newPrompt() *Model {
	m := New(theme.New(theme.Default()), ":", "command")
	m.SetCandidates([]string{"analytics", "help", "preview", "schema", "status", "tables"})
	return m
}

func TestTabCompletes(t *testing.T) {
	m := newPrompt()
	typeText(m, "s")
	m.Update(key(tea.KeyTab))
	if got := m.Value(); got != "s" {
		t.Errorf("ambiguous s completed to %q", got)
	}
	typeText(m, "c")
	m.Update(key(tea.KeyTab))
	if got := m.Value(); got != "schema " {
		t.Errorf("sc completed to %q, want %q", got, "schema ")
	}
	typeText(m, "pins")
	if out := m.Update(key(tea.KeyEnter)); out != Submitted || m.Value() != "schema pins" {
		t.Errorf("enter gave %v with %q", out, m.Value())
	}
}

func TestEditing(t *testing.T) {
	m := newPrompt()
	typeText(m, "preview pins")
	m.Update(tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl})
	if got := m.Value(); got != "preview " {
		t.Errorf("ctrl+w left %q", got)
	}
	m.Update(key(tea.KeyBackspace))
	if got := m.Value(); got != "preview" {
		t.Errorf("backspace left %q", got)
	}
	m.Update(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	if m.Value() != "" {
		t.Errorf("ctrl+u left %q", m.Value())
	}
	if out := m.Update(key(tea.KeyEscape)); out != Cancelled {
		t.Errorf("esc gave %v", out)
	}
}

func TestView(t *testing.T) {
	m := newPrompt()
	typeText(m, "s")
	view := m.View(30) + "\n" + m.SuggestionsView(30) + "\n" + newPrompt().View(30)
	golden.RequireEqual(t, ansi.Strip(view))
}

func TestHistoryWalksEarlierLines(t *testing.T) {
	m := newPrompt()
	m.SetHistory([]string{"tables", "preview pins"})
	typeText(m, "sch")
	m.Update(key(tea.KeyUp))
	if got := m.Value(); got != "preview pins" {
		t.Fatalf("↑ gave %q, want the last line", got)
	}
	m.Update(key(tea.KeyUp))
	m.Update(key(tea.KeyUp))
	if got := m.Value(); got != "tables" {
		t.Fatalf("↑ past the oldest line gave %q", got)
	}
	m.Update(key(tea.KeyDown))
	m.Update(key(tea.KeyDown))
	if got := m.Value(); got != "sch" {
		t.Errorf("↓ back past the newest line gave %q, want the line being typed", got)
	}
}

func TestLineCompletionsAreGhostTextTabAccepts(t *testing.T) {
	m := newPrompt()
	typeText(m, "preview 0a")
	m.SetCompletions("preview 0", []string{"preview 0a1b_pin"}) // for a line no longer typed
	if got := strings.TrimRight(ansi.Strip(m.View(40)), " "); got != ":preview 0a" {
		t.Errorf("stale completions shown: %q", got)
	}
	m.SetCompletions("preview 0a", []string{"preview 0a1b_pin_batch", "preview 0a1b_geo_batch"})
	if got := strings.TrimRight(ansi.Strip(m.View(40)), " "); got != ":preview 0a1b_" {
		t.Errorf("ghost text = %q, want the shared part", got)
	}
	m.Update(key(tea.KeyTab))
	if got := m.Value(); got != "preview 0a1b_" {
		t.Fatalf("tab gave %q", got)
	}
	m.SetCompletions("preview 0a1b_", []string{"preview 0a1b_pin_batch"})
	m.Update(key(tea.KeyTab))
	if got := m.Value(); got != "preview 0a1b_pin_batch " {
		t.Errorf("tab on one candidate gave %q", got)
	}
}
