// Package pager is a scrollable block of text: the panel that shows a palette command's result
// and any long output, moved with the same j/k g/G ctrl+d/u keys as tables.
package pager

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/theme"
)

// Model holds the lines and the scroll position.
type Model struct {
	styles *theme.Styles
	title  string
	lines  []string
	offset int
	height int
}

// New returns an empty pager.
func New(styles *theme.Styles) *Model { return &Model{styles: styles, height: 10} }

// SetContent replaces the title and text and scrolls back to the top.
func (m *Model) SetContent(title, text string) {
	m.title = title
	m.lines = strings.Split(strings.TrimRight(text, "\n"), "\n")
	m.offset = 0
}

// Title returns the pager's title.
func (m *Model) Title() string { return m.title }

// Scroll moves the view by n lines, clamped to the text.
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
	pos := fmt.Sprintf("lines %d–%d of %d · esc closes", m.offset+1, end, len(m.lines))
	out = append(out, fit(m.styles.Muted.Render(pos), width))
	return strings.Join(out[:height], "\n")
}

func fit(s string, width int) string {
	if w := ansi.StringWidth(s); w <= width {
		return s + strings.Repeat(" ", width-w)
	}
	return ansi.Truncate(s, width, "…")
}
