package filter

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/theme"
)

type list struct{ set []string }

func (l *list) SetFilter(text string) { l.set = append(l.set, text) }

func typed(m *Model, s string) {
	for _, r := range s {
		m.Key(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func TestTypeNarrowsEnterKeepsEscClears(t *testing.T) {
	l := &list{}
	m := New(theme.New(theme.Default()), l, "text in any column")
	if got := ansi.Strip(m.View(20)); got != "                    " {
		t.Errorf("closed empty filter draws %q", got)
	}
	m.Open()
	if !m.Capturing() {
		t.Fatal("an open filter does not capture keys")
	}
	typed(m, "4999")
	m.Key(tea.KeyPressMsg{Code: tea.KeyEnter})
	if m.Capturing() || m.Text() != "4999" {
		t.Fatalf("after enter: capturing %v, text %q", m.Capturing(), m.Text())
	}
	if got := ansi.Strip(m.View(24)); got != "/4999  esc clears       " {
		t.Errorf("held filter draws %q", got)
	}
	m.Open()
	m.Key(tea.KeyPressMsg{Code: tea.KeyBackspace})
	typed(m, "8")
	if m.Text() != "4998" {
		t.Errorf("reopened filter edits to %q, want 4998", m.Text())
	}
	m.Key(tea.KeyPressMsg{Code: tea.KeyEscape})
	if m.Capturing() || m.Text() != "" {
		t.Errorf("esc left capturing %v, text %q", m.Capturing(), m.Text())
	}
	want := []string{"4", "49", "499", "4999", "499", "4998", ""}
	if len(l.set) != len(want) {
		t.Fatalf("list filtered %q, want %q", l.set, want)
	}
	for i := range want {
		if l.set[i] != want[i] {
			t.Fatalf("list filtered %q, want %q", l.set, want)
		}
	}
	if m.Clear() {
		t.Error("Clear on an empty filter reports it cleared something")
	}
}
