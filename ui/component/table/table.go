// Package table is the console's table widget: command results as aligned columns with a cursor,
// scrolling within a height and an optional row filter, drawn by a pure View.
package table

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/theme"
)

// Model is a table with a cursor. The zero value is empty; build one with New.
type Model struct {
	styles  *theme.Styles
	columns []string
	rows    [][]string
	shown   []int // indexes into rows that pass the filter
	filter  string
	cursor  int // index into shown
	offset  int // first shown row drawn
	height  int // body rows that fit, set by View
	// Style picks a per-cell style, e.g. a state column; nil draws every cell as text.
	Style func(col int, cell string) string
}

// New returns an empty table drawn with styles.
func New(styles *theme.Styles) *Model { return &Model{styles: styles, height: 10} }

// SetRows replaces the columns and rows, keeping the cursor where it still fits.
func (m *Model) SetRows(columns []string, rows [][]string) {
	m.columns, m.rows = columns, rows
	m.applyFilter()
}

// SetFilter keeps only rows whose cells contain text, ignoring case; "" shows all.
func (m *Model) SetFilter(text string) {
	m.filter = text
	m.cursor, m.offset = 0, 0
	m.applyFilter()
}

// Filter returns the current filter text.
func (m *Model) Filter() string { return m.filter }

func (m *Model) applyFilter() {
	m.shown = m.shown[:0]
	want := strings.ToLower(m.filter)
	for i, r := range m.rows {
		if want == "" || strings.Contains(strings.ToLower(strings.Join(r, "\x00")), want) {
			m.shown = append(m.shown, i)
		}
	}
	m.clamp()
}

// Len returns how many rows pass the filter.
func (m *Model) Len() int { return len(m.shown) }

// Selected returns the row under the cursor, or nil when the table shows nothing.
func (m *Model) Selected() []string {
	if len(m.shown) == 0 {
		return nil
	}
	return m.rows[m.shown[m.cursor]]
}

// Cursor returns the cursor's position among the shown rows.
func (m *Model) Cursor() int { return m.cursor }

// Move moves the cursor by n rows, clamped to the table.
func (m *Model) Move(n int) { m.cursor += n; m.clamp() }

// Top puts the cursor on the first row.
func (m *Model) Top() { m.cursor = 0; m.clamp() }

// Bottom puts the cursor on the last row.
func (m *Model) Bottom() { m.cursor = len(m.shown) - 1; m.clamp() }

// Page moves the cursor by n half screens, like ctrl+d and ctrl+u in a pager.
func (m *Model) Page(n int) { m.Move(n * max(1, m.height/2)) }

func (m *Model) clamp() {
	m.cursor = max(0, min(m.cursor, len(m.shown)-1))
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+m.height {
		m.offset = m.cursor - m.height + 1
	}
	m.offset = max(0, min(m.offset, len(m.shown)-m.height))
}

// View draws the header and as many rows as fit in width×height, with a "rows a–b of n" footer
// when the rows do not all fit. The result is exactly height lines.
func (m *Model) View(width, height int) string {
	m.height = max(1, height-1)
	footer := len(m.shown) > m.height
	if footer {
		m.height = max(1, height-2)
	}
	m.clamp()
	widths := m.widths(width - 2)
	lines := make([]string, 0, height)
	header := func(_ int, s string) string { return m.styles.TableHeader.Render(s) }
	lines = append(lines, m.line("  ", m.columns, widths, width, header))
	end := min(len(m.shown), m.offset+m.height)
	for i := m.offset; i < end; i++ {
		lines = append(lines, m.rowLine(i, widths, width))
	}
	if len(m.shown) == 0 && len(m.rows) > 0 {
		lines = append(lines, m.styles.Muted.Render(fit("  no rows match "+fmt.Sprintf("%q", m.filter), width)))
	}
	for len(lines) < height-btoi(footer) {
		lines = append(lines, strings.Repeat(" ", width))
	}
	if footer {
		f := fmt.Sprintf("  rows %d–%d of %d", m.offset+1, end, len(m.shown))
		lines = append(lines, m.styles.Muted.Render(fit(f, width)))
	}
	return strings.Join(lines[:height], "\n")
}

func (m *Model) rowLine(i int, widths []int, width int) string {
	cells := m.rows[m.shown[i]]
	if i != m.cursor {
		return m.line("  ", cells, widths, width, m.styleCell)
	}
	sel := m.styles.TableSelected.Render
	return m.styles.TableCursor.Render("▸ ") + m.line("", cells, widths, width-2, func(_ int, s string) string { return sel(s) })
}

func (m *Model) styleCell(col int, s string) string {
	if m.Style != nil && col >= 0 {
		return m.Style(col, s)
	}
	return m.styles.TableCell.Render(s)
}

// line lays cells out in the column widths, padded to width; render styles each padded cell and
// the trailing padding (column -1).
func (m *Model) line(prefix string, cells []string, widths []int, width int, render func(col int, s string) string) string {
	var b strings.Builder
	b.WriteString(prefix)
	used := ansi.StringWidth(prefix)
	for i, w := range widths {
		if w == 0 {
			continue
		}
		cell := ""
		if i < len(cells) {
			cell = cells[i]
		}
		text := fit(cell, w)
		if i < len(widths)-1 {
			text += "  "
		}
		b.WriteString(render(i, text))
		used += ansi.StringWidth(text)
	}
	if used < width {
		b.WriteString(render(-1, strings.Repeat(" ", width-used)))
	}
	return b.String()
}

// widths sizes columns to their widest cell, shrinking the widest columns first when the total
// does not fit, and dropping trailing columns that cannot get three cells.
func (m *Model) widths(total int) []int {
	w := make([]int, len(m.columns))
	for i, c := range m.columns {
		w[i] = ansi.StringWidth(c)
	}
	for _, r := range m.rows {
		for i := range w {
			if i < len(r) {
				w[i] = max(w[i], ansi.StringWidth(r[i]))
			}
		}
	}
	for i := range w {
		w[i] = min(w[i], 200) // a cell longer than any screen only slows the fitting below
	}
	sum := func() int {
		s := 0
		for _, x := range w {
			if x > 0 {
				s += x + 2
			}
		}
		return s - 2
	}
	for sum() > total {
		widest := 0
		for i := range w {
			if w[i] > w[widest] {
				widest = i
			}
		}
		if w[widest] <= 6 {
			last := len(w) - 1
			for last > 0 && w[last] == 0 {
				last--
			}
			if last == 0 {
				w[0] = max(1, total)
				return w
			}
			w[last] = 0
			continue
		}
		w[widest]--
	}
	return w
}

// fit pads or truncates s to exactly width cells.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if ansi.StringWidth(s) > width {
		return ansi.Truncate(s, width, "…")
	}
	return s + strings.Repeat(" ", width-ansi.StringWidth(s))
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Columns returns the column names.
func (m *Model) Columns() []string { return m.columns }
