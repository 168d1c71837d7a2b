// The emulators' commands: start (batch or stream), stop, rate, status and wait, all answering
// with the typed status of an emulator, or of both.

package command

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/pipeline/emulate"
)

// The emulator's states.
const (
	EmulatorRunning    = "running"
	EmulatorStopped    = "stopped"
	EmulatorNotStarted = "not started"
)

// EmulatorStatus is what the emulate commands return: one emulator's state, its configuration
// and its counters.
type EmulatorStatus struct {
	// Kind is the emulator: batch (REST Proxy → Kafka) or stream (Kinesis proxy → Kinesis).
	Kind string `json:"kind"`
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

// EmulatorStatuses is what `emulate status` returns without a kind: both emulators, batch first.
type EmulatorStatuses []EmulatorStatus

// TextTable lists each emulator's posts per table.
func (s EmulatorStatuses) TextTable() Table {
	t := Table{Columns: []string{"emulator", "state", "table", "sent", "failed"}}
	for _, e := range s {
		for _, p := range e.Tables {
			t.Rows = append(t.Rows, []string{e.Kind, e.State, p.Table, i64(p.Sent), i64(p.Failed)})
		}
		if len(e.Tables) == 0 {
			t.Rows = append(t.Rows, []string{e.Kind, e.State, "", "", ""})
		}
	}
	return t
}

// statusOf asks the backends for the emulator of kind.
func statusOf(b *backend.Backends, kind backend.EmulatorKind) EmulatorStatus {
	st, ok := b.Emulator(kind)
	return emulatorStatus(kind, st, ok)
}

// emulatorStatus turns the backend's state of the emulator of kind into the typed status.
func emulatorStatus(kind backend.EmulatorKind, st backend.EmulatorState, ok bool) EmulatorStatus {
	out := EmulatorStatus{Kind: string(kind), State: EmulatorNotStarted, Tables: []EmulatorPost{}}
	if !ok {
		out.Message = fmt.Sprintf("not started: no %s has run; start one with `emulate %s`", kind.Name(), kind)
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

// emulateFlags are the flags both start commands take; stop is the command that stops the one
// started.
func emulateFlags(stop string) []Flag {
	return []Flag{
		{Name: "count", Default: "0", Help: "draws to post (three records each); 0 runs until `" + stop + "`"},
		{Name: "rate", Default: "10", Help: "draws per second; 0 posts as fast as the gateway takes them"},
		{Name: "faithful", Bool: true, Help: "pace like the original emulator: sleep 0 or 1 s at random per draw"},
		{Name: "workers", Default: "1", Help: "draws posted at once; more than 1 is faster but lands the draws out of order"},
		{Name: "seed", Default: strconv.Itoa(emulate.DefaultSeed), Help: "seed of the draws (100 replays the original: 7528, 2863, …)"},
	}
}

// completeKinds offers the emulator kinds that start with what was typed.
func completeKinds(_ context.Context, typed string) ([]string, error) {
	var kinds []string
	for _, k := range backend.EmulatorKinds {
		if strings.HasPrefix(string(k), typed) {
			kinds = append(kinds, string(k))
		}
	}
	return kinds, nil
}

func (env *Env) emulateBatch(ctx context.Context, in *Invocation) (*Result, error) {
	return env.emulateStart(ctx, in, backend.BatchEmulator)
}

func (env *Env) emulateStream(ctx context.Context, in *Invocation) (*Result, error) {
	return env.emulateStart(ctx, in, backend.StreamEmulator)
}

// emulateStart starts the emulator of kind with the flags both start commands take.
func (env *Env) emulateStart(_ context.Context, in *Invocation, kind backend.EmulatorKind) (*Result, error) {
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
	if err := b.StartEmulator(kind, opts); err != nil {
		return nil, err
	}
	what := "until `" + stopLine(kind) + "`"
	if count > 0 {
		what = fmt.Sprintf("%d draws (%d records)", count, 3*count)
	}
	st := statusOf(b, kind)
	return &Result{Data: st, Message: fmt.Sprintf("%s started: %s, %s, posting to %s", kind.Name(), what, st.Pace(), b.GatewayURL)}, nil
}

// stopLine is the command that stops the emulator of kind.
func stopLine(kind backend.EmulatorKind) string {
	if kind == backend.BatchEmulator {
		return "emulate stop"
	}
	return "emulate stop " + string(kind)
}

// emulatorKind reads the optional batch|stream argument at position i; without it the command
// is about the batch emulator, as it was before there were two.
func emulatorKind(in *Invocation, i int) (backend.EmulatorKind, error) {
	if len(in.Args) <= i {
		return backend.BatchEmulator, nil
	}
	kind, err := backend.ParseEmulatorKind(in.Args[i])
	if err != nil {
		return "", usage(err)
	}
	return kind, nil
}

// parseRate reads a --rate in draws per second.
func parseRate(s string) (float64, error) {
	rate, err := strconv.ParseFloat(s, 64)
	if err != nil || rate < 0 {
		return 0, fmt.Errorf("--rate %q is not valid: use draws per second, 0 for as fast as possible", s)
	}
	return rate, nil
}

func (env *Env) emulateStop(_ context.Context, in *Invocation) (*Result, error) {
	kind, err := emulatorKind(in, 0)
	if err != nil {
		return nil, err
	}
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	stopped := b.StopEmulator(kind)
	st := statusOf(b, kind)
	if !stopped {
		return &Result{Data: st, Message: fmt.Sprintf("the %s is not running", kind.Name())}, nil
	}
	return &Result{Data: st, Message: fmt.Sprintf("%s stopped after %d draws", kind.Name(), st.Draws)}, nil
}

func (env *Env) emulateRate(_ context.Context, in *Invocation) (*Result, error) {
	kind, err := backend.BatchEmulator, error(nil)
	if len(in.Args) == 2 {
		if kind, err = emulatorKind(in, 0); err != nil {
			return nil, err
		}
	}
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	arg := in.Args[len(in.Args)-1]
	if _, err := backend.ParseEmulatorKind(arg); err == nil {
		return nil, usage(fmt.Errorf("no rate for the %s emulator: give the draws per second after it, e.g. `emulate rate %s 20`", arg, arg))
	}
	rate, err := strconv.ParseFloat(arg, 64)
	if err != nil || rate <= 0 {
		return nil, fmt.Errorf("%q is not a rate: give draws per second above 0, such as 20", arg)
	}
	if err := b.SetEmulatorRate(kind, rate); err != nil {
		return nil, err
	}
	st := statusOf(b, kind)
	return &Result{Data: st, Message: fmt.Sprintf("%s re-paced: %s", kind.Name(), st.Pace())}, nil
}

func (env *Env) emulateStatus(_ context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	if len(in.Args) == 1 {
		kind, err := emulatorKind(in, 0)
		if err != nil {
			return nil, err
		}
		st := statusOf(b, kind)
		return &Result{Data: st, Message: st.Message}, nil
	}
	all := EmulatorStatuses{}
	var lines []string
	for _, kind := range backend.EmulatorKinds {
		st := statusOf(b, kind)
		all = append(all, st)
		lines = append(lines, st.Kind+": "+st.Message)
	}
	return &Result{Data: all, Message: strings.Join(lines, "\n")}, nil
}

func (env *Env) waitEmulator(ctx context.Context, in *Invocation) (*Result, error) {
	kind, err := emulatorKind(in, 0)
	if err != nil {
		return nil, err
	}
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	timeout, err := in.Duration("timeout")
	if err != nil {
		return nil, err
	}
	st, ok := b.Emulator(kind)
	if !ok {
		return nil, fmt.Errorf("no %s has run: start one with `emulate %s --count N`", kind.Name(), kind)
	}
	if st.Running && st.Options.Count == 0 {
		return nil, fmt.Errorf("the %s runs until stopped (no --count): use `%s`", kind.Name(), stopLine(kind))
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	st, err = b.WaitEmulator(ctx, kind)
	if err != nil {
		status := "emulate status"
		if kind != backend.BatchEmulator {
			status += " " + string(kind)
		}
		return nil, fmt.Errorf("timed out after %s with %d draws posted: check `%s`", timeout, st.Stats.Iterations, status)
	}
	if st.Err != nil {
		return nil, st.Err
	}
	out := emulatorStatus(kind, st, true)
	return &Result{Data: out, Message: fmt.Sprintf("%s done: %d draws, %d records sent, %d failed", kind.Name(), out.Draws, out.Sent, out.Failed)}, nil
}
