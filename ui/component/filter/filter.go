// Package filter is the `/` filter every list of the console shares: `/` opens a prompt with the
// current text, each key narrows the list as it is typed (case-insensitive, over the row's
// cells), enter keeps the text and esc clears it. While the prompt is open the screen reports
// Capturing, so no screen or global key fires from the typed text.
package filter

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/component/prompt"
	"github.com/pintui/pintui/ui/theme"
)

// Target is what a filter narrows; *table.Model is one.
type Target interface {
	SetFilter(text string)
}

// Model is one list's filter: its text and whether its prompt is open.
type Model struct {
	styles *theme.Styles
	prompt *prompt.Model
	target Target
	text   string
	open   bool
}

// New returns a closed, empty filter over target; placeholder says what the text matches.
func New(styles *theme.Styles, target Target, placeholder string) *Model {
	return &Model{styles: styles, prompt: prompt.New(styles, "/", placeholder), target: target}
}

// Open opens the prompt holding the current text, the cursor after it, so the user edits it.
func (m *Model) Open() {
	m.open = true
	m.prompt.SetValue(m.text)
}

// Capturing reports that the prompt is open and takes every key.
func (m *Model) Capturing() bool { return m.open }

// Text returns the filter's text, "" when the list is not filtered.
func (m *Model) Text() string { return m.text }

// Key feeds a key to the open prompt: the list narrows as the text changes, enter closes the
// prompt keeping the text, esc closes it and clears the text.
func (m *Model) Key(msg tea.KeyPressMsg) {
	switch m.prompt.Update(msg) {
	case prompt.Submitted:
		m.open = false
	case prompt.Cancelled:
		m.open = false
		m.set("")
	default:
		m.set(m.prompt.Value())
	}
}

// Clear closes the prompt and clears the text, reporting whether there was anything to clear, so
// esc clears a filter before it goes back.
func (m *Model) Clear() bool {
	had := m.open || m.text != ""
	m.open = false
	m.set("")
	return had
}

func (m *Model) set(text string) {
	if text != m.text {
		m.text = text
		m.target.SetFilter(text)
	}
}

// View draws the filter as one line of width cells: the prompt while it is open, /text and how
// to clear it while a filter holds, and nothing otherwise.
func (m *Model) View(width int) string {
	switch {
	case m.open:
		return m.prompt.View(width)
	case m.text != "":
		return fit(m.styles.Prompt.Render("/")+m.styles.Text.Render(m.text)+m.styles.Muted.Render("  esc clears"), width)
	}
	return fit("", width)
}

func fit(s string, width int) string {
	if w := ansi.StringWidth(s); w <= width {
		return s + strings.Repeat(" ", width-w)
	}
	return ansi.Truncate(s, width, "…")
}
