// The stream job's commands: its status, start and stop, all answering with one typed status,
// and `wait rows`, which waits for any lakehouse table to hold a number of rows.

package command

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/pipeline/analytics"
	"github.com/pintui/pintui/pipeline/batch"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/stream"
)

func (env *Env) streamJobCommands() []*Command {
	return []*Command{
		{Name: "stream status", Help: "Show the stream job's state and, per stream table, its last micro-batch, rows, rows/s, lag and quarantined records.", Run: env.streamStatus},
		{Name: "stream start", Help: "Start the stream job: read the three Kinesis streams from their checkpoint and append each micro-batch exactly once to the stream tables.", Run: env.streamStart},
		{Name: "stream stop", Help: "Stop the stream job; what it read but had not committed is read again by the next start.", Run: env.streamStop},
		{
			Name: "wait rows", Args: "TABLE >= N", MinArgs: 3, MaxArgs: 3,
			Help:  "Wait until a lakehouse table holds at least N rows.",
			Flags: []Flag{{Name: "timeout", Default: "60s", Help: "give up after this long"}},
			Run:   env.waitRows, Complete: env.completeTables,
		},
	}
}

// TextTable lists the stream tables with their progress.
func (s StreamJobStatus) TextTable() Table {
	t := Table{Columns: []string{"table", "micro_batch", "last_commit", "rows", "rows/s", "lag_ms", "quarantined"}}
	for _, ts := range s.Tables {
		lag := "-"
		if ts.LagMS != nil {
			lag = i64(*ts.LagMS)
		}
		batch := "-"
		if ts.MicroBatch >= 0 {
			batch = i64(ts.MicroBatch)
		}
		t.Rows = append(t.Rows, []string{ts.Table, batch, Cell(ts.LastCommit), i64(ts.Rows), strconv.FormatFloat(ts.Rate, 'f', 1, 64), lag, i64(ts.Quarantined)})
	}
	return t
}

// streamJobStatus turns the backend's state into the typed status; the tables of a job that
// has not run in this stack's owner show the rows their snapshots hold.
func (env *Env) streamJobStatus(ctx context.Context, st backend.StreamJobState) StreamJobStatus {
	out := StreamJobStatus{State: StreamJobNotStarted, TriggerMS: env.Config.StreamTrigger().Milliseconds(), Error: st.Err, Tables: []StreamTableStatus{}}
	if st.Ran {
		out.State, out.Started, out.TriggerMS = StreamJobStopped, At(st.Status.Started), st.Status.Trigger.Milliseconds()
		if st.Running {
			out.State = StreamJobRunning
		}
		if out.Error == "" {
			out.Error = st.Status.Err
		}
		for _, ts := range st.Status.Tables {
			row := StreamTableStatus{Table: ts.Table, Stream: ts.Stream, MicroBatch: ts.MicroBatch, LastCommit: At(ts.LastCommit),
				Rows: ts.Rows, Rate: ts.Rate, Quarantined: ts.Quarantined}
			if st.Running && ts.Reading {
				lag := ts.Lag.Milliseconds()
				row.LagMS = &lag
			}
			out.Tables = append(out.Tables, row)
		}
	} else {
		for _, t := range record.Tables {
			name := stream.TableName(env.Config.UID, t)
			row := StreamTableStatus{Table: name, Stream: stream.StreamName(env.Config.UID, t), MicroBatch: -1}
			if snap, err := delta.Open(env.lakehouse(), name).Snapshot(ctx); err == nil {
				row.Rows, _ = snap.NumRecords()
			}
			out.Tables = append(out.Tables, row)
		}
	}
	var rows, quarantined int64
	for _, ts := range out.Tables {
		rows, quarantined = rows+ts.Rows, quarantined+ts.Quarantined
	}
	switch out.State {
	case StreamJobNotStarted:
		out.Message = fmt.Sprintf("not started: %d rows in the stream tables; start the job with `stream start`", rows)
	default:
		out.Message = fmt.Sprintf("%s since %s, trigger %s: %d rows in the stream tables, %d records quarantined",
			out.State, out.Started.UTC().Format(TimeLayout), time.Duration(out.TriggerMS)*time.Millisecond, rows, quarantined)
	}
	if out.Error != "" {
		out.Message += "; error: " + out.Error
	}
	return out
}

