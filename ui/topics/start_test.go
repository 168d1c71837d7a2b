package topics

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
)

func typeText(m *Model, s string) {
	for _, r := range s {
		m.Update(press(string(r)))
	}
}

var clearLine = tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}

// listed returns the Topics screen showing its list, with f as the Tailer.
func listed(f Tailer) *Model {
	m := New(testContext(), f)
	m.Update(m.Enter()())
	return m
}

// launched runs the launch of the tail an enter opened and returns where it asked to start.
func launched(t *testing.T, cmd tea.Cmd, f fromTailer) string {
	t.Helper()
	if cmd == nil {
		t.Fatal("no tail opened")
	}
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) != 3 {
		t.Fatalf("the start gave %T, want the partitions, the launch and the pump", cmd())
	}
	batch[1]()
	return <-f.from
}

func TestStartPromptDefaultsToTheRecentRecords(t *testing.T) {
	f := fromTailer{from: make(chan string, 1)}
	m := listed(f)
	m.Update(press("o"))
	if !m.Capturing() {
		t.Fatal("o opened no prompt that takes the keys")
	}
	golden.RequireEqual(t, plain(m, 100, 6))
	_, cmd := m.Update(press("enter"))
	if got := launched(t, cmd, f); got != "-100" {
		t.Errorf("the tail started from %q, want -100", got)
	}
	if m.Capturing() || !strings.Contains(plain(m, 120, 10), "live tail from -100 ·") {
		t.Errorf("the tail does not say where it started:\n%s", plain(m, 120, 10))
	}
}

func TestStartPromptOpensTheTailAtATime(t *testing.T) {
	f := fromTailer{from: make(chan string, 1)}
	m := listed(f)
	m.Update(press("o"))
	m.Update(clearLine)
	typeText(m, "2026-12-01T10:00:00Z")
	_, cmd := m.Update(press("enter"))
	if got := launched(t, cmd, f); got != "2026-12-01T10:00:00Z" {
		t.Errorf("the tail started from %q, want 2026-12-01T10:00:00Z", got)
	}
}

func TestStartPromptRefusesABadStartAndKeepsIt(t *testing.T) {
	m := listed(fromTailer{from: make(chan string, 1)})
	m.Update(press("o"))
	m.Update(clearLine)
	typeText(m, "yesterday")
	if _, cmd := m.Update(press("enter")); cmd != nil || m.tail != nil {
		t.Fatal("a bad start opened a tail")
	}
	if !m.Capturing() {
		t.Fatal("a bad start closed the prompt")
	}
	golden.RequireEqual(t, plain(m, 100, 8))
	m.Update(press("s"))
	if strings.Contains(plain(m, 100, 8), "is not valid") {
		t.Error("the error outlived the next edit")
	}
	m.Update(press("esc"))
	if m.Capturing() || m.tail != nil {
		t.Error("esc did not close the prompt and leave the list")
	}
}

func TestStartPromptRestartsTheOpenTail(t *testing.T) {
	f := newFeedTailer()
	m := opened(t, f)
	old := m.tail
	go f.send(records(0, 5, pin))
	follow(t, m, "5 received")
	m.Update(press("o"))
	m.Update(clearLine)
	typeText(m, "beginning")
	_, cmd := m.Update(press("enter"))
	if cmd == nil || m.tail == nil || m.tail == old || m.tail.From() != "beginning" || m.tail.topic != "u.pin" {
		t.Fatal("the start did not open a new tail of u.pin from the beginning")
	}
	<-f.returned // the old tail's Tailer saw its context end
	if out := plain(m, 120, 40); !strings.Contains(out, "following · 0 received") {
		t.Errorf("the new tail begins with records of the old:\n%s", out)
	}
}

func TestFilterTakesTheStartKeyAsText(t *testing.T) {
	m := opened(t, newFeedTailer())
	m.Update(press("/"))
	m.Update(press("o"))
	if m.start.IsOpen() || !strings.Contains(plain(m, 120, 10), "/o") {
		t.Errorf("o while filtering opened the start prompt:\n%s", plain(m, 120, 10))
	}
}
