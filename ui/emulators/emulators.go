// Package emulators is screen 2: the batch emulator, which posts draws from the source database
// to the gateway's REST Proxy routes, and the streaming emulator, which puts them to its Kinesis
// proxy. It shows each emulator's state and per-table counters with a sparkline of each table's
// send rate, polled from `emulate status` every second while visible, and starts, stops and
// re-paces the emulator of the selected row through `emulate batch|stream`, `emulate stop` and
// `emulate rate`.
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
	"github.com/pintui/pintui/ui/screen"
)

// The emulator kinds, as the emulate commands name them, in the order the screen lists them.
const (
	batch  = "batch"
	stream = "stream"
)

var kinds = []string{batch, stream}

// tables are the tables each emulator posts to, listed before an emulator has sent anything.
var tables = []string{"pin", "geo", "user"}

// Model is the Emulators screen.
type Model struct {
	screen.Named
	ctx  *screen.Context
	poll *screen.Poll

	table        *table.Model
	filter       *filter.Model
	ticket       int
	loaded       bool
	stale        bool // the counters are from before the screen was last entered
	updated      time.Time
	err          error
	statuses     map[string]command.EmulatorStatus // per kind
	series       map[string]*sparkline.Series      // per kind and table, from its sent counter
	actionTicket int
	note         string // the last action's answer
	noteErr      bool

	prompt     *prompt.Model
	asking     string // the kind the start prompt starts, "" while it is closed
	confirming string // the kind "stop the emulator?" asks about, "" while not asking
}

// New returns the Emulators screen.
func New(ctx *screen.Context) *Model {
	m := &Model{
		Named: screen.NewNamed(screen.Emulators, "emulators", "Emulators"),
		ctx:   ctx, poll: screen.NewPoll(screen.Emulators), table: table.New(ctx.Styles),
		statuses: map[string]command.EmulatorStatus{}, series: map[string]*sparkline.Series{},
		prompt: prompt.New(ctx.Styles, "start ", startHint(ctx.Runner)),
	}
	m.filter = filter.New(ctx.Styles, m.table, "text in any column")
	return m
}

// Capturing reports that the start prompt or the filter is reading text.
func (m *Model) Capturing() bool { return m.asking != "" || m.filter.Capturing() }

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
	if m.asking == "" && m.confirming == "" {
		m.filter.Clear()
	}
	m.asking, m.confirming = "", ""
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
			if all, ok := msg.Result.Data.(command.EmulatorStatuses); ok {
				m.observe(all)
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
			m.statuses[st.Kind] = st
		}
		return m.fetch()
	}
	return nil
}

// describe says an emulator's state in a sentence, from its typed status: draws, the configured
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

// startHint names the defaults of `emulate batch` (which `emulate stream` shares) that the start
// prompt falls back on, read from the command's own flags.
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

// observe keeps the statuses and measures each table's send rate from its sent counter. An
// emulator that has not run lists its tables with nothing sent, so its row can be selected to
// start it.
func (m *Model) observe(all command.EmulatorStatuses) {
	now := float64(m.ctx.Now().UnixNano()) / 1e9
	var rows [][]string
	for _, st := range all {
		m.statuses[st.Kind] = st
		posts := st.Tables
		if len(posts) == 0 {
			for _, t := range tables {
				posts = append(posts, command.EmulatorPost{Table: t})
			}
		}
		for _, t := range posts {
			row := []string{st.Kind, t.Table, strconv.FormatInt(t.Sent, 10), strconv.FormatInt(t.Failed, 10), "", ""}
			s := m.series[st.Kind+"/"+t.Table]
			if s == nil {
				s = &sparkline.Series{}
				m.series[st.Kind+"/"+t.Table] = s
			}
			s.Observe(t.Sent, now, screen.PollInterval.Seconds())
			if rate, ok := s.Rate(); ok && st.Running() {
				row[4] = sparkline.FormatRate(rate)
			}
			row[5] = sparkline.View(s.Rates(), sparkline.Samples)
			rows = append(rows, row)
		}
	}
	cols := []string{"emulator", "table", "sent", "failed", "records/s", "last 30 polls"}
	m.table.Style = func(col int, cell string) string {
		if col == len(cols)-1 {
			return m.ctx.Styles.Spark.Render(cell)
		}
		return m.ctx.Styles.TableCell.Render(cell)
	}
	m.table.SetRows(cols, units.Cells(cols, rows, map[string]units.Format{"sent": units.Count, "failed": units.Count}))
}

