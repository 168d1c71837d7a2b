// Package app is the console's root model: the header with its tabs, the eight screens on the
// number keys and by `:` name, the command palette, the help, the status bar and quitting. It
// only lays out, handles global keys and routes messages; the screens do the rest.
package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ui/component/pager"
	"github.com/pintui/pintui/ui/component/prompt"
	"github.com/pintui/pintui/ui/component/statusbar"
	"github.com/pintui/pintui/ui/dags"
	"github.com/pintui/pintui/ui/emulators"
	"github.com/pintui/pintui/ui/jobs"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/overview"
	"github.com/pintui/pintui/ui/s3"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/streams"
	"github.com/pintui/pintui/ui/tables"
	"github.com/pintui/pintui/ui/theme"
	"github.com/pintui/pintui/ui/topics"
)

// Deps is everything the console is built from; the CLI fills it from the config and the ops
// stack.
type Deps struct {
	// Runner runs command lines; pass the *command.Registry the script runner uses.
	Runner screen.Runner
	// Profile and DataDir are shown in the status bar.
	Profile string
	DataDir string
	// Color is the resolved --color and NO_COLOR choice (theme.ResolveColor).
	Color theme.ColorMode
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Width and Height are the initial size; zero waits for the terminal to report it.
	Width, Height int
	// Keys rebinds actions by name, e.g. {"quit": {"Q"}}; see keys.KeyMap.Actions.
	Keys map[string][]string
	// Tailer reads topics live for the Topics screen's tail; nil leaves the tail unavailable and
	// says so on screen.
	Tailer topics.Tailer
	// StreamTailer reads Kinesis streams live for the Streams screen's tail; nil leaves the tail
	// unavailable and says so on screen.
	StreamTailer streams.Tailer
	// Tick schedules the screens' polls; nil means every second with tea.Tick. Tests pass one
	// that answers at once a fixed number of times.
	Tick func(d time.Duration, msg tea.Msg) tea.Cmd
	// History is the file the palette's earlier lines are kept in across runs, e.g.
	// <data_dir>/history; "" keeps them for this run only.
	History string
	// Owner says who owns the local stack, for the status bar, and whether that owner has
	// stopped; it must answer from memory. Nil shows nothing.
	Owner func() (text string, down bool)
	// Busy says what quitting would stop, such as a running emulator, or "" when nothing; it
	// must answer from memory, as `q` asks it on the spot. Nil means nothing ever is.
	Busy func() string
	// Progress is the feed whose Report the registry's command.Env.Progress calls; the status bar
	// shows its latest report while a command runs. Nil shows none.
	Progress *Progress
}

// Model is the root model of the console.
type Model struct {
	ctx     *screen.Context
	deps    Deps
	screens []screen.Screen // in number-key order
	active  screen.ID
	width   int
	height  int

	palette       *prompt.Model
	paletteOpen   bool
	paletteTicket int
	history       *history
	result        *pager.Model
	helpPanel     *pager.Model
	errPanel      *pager.Model
	overlay       overlay
	confirmQuit   string  // what quitting would stop, while `q` waits for y
	ask           *asking // the command that asked first, while its question waits for y
	notice        string  // what the last answer to a question left undone, until the next key
	starting      tea.Cmd // what Init runs besides the first screen, such as an error's tick

	lastErr string    // the error in the status bar, "" when none
	errLine string    // the command line that failed
	errAt   time.Time // when it was shown
	errGen  int       // counts errors shown, so only the latest one's tick clears it
	errs    []failure // the error log, oldest first

	progress *statusbar.Progress // the latest report of a long command, nil when none runs
}

// overlay is what covers the active screen's body, if anything.
type overlay int

// The overlays: none, the `?` help, a palette command's result and the error log.
const (
	noOverlay overlay = iota
	helpOverlay
	resultOverlay
	errorsOverlay
)

// ErrorShown is how long an error stays in the status bar when nothing succeeds after it.
const ErrorShown = 8 * time.Second

// New builds the console; ctx bounds every command it runs.
func New(ctx context.Context, deps Deps) (*Model, error) {
	if deps.Runner == nil {
		return nil, errors.New("start console: no command runner")
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	km := keys.Default()
	if err := km.Rebind(deps.Keys); err != nil {
		return nil, fmt.Errorf("start console: %w", err)
	}
	styles := theme.New(theme.Default())
	sc := &screen.Context{Ctx: ctx, Runner: deps.Runner, Styles: styles, Keys: km, Now: deps.Now, Tick: deps.Tick}
	m := &Model{
		ctx: sc, deps: deps, active: screen.Overview,
		width: deps.Width, height: deps.Height,
		palette: prompt.New(styles, ":", "a command or a screen name; tab completes, ↑ goes back"),
		result:  pager.New(styles), helpPanel: pager.New(styles), errPanel: pager.New(styles),
	}
	closes := keys.Hints(keys.As(km.Back, "closes"))
	for _, p := range []*pager.Model{m.result, m.helpPanel, m.errPanel} {
		p.SetHint(closes)
	}
	h, err := loadHistory(deps.History)
	if err != nil {
		m.starting = m.fail("", err)
	}
	m.history = h
	m.palette.SetHistory(h.Lines())
	m.screens = append(m.screens, overview.New(sc), emulators.New(sc), topics.New(sc, deps.Tailer), streams.New(sc, deps.StreamTailer), s3.New(sc),
		dags.New(sc), jobs.New(sc), tables.New(sc))
	sort.Slice(m.screens, func(i, j int) bool { return m.screens[i].ID() < m.screens[j].ID() })
	m.palette.SetCandidates(m.candidates())
	return m, nil
}

// candidates are the words the palette completes: screen names, command names, errors and quit.
func (m *Model) candidates() []string {
	seen := map[string]bool{"quit": true, "errors": true}
	for _, s := range m.screens {
		seen[s.Name()] = true
	}
	for _, c := range m.ctx.Runner.Commands() {
		seen[c.Name] = true
	}
	out := make([]string, 0, len(seen))
	for w := range seen {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// Init opens the Overview and starts the progress pump.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.screen().Enter(), m.starting, m.pumpProgress())
}

// pumpProgress waits for the next progress report, or is nil without a feed.
func (m *Model) pumpProgress() tea.Cmd {
	if m.deps.Progress == nil {
		return nil
	}
	return m.deps.Progress.wait(m.ctx.Ctx)
}

func (m *Model) screen() screen.Screen { return m.screens[m.active-1] }

// switchTo makes a screen active and closes the overlays.
func (m *Model) switchTo(id screen.ID) tea.Cmd {
	m.overlay = noOverlay
	if id == m.active {
		return nil
	}
	m.screen().Leave()
	m.active = id
	return m.screen().Enter()
}

// screenNamed finds a screen by its palette name.
func (m *Model) screenNamed(name string) (screen.ID, bool) {
	for _, s := range m.screens {
		if s.Name() == name {
			return s.ID(), true
		}
	}
	return 0, false
}

// Run starts the console on the terminal and returns when the user quits or ctx ends.
func Run(ctx context.Context, deps Deps) error {
	m, err := New(ctx, deps)
	if err != nil {
		return err
	}
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if p, ok := deps.Color.Profile(); ok {
		opts = append(opts, tea.WithColorProfile(p))
	}
	_, err = tea.NewProgram(m, opts...).Run()
	if err != nil && ctx.Err() != nil && !errors.Is(err, tea.ErrProgramPanic) {
		return nil // the caller ended the console on purpose
	}
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}
