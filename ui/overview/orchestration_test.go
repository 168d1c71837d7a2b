package overview

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/internal/fixture"
)

// withOrchestration adds dags and job runs to reg, answering as run says.
func withOrchestration(reg *command.Registry, dags, runs func(context.Context, *command.Invocation) (*command.Result, error)) *command.Registry {
	reg.Add(&command.Command{Name: "dags", Run: dags},
		&command.Command{Name: "job runs", MaxArgs: 1, Flags: []command.Flag{{Name: "limit", Default: "25"}}, Run: runs})
	return reg
}

func fixtureAnswer(line string) func(context.Context, *command.Invocation) (*command.Result, error) {
	f := fixture.New()
	return func(ctx context.Context, _ *command.Invocation) (*command.Result, error) { return f.Run(ctx, line) }
}

func TestOrchestrationBoxesShowTheDAGAndTheJobRuns(t *testing.T) {
	m := shown(withOrchestration(registry(nil, nil), fixtureAnswer("dags"), fixtureAnswer("job runs --limit 25")))
	got := plain(m, 120, 40)
	for _, want := range []string{
		"╭ airflow ─", "│ ✓ ready", "next in 14 h │", "│ last running 6 min ago", "╭ databricks ─", "│ ▶ running", "1 running │", "│ last running 5 min ago",
		"0a1b2c3d4e5f_dag @daily: next 2026-03-15 00:00 · last running 09:20",
		"1 running; last run 0a1b2c3d4e5f_dag.clean_pin RUNNING at 09:21",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the Overview does not show %q:\n%s", want, got)
		}
	}
	golden.RequireEqual(t, m.View(120, 40))
}

func TestADownSchedulerTurnsItsBoxRedAndTheJobsBoxStays(t *testing.T) {
	down := func(context.Context, *command.Invocation) (*command.Result, error) {
		return nil, errors.New("list DAGs: dial tcp 127.0.0.1:8080: connection refused: is the local scheduler running? pintui serve starts it")
	}
	m := shown(withOrchestration(registry(nil, nil), down, fixtureAnswer("job runs --limit 25")))
	got := plain(m, 120, 40)
	for _, want := range []string{"│ ✗ down", "│ dags: list DAGs: dial tcp 127… │", "airflow     ✗ down", "│ ▶ running", "│ last running 5 min ago"} {
		if !strings.Contains(got, want) {
			t.Errorf("the Overview does not show %q:\n%s", want, got)
		}
	}
	if st, _ := m.ctx.Styles.State(command.StateDown); !strings.Contains(m.View(120, 40), st.Render("✗ down")) {
		t.Errorf("the airflow box is not drawn in the down style:\n%s", got)
	}
}

func TestPausedDAGSaysSo(t *testing.T) {
	paused := func(context.Context, *command.Invocation) (*command.Result, error) {
		return &command.Result{Data: []command.DAGSummary{{DAG: "0a1b2c3d4e5f_dag", Paused: true, Schedule: "@daily"}}}, nil
	}
	empty := func(context.Context, *command.Invocation) (*command.Result, error) {
		return &command.Result{Data: command.JobRuns{Runs: []command.JobRun{}}}, nil
	}
	m := shown(withOrchestration(registry(nil, nil), paused, empty))
	got := plain(m, 120, 40)
	for _, want := range []string{"│ · paused", "│ no run yet", "│ ○ empty", "airflow     · paused  0a1b2c3d4e5f_dag @daily: paused · no run yet"} {
		if !strings.Contains(got, want) {
			t.Errorf("the Overview does not show %q:\n%s", want, got)
		}
	}
}
