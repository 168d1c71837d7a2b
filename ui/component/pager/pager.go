// Package pager is a scrollable block of text: the panel that shows a palette command's result,
// the help and the error log, moved with the same j/k g/G ctrl+d/u keys as tables. Lines wider
// than the panel wrap instead of being cut, so nothing in the text is out of reach.
package pager

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/theme"
)

// Layout lays the text out for a width, one string per line; a layout may give lines wider than
// width, and the pager wraps them.
type Layout func(width int) []string

// Model holds the text, its lines at the last width drawn and the scroll position.
type Model struct {
	styles *theme.Styles
	title  string
	layout Layout
	hint   string
	lines  []string
	width  int // the width lines were laid out for; 0 until the first View
	offset int
	height int
}

// New returns an empty pager whose position line names the default key that closes it.
func New(styles *theme.Styles) *Model {
	return &Model{styles: styles, height: 10, layout: func(int) []string { return nil },
		hint: keys.Hints(keys.As(keys.Default().Back, "closes"))}
}

// SetHint sets what the position line says after the line numbers, e.g. "esc closes"; a
// console whose keys were rebound passes its own bindings' keys.Hints.
func (m *Model) SetHint(hint string) { m.hint = hint }

// SetContent replaces the title and text and scrolls back to the top.
func (m *Model) SetContent(title, text string) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	m.SetLayout(title, func(int) []string { return lines })
}

// SetLayout replaces the title and the text, laid out anew for each width, and scrolls back to
// the top.
func (m *Model) SetLayout(title string, layout Layout) {
	m.title, m.layout, m.offset = title, layout, 0
	m.relayout(m.width)
}

func (m *Model) relayout(width int) {
	m.width = width
	var lines []string
	for _, l := range m.layout(width) {
		lines = append(lines, Wrap(l, width)...)
	}
	m.lines = lines
}

// Title returns the pager's title.
func (m *Model) Title() string { return m.title }

// Move scrolls the view by n lines, clamped to the text.
func (m *Model) Move(n int) {
	m.offset = max(0, min(m.offset+n, len(m.lines)-m.height))
}

// Top scrolls to the first line.
func (m *Model) Top() { m.offset = 0 }

// Bottom scrolls to the last screenful.
func (m *Model) Bottom() { m.Move(len(m.lines)) }

// Page scrolls by n half screens.
func (m *Model) Page(n int) { m.Move(n * max(1, m.height/2)) }

// View draws the title line, the visible text and a position line in exactly width×height cells.
func (m *Model) View(width, height int) string {
	if width != m.width {
		m.relayout(width)
	}
	m.height = max(1, height-2)
	m.Move(0)
	out := make([]string, 0, height)
	out = append(out, fit(m.styles.PanelTitle.Render(m.title), width))
	end := min(len(m.lines), m.offset+m.height)
	for _, l := range m.lines[m.offset:end] {
		out = append(out, fit(m.styles.Text.Render(l), width))
	}
	for len(out) < height-1 {
		out = append(out, strings.Repeat(" ", width))
	}
	pos := fmt.Sprintf("lines %d–%d of %d", min(m.offset+1, end), end, len(m.lines))
	if m.hint != "" {
		pos += " · " + m.hint
	}
	out = append(out, fit(m.styles.Muted.Render(pos), width))
	return strings.Join(out[:height], "\n")
}

// Wrap breaks a line wider than width at spaces, or inside a word longer than a line, and
// indents the continuation lines as far as the line itself is indented.
func Wrap(line string, width int) []string {
	if width <= 0 || ansi.StringWidth(line) <= width {
		return []string{line}
	}
	text := strings.TrimLeft(line, " ")
	indent := len(line) - len(text)
	if width-indent < 10 {
		indent = 0
	}
	pad := strings.Repeat(" ", indent)
	var out []string
	for _, l := range strings.Split(ansi.Wrap(text, width-indent, ""), "\n") {
		out = append(out, pad+strings.TrimRight(l, " "))
	}
	return out
}

func fit(s string, width int) string {
	if w := ansi.StringWidth(s); w <= width {
		return s + strings.Repeat(" ", width-w)
	}
	return ansi.Truncate(s, width, "…")
}
