package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/source"
)

// Component is one row of `status`: a part of the pipeline, its state and a counter of the
// records that went through it, from which the console draws rates.
type Component struct {
	Component string `json:"component"`
	// State is ready, running, empty, down or not started.
	State  string `json:"state"`
	Detail string `json:"detail"`
	// Count is a monotonic counter of records through the component, from which the console
	// draws rates; null for a component that counts nothing.
	Count *int64 `json:"count"`
}

// counted returns a counter for Component.Count.
func counted(n int64) *int64 { return &n }

// The component states.
const (
	StateReady      = "ready"
	StateRunning    = "running"
	StateEmpty      = "empty"
	StateDown       = "down"
	StateNotStarted = "not started"
)

func (env *Env) statusCommand() *Command {
	return &Command{
		Name: "status",
		Help: "Show each component of the pipeline with its state, detail and record counter.",
		Run: func(ctx context.Context, _ *Invocation) (*Result, error) {
			comps := []Component{env.sourceStatus(ctx), env.stackStatus()}
			comps = append(comps, env.pipelineStatus(ctx)...)
			comps = append(comps, env.lakehouseStatus(ctx))
			return &Result{Data: comps}, nil
		},
	}
}

// sourceCache keeps the source's status while its SQLite file is unchanged: counting its rows reads
// the whole table, and the console asks `status` every second. A MySQL source is asked again
// after sourceRecount.
type sourceCache struct {
	mu    sync.Mutex
	key   string
	until time.Time
	comp  Component
}

// sourceRecount is how long the status of a source with no file to watch is kept.
const sourceRecount = 10 * time.Second

// sourceKey names a state of the source: a SQLite file's size and modification time; for MySQL,
// the URL alone, which the time bound then ages.
func sourceKey(target string) (key string, watched bool) {
	if source.IsMySQLURL(target) {
		return target, false
	}
	fi, err := os.Stat(target)
	if err != nil {
		return "", false
	}
	key = fmt.Sprintf("%s %d %d", target, fi.Size(), fi.ModTime().UnixNano())
	if wal, err := os.Stat(target + "-wal"); err == nil {
		key += fmt.Sprintf(" %d %d", wal.Size(), wal.ModTime().UnixNano())
	}
	return key, true
}

func (env *Env) sourceStatus(ctx context.Context) Component {
	target := env.Config.SourceURL()
	key, watched := sourceKey(target)
	c := &env.source
	c.mu.Lock()
	defer c.mu.Unlock()
	if key != "" && key == c.key && (watched || time.Now().Before(c.until)) {
		return c.comp
	}
	comp := env.countSource(ctx)
	c.key, c.until, c.comp = key, time.Now().Add(sourceRecount), comp
	if comp.State == StateDown {
		c.key = "" // a failure is asked again at the next poll
	}
	return comp
}

// countSource opens the source and counts its rows.
func (env *Env) countSource(ctx context.Context) Component {
	c := Component{Component: "source"}
	src, err := source.Open(ctx, env.Config.SourceURL())
	if errors.Is(err, source.ErrNotSeeded) {
		c.State, c.Detail = StateEmpty, "not seeded yet: run `seed`"
		return c
	}
	if err != nil {
		c.State, c.Detail = StateDown, err.Error()
		return c
	}
	defer src.Close()
	n, err := src.Count(ctx)
	switch {
	case err != nil:
		c.State, c.Detail = StateDown, err.Error()
	case n == 0:
		c.State, c.Detail = StateEmpty, "no rows in "+src.Name()+": run `seed`"
	default:
		c.State, c.Detail, c.Count = StateReady, fmt.Sprintf("%d rows in %s", n, src.Name()), counted(n)
	}
	return c
}

func (env *Env) lakehouseStatus(ctx context.Context) Component {
	c := Component{Component: "lakehouse"}
	store := env.lakehouse()
	roots, err := delta.ListTables(ctx, store, "")
	if err != nil {
		c.State, c.Detail = StateDown, err.Error()
		return c
	}
	if len(roots) == 0 {
		c.State, c.Detail = StateEmpty, "no tables: run `batch run`"
		return c
	}
	var rows int64
	for _, root := range roots {
		if snap, err := delta.Open(store, root).Snapshot(ctx); err == nil {
			n, _ := snap.NumRecords()
			rows += n
		}
	}
	c.State, c.Detail, c.Count = StateReady, fmt.Sprintf("%d tables in %s", len(roots), env.Config.LakehouseDir()), counted(rows)
	return c
}

