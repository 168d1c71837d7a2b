package backend

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pintui/pintui/pipeline/emulate"
	"github.com/pintui/pintui/pipeline/source"
)

// emulation is one batch emulator running in the background.
type emulation struct {
	batch   *emulate.Batch
	opts    emulate.Options
	started time.Time
	cancel  context.CancelFunc
	done    chan struct{}
	err     error
}

// EmulatorState is what `emulate status` shows. It crosses processes as JSON (MarshalJSON), so an
// attached process sees the state of the emulator its stack's owner runs.
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

// errNoEmulator answers the calls that need an emulator when none has run.
var errNoEmulator = errors.New("no emulator has run: start one with `emulate batch`")

// StartEmulator starts the batch emulator posting to the gateway, reading the configured source.
// Only one emulator runs at a time; in a process attached to the local stack it runs in the
// stack's owner and outlives this process.
func (b *Backends) StartEmulator(opts emulate.Options) error {
	if b.remote != nil {
		return b.remote.start(opts, b.cfg.SourceURL())
	}
	return b.startEmulator(opts, b.cfg.SourceURL())
}

func (b *Backends) startEmulator(opts emulate.Options, sourceURL string) error {
	if b.GatewayURL == "" {
		return errors.New("no gateway to post to: set gateway.invoke_url in the profile")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.emulator != nil && !b.emulator.finished() {
		return errors.New("the batch emulator is already running: `emulate stop` it first")
	}
	src, err := source.Open(context.Background(), sourceURL)
	if err != nil {
		return err
	}
	opts.UID = b.cfg.UID
	batch, err := emulate.NewBatch(src, b.GatewayURL, opts)
	if err != nil {
		src.Close()
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &emulation{batch: batch, opts: opts, started: time.Now().UTC().Truncate(time.Millisecond), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		defer src.Close()
		if err := batch.Run(ctx); err != nil {
			e.err = fmt.Errorf("batch emulator stopped: %w", err)
		}
	}()
	b.emulator = e
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
	st := EmulatorState{Running: !e.finished(), Options: e.opts, Stats: e.batch.Stats(), Started: e.started}
	st.Options.Rate = e.batch.Rate()
	if !st.Running {
		st.Err = e.err
	}
	return st
}

// StopEmulator stops the running emulator and waits for it; it reports whether one was running.
func (b *Backends) StopEmulator() bool {
	if b.remote != nil {
		return b.remote.stop()
	}
	return b.stopEmulator()
}

func (b *Backends) stopEmulator() bool {
	b.mu.Lock()
	e := b.emulator
	b.mu.Unlock()
	if e == nil || e.finished() {
		return false
	}
	e.cancel()
	<-e.done
	return true
}

// Emulator returns the state of the last emulator started, or false if none was. When the
// stack's owner cannot be asked, the state is not running and Err says why.
func (b *Backends) Emulator() (EmulatorState, bool) {
	if b.remote != nil {
		return b.remote.emulator()
	}
	return b.localEmulator()
}

func (b *Backends) localEmulator() (EmulatorState, bool) {
	b.mu.Lock()
	e := b.emulator
	b.mu.Unlock()
	if e == nil {
		return EmulatorState{}, false
	}
	return e.state(), true
}

// WaitEmulator waits until the last emulator started has finished, or ctx ends; it returns the
// emulator's state either way, and an error if none was started or ctx ended first.
func (b *Backends) WaitEmulator(ctx context.Context) (EmulatorState, error) {
	if b.remote != nil {
		return b.remote.wait(ctx)
	}
	b.mu.Lock()
	e := b.emulator
	b.mu.Unlock()
	if e == nil {
		return EmulatorState{}, errNoEmulator
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return e.state(), ctx.Err()
	}
	return e.state(), nil
}

// SetEmulatorRate changes the draws per second of the running emulator without restarting it:
// its counters go on and the next draw is paced by the new rate (0 is as fast as possible). It
// fails when no emulator runs or the one running is --faithful.
func (b *Backends) SetEmulatorRate(rate float64) error {
	if b.remote != nil {
		return b.remote.setRate(rate)
	}
	b.mu.Lock()
	e := b.emulator
	b.mu.Unlock()
	if e == nil || e.finished() {
		return errors.New("no emulator is running: start one with `emulate batch --rate N`")
	}
	return e.batch.SetRate(rate)
}
