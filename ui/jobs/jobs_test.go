package jobs

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/internal/fixture"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/theme"
)

func press(k string) tea.KeyPressMsg {
	if k == "enter" {
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

func newScreen(r *fixture.Runner) *Model {
	ctx := &screen.Context{Ctx: context.Background(), Runner: r, Styles: theme.New(theme.Default()), Keys: keys.Default(),
		Now: func() time.Time { return time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC) }, Tick: func(time.Duration, tea.Msg) tea.Cmd { return nil }}
	return New(ctx)
}

// keysThen presses keys in turn, running what each returns and handing its replies back.
func keysThen(m *Model, ks ...string) {
	for _, k := range ks {
		_, cmd := m.Update(press(k))
		for cmd != nil {
			msg := cmd()
			if batch, ok := msg.(tea.BatchMsg); ok {
				for _, c := range batch {
					m.Update(c())
				}
				break
			}
			_, cmd = m.Update(msg)
		}
	}
}

func plain(m *Model) string { return ansi.Strip(m.View(120, 40)) }

func opened(r *fixture.Runner) *Model {
	m := newScreen(r)
	m.Update(m.Enter()())
	keysThen(m, "enter")
	return m
}

func TestCancelAsksAndYesCancels(t *testing.T) {
	r := fixture.New()
	m := opened(r)
	keysThen(m, "c")
	if !m.Capturing() || !strings.Contains(plain(m), "cancel run 880209? press y to cancel it, any other key to keep it running") {
		t.Fatalf("c did not ask:\n%s", plain(m))
	}
	keysThen(m, "y")
	if got := plain(m); !strings.Contains(got, "cancelled run 880209") || !strings.Contains(got, "880209  0a1b2c3d4e5f_dag.clean_pin      SUBMIT_RUN  ⊘ CANCELED") {
		t.Errorf("y did not cancel the run:\n%s", got)
	}
}

func TestAnyOtherKeyKeepsTheRunGoing(t *testing.T) {
	r := fixture.New()
	m := opened(r)
	keysThen(m, "c", "n")
	if got := plain(m); !strings.Contains(got, "run 880209 keeps running: not cancelled") {
		t.Errorf("n did not say the run keeps running:\n%s", got)
	}
	for _, l := range r.Lines() {
		if strings.HasPrefix(l, "job cancel") || strings.HasPrefix(l, "job run ") {
			t.Errorf("n ran %q", l)
		}
	}
}

func TestRunNowStartsTheSelectedJob(t *testing.T) {
	r := fixture.New()
	m := newScreen(r)
	m.Update(m.Enter()())
	keysThen(m, "j", "n")
	if got := plain(m); !strings.Contains(got, "started run 880211 of 0a1b2c3d4e5f_batch_job") {
		t.Errorf("n did not start the job:\n%s", got)
	}
}