func (env *Env) streamStatus(ctx context.Context, _ *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	st := env.streamJobStatus(ctx, b.StreamJob())
	return &Result{Data: st, Message: st.Message}, nil
}

func (env *Env) streamStart(ctx context.Context, _ *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	started, err := b.StartStreamJob()
	if err != nil {
		return nil, err
	}
	st := env.streamJobStatus(ctx, b.StreamJob())
	if !started {
		return &Result{Data: st, Message: "the stream job is already running: " + st.Message}, nil
	}
	return &Result{Data: st, Message: fmt.Sprintf("stream job started: reading %s into %s, a micro-batch every %s",
		strings.Join(stream.Streams(env.Config.UID), ", "), strings.Join(streamTables(env.Config.UID), ", "), time.Duration(st.TriggerMS)*time.Millisecond)}, nil
}

func (env *Env) streamStop(ctx context.Context, _ *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	stopped, err := b.StopStreamJob()
	if err != nil {
		return nil, err
	}
	st := env.streamJobStatus(ctx, b.StreamJob())
	if !stopped {
		return &Result{Data: st, Message: "the stream job is not running"}, nil
	}
	return &Result{Data: st, Message: "stream job stopped: " + st.Message}, nil
}

func streamTables(uid string) []string {
	names := make([]string, len(record.Tables))
	for i, t := range record.Tables {
		names[i] = stream.TableName(uid, t)
	}
	return names
}

// pipelineTable reports whether a job of the pipeline writes the table name, so waiting for it
// makes sense before it exists.
func pipelineTable(uid, name string) bool {
	for _, t := range record.Tables {
		if name == stream.TableName(uid, t) || name == batch.TableName(uid, t) {
			return true
		}
	}
	return slices.Contains(analytics.Names(), name)
}

func (env *Env) waitRows(ctx context.Context, in *Invocation) (*Result, error) {
	name := in.Args[0]
	if in.Args[1] != ">=" {
		return nil, usage(fmt.Errorf("write the condition as `wait rows TABLE >= N`, not %q", strings.Join(in.Args, " ")))
	}
	want, err := strconv.ParseInt(in.Args[2], 10, 64)
	if err != nil || want < 0 {
		return nil, usage(fmt.Errorf("%q is not a count of rows: give a whole number, 0 or more", in.Args[2]))
	}
	timeout, err := in.Duration("timeout")
	if err != nil {
		return nil, err
	}
	store := env.lakehouse()
	// One table for the whole wait, so each poll reads only the commits since the last.
	t := delta.Open(store, name)
	start := time.Now()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		var rows int64
		snap, err := t.Snapshot(ctx)
		switch {
		case errors.Is(err, delta.ErrNoTable) && !pipelineTable(env.Config.UID, name):
			roots, _ := delta.ListTables(ctx, store, "")
			if len(roots) == 0 {
				return nil, fmt.Errorf("no table %q: the lakehouse is empty and no job of the pipeline writes that table; check the name", name)
			}
			return nil, fmt.Errorf("no table %q: the tables are %s", name, strings.Join(roots, ", "))
		case errors.Is(err, delta.ErrNoTable):
		case err != nil:
			return nil, err
		default:
			rows, _ = snap.NumRecords()
		}
		if snap != nil && rows >= want {
			waited := time.Since(start)
			return &Result{Data: RowsWait{Table: name, Rows: rows, Target: want, WaitedMS: waited.Milliseconds()},
				Message: fmt.Sprintf("%s holds %d rows after %s", name, rows, waited.Round(time.Millisecond))}, nil
		}
		pause := time.NewTimer(50 * time.Millisecond)
		select {
		case <-ctx.Done():
			pause.Stop()
			return nil, ctx.Err()
		case <-deadline.C:
			pause.Stop()
			if snap == nil {
				return nil, fmt.Errorf("timed out after %s: table %s does not exist yet; check `stream status` and `emulate status`", timeout, name)
			}
			return nil, fmt.Errorf("timed out after %s with %d of %d rows in %s: check `stream status` and `emulate status`", timeout, rows, want, name)
		case <-pause.C:
		}
	}
}
