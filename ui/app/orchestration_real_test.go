package app

import (
	"strings"
	"testing"
)

// orchestrated is the real registry on an embedded stack whose DAG has run once, to success,
// over the landings of ten draws.
func orchestrated(t *testing.T) *Model {
	t.Helper()
	reg := realPipeline(t)
	run(t, reg, "emulate batch --count 10 --rate 0", "wait emulator", "wait landings >= 30", "dag trigger", "dag wait --last --timeout 5m")
	return newRealModel(t, reg, 120, 40)
}

// TestRealDAGsScreenShowsTheRunItsGridAndALog walks the DAGs screen against the real scheduler:
// the DAG, its run with a ✓ for every task in the grid, the run's task instances and a task's
// log.
func TestRealDAGsScreenShowsTheRunItsGridAndALog(t *testing.T) {
	m := orchestrated(t)
	press(m, "6")
	if out := plain(m); !strings.Contains(out, "0a1b2c3d4e5f_dag") || !strings.Contains(out, "✓ success") {
		t.Fatalf("the DAGs list does not show the DAG and its last run's success:\n%s", out)
	}
	press(m, "enter")
	out := plain(m)
	for _, want := range []string{"1 run", "  load_landings ✓", "  clean_pin     ✓", "  clean_geo     ✓", "  clean_user    ✓", "  analytics     ✓", "manual"} {
		if !strings.Contains(out, want) {
			t.Errorf("the DAG's runs do not show %q:\n%s", want, out)
		}
	}
	press(m, "enter")
	if out := plain(m); !strings.Contains(out, "load_landings  ✓ success") || !strings.Contains(out, "analytics      ✓ success") {
		t.Fatalf("the run does not list its task instances as succeeded:\n%s", out)
	}
	press(m, "enter")
	if out := plain(m); !strings.Contains(out, "load_landings · try 1 of 1 · the latest try") || !strings.Contains(out, "lines 1–") {
		t.Errorf("enter on load_landings did not open its log:\n%s", out)
	}
}

// TestRealJobsScreenShowsTheTaskRunsAndTheirOutput walks the Jobs screen against the real
// workspace: the batch job, every run with the DAG tasks' one-time runs, and a run's output.
func TestRealJobsScreenShowsTheTaskRunsAndTheirOutput(t *testing.T) {
	m := orchestrated(t)
	press(m, "7")
	if out := plain(m); !strings.Contains(out, "0a1b2c3d4e5f_batch_job") || !strings.Contains(out, "every run") {
		t.Fatalf("the Jobs list does not show the batch job:\n%s", out)
	}
	press(m, "enter")
	out := plain(m)
	for _, task := range []string{"load_landings", "clean_pin", "clean_geo", "clean_user", "analytics"} {
		if !strings.Contains(out, "0a1b2c3d4e5f_dag."+task) {
			t.Errorf("every run does not list the one-time run of %s:\n%s", task, out)
		}
	}
	if !strings.Contains(out, "✓ SUCCESS") {
		t.Errorf("no run shows SUCCESS:\n%s", out)
	}
	press(m, "enter")
	if out := plain(m); !strings.Contains(out, "output of run") || !strings.Contains(out, "result: ") {
		t.Errorf("enter on a run did not show its output:\n%s", out)
	}
}
