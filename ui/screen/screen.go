// Package screen is what every console screen shares: the Runner through which all data arrives
// (the ops/command registry), the Context injected at construction, the Screen interface the root
// model drives, and the reply message that carries the id of the screen that asked.
package screen

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/theme"
)

// Runner runs console command lines; *command.Registry satisfies it.
type Runner interface {
	Run(ctx context.Context, line string) (*command.Result, error)
	Commands() []*command.Command
}

// ID names a screen, or the palette, as the asker of a command.
type ID int

// The askers: the command palette and the eight screens in number-key order.
const (
	Palette ID = iota
	Overview
	Emulators
	Topics
	Streams
	S3
	DAGs
	Jobs
	Tables
)

// Context is the state every screen is built with: the runner, the look, the keys and the clock.
// It also numbers requests and counts the ones still running, so `q` knows to ask first.
type Context struct {
	Ctx    context.Context
	Runner Runner
	Styles *theme.Styles
	Keys   *keys.KeyMap
	Now    func() time.Time

	ticket  int
	running int
}

// Run returns the command that runs line for the screen id, and the ticket its ResultMsg will
// carry. It must be called from Update: it counts the request as running until Done sees it.
func (c *Context) Run(id ID, line string) (tea.Cmd, int) {
	c.ticket++
	c.running++
	t, ctx, r := c.ticket, c.Ctx, c.Runner
	return func() tea.Msg {
		res, err := r.Run(ctx, line)
		return ResultMsg{Screen: id, Ticket: t, Line: line, Result: res, Err: err}
	}, t
}

// Done marks a request as answered.
func (c *Context) Done() {
	if c.running > 0 {
		c.running--
	}
}

// Running reports how many requests have not been answered yet.
func (c *Context) Running() int { return c.running }

// ResultMsg is a command's reply, addressed to the screen that asked and numbered by its ticket
// so a screen can drop replies it no longer waits for.
type ResultMsg struct {
	Screen ID
	Ticket int
	Line   string
	Result *command.Result
	Err    error
}

// Screen is one page of the console. The root model owns global keys, layout and routing;
// a screen owns its own keys, fetches and drawing.
type Screen interface {
	// ID is the screen's number.
	ID() ID
	// Name is the screen's palette name, e.g. "tables".
	Name() string
	// Title is the screen's tab label, e.g. "Tables".
	Title() string
	// Enter is called each time the screen becomes active and returns its first fetch.
	Enter() tea.Cmd
	// Update handles keys and replies meant for this screen.
	Update(msg tea.Msg) (Screen, tea.Cmd)
	// View draws the screen into exactly width×height cells.
	View(width, height int) string
	// Capturing reports that the screen is reading text (a filter), so global keys stay off.
	Capturing() bool
	// Back handles esc by closing the innermost thing open, if any; it never leaves the screen.
	Back() (Screen, tea.Cmd)
}

// Fill pads or cuts text to exactly width×height cells, so every screen hands the root model a
// block of the size it asked for and resizes never leave stale cells behind.
func Fill(text string, width, height int) string {
	lines := strings.Split(text, "\n")
	out := make([]string, height)
	for i := range out {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		if w := ansi.StringWidth(l); w > width {
			l = ansi.Truncate(l, width, "…")
		} else {
			l += strings.Repeat(" ", width-w)
		}
		out[i] = l
	}
	return strings.Join(out, "\n")
}
