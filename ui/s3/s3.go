// Package s3 is screen 5: a browser of the bucket the S3 sink lands into (prefixes to descend,
// objects to preview as pretty or raw JSON) and the sink's progress per topic partition, from
// the s3 ls, s3 cat and sink status commands. The sink panel polls every second while visible. A
// listing pages on past its first 1,000 entries, G lists the newest, and P lists under a typed
// prefix.
package s3

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/filter"
	"github.com/pintui/pintui/ui/component/pager"
	"github.com/pintui/pintui/ui/component/prompt"
	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

// Model is the S3 screen.
type Model struct {
	screen.Named
	ctx  *screen.Context
	poll *screen.Poll

	prefix     string
	pages      pages // the entries listed so far under prefix
	list       *table.Model
	filter     *filter.Model
	listTicket int
	listErr    error
	loaded     bool
	// goTo reads the prefix the list_under key lists under while typing is true.
	goTo   *prompt.Model
	typing bool

	sink       *table.Model
	sinkTicket int
	sinkErr    error
	sinkStale  bool // the sink panel is from before the screen was last entered
	sinkAt     time.Time
	// connector is the MSK Connect connector of a cloud profile, nil while pintui's sink answers.
	connector *command.ConnectorStatus

	open          string // the previewed object's key, "" when none
	content       string
	pretty        bool
	preview       *pager.Model
	previewTicket int
	previewErr    error
}

// New returns the S3 screen at the bucket's root.
func New(ctx *screen.Context) *Model {
	m := &Model{Named: screen.NewNamed(screen.S3, "s3", "S3"), ctx: ctx, poll: screen.NewPoll(screen.S3), list: table.New(ctx.Styles),
		sink: table.New(ctx.Styles), preview: pager.New(ctx.Styles), pretty: true,
		pages: pages{max: MaxRows}, goTo: prompt.New(ctx.Styles, "list under ", "a prefix, e.g. topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+00000012")}
	m.filter = filter.New(ctx.Styles, m.list, "text in a key, size or date")
	return m
}

// Capturing reports that the listing's filter or a prefix to list under is being typed.
func (m *Model) Capturing() bool { return m.typing || m.filter.Capturing() }

// Enter lists the current prefix and starts polling the sink.
func (m *Model) Enter() tea.Cmd {
	m.poll.Start()
	m.sinkStale = m.sink.Len() > 0
	return tea.Batch(m.fetchList(), m.fetchSink())
}

// Leave stops polling.
func (m *Model) Leave() { m.poll.Stop() }

func (m *Model) fetchList() tea.Cmd {
	return m.ls(first, "")
}

func (m *Model) fetchSink() tea.Cmd {
	cmd, t := m.ctx.Run(screen.S3, "sink status")
	m.sinkTicket = t
	return cmd
}

// Back closes the prefix prompt or the preview, clears the filter, or goes up one prefix.
func (m *Model) Back() (screen.Screen, tea.Cmd) {
	if m.typing {
		m.typing = false
		return m, nil
	}
	if m.open == "" && m.filter.Clear() {
		return m, nil
	}
	return m, m.up()
}

func (m *Model) up() tea.Cmd {
	switch {
	case m.open != "":
		m.open = ""
		return nil
	case m.prefix == "":
		return nil
	}
	m.filter.Clear()
	p := strings.TrimSuffix(m.prefix, "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		m.prefix = p[:i+1]
	} else {
		m.prefix = ""
	}
	m.list.Top()
	return m.fetchList()
}

// Update handles replies, the sink poll and keys.
func (m *Model) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case screen.PollMsg:
		if m.poll.Due(msg) {
			return m, m.fetchSink()
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
	case m.listTicket:
		m.listErr = msg.Err
		if msg.Err == nil {
			if l, ok := msg.Result.Data.(command.S3Listing); ok {
				m.loaded = true
				m.setListing(l)
			}
		}
		m.pages.asking = 0
	case m.sinkTicket:
		m.sinkErr = msg.Err
		if msg.Err == nil {
			if k, ok := msg.Result.Data.(command.ConnectorStatus); ok {
				m.sinkStale, m.sinkAt = false, m.ctx.Now()
				m.setConnector(k)
			}
			if st, ok := msg.Result.Data.(command.SinkStatus); ok {
				m.sinkStale, m.sinkAt, m.connector = false, m.ctx.Now(), nil
				t := st.TextTable()
				m.sink.SetRows(t.Columns, units.Cells(t.Columns, t.Rows, map[string]units.Format{
					"landed_offset": units.Count, "end_offset": units.Count, "lag": units.Count,
					"objects": units.Count, "landed_bytes": units.Bytes, "errors": units.Count,
				}))
			}
		}
		return m.poll.Next(m.ctx)
	case m.previewTicket:
		m.previewErr = msg.Err
		if msg.Err == nil {
			if c, ok := msg.Result.Data.(command.S3Content); ok {
				m.content = c.Content
				m.showContent()
			}
		}
	}
	return nil
}

