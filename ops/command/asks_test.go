package command

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pintui/pintui/config"
)

func askingRegistry(t *testing.T, readOnly bool, question string) (*Registry, *int) {
	t.Helper()
	cfg := &config.Loaded{Config: config.Config{Profile: "prod", ReadOnly: readOnly}}
	runs := 0
	r := New(&Env{Config: cfg})
	r.Add(&Command{Name: "launch", Flags: []Flag{YesFlag}, Help: "Start cloud work.",
		Asks: func(*Invocation) string { return question },
		Run:  func(context.Context, *Invocation) (*Result, error) { runs++; return &Result{Message: "launched"}, nil }})
	return r, &runs
}

func TestAskingFirstNeedsYes(t *testing.T) {
	r, runs := askingRegistry(t, false, "start a cloud run")
	_, err := r.Run(context.Background(), "launch")
	var ce *ConfirmError
	if !errors.As(err, &ce) || ce.Line != "launch" || ce.Question != "start a cloud run" || *runs != 0 {
		t.Fatalf("without --yes: err %v, runs %d; want a ConfirmError and no run", err, *runs)
	}
	if want := "launch: this would start a cloud run: answer yes in the console, or add --yes to run it from a script"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if _, err := r.Run(context.Background(), "launch --yes"); err != nil || *runs != 1 {
		t.Fatalf("with --yes: err %v, runs %d", err, *runs)
	}
}

func TestNothingToAskRunsWithoutYes(t *testing.T) {
	r, runs := askingRegistry(t, true, "")
	if _, err := r.Run(context.Background(), "launch"); err != nil || *runs != 1 {
		t.Fatalf("err %v, runs %d; want one run", err, *runs)
	}
}

func TestReadOnlyProfileRefusesWhatAsksFirst(t *testing.T) {
	r, runs := askingRegistry(t, true, "start a cloud run")
	_, err := r.Run(context.Background(), "launch --yes")
	var ro *ReadOnlyError
	if !errors.As(err, &ro) || *runs != 0 {
		t.Fatalf("err %v, runs %d; want a ReadOnlyError and no run", err, *runs)
	}
	if !strings.Contains(err.Error(), "profile prod is read-only (read_only: true), so it does not start a cloud run") {
		t.Errorf("error %q", err)
	}
}

func TestACommandThatAsksMustDeclareYes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("registering a command that asks without --yes did not panic")
		}
	}()
	NewRegistry().Add(&Command{Name: "launch", Asks: func(*Invocation) string { return "x" }})
}

func TestLastNamesTheRunStartedMostRecently(t *testing.T) {
	env := &Env{Config: &config.Loaded{Config: config.Config{DataDir: t.TempDir()}}}
	r := NewRegistry()
	var got string
	r.Add(&Command{Name: "show", Args: "[RUN_ID]", MaxArgs: 1, Flags: []Flag{LastFlag},
		Run: func(_ context.Context, in *Invocation) (*Result, error) {
			id, err := env.runArg(in, LastDAGRun)
			got = id
			return &Result{}, err
		}})
	if _, err := r.Run(context.Background(), "show --last"); err == nil || !strings.Contains(err.Error(), "no dag run has been started from") {
		t.Fatalf("--last before any run: %v", err)
	}
	for _, id := range []string{"manual__1", "manual__2"} {
		if err := env.rememberRun(LastDAGRun, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.rememberRun(LastJobRun, "17"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background(), "show --last"); err != nil || got != "manual__2" {
		t.Fatalf("--last: %q, %v; want manual__2", got, err)
	}
	if _, err := r.Run(context.Background(), "show run_7"); err != nil || got != "run_7" {
		t.Fatalf("RUN_ID: %q, %v", got, err)
	}
	for _, line := range []string{"show", "show run_7 --last"} {
		if _, err := r.Run(context.Background(), line); !IsUsage(err) {
			t.Errorf("%s: %v, want a usage error", line, err)
		}
	}
}