// selected is the kind of emulator the selected row belongs to; batch until there are rows.
func (m *Model) selected() string {
	if row := m.table.Selected(); len(row) > 0 && row[0] == stream {
		return stream
	}
	return batch
}

// name is how the screen calls the emulator of kind.
func name(kind string) string {
	if kind == stream {
		return "streaming emulator"
	}
	return "batch emulator"
}

// running reports whether the emulator of kind runs and its configured draws per second.
func (m *Model) running(kind string) (bool, float64) {
	st := m.statuses[kind]
	return st.Running(), st.ConfiguredRate
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	switch {
	case m.asking != "":
		return m.typed(msg)
	case m.filter.Capturing():
		m.filter.Key(msg)
		return nil
	case m.confirming != "":
		kind := m.confirming
		m.confirming = ""
		if msg.String() == "y" {
			return m.act(stopLine(kind))
		}
		m.note, m.noteErr = "left running", false
		return nil
	}
	kind := m.selected()
	switch {
	case key.Matches(msg, k.Filter):
		m.filter.Open()
	case key.Matches(msg, k.Start):
		if on, _ := m.running(kind); on {
			m.note, m.noteErr = fmt.Sprintf("the %s is already running: %s stops it, %s/%s change its rate", name(kind),
				k.Stop.Help().Key, k.Faster.Help().Key, k.Slower.Help().Key), true
			return nil
		}
		m.asking = kind
		m.prompt = prompt.New(m.ctx.Styles, "start "+name(kind)+" ", startHint(m.ctx.Runner))
	case key.Matches(msg, k.Stop):
		if on, _ := m.running(kind); !on {
			m.note, m.noteErr = "the "+name(kind)+" is not running", true
			return nil
		}
		m.confirming = kind
	case key.Matches(msg, k.Faster):
		return m.repace(kind, 2, 1)
	case key.Matches(msg, k.Slower):
		return m.repace(kind, 1, 2)
	case key.Matches(msg, k.Refresh):
		return m.fetch()
	default:
		k.Move(msg, m.table)
	}
	return nil
}

// stopLine is the command that stops the emulator of kind.
func stopLine(kind string) string {
	if kind == batch {
		return "emulate stop"
	}
	return "emulate stop " + kind
}

// typed reads the start prompt: nothing starts with the defaults, otherwise COUNT and RATE.
func (m *Model) typed(msg tea.KeyPressMsg) tea.Cmd {
	kind := m.asking
	switch m.prompt.Update(msg) {
	case prompt.Cancelled:
		m.asking = ""
	case prompt.Submitted:
		m.asking = ""
		f := strings.Fields(m.prompt.Value())
		for _, w := range f {
			if n, err := strconv.Atoi(w); err != nil || n <= 0 {
				m.note, m.noteErr = fmt.Sprintf("start: %q is not a positive whole number: type COUNT RATE, e.g. 1000 50", w), true
				return nil
			}
		}
		line := "emulate " + kind
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
func (m *Model) repace(kind string, mul, div int) tea.Cmd {
	on, rate := m.running(kind)
	switch {
	case !on:
		m.note, m.noteErr = "the "+name(kind)+" is not running: "+m.ctx.Keys.Start.Help().Key+" starts it", true
		return nil
	case m.statuses[kind].Faithful || rate <= 0:
		m.note, m.noteErr = fmt.Sprintf("the %s is not paced by a rate (--faithful or --rate 0): %s stops it, %s starts it with one", name(kind), m.ctx.Keys.Stop.Help().Key, m.ctx.Keys.Start.Help().Key), true
		return nil
	}
	next := strconv.FormatFloat(max(1, rate*float64(mul)/float64(div)), 'f', -1, 64)
	if kind == batch {
		return m.act("emulate rate " + next)
	}
	return m.act("emulate rate " + kind + " " + next)
}