// stackStatus says who runs the local stack and its running work: this process, or the pintui
// it is attached to, and whether that owner still runs.
func (env *Env) stackStatus() Component {
	c := Component{Component: "stack"}
	b := env.Backends
	switch {
	case b == nil:
		c.State, c.Detail = StateNotStarted, "starts with the console, pintui --script or pintui serve"
		return c
	case b.Stack == nil:
		c.State, c.Detail = StateReady, "cloud profile: no local stack"
		return c
	}
	o := b.Owner()
	since := o.Since.UTC().Format("2006-01-02 15:04:05 UTC")
	switch {
	case o.Err != nil:
		c.State, c.Detail = StateDown, o.Err.Error()
	case o.Owned:
		c.State, c.Detail = StateRunning, fmt.Sprintf("owned by this process (pid %d) since %s", o.PID, since)
	default:
		c.State, c.Detail = StateReady, fmt.Sprintf("attached to pintui pid %d, owner since %s", o.PID, since)
	}
	return c
}

// pipelineStatus reports the running components for `status` from one snapshot of Kafka and the
// sink: the end offsets and the sink's landed offsets are read together, so landed never passes
// the records in Kafka and no lag is negative. The bucket is not listed: the landed count comes
// from the sink's committed offsets and its running tallies, so `status` costs the same with a
// million landings as with ten.
func (env *Env) pipelineStatus(ctx context.Context) []Component {
	names := []string{"emulator", "gateway", "kafka", "sink", "s3"}
	b := env.Backends
	if b != nil && b.Owner().Err != nil {
		out := make([]Component, len(names))
		for i, n := range names {
			out[i] = Component{Component: n, State: StateDown, Detail: "the stack's owner has stopped"}
		}
		return out
	}
	if b == nil {
		out := make([]Component, len(names))
		for i, n := range names {
			out[i] = Component{Component: n, State: StateNotStarted, Detail: "starts with the console or pintui --script"}
		}
		return out
	}
	emu := emulatorComponent(b)
	gw := Component{Component: "gateway", State: StateReady, Detail: b.GatewayURL}
	if b.GatewayURL == "" {
		gw.State, gw.Detail = StateNotStarted, "no gateway: set gateway.invoke_url in the profile"
	}
	kc := Component{Component: "kafka"}
	sk := Component{Component: "sink"}
	s3c := Component{Component: "s3"}
	st, err := env.sinkProgress(ctx, b, false)
	if err != nil {
		kc.State, kc.Detail = StateDown, err.Error()
		sk.State, sk.Detail = StateDown, "kafka is down"
		gw.State, gw.Detail = StateDown, "kafka is down: "+err.Error()
		s3c.State, s3c.Detail = StateDown, "kafka is down, so what landed is not known"
		return []Component{emu, gw, kc, sk, s3c}
	}
	end, done := st.totals()
	kc.State, kc.Count = StateReady, counted(end)
	kc.Detail = fmt.Sprintf("%d records in %d topics at %s", end, len(b.Topics()), strings.Join(b.Brokers, ","))
	gw.Count = counted(end)
	if b.ManagedSink() {
		sk, s3c = env.connectorComponents(ctx, b)
		return []Component{emu, gw, kc, sk, s3c}
	}
	sk.State, sk.Count = StateReady, counted(done)
	sk.Detail = fmt.Sprintf("%d landed, lag %d", done, end-done)
	switch {
	case st.Stopped:
		sk.State = StateDown
	case st.InProcess:
		sk.State = StateRunning
	}
	if st.Error != "" {
		sk.Detail += "; " + st.Error
	}
	s3c.State, s3c.Count = StateReady, counted(done)
	s3c.Detail = fmt.Sprintf("%d records landed in s3://%s", done, b.Bucket)
	if done == 0 {
		s3c.State = StateEmpty
	}
	return []Component{emu, gw, kc, sk, s3c}
}

// emulatorComponent is both emulators as one component: running while either runs, counting
// the records both have sent; the streaming emulator's detail follows the batch one's.
func emulatorComponent(b *backend.Backends) Component {
	emu := Component{Component: "emulator", State: StateNotStarted, Detail: "start it with `emulate batch` or `emulate stream`"}
	var sent int64
	var details []string
	for _, kind := range backend.EmulatorKinds {
		es := statusOf(b, kind)
		if es.State == EmulatorNotStarted {
			continue
		}
		sent += es.Sent
		emu.Count = counted(sent)
		detail := fmt.Sprintf("stopped after %d draws", es.Draws)
		switch {
		case es.Running():
			emu.State, detail = StateRunning, fmt.Sprintf("%d draws, %s, measured %.1f draws/s", es.Draws, es.Pace(), *es.MeasuredRate)
		case emu.State != StateRunning:
			emu.State = StateReady
		}
		if kind != backend.BatchEmulator {
			detail = string(kind) + ": " + detail
		}
		details = append(details, detail)
	}
	if len(details) > 0 {
		emu.Detail = strings.Join(details, "; ")
	}
	return emu
}
