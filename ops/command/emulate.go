// The batch emulator's commands: start, stop, status and wait, all answering with one typed
// status of the emulator.

package command

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/pipeline/emulate"
)

// The emulator's states.
const (
	EmulatorRunning    = "running"
	EmulatorStopped    = "stopped"
	EmulatorNotStarted = "not started"
)

// EmulatorStatus is what the emulate commands return: the batch emulator's state, its
// configuration and its counters.
type EmulatorStatus struct {
	// State is running, stopped or not started.
	State string `json:"state"`
	// Draws is how many rows were drawn and posted (three records each); Count is the --count it
	// was started with, 0 for until stopped.
	Draws int64 `json:"draws"`
	Count int64 `json:"count"`
	// ConfiguredRate is the draws per second it was asked for, 0 for as fast as the gateway takes
	// them; Faithful paces like the original instead.
	ConfiguredRate float64 `json:"configured_rate"`
	Faithful       bool    `json:"faithful"`
	Workers        int     `json:"workers"`
	Seed           int64   `json:"seed"`
	// MeasuredRate is the draws per second over the last second; null unless it runs.
	MeasuredRate *float64       `json:"measured_rate"`
	Sent         int64          `json:"sent"`
	Failed       int64          `json:"failed"`
	Tables       []EmulatorPost `json:"tables"`
	Started      Time           `json:"started"`
	// LastError is the last post that failed for good; Stopped says why a run ended early.
	LastError string `json:"last_error"`
	Stopped   string `json:"stopped_reason"`
	// Message is the status in a sentence, as the table shows it under the counters.
	Message string `json:"message"`
}

// EmulatorPost counts the posts of one table.
type EmulatorPost struct {
	Table  string `json:"table"`
	Sent   int64  `json:"sent"`
	Failed int64  `json:"failed"`
}

// Running reports whether the emulator runs.
func (s EmulatorStatus) Running() bool { return s.State == EmulatorRunning }

// TextTable lists the posts per table.
func (s EmulatorStatus) TextTable() Table {
	t := Table{Columns: []string{"table", "sent", "failed"}}
	for _, p := range s.Tables {
		t.Rows = append(t.Rows, []string{p.Table, i64(p.Sent), i64(p.Failed)})
	}
	return t
}

// emulatorStatus turns the backend's state into the typed status.
func emulatorStatus(st backend.EmulatorState, ok bool) EmulatorStatus {
	out := EmulatorStatus{State: EmulatorNotStarted, Tables: []EmulatorPost{}}
	if !ok {
		out.Message = "not started: no emulator has run; start one with `emulate batch`"
		return out
	}
	o := st.Options
	out.State = EmulatorStopped
	if st.Running {
		out.State = EmulatorRunning
	}
	out.Draws, out.Count, out.ConfiguredRate, out.Faithful, out.Workers, out.Seed = st.Stats.Iterations, o.Count, o.Rate, o.Faithful, max(o.Workers, 1), o.Seed
	out.Sent, out.Failed, out.Started, out.LastError = st.Stats.Sent(), st.Stats.Failed(), At(st.Started), st.Stats.LastError
	for _, t := range st.Stats.Tables {
		out.Tables = append(out.Tables, EmulatorPost{Table: string(t.Table), Sent: t.Sent, Failed: t.Failed})
	}
	if st.Err != nil {
		out.Stopped = st.Err.Error()
	}
	msg := fmt.Sprintf("%s: %d draws", out.State, out.Draws)
	if out.Count > 0 {
		msg += fmt.Sprintf(" of %d", out.Count)
	}
	if st.Running {
		measured := st.Stats.Rate() / 3
		out.MeasuredRate = &measured
		msg += fmt.Sprintf("; %s, measured %s draws/s", out.Pace(), strconv.FormatFloat(measured, 'f', 1, 64))
	}
	if out.LastError != "" {
		msg += "; last error: " + out.LastError
	}
	if out.Stopped != "" {
		msg += "; " + out.Stopped
	}
	out.Message = msg
	return out
}

