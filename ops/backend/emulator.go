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

// EmulatorState is what `emulate status` shows.
type EmulatorState struct {
	Running bool
	Options emulate.Options
	Stats   emulate.Stats
	Started time.Time
	// Err is why the last run stopped early, if it did.
	Err error
}

// StartEmulator starts the batch emulator posting to the gateway, reading the configured source.
// Only one emulator runs at a time.
func (b *Backends) StartEmulator(opts emulate.Options) error {
	if b.GatewayURL == "" {
		return errors.New("no gateway to post to: set gateway.invoke_url in the profile")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.emulator != nil && !b.emulator.finished() {
		return errors.New("the batch emulator is already running: `emulate stop` it first")
	}
	src, err := source.Open(context.Background(), b.cfg.SourceURL())
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
	e := &emulation{batch: batch, opts: opts, started: time.Now(), cancel: cancel, done: make(chan struct{})}
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

// StopEmulator stops the running emulator and waits for it; it reports whether one was running.
func (b *Backends) StopEmulator() bool {
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

// Emulator returns the state of the last emulator started, or false if none was.
func (b *Backends) Emulator() (EmulatorState, bool) {
	b.mu.Lock()
	e := b.emulator
	b.mu.Unlock()
	if e == nil {
		return EmulatorState{}, false
	}
	st := EmulatorState{Running: !e.finished(), Options: e.opts, Stats: e.batch.Stats(), Started: e.started}
	if !st.Running {
		st.Err = e.err
	}
	return st, true
}

// WaitEmulator waits until the last emulator started has finished, or ctx ends; it returns the
// emulator's state either way, and an error if none was started or ctx ended first.
func (b *Backends) WaitEmulator(ctx context.Context) (EmulatorState, error) {
	b.mu.Lock()
	e := b.emulator
	b.mu.Unlock()
	if e == nil {
		return EmulatorState{}, errors.New("no emulator has run: start one with `emulate batch`")
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		st, _ := b.Emulator()
		return st, ctx.Err()
	}
	st, _ := b.Emulator()
	return st, nil
}