// showContent fills the preview, each JSON line indented when pretty.
func (m *Model) showContent() {
	text := m.content
	if m.pretty {
		var out []string
		for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			var b bytes.Buffer
			if json.Indent(&b, []byte(l), "", "  ") == nil {
				out = append(out, b.String())
			} else {
				out = append(out, l)
			}
		}
		text = strings.Join(out, "\n")
	}
	format := "pretty"
	if !m.pretty {
		format = "raw"
	}
	m.preview.SetContent(path.Base(m.open)+" · "+format, text)
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	if m.typing {
		return m.typed(msg)
	}
	if m.filter.Capturing() {
		m.filter.Key(msg)
		return nil
	}
	if msg.String() == "backspace" {
		return m.up()
	}
	if m.open != "" {
		switch {
		case key.Matches(msg, k.RawJSON):
			m.pretty = !m.pretty
			m.showContent()
		default:
			k.Move(msg, m.preview)
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Filter):
		m.filter.Open()
	case key.Matches(msg, k.Refresh):
		return tea.Batch(m.fetchList(), m.fetchSink())
	case key.Matches(msg, k.Enter):
		return m.enter()
	case key.Matches(msg, k.RawJSON):
		m.pretty = !m.pretty
	case key.Matches(msg, k.Left):
		m.list.ScrollColumns(-1)
	case key.Matches(msg, k.Right):
		m.list.ScrollColumns(1)
	case key.Matches(msg, k.ListUnder):
		m.typing = true
		m.goTo.SetValue(m.prefix)
	default:
		return m.move(msg)
	}
	return nil
}

// enter descends into a prefix or previews an object.
func (m *Model) enter() tea.Cmd {
	row := m.list.Selected()
	if len(row) == 0 || m.pages.keys[row[0]] == "" {
		return nil
	}
	full := m.pages.keys[row[0]]
	if strings.HasSuffix(full, "/") {
		m.prefix = full
		m.filter.Clear()
		m.list.Top()
		return m.fetchList()
	}
	m.open, m.content, m.previewErr = full, "", nil
	m.preview.SetContent(full, "loading…")
	cmd, t := m.ctx.Run(screen.S3, "s3 cat "+screen.Quote(full))
	m.previewTicket = t
	return cmd
}

// View draws the location, the listing beside the preview, and the sink panel in width×height
// cells; narrower than 100 cells the preview takes the listing's place.
func (m *Model) View(width, height int) string {
	s := m.ctx.Styles
	where := "/" + m.prefix
	k := m.ctx.Keys
	title := s.Title.Render("S3 › "+where) + s.Muted.Render("  "+
		keys.Hints(keys.As(k.Enter, "opens"), keys.As(k.Back, "goes up"), keys.As(k.Filter, "filters"), keys.As(k.RawJSON, "raw/pretty"), keys.As(k.Refresh, "refreshes")))
	lines := []string{title}
	switch {
	case m.typing:
		lines = append(lines, m.goTo.View(width))
	case m.filter.Capturing() || m.filter.Text() != "":
		lines = append(lines, m.filter.View(width))
	case m.listErr != nil:
		lines = append(lines, s.Error.Render("s3 ls failed: "+m.listErr.Error()))
	case m.loaded:
		lines = append(lines, s.Muted.Render(m.pages.summary(m.prefix, m.ctx.Keys.NextPage.Help().Key, m.ctx.Keys.Top.Help().Key)))
	default:
		lines = append(lines, s.Muted.Render("asking s3 ls…"))
	}
	sinkH := 0
	if height >= 14 {
		sinkH = min(m.sink.Len()+2, 6) + m.connectorLines()
		if m.sinkErr != nil {
			sinkH = 2
		}
	}
	mainH := height - len(lines) - sinkH
	if mainH < 2 {
		return screen.Fill(strings.Join(lines, "\n"), width, height)
	}
	main := m.main(width, mainH)
	out := strings.Join(lines, "\n") + "\n" + main
	if sinkH > 0 {
		out += "\n" + m.sinkView(width, sinkH)
	}
	return screen.Fill(out, width, height)
}

func (m *Model) main(width, height int) string {
	s := m.ctx.Styles
	switch {
	case m.open == "":
		return m.list.View(width, height)
	case width < 100:
		return m.previewView(width, height)
	}
	lw := min(66, width-40)
	left := strings.Split(screen.Fill(m.list.View(lw, height), lw, height), "\n")
	right := strings.Split(m.previewView(width-lw-1, height), "\n")
	sep := s.PanelBorder.Render("│")
	for i := range left {
		left[i] += sep + right[i]
	}
	return strings.Join(left, "\n")
}

func (m *Model) previewView(width, height int) string {
	if m.previewErr != nil {
		msg := m.ctx.Styles.Error.Render("s3 cat failed: " + m.previewErr.Error())
		return screen.Fill(msg, width, height)
	}
	return screen.Fill(m.preview.View(width, height), width, height)
}

func (m *Model) sinkView(width, height int) string {
	s := m.ctx.Styles
	when := " · every 1s"
	if m.sinkStale {
		when = " · updated " + units.Ago(m.ctx.Now().Sub(m.sinkAt)) + " · asking sink status…"
	}
	head := s.PanelTitle.Render("Sink") + s.Muted.Render(" · what the S3 sink has landed per topic partition"+when)
	rows := height - 1
	if m.connector != nil && m.sinkErr == nil {
		head = s.PanelTitle.Render("Sink") + s.Muted.Render(" · the MSK Connect connector and its group's lag per topic partition"+when)
		head += "\n" + m.connectorView(width)
		rows -= m.connectorLines()
	}
	if m.sinkErr != nil {
		return screen.Fill(head+"\n"+s.Error.Render(ansi.Truncate("sink status failed: "+m.sinkErr.Error(), width, "…")), width, height)
	}
	if m.sink.Len() == 0 {
		return screen.Fill(head+"\n"+s.Muted.Render(fmt.Sprintf("%-*s", width, "  no sink partitions yet")), width, height)
	}
	return screen.Fill(head+"\n"+m.sink.View(width, rows), width, height)
}
