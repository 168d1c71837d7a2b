package overview

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/component/sparkline"
)

// Box geometry: the gap between boxes holds the arrow, the gutter holds the arrow that carries a
// wrapped row on from the row above.
const (
	boxMin    = 22
	boxMax    = 34
	boxHeight = 4
	gap       = 4
	gutter    = 3
)

// graph draws the components as boxes joined by arrows, as many to a row as fit in width: the
// batch half, then the streaming half and the orchestration, each from a row of its own.
func (m *Model) graph(width int) []string {
	if len(m.comps) == 0 {
		return []string{m.ctx.Styles.Muted.Render("status reported no components")}
	}
	avail := width - gutter
	perRow := max(1, min(len(m.comps), (avail+gap)/(boxMin+gap)))
	bw := max(8, min(boxMax, (avail-(perRow-1)*gap)/perRow))
	out := m.chain(m.comps, perRow, bw)
	for _, half := range [][]component{m.stream.comps(), m.orch.comps()} {
		if len(half) > 0 {
			out = append(append(out, ""), m.chain(half, perRow, bw)...)
		}
	}
	return out
}

// chain draws comps as rows of perRow boxes bw wide, an arrow joining each linked pair and
// carrying a wrapped row on from the row above.
func (m *Model) chain(comps []component, perRow, bw int) []string {
	var out []string
	for start := 0; start < len(comps); start += perRow {
		if start > 0 {
			out = append(out, "")
		}
		row := comps[start:min(len(comps), start+perRow)]
		lines := make([]string, boxHeight)
		carried := start > 0 && linked(comps[start-1].name, row[0].name)
		for i := range lines {
			switch {
			case carried && i == 1:
				lines[i] = m.ctx.Styles.Muted.Render("─► ")
			default:
				lines[i] = strings.Repeat(" ", gutter)
			}
		}
		for j, c := range row {
			box := m.box(c, bw)
			for i := range lines {
				if j > 0 {
					lines[i] += m.joint(row[j-1], c, i)
				}
				lines[i] += box[i]
			}
		}
		out = append(out, lines...)
	}
	return out
}

// joint is the gap between two boxes: an arrow on the state line when they are linked.
func (m *Model) joint(from, to component, line int) string {
	if line == 1 && linked(from.name, to.name) {
		return m.ctx.Styles.Muted.Render(" ─► ")
	}
	return strings.Repeat(" ", gap)
}

// box draws one component in bw×boxHeight cells: its name in the top border, its state and rate,
// and its sparkline, or for a component that is down a red border and the reason. The box of the
// row enter would open has the focus colour, and a ▸ before its name.
func (m *Model) box(c component, bw int) []string {
	s := m.ctx.Styles
	border := s.PanelBorder
	switch {
	case c.state == "down":
		border = s.StateDown
	case c.name == m.selected():
		border = s.FocusedBorder
	}
	inner := bw - 4
	label := c.name
	if c.name == m.selected() {
		label = "▸ " + c.name
	}
	name := ansi.Truncate(label, max(1, bw-5), "…")
	top := border.Render("╭ ") + s.PanelTitle.Render(name) + border.Render(" "+strings.Repeat("─", max(0, bw-4-ansi.StringWidth(name)))+"╮")
	st, sym := s.State(c.state)
	state := st.Render(sym + " " + c.state)
	rate, spark := "", ""
	if c.note != "" {
		rate = s.Rate.Render(c.note)
	}
	switch {
	case c.state == "down":
		spark = s.Error.Render(ansi.Truncate(c.detail, inner, "…"))
	case c.summary != "":
		spark = s.Muted.Render(ansi.Truncate(c.summary, inner, "…"))
	case c.counted:
		r, ok := c.rates.Rate()
		rate = s.Muted.Render("–/s")
		if ok {
			rate = s.Rate.Render(sparkline.FormatRate(r))
		}
		spark = s.Spark.Render(sparkline.View(c.rates.Rates(), inner))
	default:
		spark = s.Muted.Render(ansi.Truncate(c.detail, inner, "…"))
	}
	mid := state
	if pad := inner - ansi.StringWidth(state) - ansi.StringWidth(rate); pad >= 1 {
		mid += strings.Repeat(" ", pad) + rate
	}
	side := border.Render("│")
	return []string{
		top,
		side + " " + fitCells(mid, inner) + " " + side,
		side + " " + fitCells(spark, inner) + " " + side,
		border.Render("╰" + strings.Repeat("─", bw-2) + "╯"),
	}
}

// fitCells pads or cuts styled text to exactly width cells.
func fitCells(s string, width int) string {
	if w := ansi.StringWidth(s); w <= width {
		return s + strings.Repeat(" ", width-w)
	}
	return ansi.Truncate(s, width, "…")
}

// strip draws the components in graph order as state badges joined by arrows, wrapped to width
// with the arrow carried to the start of the next line, the streaming half on lines of its own:
// the graph when there is no room for boxes.
func (m *Model) strip(width int) []string {
	out := m.badges(m.comps, width)
	for _, half := range [][]component{m.stream.comps(), m.orch.comps()} {
		if len(half) > 0 {
			out = append(out, m.badges(half, width)...)
		}
	}
	return out
}

// badges draws comps as state badges joined by arrows, wrapped to width.
func (m *Model) badges(comps []component, width int) []string {
	s := m.ctx.Styles
	arrow := s.Muted.Render(" ─► ")
	var out []string
	line, lineWidth := "", 0
	for _, c := range comps {
		st, sym := s.State(c.state)
		badge := st.Render(sym+" "+c.name) + s.Muted.Render(" "+c.state)
		if r, ok := m.rate(c); ok {
			badge += s.Rate.Render(" " + r)
		}
		w := ansi.StringWidth(badge)
		switch {
		case lineWidth == 0:
		case lineWidth+4+w > width:
			out = append(out, line)
			line, lineWidth = s.Muted.Render("─► "), 3
		default:
			line, lineWidth = line+arrow, lineWidth+4
		}
		line += badge
		lineWidth += w
	}
	return append(out, line)
}

func (m *Model) rate(c component) (string, bool) {
	if c.note != "" && c.state != "down" {
		return c.note, true
	}
	if !c.counted || c.state == "down" {
		return "", false
	}
	r, ok := c.rates.Rate()
	if !ok {
		return "", false
	}
	return sparkline.FormatRate(r), true
}

// selected is the name of the component under the table's cursor, "" when none.
func (m *Model) selected() string {
	if row := m.table.Selected(); len(row) > 0 {
		return row[0]
	}
	return ""
}
