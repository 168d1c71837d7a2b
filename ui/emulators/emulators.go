// Package emulators is screen 2: the batch emulator that posts draws from the source database to
// the gateway. It shows the emulator's state and per-table counters with a sparkline of each
// table's send rate, polled from `emulate status` every second while visible, and starts, stops
// and re-paces it through `emulate batch` and `emulate stop`.
package emulators

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/filter"
	"github.com/pintui/pintui/ui/component/prompt"
	"github.com/pintui/pintui/ui/component/sparkline"
	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

// Model is the Emulators screen.
type Model struct {
	ctx  *screen.Context
	poll *screen.Poll

	table        *table.Model
	filter       *filter.Model
	ticket       int
	loaded       bool
	stale        bool // the counters are from before the screen was last entered
	updated      time.Time
	err          error
	status       command.EmulatorStatus
	series       map[string]*sparkline.Series // per table, from its sent counter
	actionTicket int
	note         string // the last action's answer
	noteErr      bool

	prompt     *prompt.Model
	asking     bool // the start prompt is open
	confirming bool // "stop the emulator?" is shown
}

// New returns the Emulators screen.
func New(ctx *screen.Context) *Model {
	m := &Model{
		ctx: ctx, poll: screen.NewPoll(screen.Emulators), table: table.New(ctx.Styles),
		series: map[string]*sparkline.Series{},
		prompt: prompt.New(ctx.Styles, "start ", startHint(ctx.Runner)),
	}
	m.filter = filter.New(ctx.Styles, m.table, "text in any column")
	return m
}

// ID is screen.Emulators.
func (m *Model) ID() screen.ID { return screen.Emulators }

// Name is the palette name.
func (m *Model) Name() string { return "emulators" }

// Title is the tab label.
func (m *Model) Title() string { return "Emulators" }

// Capturing reports that the start prompt or the filter is reading text.
func (m *Model) Capturing() bool { return m.asking || m.filter.Capturing() }

// Enter refreshes the counters and polls them while the screen shows.
func (m *Model) Enter() tea.Cmd {
	m.poll.Start()
	m.stale = m.loaded
	return m.fetch()
}

// Leave stops polling.
func (m *Model) Leave() { m.poll.Stop() }

// Back closes the start prompt or the stop confirmation, or clears the filter.
func (m *Model) Back() (screen.Screen, tea.Cmd) {
	if !m.asking && !m.confirming {
		m.filter.Clear()
	}
	m.asking, m.confirming = false, false
	return m, nil
}

func (m *Model) fetch() tea.Cmd {
	cmd, t := m.ctx.Run(screen.Emulators, "emulate status")
	m.ticket = t
	return cmd
}

// act runs an emulate command whose answer becomes the note.
func (m *Model) act(line string) tea.Cmd {
	cmd, t := m.ctx.Act(screen.Emulators, line)
	m.actionTicket = t
	return cmd
}

// Update handles the poll tick, replies and keys.
func (m *Model) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case screen.PollMsg:
		if m.poll.Due(msg) {
			return m, m.fetch()
		}
	case screen.ResultMsg:
		return m, m.reply(msg)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) reply(msg screen.ResultMsg) tea.Cmd {
	switch msg.Ticket {
	case m.ticket:
		m.err = msg.Err
		if msg.Err == nil {
			m.loaded, m.stale, m.updated = true, false, m.ctx.Now()
			if st, ok := msg.Result.Data.(command.EmulatorStatus); ok {
				m.observe(st)
			}
		}
		return m.poll.Next(m.ctx)
	case m.actionTicket:
		m.noteErr = msg.Err != nil
		if msg.Err != nil {
			m.note = msg.Err.Error()
			return m.fetch()
		}
		m.note = msg.Result.Message
		if st, ok := msg.Result.Data.(command.EmulatorStatus); ok {
			m.status = st
		}
		return m.fetch()
	}
	return nil
}

