package dags

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
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

// ticks counts the polls the screen schedules; none of them fires.
type ticks struct{ n int }

func (tk *ticks) tick(time.Duration, tea.Msg) tea.Cmd { tk.n++; return nil }

func newScreen(r *fixture.Runner) (*Model, *ticks) {
	tk := &ticks{}
	ctx := &screen.Context{Ctx: context.Background(), Runner: r, Styles: theme.New(theme.Default()), Keys: keys.Default(),
		Now: func() time.Time { return time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC) }, Tick: tk.tick}
	return New(ctx), tk
}

// answer runs a command the screen returned and hands its reply back, with what that returns.
func answer(m *Model, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	_, next := m.Update(cmd())
	return next
}

func plain(m *Model) string { return ansi.Strip(m.View(120, 40)) }

func TestPollsOnlyWhileARunIsActive(t *testing.T) {
	m, tk := newScreen(fixture.New())
	answer(m, m.Enter())
	if tk.n != 1 {
		t.Fatalf("the list with a running run scheduled %d polls, want 1", tk.n)
	}
	_, cmd := m.Update(press("enter"))
	answer(m, cmd)
	if tk.n != 2 {
		t.Fatalf("the runs with one running scheduled %d polls in all, want 2", tk.n)
	}
	m.runs.list[0].State = "success" // as if the run had ended at the last answer
	if m.active() {
		t.Fatal("runs that all ended count as active")
	}
}

func TestTriggerAnswerIsShownAfterTheScreenWasLeft(t *testing.T) {
	r := fixture.New()
	m, _ := newScreen(r)
	answer(m, m.Enter())
	_, cmd := m.Update(press("t"))
	m.Leave()
	reply := cmd().(screen.ResultMsg)
	if reply.Kind != screen.Action {
		t.Fatalf("t's reply is a %v, want an action's", reply.Kind)
	}
	answer(m, func() tea.Msg { return reply })
	if got := plain(m); !strings.Contains(got, "triggered manual__2026-03-14T09:26:00+00:00 of 0a1b2c3d4e5f_dag") {
		t.Errorf("the trigger's answer is not shown:\n%s", got)
	}
}

func TestPauseThenUnpause(t *testing.T) {
	r := fixture.New()
	m, _ := newScreen(r)
	answer(m, m.Enter())
	_, cmd := m.Update(press("p"))
	answer(m, answer(m, cmd))
	if got := plain(m); !strings.Contains(got, "paused 0a1b2c3d4e5f_dag: the scheduler starts no run of it until it is unpaused") ||
		!strings.Contains(got, "0a1b2c3d4e5f_dag  yes") {
		t.Fatalf("p did not pause the DAG:\n%s", got)
	}
	_, cmd = m.Update(press("p"))
	answer(m, answer(m, cmd))
	lines := r.Lines()
	if got := lines[len(lines)-2]; got != "dag unpause 0a1b2c3d4e5f_dag" {
		t.Errorf("p on a paused DAG ran %q, want dag unpause 0a1b2c3d4e5f_dag", got)
	}
}

func TestGridPutsTheNewestRunOnTheRight(t *testing.T) {
	m, _ := newScreen(fixture.New())
	answer(m, m.Enter())
	_, cmd := m.Update(press("enter"))
	answer(m, cmd)
	for _, want := range []string{"  load_landings ✓ ✓ ✓ ✓ ✓", "  clean_geo     ✓ ✗ ✓ ✓ ↻", "  analytics     ✓ ⊘ ✓ ✓  "} {
		if !strings.Contains(plain(m), want) {
			t.Errorf("the grid has no row %q:\n%s", want, plain(m))
		}
	}
}