// Pace says how the emulator is paced, e.g. "configured 20 draws/s".
func (s EmulatorStatus) Pace() string {
	var p string
	switch {
	case s.Faithful:
		p = "paced like the original (0–1 s pauses)"
	case s.ConfiguredRate == 0:
		p = "configured as fast as the gateway takes them"
	default:
		p = "configured " + strconv.FormatFloat(s.ConfiguredRate, 'f', -1, 64) + " draws/s"
	}
	if s.Workers > 1 {
		p += fmt.Sprintf(", %d at once", s.Workers)
	}
	return p
}

func (env *Env) emulateBatch(_ context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	count, err := in.Int("count")
	if err != nil || count < 0 {
		return nil, fmt.Errorf("--count %q is not valid: use 0 (until stopped) or more", in.Flag("count"))
	}
	rate, err := parseRate(in.Flag("rate"))
	if err != nil {
		return nil, err
	}
	seed, err := strconv.ParseInt(in.Flag("seed"), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("--seed %q is not a whole number", in.Flag("seed"))
	}
	workers, err := in.Int("workers")
	if err != nil || workers < 1 {
		return nil, fmt.Errorf("--workers %q is not valid: use 1 (draws land in order) or more", in.Flag("workers"))
	}
	opts := emulate.Options{Count: int64(count), Rate: rate, Faithful: in.Flag("faithful") == "true", Seed: seed, Workers: workers}
	if err := b.StartEmulator(opts); err != nil {
		return nil, err
	}
	what := "until `emulate stop`"
	if count > 0 {
		what = fmt.Sprintf("%d draws (%d records)", count, 3*count)
	}
	st := emulatorStatus(b.Emulator())
	return &Result{Data: st, Message: fmt.Sprintf("batch emulator started: %s, %s, posting to %s", what, st.Pace(), b.GatewayURL)}, nil
}

// parseRate reads a --rate in draws per second.
func parseRate(s string) (float64, error) {
	rate, err := strconv.ParseFloat(s, 64)
	if err != nil || rate < 0 {
		return 0, fmt.Errorf("--rate %q is not valid: use draws per second, 0 for as fast as possible", s)
	}
	return rate, nil
}

func (env *Env) emulateStop(context.Context, *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	stopped := b.StopEmulator()
	st := emulatorStatus(b.Emulator())
	if !stopped {
		return &Result{Data: st, Message: "no emulator is running"}, nil
	}
	return &Result{Data: st, Message: fmt.Sprintf("batch emulator stopped after %d draws", st.Draws)}, nil
}

func (env *Env) emulateRate(_ context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	rate, err := strconv.ParseFloat(in.Args[0], 64)
	if err != nil || rate <= 0 {
		return nil, fmt.Errorf("%q is not a rate: give draws per second above 0, such as 20", in.Args[0])
	}
	if err := b.SetEmulatorRate(rate); err != nil {
		return nil, err
	}
	st := emulatorStatus(b.Emulator())
	return &Result{Data: st, Message: fmt.Sprintf("batch emulator re-paced: %s", st.Pace())}, nil
}

func (env *Env) emulateStatus(context.Context, *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	st := emulatorStatus(b.Emulator())
	return &Result{Data: st, Message: st.Message}, nil
}

func (env *Env) waitEmulator(ctx context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	timeout, err := in.Duration("timeout")
	if err != nil {
		return nil, err
	}
	st, ok := b.Emulator()
	if !ok {
		return nil, errors.New("no emulator has run: start one with `emulate batch --count N`")
	}
	if st.Running && st.Options.Count == 0 {
		return nil, errors.New("the emulator runs until stopped (no --count): use `emulate stop`")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	st, err = b.WaitEmulator(ctx)
	if err != nil {
		return nil, fmt.Errorf("timed out after %s with %d draws posted: check `emulate status`", timeout, st.Stats.Iterations)
	}
	if st.Err != nil {
		return nil, st.Err
	}
	out := emulatorStatus(st, true)
	return &Result{Data: out, Message: fmt.Sprintf("emulator done: %d draws, %d records sent, %d failed", out.Draws, out.Sent, out.Failed)}, nil
}
