package backend

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
)

// reattachPoll is how often a process whose owner has stopped looks for a new one in stack.json.
const reattachPoll = 250 * time.Millisecond

// retryWatch is how long a watcher waits after an owner that still runs did not answer.
const retryWatch = time.Second

// Owner says who runs the local stack a process works with. Backends keeps it up to date in
// memory, so asking for it costs nothing. In a cloud profile, which has no local stack, only
// DataDir is set.
type Owner struct {
	// Owned is true when this process runs the stack itself.
	Owned bool
	// PID is the process id of the stack's owner.
	PID int
	// Since is when the owner started serving the stack.
	Since time.Time
	// DataDir is the folder the stack keeps its state in.
	DataDir string
	// Alive is true while the owner serves the stack; always true for the owner itself.
	Alive bool
	// Err says, while the owner is gone, what happened and what to do; every call that needs the
	// owner fails with it until a new owner starts and this process reattaches.
	Err error
}

// OwnerStoppedError is the error of every call that needs the stack's owner after it stopped.
type OwnerStoppedError struct {
	// DataDir is the stack's data dir.
	DataDir string
	// PID is the process id of the owner that stopped.
	PID int
}

// Error says which owner stopped and how to get a stack again.
func (e *OwnerStoppedError) Error() string {
	return fmt.Sprintf("the pintui that owned %s (pid %d) has stopped: start pintui serve again, or quit and reopen the console to own the stack", e.DataDir, e.PID)
}

// Owner returns who runs the local stack, from memory.
func (b *Backends) Owner() Owner {
	if o := b.owner.Load(); o != nil {
		return *o
	}
	return Owner{DataDir: b.cfg.DataDir}
}

// noteOwner records the stack's current owner as alive.
func (b *Backends) noteOwner() {
	s := b.Stack
	b.owner.Store(&Owner{Owned: s.Owned(), PID: s.OwnerPID(), Since: s.Since(), DataDir: s.Endpoints().DataDir, Alive: true})
}

// loseOwner records that the owner has stopped.
func (b *Backends) loseOwner(err error) {
	o := b.Owner()
	if err == nil {
		err = &OwnerStoppedError{DataDir: o.DataDir, PID: o.PID}
	}
	o.Alive, o.Err = false, err
	b.owner.Store(&o)
}

// watchOwner follows the owner of an attached stack until ctx ends: a long poll on the control
// endpoint learns at once when the owner closes or dies, and then stack.json is read until a
// new owner has published it, to reattach to.
func (b *Backends) watchOwner(ctx context.Context) {
	defer close(b.watchDone)
	for ctx.Err() == nil {
		err := b.remote.watch(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			continue
		}
		if !errors.Is(err, errClosing) && b.Stack.OwnerAlive() {
			if !pause(ctx, retryWatch) {
				return
			}
			continue
		}
		b.loseOwner(nil)
		if !b.awaitOwner(ctx) {
			return
		}
	}
}

// awaitOwner waits for a new owner and reattaches to it; false means ctx ended first.
func (b *Backends) awaitOwner(ctx context.Context) bool {
	for pause(ctx, reattachPoll) {
		ok, err := b.Stack.Reattach()
		if err != nil {
			b.loseOwner(fmt.Errorf("the stack in %s has a new owner, but: %w", b.Stack.Endpoints().DataDir, err))
			continue
		}
		if ok {
			b.remote.transport.CloseIdleConnections()
			b.s3Transport.CloseIdleConnections()
			if b.kinesisTransport != nil {
				b.kinesisTransport.CloseIdleConnections()
			}
			b.noteOwner()
			return true
		}
	}
	return false
}

// pause waits d; false means ctx ended first.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// dialKafka connects an attached process to the Kafka of the stack's current owner, whatever
// broker address the client asks for: the stack has one broker, and a new owner may listen on
// another port.
func (b *Backends) dialKafka(ctx context.Context, network, _ string) (net.Conn, error) {
	if err := b.Owner().Err; err != nil {
		return nil, err
	}
	var d net.Dialer
	return d.DialContext(ctx, network, b.Stack.Endpoints().Kafka)
}

// dialS3 connects an attached process to the S3 of the stack's current owner.
func (b *Backends) dialS3(ctx context.Context, network, _ string) (net.Conn, error) {
	if err := b.Owner().Err; err != nil {
		return nil, err
	}
	u, err := url.Parse(b.Stack.Endpoints().S3)
	if err != nil {
		return nil, fmt.Errorf("the stack's S3 endpoint %q: %w", b.Stack.Endpoints().S3, err)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, u.Host)
}
