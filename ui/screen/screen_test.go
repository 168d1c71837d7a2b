package screen

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/command"
)

func TestPollTicksOnlyWhileVisible(t *testing.T) {
	var sent []PollMsg
	c := &Context{Tick: func(_ time.Duration, msg tea.Msg) tea.Cmd {
		sent = append(sent, msg.(PollMsg))
		return func() tea.Msg { return msg }
	}}
	p := NewPoll(Topics)
	if p.Next(c) != nil {
		t.Fatal("a hidden screen scheduled a tick")
	}
	p.Start()
	first := p.Next(c)().(PollMsg)
	if !p.Due(first) || first.Screen != Topics {
		t.Fatalf("the live tick %+v is not due", first)
	}
	second := p.Next(c)().(PollMsg)
	if p.Due(first) || !p.Due(second) {
		t.Error("a tick from before the latest one is still due")
	}
	p.Stop()
	if p.Due(second) || p.Next(c) != nil {
		t.Error("a hidden screen's tick is due or a new one was scheduled")
	}
	p.Start()
	if p.Due(second) {
		t.Error("a tick from before the revisit is due")
	}
	if len(sent) != 2 {
		t.Errorf("scheduled %d ticks, want 2", len(sent))
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{"topics/a+0+1.json": "topics/a+0+1.json", "a b": "'a b'", "it's": `'it'\''s'`, "": "''"} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %q, want %q", in, got, want)
		}
	}
}

// echo is a Runner that answers every line at once.
type echo struct{}

func (echo) Run(context.Context, string) (*command.Result, error) { return &command.Result{}, nil }
func (echo) Commands() []*command.Command                         { return nil }

func TestActAndRunSayWhichKindAndCountOnce(t *testing.T) {
	c := &Context{Ctx: context.Background(), Runner: echo{}}
	fetch, ft := c.Run(Topics, "topics")
	act, at := c.Act(Emulators, "emulate stop")
	if c.Running() != 2 || ft == at {
		t.Fatalf("running = %d with tickets %d and %d", c.Running(), ft, at)
	}
	f, a := fetch().(ResultMsg), act().(ResultMsg)
	if f.Kind != Fetch || a.Kind != Action || a.Screen != Emulators || a.Ticket != at || a.Line != "emulate stop" {
		t.Errorf("replies %+v and %+v", f, a)
	}
	c.Done(a.Ticket)
	c.Done(a.Ticket)
	if c.Running() != 1 {
		t.Errorf("running = %d after one answer seen twice, want 1", c.Running())
	}
	c.Done(f.Ticket)
	if c.Running() != 0 {
		t.Errorf("running = %d with every request answered", c.Running())
	}
}

func TestNamedSaysWhatTheScreenIs(t *testing.T) {
	n := NewNamed(DAGs, "dags", "DAGs")
	if n.ID() != DAGs || n.Name() != "dags" || n.Title() != "DAGs" {
		t.Fatalf("got %v %q %q", n.ID(), n.Name(), n.Title())
	}
}
