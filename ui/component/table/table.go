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
	col     int // first column in view when the columns do not all fit
	// Style picks a per-cell style, e.g. a state column; nil draws every cell as text.
	Style func(col int, cell string) string
	// Blurred draws the cursor's row like the others, for a table beside the one keys move.
	Blurred bool
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

// MaxColumn is the widest a column is drawn: a longer cell is cut with … and shown whole in a
// row view.
const MaxColumn = 40

// minShrunk is the narrowest a column is shrunk to so that every column fits the width; past
// that the table scrolls its columns instead.
const minShrunk = 8

// View draws the header and as many rows as fit in width×height, with a footer giving the rows
// and columns in view when they do not all fit. The result is exactly height lines.
func (m *Model) View(width, height int) string {
	m.height = max(1, height-1)
	if len(m.shown) > m.height || len(m.columns) > 0 && !m.fits(width) {
		m.height = max(1, height-2)
	}
	m.clamp()
	end := min(len(m.shown), m.offset+m.height)
	widths, first, last := m.layout(width - 2)
	footer := len(m.shown) > m.height || first > 0 || last < len(m.columns)-1
	lines := make([]string, 0, height)
	header := func(_ int, s string) string { return m.styles.TableHeader.Render(s) }
	lines = append(lines, m.line("  ", m.columns, widths, width, header))
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
		lines = append(lines, m.styles.Muted.Render(fit(m.position(end, first, last), width)))
	}
	return strings.Join(lines[:height], "\n")
}

// position is the footer: which rows and, when they do not all fit, which columns are in view.
func (m *Model) position(end, first, last int) string {
	var parts []string
	if len(m.shown) > m.height {
		parts = append(parts, fmt.Sprintf("rows %d–%d of %d", min(m.offset+1, end), end, len(m.shown)))
	}
	if first > 0 || last < len(m.columns)-1 {
		parts = append(parts, fmt.Sprintf("columns %d–%d of %d · h/l scroll", first+1, last+1, len(m.columns)))
	}
	return "  " + strings.Join(parts, " · ")
}

// ScrollColumns moves the first column in view by n, so every column of a wide table can be
// reached; it stops where the last column comes into view.
func (m *Model) ScrollColumns(n int) {
	m.col = max(0, min(m.col+n, len(m.columns)-1))
}

func (m *Model) rowLine(i int, widths []int, width int) string {
	cells := m.rows[m.shown[i]]
	if i != m.cursor || m.Blurred {
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
// the trailing padding (column -1). The first column holds the row's name, so it is cut in the
// middle to keep names that share a prefix apart.
func (m *Model) line(prefix string, cells []string, widths []int, width int, render func(col int, s string) string) string {
	var b strings.Builder
	b.WriteString(prefix)
	used := ansi.StringWidth(prefix)
	lastShown := len(widths) - 1
	for lastShown > 0 && widths[lastShown] == 0 {
		lastShown--
	}
	for i, w := range widths {
		if w == 0 {
			continue
		}
		cell := ""
		if i < len(cells) {
			cell = cells[i]
		}
		text := fit(cell, w)
		if i == 0 {
			text = fitMiddle(cell, w)
		}
		if i < lastShown {
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

// natural is each column as wide as its header and its widest cell in view.
func (m *Model) natural() []int {
	w := make([]int, len(m.columns))
	for i, c := range m.columns {
		w[i] = ansi.StringWidth(c)
	}
	end := min(len(m.shown), m.offset+m.height)
	for _, ri := range m.shown[m.offset:end] {
		r := m.rows[ri]
		for i := range w {
			if i < len(r) {
				w[i] = max(w[i], ansi.StringWidth(r[i]))
			}
		}
	}
	return w
}

// fits reports whether every column fits in width once the widest are shrunk to minShrunk.
func (m *Model) fits(width int) bool {
	_, first, last := m.layout(width - 2)
	return first == 0 && last == len(m.columns)-1
}

// layout sizes the columns for total cells and returns the widths (0 for a column out of view)
// and the first and last column in view. Columns that all fit keep their natural widths; past
// that each is capped at MaxColumn and the widest are shrunk first; when they cannot all fit even
// shrunk, the columns from the scroll position keep their capped widths and the last one in view
// is cut.
func (m *Model) layout(total int) (widths []int, first, last int) {
	w := m.natural()
	if len(w) == 0 {
		return w, 0, -1
	}
	sum := func(w []int) int {
		s := 0
		for _, x := range w {
			if x > 0 {
				s += x + 2
			}
		}
		return s - 2
	}
	if sum(w) <= total {
		m.col = 0
		return w, 0, len(w) - 1
	}
	for i := range w {
		w[i] = min(w[i], MaxColumn)
	}
	floor := make([]int, len(w))
	for i := range w {
		floor[i] = min(w[i], minShrunk)
	}
	if sum(floor) <= total {
		for sum(w) > total {
			widest := 0
			for i := range w {
				if w[i]-floor[i] > w[widest]-floor[widest] || w[i]-floor[i] == w[widest]-floor[widest] && w[i] > w[widest] {
					widest = i
				}
			}
			w[widest]--
		}
		m.col = 0
		return w, 0, len(w) - 1
	}
	// Scroll no further than the first column from which the rest all fit.
	for m.col > 0 && sum(w[m.col-1:]) <= total {
		m.col--
	}
	out := make([]int, len(w))
	used := -2
	last = m.col
	for i := m.col; i < len(w); i++ {
		room := total - used - 2
		if room < min(w[i], 4) && i > m.col {
			break
		}
		out[i] = min(w[i], room)
		used += out[i] + 2
		last = i
		if out[i] < w[i] {
			break
		}
	}
	return out, m.col, last
}

// fitMiddle pads s to width cells, or cuts it keeping its start and its longer end, so
// 0a1b2c3d4e5f.pin and 0a1b2c3d4e5f.geo stay apart as 0a1…4e5f.pin and 0a1…4e5f.geo.
func fitMiddle(s string, width int) string {
	w := ansi.StringWidth(s)
	if w <= width || width < 5 {
		return fit(s, width)
	}
	head := (width - 1) / 3
	tail := width - 1 - head
	return ansi.Truncate(s, head, "") + "…" + ansi.TruncateLeft(s, w-tail, "")
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
