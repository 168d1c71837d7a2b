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

// Completer is what a Runner may also be: it completes a partly typed command line from the
// live backends (topics, tables, S3 prefixes …) and returns whole candidate lines, e.g.
// "preview 0a1b" → "preview 0a1b2c3d4e5f_pin_batch".
type Completer interface {
	Complete(ctx context.Context, line string) ([]string, error)
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
// It also numbers requests and keeps the ones still running, the one count the status bar and
// `q` both read.
type Context struct {
	Ctx    context.Context
	Runner Runner
	Styles *theme.Styles
	Keys   *keys.KeyMap
	Now    func() time.Time
	// Tick delivers msg after d; nil means tea.Tick. Tests pass one that answers at once a fixed
	// number of times, so polling screens reach a known state without waiting.
	Tick func(d time.Duration, msg tea.Msg) tea.Cmd

	ticket  int
	running map[int]bool // tickets not answered yet
}

// Run returns the command that fetches line for the screen id (a poll, a listing, a preview),
// and the ticket its ResultMsg will carry. Its reply is dropped if the screen was left before it
// came; the screen asks again when entered. It must be called from Update: the request counts as
// running until Done sees its ticket.
func (c *Context) Run(id ID, line string) (tea.Cmd, int) { return c.start(id, line, Fetch) }

// Act is Run for something the user did, such as starting an emulator: its reply reaches the
// screen whether or not the screen is still active, so an answer is never lost.
func (c *Context) Act(id ID, line string) (tea.Cmd, int) { return c.start(id, line, Action) }

func (c *Context) start(id ID, line string, kind Kind) (tea.Cmd, int) {
	c.ticket++
	if c.running == nil {
		c.running = map[int]bool{}
	}
	c.running[c.ticket] = true
	t, ctx, r := c.ticket, c.Ctx, c.Runner
	return func() tea.Msg {
		res, err := r.Run(ctx, line)
		return ResultMsg{Screen: id, Ticket: t, Kind: kind, Line: line, Result: res, Err: err}
	}, t
}

// Done marks the request of a ticket as answered; a ticket answered before is ignored, so a
// reply seen twice cannot hide a request still running.
func (c *Context) Done(ticket int) { delete(c.running, ticket) }

// Running reports how many requests have not been answered yet.
func (c *Context) Running() int { return len(c.running) }

// Kind says whether a reply may be dropped.
type Kind int

// The kinds of replies.
const (
	// Fetch is the reply to a poll or a fetch, dropped when its screen was left.
	Fetch Kind = iota
	// Action is the reply to something the user did, always delivered to its screen.
	Action
)

// ResultMsg is a command's reply, addressed to the screen that asked and numbered by its ticket
// so a screen can drop replies it no longer waits for.
type ResultMsg struct {
	Screen ID
	Ticket int
	Kind   Kind
	Line   string
	Result *command.Result
	Err    error
}

// SwitchMsg asks the root model to make another screen active, as enter on an Overview box does.
type SwitchMsg struct {
	To ID
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
	// Leave is called when another screen becomes active; polling stops until the next Enter.
	Leave()
}

// Addressed is a message for one screen, such as a poll tick or a tail batch. The root model
// hands it to that screen even while another is active; the screen decides what to do with it.
type Addressed interface {
	Addressee() ID
}

// PollInterval is how often a visible screen asks for fresh numbers.
const PollInterval = time.Second

// PollMsg tells a screen it is time to poll again. Gen tells the live chain of ticks from one a
// refresh or a revisit left behind.
type PollMsg struct {
	Screen ID
	Gen    int
}

// Addressee is the screen that scheduled the tick.
func (m PollMsg) Addressee() ID { return m.Screen }

// Poll is one screen's polling chain: a tick is scheduled only after the previous answer arrived
// and only while the screen is visible, so at most one poll is in flight and a hidden screen asks
// nothing.
type Poll struct {
	id      ID
	gen     int
	visible bool
}

// NewPoll returns the polling chain of screen id.
func NewPoll(id ID) *Poll { return &Poll{id: id} }

// Start marks the screen visible and forgets ticks scheduled before.
func (p *Poll) Start() { p.visible = true; p.gen++ }

// Stop marks the screen hidden; ticks already scheduled are ignored when they arrive.
func (p *Poll) Stop() { p.visible = false; p.gen++ }

// Due reports whether a tick belongs to the live chain of a visible screen.
func (p *Poll) Due(msg PollMsg) bool { return p.visible && msg.Gen == p.gen }

// Next schedules the next tick, or nothing while the screen is hidden.
func (p *Poll) Next(c *Context) tea.Cmd {
	if !p.visible {
		return nil
	}
	p.gen++
	msg := PollMsg{Screen: p.id, Gen: p.gen}
	if c.Tick != nil {
		return c.Tick(PollInterval, msg)
	}
	return tea.Tick(PollInterval, func(time.Time) tea.Msg { return msg })
}

// Quote makes a word safe for command.Split, so names and keys with spaces or quotes survive the
// command line.
func Quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
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

// Named is what every screen says about itself: its number, its palette name and its tab label.
// A screen embeds it, so the three never drift apart and no screen writes them out again.
type Named struct {
	id          ID
	name, title string
}

// NewNamed returns the identity of screen id, named name in the palette and title on its tab.
func NewNamed(id ID, name, title string) Named { return Named{id: id, name: name, title: title} }

// ID is the screen's number.
func (n Named) ID() ID { return n.id }

// Name is the palette name.
func (n Named) Name() string { return n.name }

// Title is the tab label.
func (n Named) Title() string { return n.title }