// describe says the emulator's state in a sentence, from its typed status: draws, the configured
// pace beside the measured one while it runs, and the last error.
func describe(st command.EmulatorStatus) string {
	text := st.State + ": " + units.Count(st.Draws) + " draws"
	if st.Count > 0 {
		text += " of " + units.Count(st.Count)
	}
	if st.MeasuredRate != nil {
		text += "; " + st.Pace() + ", measured " + strconv.FormatFloat(*st.MeasuredRate, 'f', 1, 64) + " draws/s"
	}
	if st.LastError != "" {
		text += "; last error: " + st.LastError
	}
	if st.Stopped != "" {
		text += "; " + st.Stopped
	}
	return text
}

// startHint names the defaults of `emulate batch` that the start prompt falls back on, read from
// the command's own flags.
func startHint(r screen.Runner) string {
	defaults := map[string]string{}
	for _, c := range r.Commands() {
		if c.Name == "emulate batch" {
			for _, f := range c.Flags {
				defaults[f.Name] = f.Default
			}
		}
	}
	count := "until stopped"
	if n := defaults["count"]; n != "" && n != "0" {
		count = n + " draws"
	}
	return fmt.Sprintf("COUNT RATE, e.g. 1000 50; enter alone: %s at %s draws/s", count, defaults["rate"])
}

// observe keeps the status and measures each table's send rate from its sent counter.
func (m *Model) observe(st command.EmulatorStatus) {
	m.status = st
	now := float64(m.ctx.Now().UnixNano()) / 1e9
	rows := make([][]string, len(st.Tables))
	for i, t := range st.Tables {
		rows[i] = []string{t.Table, strconv.FormatInt(t.Sent, 10), strconv.FormatInt(t.Failed, 10), "", ""}
		s := m.series[t.Table]
		if s == nil {
			s = &sparkline.Series{}
			m.series[t.Table] = s
		}
		s.Observe(t.Sent, now, screen.PollInterval.Seconds())
		if rate, ok := s.Rate(); ok && st.Running() {
			rows[i][3] = sparkline.FormatRate(rate)
		}
		rows[i][4] = sparkline.View(s.Rates(), sparkline.Samples)
	}
	cols := []string{"table", "sent", "failed", "records/s", "last 30 polls"}
	m.table.Style = func(col int, cell string) string {
		if col == len(cols)-1 {
			return m.ctx.Styles.Spark.Render(cell)
		}
		return m.ctx.Styles.TableCell.Render(cell)
	}
	m.table.SetRows(cols, units.Cells(cols, rows, map[string]units.Format{"sent": units.Count, "failed": units.Count}))
}

// running reports whether the emulator runs and its configured draws per second.
func (m *Model) running() (bool, float64) {
	return m.status.Running(), m.status.ConfiguredRate
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case m.asking:
		return m.typed(msg)
	case m.filter.Capturing():
		m.filter.Key(msg)
		return nil
	case m.confirming:
		m.confirming = false
		if msg.String() == "y" {
			return m.act("emulate stop")
		}
		m.note, m.noteErr = "left running", false
		return nil
	}
	switch {
	case key.Matches(msg, k.Filter):
		m.filter.Open()
	case key.Matches(msg, k.Start):
		if m.status.Running() {
			m.note, m.noteErr = "the batch emulator is already running: x stops it, +/- change its rate", true
			return nil
		}
		m.asking = true
		m.prompt.SetValue("")
	case key.Matches(msg, k.Stop):
		if on, _ := m.running(); !on {
			m.note, m.noteErr = "the emulator is not running", true
			return nil
		}
		m.confirming = true
	case key.Matches(msg, k.Faster):
		return m.repace(2, 1)
	case key.Matches(msg, k.Slower):
		return m.repace(1, 2)
	case key.Matches(msg, k.Refresh):
		return m.fetch()
	default:
		k.Move(msg, m.table)
	}
	return nil
}

