package app

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/internal/fixture"
	"github.com/pintui/pintui/ui/screen"
)

// asker is a registry with one command that asks first, as a command that deletes data does,
// and records the lines it ran.
type asker struct {
	reg      *command.Registry
	readOnly bool

	mu    sync.Mutex
	lines []string
	ran   []string
}

func newAsker() *asker {
	a := &asker{reg: command.NewRegistry()}
	a.reg.Add(&command.Command{Name: "drop", Args: "TABLE", MinArgs: 1, MaxArgs: 1, Flags: []command.Flag{command.YesFlag},
		Asks: func(in *command.Invocation) string { return "delete table " + in.Args[0] + " and its files" },
		Run: func(_ context.Context, in *command.Invocation) (*command.Result, error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.ran = append(a.ran, in.Args[0])
			return &command.Result{Message: "dropped " + in.Args[0]}, nil
		}})
	return a
}

func (a *asker) Run(ctx context.Context, line string) (*command.Result, error) {
	a.mu.Lock()
	a.lines = append(a.lines, line)
	a.mu.Unlock()
	if a.readOnly {
		return nil, &command.ReadOnlyError{Command: "drop", Profile: "prod", Question: "delete table pins and its files"}
	}
	return a.reg.Run(ctx, line)
}

func (a *asker) Commands() []*command.Command { return a.reg.Commands() }

func (a *asker) dropped() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.ran)
}

func askerModel(t *testing.T, a *asker) *Model {
	t.Helper()
	m, err := New(context.Background(), Deps{Runner: a, Profile: "local", DataDir: fixture.DataDir, Now: clock, Width: 120, Height: 40, Tick: (&ticker{}).tick})
	if err != nil {
		t.Fatal(err)
	}
	drive(m, m.Init())
	return m
}

func footer(m *Model) string { l := lines(plain(m)); return l[len(l)-1] }

func TestPaletteAsksFirstAndYesRunsTheLineWithYes(t *testing.T) {
	a := newAsker()
	m := askerModel(t, a)
	press(m, ":")
	typeText(m, "drop pins")
	press(m, "enter")
	if got := footer(m); !strings.Contains(got, "delete table pins and its files? y/n: y does it, any other key cancels") {
		t.Fatalf("the question is not in the footer: %q", got)
	}
	if len(a.dropped()) != 0 {
		t.Fatalf("drop ran before the answer: %q", a.dropped())
	}
	press(m, "y")
	if got := a.dropped(); !slices.Equal(got, []string{"pins"}) {
		t.Fatalf("y dropped %q, want [pins]", got)
	}
	if !slices.Contains(a.lines, "drop pins --yes") {
		t.Errorf("y ran %q, want drop pins --yes among them", a.lines)
	}
	if !strings.Contains(plain(m), "dropped pins") {
		t.Errorf("the rerun's answer is not shown:\n%s", plain(m))
	}
}

func TestAnyOtherKeyCancelsTheQuestionAndSaysSo(t *testing.T) {
	a := newAsker()
	m := askerModel(t, a)
	press(m, ":")
	typeText(m, "drop pins")
	press(m, "enter", "n")
	if got := footer(m); !strings.Contains(got, "cancelled: nothing was done (delete table pins and its files)") {
		t.Errorf("n did not say it cancelled: %q", got)
	}
	if len(a.dropped()) != 0 || m.active != screen.Overview {
		t.Errorf("n dropped %q or moved to screen %d", a.dropped(), m.active)
	}
	press(m, "j")
	if got := footer(m); strings.Contains(got, "cancelled") {
		t.Errorf("the notice outlived the next key: %q", got)
	}
}

func TestReadOnlyRefusalIsAnErrorNotAQuestion(t *testing.T) {
	a := newAsker()
	a.readOnly = true
	m := askerModel(t, a)
	press(m, ":")
	typeText(m, "drop pins")
	press(m, "enter")
	if m.ask != nil {
		t.Fatalf("a read-only refusal asked %q", m.ask.question)
	}
	if got := footer(m); !strings.Contains(got, "✗ drop: profile prod is read-only (read_only: true)") {
		t.Errorf("the refusal is not shown as an error: %q", got)
	}
}

func TestAScreenActionThatAsksRunsAgainForTheScreen(t *testing.T) {
	r := fixture.New()
	r.AskFirst("dag trigger", "trigger a run of "+fixture.DAG+" on MWAA environment prod")
	m, err := New(context.Background(), Deps{Runner: r, Profile: "prod", DataDir: fixture.DataDir, Now: clock, Width: 120, Height: 40, Tick: (&ticker{}).tick})
	if err != nil {
		t.Fatal(err)
	}
	drive(m, m.Init())
	press(m, "6", "t")
	if got := footer(m); !strings.Contains(got, "trigger a run of 0a1b2c3d4e5f_dag on MWAA environment prod? y/n") {
		t.Fatalf("t did not ask: %q", got)
	}
	press(m, "y")
	if !slices.Contains(r.Lines(), "dag trigger 0a1b2c3d4e5f_dag --yes") {
		t.Fatalf("y did not trigger with --yes: %q", r.Lines())
	}
	if !strings.Contains(plain(m), "triggered manual__2026-03-14T09:26:00+00:00 of 0a1b2c3d4e5f_dag") {
		t.Errorf("the DAGs screen does not show the trigger's answer:\n%s", plain(m))
	}
}
