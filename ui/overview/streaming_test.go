package overview

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/theme"
)

func clock() time.Time { return time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC) }

func ms(n int64) *int64 { return &n }

func count(n int64) *int64 { return &n }

// registry answers status with the batch half and, unless left out, the two streaming commands
// with the stream job running behind the pin stream.
func registry(streams, job func(context.Context, *command.Invocation) (*command.Result, error)) *command.Registry {
	reg := command.NewRegistry()
	reg.Add(&command.Command{Name: "status", Run: func(context.Context, *command.Invocation) (*command.Result, error) {
		return &command.Result{Data: []command.Component{
			{Component: "gateway", State: command.StateReady, Detail: "http://127.0.0.1:8082", Count: count(300)},
			{Component: "lakehouse", State: command.StateReady, Detail: "6 tables", Count: count(900)},
		}}, nil
	}})
	if streams != nil {
		reg.Add(&command.Command{Name: "streams", Run: streams})
	}
	if job != nil {
		reg.Add(&command.Command{Name: "stream status", Run: job})
	}
	return reg
}

func streamsAnswer(context.Context, *command.Invocation) (*command.Result, error) {
	var list []command.StreamSummary
	for _, t := range []string{"pin", "geo", "user"} {
		list = append(list, command.StreamSummary{Stream: "streaming-0a1b2c3d4e5f-" + t, Status: "ACTIVE", Shards: 1, RetentionHours: 24})
	}
	list[0].IteratorAgeMS = ms(1250)
	return &command.Result{Data: list}, nil
}

func jobAnswer(context.Context, *command.Invocation) (*command.Result, error) {
	commit := command.At(time.Date(2026, 3, 14, 9, 26, 52, 0, time.UTC))
	return &command.Result{Data: command.StreamJobStatus{State: command.StreamJobRunning, TriggerMS: 100, Tables: []command.StreamTableStatus{
		{Table: "0a1b2c3d4e5f_pin_table", MicroBatch: 41, LastCommit: commit, Rows: 1200, Rate: 80, LagMS: ms(850)},
		{Table: "0a1b2c3d4e5f_geo_table", MicroBatch: 40, LastCommit: command.At(commit.Add(-time.Second)), Rows: 1190, Rate: 80, LagMS: ms(120)},
		{Table: "0a1b2c3d4e5f_user_table", MicroBatch: -1, Rows: 0, Rate: 0},
	}}}, nil
}

// shown returns the Overview on reg with every answer of its first poll handled.
func shown(reg *command.Registry) *Model {
	ctx := &screen.Context{Ctx: context.Background(), Runner: reg, Styles: theme.New(theme.Default()), Keys: keys.Default(), Now: clock,
		Tick: func(time.Duration, tea.Msg) tea.Cmd { return nil }}
	m := New(ctx)
	msg := m.Enter()()
	batch, ok := msg.(tea.BatchMsg)
	if !ok {
		batch = tea.BatchMsg{func() tea.Msg { return msg }}
	}
	for _, cmd := range batch {
		m.Update(cmd())
	}
	return m
}

func plain(m *Model, w, h int) string { return ansi.Strip(m.View(w, h)) }

func TestStreamingBoxesShowTheStreamsAndTheJob(t *testing.T) {
	m := shown(registry(streamsAnswer, jobAnswer))
	golden.RequireEqual(t, plain(m, 120, 24))
}

func TestStreamingBoxesShrinkToAStrip(t *testing.T) {
	m := shown(registry(streamsAnswer, jobAnswer))
	golden.RequireEqual(t, plain(m, 80, 12))
}

func TestEnterOnTheStreamingBoxesOpensStreamsAndTables(t *testing.T) {
	m := shown(registry(streamsAnswer, jobAnswer))
	want := map[string]screen.ID{"kinesis": screen.Streams, "stream job": screen.Tables}
	for range 4 {
		m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
		row := m.table.Selected()
		id, ok := want[row[0]]
		if !ok {
			continue
		}
		_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
		if cmd == nil {
			t.Fatalf("enter on %s opened nothing", row[0])
		}
		if got := cmd().(screen.SwitchMsg).To; got != id {
			t.Errorf("enter on %s opened screen %d, want %d", row[0], got, id)
		}
		delete(want, row[0])
	}
	if len(want) > 0 {
		t.Errorf("the table has no rows for %v", want)
	}
}

func TestAFailingStreamingCommandTurnsOnlyItsBoxDown(t *testing.T) {
	failing := func(context.Context, *command.Invocation) (*command.Result, error) {
		return nil, errors.New("list streams: connection refused: is the local Kinesis running?")
	}
	m := shown(registry(failing, jobAnswer))
	out := plain(m, 120, 24)
	for _, want := range []string{"✗ down", "list streams: connection refused", "▶ running", "lag 850 ms · 09:26:52", "✓ ready"} {
		if !strings.Contains(out, want) {
			t.Errorf("the Overview lacks %q:\n%s", want, out)
		}
	}
}

func TestARegistryWithoutTheStreamingCommandsDrawsNoStreamingBoxes(t *testing.T) {
	reg := registry(nil, nil)
	m := shown(reg)
	if out := plain(m, 120, 24); strings.Contains(out, "kinesis") || strings.Contains(out, "stream job") || strings.Contains(out, "failed") {
		t.Errorf("the Overview draws streaming boxes it cannot fill:\n%s", out)
	}
}

func TestTheNextPollWaitsForEveryAnswer(t *testing.T) {
	ticks := 0
	ctx := &screen.Context{Ctx: context.Background(), Runner: registry(streamsAnswer, jobAnswer), Styles: theme.New(theme.Default()), Keys: keys.Default(), Now: clock,
		Tick: func(time.Duration, tea.Msg) tea.Cmd { ticks++; return nil }}
	m := New(ctx)
	batch := m.Enter()().(tea.BatchMsg)
	for i, cmd := range batch {
		m.Update(cmd())
		if want := min(1, max(0, i-1)); ticks != want {
			t.Errorf("after %d of %d answers %d polls were scheduled, want %d", i+1, len(batch), ticks, want)
		}
	}
}
