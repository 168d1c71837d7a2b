// Package prompt is the one-line editor behind the `:` palette and the `/` filters: typed text,
// tab completion from a list of candidates or from whole lines a completer found, ↑/↓ through
// earlier lines, enter to submit and esc to cancel. The cursor stays
// at the end and never blinks, so frames are deterministic.
package prompt

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/theme"
)

// Outcome is what a key did to the prompt.
type Outcome int

// The outcomes of a key press.
const (
	// Editing means the prompt is still open.
	Editing Outcome = iota
	// Submitted means enter was pressed; Value holds the line.
	Submitted
	// Cancelled means esc was pressed.
	Cancelled
)

// Model is a prompt with its text and completion candidates.
type Model struct {
	styles      *theme.Styles
	label       string
	placeholder string
	value       []rune
	candidates  []string

	completed   string   // the line completions are for
	completions []string // whole lines that complete it

	history []string
	walk    int    // index into history while walking it; len(history) when not
	draft   string // the line being typed when the walk began
}

// New returns an empty prompt shown after label, e.g. ":" or "/".
func New(styles *theme.Styles, label, placeholder string) *Model {
	return &Model{styles: styles, label: label, placeholder: placeholder}
}

// SetCandidates sets the words tab completes to, in the order they are offered.
func (m *Model) SetCandidates(c []string) { m.candidates = c }

// SetCompletions offers whole lines that complete line, e.g. from the live backends; they apply
// only while the typed text is still line.
func (m *Model) SetCompletions(line string, lines []string) {
	m.completed, m.completions = line, lines
}

// SetHistory replaces the earlier lines ↑ walks back through, oldest first.
func (m *Model) SetHistory(lines []string) {
	m.history = lines
	m.walk = len(lines)
}

// Value returns the typed text.
func (m *Model) Value() string { return string(m.value) }

// SetValue replaces the typed text and ends a walk through the history.
func (m *Model) SetValue(s string) {
	m.value = []rune(s)
	m.walk = len(m.history)
}

// Update applies one key press.
func (m *Model) Update(msg tea.KeyPressMsg) Outcome {
	switch msg.String() {
	case "enter":
		return Submitted
	case "esc":
		return Cancelled
	case "backspace":
		if len(m.value) > 0 {
			m.value = m.value[:len(m.value)-1]
		}
	case "ctrl+u":
		m.value = nil
	case "ctrl+w":
		s := strings.TrimRight(string(m.value), " ")
		m.value = []rune(s[:strings.LastIndex(s, " ")+1])
	case "tab":
		if !m.completeLine() {
			m.complete()
		}
	case "up":
		m.back(-1)
	case "down":
		m.back(1)
	default:
		if msg.Text != "" && msg.Mod&(tea.ModCtrl|tea.ModAlt) == 0 {
			m.value = append(m.value, []rune(msg.Text)...)
		}
	}
	return Editing
}

// Matches returns the candidates that start with the typed text.
func (m *Model) Matches() []string {
	var out []string
	typed := string(m.value)
	for _, c := range m.candidates {
		if strings.HasPrefix(c, typed) && c != strings.TrimSpace(typed) {
			out = append(out, c)
		}
	}
	return out
}

// back moves n lines through the history; past the newest line is the line being typed.
func (m *Model) back(n int) {
	next := min(max(m.walk+n, 0), len(m.history))
	if next == m.walk {
		return
	}
	if m.walk == len(m.history) {
		m.draft = string(m.value)
	}
	m.walk = next
	if next == len(m.history) {
		m.value = []rune(m.draft)
		return
	}
	m.value = []rune(m.history[next])
}

// lineGhost is what the line completions add to the typed text: all of the one candidate, or
// the part every candidate shares.
func (m *Model) lineGhost() (string, bool) {
	typed := string(m.value)
	if typed != m.completed || len(m.completions) == 0 {
		return "", false
	}
	shared := commonPrefix(m.completions)
	if len(m.completions) == 1 {
		shared += " "
	}
	if !strings.HasPrefix(shared, typed) || len(shared) <= len(typed) {
		return "", false
	}
	return shared[len(typed):], true
}

// completeLine accepts the line completions' ghost text, if there is any.
func (m *Model) completeLine() bool {
	ghost, ok := m.lineGhost()
	if ok {
		m.value = append(m.value, []rune(ghost)...)
	}
	return ok
}

func commonPrefix(list []string) string {
	prefix := list[0]
	for _, c := range list[1:] {
		for !strings.HasPrefix(c, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	return prefix
}

// complete extends the text to the longest prefix all matches share, and adds a space after a
// unique match so the arguments can follow.
func (m *Model) complete() {
	matches := m.Matches()
	if len(matches) == 0 {
		return
	}
	prefix := commonPrefix(matches)
	if len(matches) == 1 {
		prefix += " "
	}
	if len(prefix) > len(string(m.value)) {
		m.value = []rune(prefix)
	}
}

// View draws the prompt as one line of width cells; the ghost text after the cursor is what the
// line completions add, or else the first matching word.
func (m *Model) View(width int) string {
	text := string(m.value)
	ghost := ""
	if len(m.value) == 0 {
		ghost = m.placeholder
	} else if g, ok := m.lineGhost(); ok {
		ghost = strings.TrimRight(g, " ")
	} else if matches := m.Matches(); len(matches) > 0 {
		ghost = strings.TrimPrefix(matches[0], text)
	}
	under := " "
	if ghost != "" {
		r := []rune(ghost)
		under, ghost = string(r[0]), string(r[1:])
	}
	line := m.styles.Prompt.Render(m.label) + m.styles.Input.Render(text) +
		m.styles.Cursor.Render(under) + m.styles.Suggestion.Render(ghost)
	return pad(line, width)
}

// SuggestionsView draws the line completions, or else the matching candidates, as one line of
// width cells.
func (m *Model) SuggestionsView(width int) string {
	matches := m.Matches()
	if string(m.value) == m.completed && len(m.completions) > 0 {
		matches = m.completions
	}
	if len(matches) == 0 {
		return strings.Repeat(" ", width)
	}
	return pad(m.styles.Suggestion.Render("  "+strings.Join(matches, "  ")), width)
}

func pad(s string, width int) string {
	if w := ansi.StringWidth(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return ansi.Truncate(s, width, "…")
}
