package topics

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/theme"
)

// growing answers topics and topic with end offsets that grow by a fixed step at each answer:
// u.pin by 50 records a poll on its one partition, u.geo by 5 on each of its two.
type growing struct {
	reg *command.Registry

	mu    sync.Mutex
	polls map[string]int
}

func newGrowing() *growing {
	g := &growing{reg: command.NewRegistry(), polls: map[string]int{}}
	g.reg.Add(
		&command.Command{Name: "topics", Run: func(context.Context, *command.Invocation) (*command.Result, error) {
			n := g.poll("topics")
			pin, geo := int64(100+50*n), int64(2*(10+5*n))
			return &command.Result{Data: []command.TopicSummary{
				{Topic: "u.pin", Partitions: 1, Records: pin, EndOffset: pin, Landed: 90, Lag: pin - 90},
				{Topic: "u.geo", Partitions: 2, Records: geo, EndOffset: geo, Landed: geo, Lag: 0},
			}}, nil
		}},
		&command.Command{Name: "topic", MinArgs: 1, MaxArgs: 1, Run: func(_ context.Context, in *command.Invocation) (*command.Result, error) {
			n := int64(g.poll("topic " + in.Args[0]))
			if in.Args[0] == "u.pin" {
				end := 100 + 50*n
				return &command.Result{Data: command.TopicDetail{Topic: "u.pin",
					Partitions: []command.TopicPartition{{Partition: 0, StartOffset: 0, EndOffset: end, Records: end}},
					Groups: []command.TopicGroup{
						{Group: "pintui-s3-sink", State: "Stable", Lag: end - 90, Partitions: []command.TopicGroupPartition{{Partition: 0, Committed: 90, EndOffset: end, Lag: end - 90}}},
					}}}, nil
			}
			if in.Args[0] != "u.geo" {
				return nil, fmt.Errorf("describe topic %s: no such topic", in.Args[0])
			}
			end := 10 + 5*n
			return &command.Result{Data: command.TopicDetail{Topic: "u.geo",
				Partitions: []command.TopicPartition{{Partition: 0, StartOffset: 0, EndOffset: end, Records: end}, {Partition: 1, StartOffset: 4, EndOffset: 2 * end, Records: 2*end - 4}},
				Groups: []command.TopicGroup{
					{Group: "pintui-s3-sink", State: "Stable", Lag: 3, Partitions: []command.TopicGroupPartition{{Partition: 0, Committed: end - 1, EndOffset: end, Lag: 1}, {Partition: 1, Committed: 2*end - 2, EndOffset: 2 * end, Lag: 2}}},
					{Group: "audit", State: "Empty", Lag: 3*end - 4, Partitions: []command.TopicGroupPartition{{Partition: 0, Committed: -1, EndOffset: end, Lag: end}, {Partition: 1, Committed: 4, EndOffset: 2 * end, Lag: 2*end - 4}}},
				}}}, nil
		}},
	)
	return g
}

func (g *growing) poll(line string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.polls[line]++
	return g.polls[line]
}

func (g *growing) Run(ctx context.Context, line string) (*command.Result, error) {
	return g.reg.Run(ctx, line)
}
func (g *growing) Commands() []*command.Command { return g.reg.Commands() }

// rig is the Topics screen on a growing runner, with a clock that moves one second at each
// answer the screen reads, and ticks that are kept for the test to deliver.
type rig struct {
	*Model
	at   time.Time
	tick tea.Msg // the last poll tick the screen scheduled
}

func ratesScreen(tailer Tailer) *rig {
	r := &rig{at: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)}
	ctx := &screen.Context{Ctx: context.Background(), Runner: newGrowing(), Styles: theme.New(theme.Default()),
		Keys: keys.Default(), Now: func() time.Time { return r.at },
		Tick: func(_ time.Duration, msg tea.Msg) tea.Cmd { r.tick = msg; return nil }}
	r.Model = New(ctx, tailer)
	return r
}

// answer runs cmd, which must fetch, and hands its reply to the screen a second after the last.
func (r *rig) answer(t testing.TB, cmd tea.Cmd) {
	t.Helper()
	msg, ok := cmd().(screen.ResultMsg)
	if !ok {
		t.Fatalf("the command gave %T, want a command's reply", msg)
	}
	if msg.Err != nil {
		t.Fatalf("%s: %v", msg.Line, msg.Err)
	}
	r.at = r.at.Add(time.Second)
	r.Update(msg)
}

// polled enters the screen and answers n polls.
func (r *rig) polled(t testing.TB, n int) {
	t.Helper()
	r.answer(t, r.Enter())
	for range n - 1 {
		r.answer(t, r.fetch())
	}
}

func row(out, first string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, "▸ "), first+" ") {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return ""
}

func TestListShowsEachTopicsRecordsPerSecond(t *testing.T) {
	m := ratesScreen(nil)
	m.polled(t, 4)
	out := plain(m.Model, 120, 40)
	if got := row(out, "topic"); got != "topic partitions end_offset landed lag records/s last 30 polls" {
		t.Errorf("header = %q", got)
	}
	if got, want := row(out, "u.pin"), "▸ u.pin 1 300 90 210 50/s ███"; got != want {
		t.Errorf("u.pin row = %q, want %q:\n%s", got, want, out)
	}
	if got, want := row(out, "u.geo"), "u.geo 2 60 60 0 10/s ███"; got != want {
		t.Errorf("u.geo row = %q, want %q:\n%s", got, want, out)
	}
}

func TestListRatesWaitForASecondPoll(t *testing.T) {
	m := ratesScreen(nil)
	m.polled(t, 1)
	if got, want := row(plain(m.Model, 120, 40), "u.pin"), "▸ u.pin 1 150 90 60"; got != want {
		t.Errorf("after one poll u.pin = %q, want %q: no rate before a second reading", got, want)
	}
}

func TestListRatesAreKeptWhenTheScreenIsLeft(t *testing.T) {
	m := ratesScreen(nil)
	m.polled(t, 2)
	m.Leave()
	m.polled(t, 1)
	if got, want := row(plain(m.Model, 120, 40), "u.pin"), "▸ u.pin 1 250 90 160 50/s ██"; got != want {
		t.Errorf("after leaving and entering u.pin = %q, want %q: the rate before and the one since", got, want)
	}
}

func TestSparklineFitsAnEightyColumnList(t *testing.T) {
	m := ratesScreen(nil)
	m.polled(t, 31)
	out := plain(m.Model, 80, 24)
	got := row(out, "u.pin")
	if !strings.HasSuffix(got, " 50/s "+strings.Repeat("█", 21)) {
		t.Errorf("at 80 columns u.pin = %q, want the rate and a sparkline cut to the room left:\n%s", got, out)
	}
	if !strings.HasSuffix(row(out, "topic"), " records/s last 21 polls") {
		t.Errorf("the sparkline's header does not say how many polls it shows:\n%s", out)
	}
	if strings.Contains(out, "columns 1–") {
		t.Errorf("the list scrolls its columns at 80:\n%s", out)
	}
}