// typed reads the start prompt: nothing starts with the defaults, otherwise COUNT and RATE.
func (m *Model) typed(msg tea.KeyPressMsg) tea.Cmd {
	switch m.prompt.Update(msg) {
	case prompt.Cancelled:
		m.asking = false
	case prompt.Submitted:
		m.asking = false
		f := strings.Fields(m.prompt.Value())
		for _, w := range f {
			if n, err := strconv.Atoi(w); err != nil || n <= 0 {
				m.note, m.noteErr = fmt.Sprintf("start: %q is not a positive whole number: type COUNT RATE, e.g. 1000 50", w), true
				return nil
			}
		}
		line := "emulate batch"
		switch len(f) {
		case 0:
		case 1, 2:
			line += " --count " + f[0]
			if len(f) == 2 {
				line += " --rate " + f[1]
			}
		default:
			m.note, m.noteErr = "start: type at most COUNT and RATE, e.g. 1000 50", true
			return nil
		}
		return m.act(line)
	}
	return nil
}

// repace changes a running emulator's draws per second to its rate times mul/div; it keeps
// running, with its count and counters.
func (m *Model) repace(mul, div int) tea.Cmd {
	on, rate := m.running()
	switch {
	case !on:
		m.note, m.noteErr = "the emulator is not running: "+m.ctx.Keys.Start.Help().Key+" starts it", true
		return nil
	case m.status.Faithful || rate <= 0:
		m.note, m.noteErr = fmt.Sprintf("the emulator is not paced by a rate (--faithful or --rate 0): %s stops it, %s starts it with one", m.ctx.Keys.Stop.Help().Key, m.ctx.Keys.Start.Help().Key), true
		return nil
	}
	next := max(1, rate*float64(mul)/float64(div))
	return m.act("emulate rate " + strconv.FormatFloat(next, 'f', -1, 64))
}

// View draws the state, the note or prompt, and the per-table counters in width×height cells.
func (m *Model) View(width, height int) string {
	s := m.ctx.Styles
	k := m.ctx.Keys
	title := s.Title.Render("Emulators") + s.Muted.Render("  batch emulator · every 1s · "+
		keys.Hints(keys.As(k.Start, "starts"), keys.As(k.Stop, "stops"), keys.As(k.Faster, "doubles"), keys.As(k.Slower, "halves the rate"), keys.As(k.Filter, "filters")))
	lines := []string{title, ""}
	switch {
	case m.err != nil:
		lines = append(lines, s.Error.Render("emulate status failed: "+m.err.Error()))
	case !m.loaded:
		lines = append(lines, s.Muted.Render("asking emulate status…"))
	default:
		word := "stopped"
		if on, _ := m.running(); on {
			word = "running"
		}
		st, sym := s.State(word)
		status := st.Render(sym+" "+word) + s.Text.Render("  "+describe(m.status))
		if m.stale {
			status += s.Muted.Render("  updated " + units.Ago(m.ctx.Now().Sub(m.updated)) + " · asking emulate status…")
		}
		lines = append(lines, status)
	}
	switch {
	case m.filter.Capturing() || m.filter.Text() != "":
		lines = append(lines, m.filter.View(width))
	case m.asking:
		lines = append(lines, m.prompt.View(width))
	case m.confirming:
		lines = append(lines, s.Confirm.Render(" stop the batch emulator? press y to stop, any other key to keep it running "))
	case m.noteErr:
		lines = append(lines, s.Error.Render(m.note))
	default:
		lines = append(lines, s.Muted.Render(m.note))
	}
	lines = append(lines, "")
	if !m.loaded || height <= len(lines)+1 {
		return screen.Fill(strings.Join(lines, "\n"), width, height)
	}
	th := min(height-len(lines), len(m.status.Tables)+2)
	return screen.Fill(strings.Join(lines, "\n")+"\n"+m.table.View(width, th), width, height)
}
