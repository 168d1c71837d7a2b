// Package statusbar draws the console's bottom line: profile, data dir, running work and the last
// error, so a failure is visible on every screen.
package statusbar

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/theme"
)

// Status is what the bar shows.
type Status struct {
	Profile string
	DataDir string
	// Running counts commands not answered yet.
	Running int
	// Err is the last error, shown until the next one or until cleared.
	Err string
	// Hint is the right-hand reminder, e.g. "? help".
	Hint string
	// Stack says who owns the local stack, e.g. "attached to pid 123 since 09:20"; StackDown
	// marks it as the news that the owner stopped, shown before any other error.
	Stack     string
	StackDown bool
	// Progress is how far a long command has come, such as batch run; nil while none runs.
	Progress *Progress
}

// Progress is one long command's report: Done of Total steps, Total 0 when unknown.
type Progress struct {
	Label       string
	Done, Total int
}

// barWidth is the cells of the progress bar between its ends.
const barWidth = 12

// view draws the report as "batch ▕██████░░░░░░▏ 50% 1,200/2,400", or without bar and per cent
// when the total is unknown.
func (p Progress) view() string {
	if p.Total <= 0 {
		return fmt.Sprintf("%s %s ", p.Label, units.Count(int64(p.Done)))
	}
	done := min(max(p.Done, 0), p.Total)
	fill := barWidth * done / p.Total
	return fmt.Sprintf("%s ▕%s%s▏ %d%% %s/%s ", p.Label, strings.Repeat("█", fill), strings.Repeat("░", barWidth-fill),
		done*100/p.Total, units.Count(int64(p.Done)), units.Count(int64(p.Total)))
}

// View draws the status as exactly one line of width cells. The error gets the room it needs
// first; the data dir is shortened from the left when space runs out.
func View(s *theme.Styles, st Status, width int) string {
	left := s.StatusKey.Render(" profile ") + s.StatusValue.Render(st.Profile)
	if st.Stack != "" && !st.StackDown {
		left += s.StatusKey.Render("  stack ") + s.StatusValue.Render(st.Stack)
	}
	if st.StackDown {
		st.Err = st.Stack
	}
	dir := st.DataDir
	right := ""
	if st.Progress != nil {
		right += s.StatusBusy.Render(st.Progress.view())
	}
	if st.Running > 0 {
		right += s.StatusBusy.Render(fmt.Sprintf("● %d running ", st.Running))
	}
	if st.Hint != "" {
		right += s.StatusKey.Render(st.Hint + " ")
	}
	var errPart string
	if st.Err != "" {
		room := width - ansi.StringWidth(left) - ansi.StringWidth(right) - 4
		errPart = s.StatusError.Render("  ✗ " + ansi.Truncate(oneLine(st.Err), max(room, 10), "…"))
	}
	room := width - ansi.StringWidth(left) - ansi.StringWidth(right) - ansi.StringWidth(errPart) - len("  data ") - 1
	if room >= 8 && dir != "" {
		if ansi.StringWidth(dir) > room {
			dir = ansi.TruncateLeft(dir, ansi.StringWidth(dir)-room+1, "…")
		}
		left += s.StatusKey.Render("  data ") + s.StatusValue.Render(dir)
	}
	left += errPart
	gap := width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 && ansi.StringWidth(right)+2 < width {
		// The left side gives way, so the hint keeps its place and a space sets them apart.
		left = ansi.Truncate(left, width-ansi.StringWidth(right)-1, "…")
		gap = width - ansi.StringWidth(left) - ansi.StringWidth(right)
	}
	if gap < 0 {
		return ansi.Truncate(left+right, width, "")
	}
	return left + s.StatusBar.Render(strings.Repeat(" ", gap)) + right
}

// oneLine folds a multi-line error into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
