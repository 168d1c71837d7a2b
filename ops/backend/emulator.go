package backend

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pintui/pintui/pipeline/emulate"
	"github.com/pintui/pintui/pipeline/source"
)

// EmulatorKind names one of the two emulators, which run side by side: the batch one posting to
// the REST Proxy routes, the streaming one putting to the Kinesis proxy routes.
type EmulatorKind string

// The emulator kinds, as commands and the control endpoint name them.
const (
	BatchEmulator  EmulatorKind = "batch"
	StreamEmulator EmulatorKind = "stream"
)

// EmulatorKinds are both kinds, in the order `emulate status` shows them.
var EmulatorKinds = []EmulatorKind{BatchEmulator, StreamEmulator}

// ParseEmulatorKind reads a kind as a command or the control endpoint names it.
func ParseEmulatorKind(s string) (EmulatorKind, error) {
	if k := EmulatorKind(s); slices.Contains(EmulatorKinds, k) {
		return k, nil
	}
	return "", fmt.Errorf("%q is not an emulator: use batch or stream", s)
}

// index is the kind's place in EmulatorKinds and in Backends.emulators.
func (k EmulatorKind) index() int { return slices.Index(EmulatorKinds, k) }

// Name is how messages call the emulator of this kind: "batch emulator", "streaming emulator".
func (k EmulatorKind) Name() string {
	if k == StreamEmulator {
		return "streaming emulator"
	}
	return "batch emulator"
}

// command is the console command that starts an emulator of this kind.
func (k EmulatorKind) command() string { return "emulate " + string(k) }

// emulatorRun is what the owner needs of a running emulator of either kind.
type emulatorRun interface {
	Run(ctx context.Context) error
	Stats() emulate.Stats
	Rate() float64
	SetRate(rate float64) error
}

// emulation is one emulator running in the background.
type emulation struct {
	run     emulatorRun
	opts    emulate.Options
	started time.Time
	cancel  context.CancelFunc
	done    chan struct{}
	err     error
}

// EmulatorState is what `emulate status` shows of one emulator. It crosses processes as JSON
// (MarshalJSON), so an attached process sees the state of the emulator its stack's owner runs.
type EmulatorState struct {
	Running bool
	// Options are the emulator's options; Rate is the rate it paces by now, after any
	// SetEmulatorRate.
	Options emulate.Options
	Stats   emulate.Stats
	Started time.Time
	// Err is why the last run stopped early, if it did, or why the stack's owner could not be
	// asked.
	Err error
}

// notRun answers the calls that need an emulator of kind when none has run.
func notRun(kind EmulatorKind) error {
	return fmt.Errorf("no %s has run: start one with `%s`", kind.Name(), kind.command())
}

// StartEmulator starts the emulator of kind posting to the gateway, reading the configured
// source. One emulator of each kind runs at a time; in a process attached to the local stack it
// runs in the stack's owner and outlives this process.
func (b *Backends) StartEmulator(kind EmulatorKind, opts emulate.Options) error {
	if b.remote != nil {
		return b.remote.start(kind, opts, b.cfg.SourceURL())
	}
	return b.startEmulator(kind, opts, b.cfg.SourceURL())
}

func (b *Backends) startEmulator(kind EmulatorKind, opts emulate.Options, sourceURL string) error {
	if b.GatewayURL == "" {
		return errors.New("no gateway to post to: set gateway.invoke_url in the profile")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.emulators[kind.index()]; e != nil && !e.finished() {
		stop := "emulate stop"
		if kind != BatchEmulator {
			stop += " " + string(kind)
		}
		return fmt.Errorf("the %s is already running: `%s` it first", kind.Name(), stop)
	}
	src, err := source.Open(context.Background(), sourceURL)
	if err != nil {
		return err
	}
	opts.UID = b.cfg.UID
	var run emulatorRun
	if kind == StreamEmulator {
		run, err = emulate.NewStream(src, b.GatewayURL, opts)
	} else {
		run, err = emulate.NewBatch(src, b.GatewayURL, opts)
	}
	if err != nil {
		src.Close()
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &emulation{run: run, opts: opts, started: time.Now().UTC().Truncate(time.Millisecond), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		defer src.Close()
		if err := run.Run(ctx); err != nil {
			e.err = fmt.Errorf("%s stopped: %w", kind.Name(), err)
		}
	}()
	b.emulators[kind.index()] = e
	return nil
}

func (e *emulation) finished() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

func (e *emulation) state() EmulatorState {
	st := EmulatorState{Running: !e.finished(), Options: e.opts, Stats: e.run.Stats(), Started: e.started}
	st.Options.Rate = e.run.Rate()
	if !st.Running {
		st.Err = e.err
	}
	return st
}

// emulation returns the last emulator of kind started in this process, or nil.
func (b *Backends) emulation(kind EmulatorKind) *emulation {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.emulators[kind.index()]
}

// StopEmulator stops the running emulator of kind and waits for it; it reports whether one was
// running.
func (b *Backends) StopEmulator(kind EmulatorKind) bool {
	if b.remote != nil {
		return b.remote.stop(kind)
	}
	return b.stopEmulator(kind)
}

func (b *Backends) stopEmulator(kind EmulatorKind) bool {
	e := b.emulation(kind)
	if e == nil || e.finished() {
		return false
	}
	e.cancel()
	<-e.done
	return true
}

// Emulator returns the state of the last emulator of kind started, or false if none was. When
// the stack's owner cannot be asked, the state is not running and Err says why.
func (b *Backends) Emulator(kind EmulatorKind) (EmulatorState, bool) {
	if b.remote != nil {
		return b.remote.emulator(kind)
	}
	return b.localEmulator(kind)
}

func (b *Backends) localEmulator(kind EmulatorKind) (EmulatorState, bool) {
	e := b.emulation(kind)
	if e == nil {
		return EmulatorState{}, false
	}
	return e.state(), true
}

// WaitEmulator waits until the last emulator of kind started has finished, or ctx ends; it
// returns the emulator's state either way, and an error if none was started or ctx ended first.
func (b *Backends) WaitEmulator(ctx context.Context, kind EmulatorKind) (EmulatorState, error) {
	if b.remote != nil {
		return b.remote.wait(ctx, kind)
	}
	e := b.emulation(kind)
	if e == nil {
		return EmulatorState{}, notRun(kind)
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return e.state(), ctx.Err()
	}
	return e.state(), nil
}

// SetEmulatorRate changes the draws per second of the running emulator of kind without
// restarting it: its counters go on and the next draw is paced by the new rate (0 is as fast as
// possible). It fails when no emulator of kind runs or the one running is --faithful.
func (b *Backends) SetEmulatorRate(kind EmulatorKind, rate float64) error {
	if b.remote != nil {
		return b.remote.setRate(kind, rate)
	}
	e := b.emulation(kind)
	if e == nil || e.finished() {
		return fmt.Errorf("no %s is running: start one with `%s --rate N`", kind.Name(), kind.command())
	}
	return e.run.SetRate(rate)
}
