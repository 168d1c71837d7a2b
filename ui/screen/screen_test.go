package screen

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
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
