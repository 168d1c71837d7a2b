package dags

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/pipeline/dag"
	"github.com/pintui/pintui/ui/theme"
)

// Glyph is how a task instance state is drawn in the grid and the tables: a symbol that reads
// without colour, and the style that colours it.
func Glyph(s *theme.Styles, state string) (string, lipgloss.Style) {
	switch state {
	case "success":
		return "✓", s.StateReady
	case "failed":
		return "✗", s.StateDown
	case "running":
		return "▶", s.Rate
	case "queued", "scheduled", "deferred", "restarting":
		return "·", s.StateIdle
	case "up_for_retry", "up_for_reschedule":
		return "↻", s.StateEmpty
	case "upstream_failed":
		return "⊘", s.StateDown
	case "skipped", "removed":
		return "≫", s.Muted
	}
	return " ", s.Muted
}

// legend names every glyph, so a grid reads without knowing them.
var legend = [][2]string{
	{"success", "success"}, {"failed", "failed"}, {"running", "running"}, {"queued", "queued"},
	{"up_for_retry", "retry"}, {"upstream_failed", "upstream failed"}, {"skipped", "skipped"},
}

// legendLine is the glyphs with their words on one line.
func legendLine(s *theme.Styles) string {
	parts := make([]string, len(legend))
	for i, l := range legend {
		g, st := Glyph(s, l[0])
		parts[i] = st.Render(g) + s.Muted.Render(" "+l[1])
	}
	return strings.Join(parts, "  ")
}

// stated is a state's glyph before its word, "✓ success", coloured; a state not yet set reads
// "none".
func stated(s *theme.Styles, state string) string {
	g, st := Glyph(s, state)
	if state == "" {
		return s.Muted.Render("  none")
	}
	return st.Render(g + " " + state)
}

// cell is one grid cell's width: a glyph and a space.
const cell = 2

// grid draws Airflow's grid view of runs (newest first, as dag runs lists them): one row per task
// of the DAG, one column per run with the newest on the right, as many of the newest as fit in
// width. The column of run selected is marked above the grid, and with a task selected (>= 0)
// that task's row is marked too.
func grid(s *theme.Styles, runs []command.DAGRun, selected, task, width int) []string {
	tasks := dag.Tasks()
	name := 0
	for _, t := range tasks {
		name = max(name, ansi.StringWidth(t.ID))
	}
	name += 3
	fit := max(1, (width-name)/cell)
	shown := min(len(runs), fit)
	// column i (from the left) is run shown-1-i of runs: the oldest shown first
	col := func(i int) int { return shown - 1 - i }
	mark := strings.Repeat(" ", name)
	for i := range shown {
		if col(i) == selected {
			mark += s.Title.Render("▼")
		} else {
			mark += " "
		}
		mark += " "
	}
	out := []string{mark}
	for ti, t := range tasks {
		prefix := "  "
		if ti == task {
			prefix = s.Title.Render("› ")
		}
		line := prefix + s.Text.Render(t.ID) + strings.Repeat(" ", name-2-ansi.StringWidth(t.ID))
		for i := range shown {
			g, st := Glyph(s, taskState(runs[col(i)], t.ID))
			line += st.Render(g) + " "
		}
		out = append(out, line)
	}
	return out
}

// taskState is the state of one task in a run, "" when the run has no such task instance.
func taskState(run command.DAGRun, task string) string {
	for _, ti := range run.Tasks {
		if ti.Task == task {
			return ti.State
		}
	}
	return ""
}
