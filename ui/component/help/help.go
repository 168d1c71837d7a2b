// Package help lays out the `?` help from the keymap's bindings and the registry's commands, so
// the help can never disagree with what the keys and the palette actually do.
package help

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/theme"
)

// Command is one palette command as the help lists it.
type Command struct {
	Usage string
	Help  string
}

// Lines lays out the key groups side by side, then the palette commands, for a panel width
// cells wide: groups that do not fit side by side stack, and a command's help wraps under itself
// so none of it is cut. The pager scrolls the lines.
func Lines(s *theme.Styles, groups []keys.Group, commands []Command, width int) []string {
	var blocks []string
	for _, g := range groups {
		blocks = append(blocks, group(s, g))
	}
	lines := []string{s.Title.Render("Keys"), ""}
	row, rowWidth := []string(nil), 0
	flush := func() {
		if len(row) > 0 {
			lines = append(lines, strings.Split(joinColumns(row), "\n")...)
			lines = append(lines, "")
		}
		row, rowWidth = nil, 0
	}
	for _, b := range blocks {
		w := blockWidth(b) + 4
		if rowWidth+w > width && len(row) > 0 {
			flush()
		}
		row, rowWidth = append(row, b), rowWidth+w
	}
	flush()
	if len(commands) > 0 {
		lines = append(lines, s.Title.Render("Commands (type : then the command)"), "")
		lines = append(lines, commandLines(s, commands, width)...)
	}
	return lines
}

// commandLines puts each usage beside its help; a usage too wide for half the panel gets a line
// of its own with the help indented below it.
func commandLines(s *theme.Styles, commands []Command, width int) []string {
	uw := 0
	for _, c := range commands {
		uw = max(uw, ansi.StringWidth(c.Usage))
	}
	uw = min(uw, width/2)
	var lines []string
	for _, c := range commands {
		indent := uw + 2
		first := s.HelpKey.Render(padTo(c.Usage, uw)) + "  "
		if ansi.StringWidth(c.Usage) > uw {
			for _, u := range strings.Split(ansi.Wrap(c.Usage, width, ""), "\n") {
				lines = append(lines, s.HelpKey.Render(strings.TrimRight(u, " ")))
			}
			indent, first = 4, "    "
		}
		wrapped := strings.Split(ansi.Wrap(c.Help, max(10, width-indent), ""), "\n")
		for i, w := range wrapped {
			lead := strings.Repeat(" ", indent)
			if i == 0 {
				lead = first
			}
			lines = append(lines, lead+s.HelpDesc.Render(strings.TrimRight(w, " ")))
		}
	}
	return lines
}

func group(s *theme.Styles, g keys.Group) string {
	kw := 0
	for _, b := range g.Bindings {
		kw = max(kw, ansi.StringWidth(b.Help().Key))
	}
	lines := []string{s.HelpGroup.Render(g.Title)}
	for _, b := range g.Bindings {
		if !b.Enabled() {
			continue
		}
		h := b.Help()
		lines = append(lines, s.HelpKey.Render(padTo(h.Key, kw))+"  "+s.HelpDesc.Render(h.Desc))
	}
	return strings.Join(lines, "\n")
}

func blockWidth(b string) int {
	w := 0
	for _, l := range strings.Split(b, "\n") {
		w = max(w, ansi.StringWidth(l))
	}
	return w
}

// joinColumns puts blocks side by side with four cells between them.
func joinColumns(blocks []string) string {
	var cols [][]string
	height := 0
	for _, b := range blocks {
		c := strings.Split(b, "\n")
		cols = append(cols, c)
		height = max(height, len(c))
	}
	out := make([]string, height)
	for i := range out {
		var b strings.Builder
		for j, c := range cols {
			cell := ""
			if i < len(c) {
				cell = c[i]
			}
			if j < len(cols)-1 {
				cell = padTo(cell, blockWidth(blocks[j])+4)
			}
			b.WriteString(cell)
		}
		out[i] = b.String()
	}
	return strings.Join(out, "\n")
}

func padTo(s string, w int) string {
	if d := w - ansi.StringWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}
