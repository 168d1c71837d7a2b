package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"sync"
	"time"
)

// runFile is a run as the workspace keeps it under jobs/runs/: the run, what it was asked with,
// and the outputs of its tasks by task run id.
type runFile struct {
	Run              jobRun                `json:"run"`
	IdempotencyToken string                `json:"idempotency_token,omitempty"`
	TimeoutSeconds   int                   `json:"timeout_seconds,omitempty"`
	Outputs          map[int64]*taskOutput `json:"outputs"`
	// canceled says runs/cancel stopped the run, so its tasks end CANCELED.
	canceled bool
}

// taskOutput is what runs/get-output reports of one task run.
type taskOutput struct {
	// Result is the value the notebook exited with.
	Result        string `json:"result,omitempty"`
	Error         string `json:"error,omitempty"`
	ErrorTrace    string `json:"error_trace,omitempty"`
	Logs          string `json:"logs,omitempty"`
	LogsTruncated bool   `json:"logs_truncated,omitempty"`
}

// ending is how a run or a task run ended, in the state and in the status object.
type ending struct {
	life, result, code, kind, message string
	userCancelled                     bool
}

var (
	succeeded   = ending{life: "TERMINATED", result: "SUCCESS", code: "SUCCESS", kind: "SUCCESS"}
	interrupted = ending{life: "INTERNAL_ERROR", result: "FAILED", code: "INTERNAL_ERROR", kind: "INTERNAL_ERROR",
		message: "the workspace stopped while it ran"}
	cancelled = ending{life: "TERMINATED", result: "CANCELED", code: "USER_CANCELED", kind: "SUCCESS",
		message: "Run cancelled.", userCancelled: true}
	upstreamFailed = ending{life: "SKIPPED", result: "UPSTREAM_FAILED", code: "SKIPPED", kind: "SUCCESS",
		message: "An upstream task did not succeed."}
)

func failed(message string) ending {
	return ending{life: "TERMINATED", result: "FAILED", code: "RUN_EXECUTION_ERROR", kind: "CLIENT_ERROR", message: message}
}

func (e ending) apply(st *runState, sts *runStatus) {
	*st = runState{LifeCycleState: e.life, ResultState: e.result, StateMessage: e.message, UserCancelledOrTimedout: e.userCancelled}
	*sts = runStatus{State: "TERMINATED", TerminationDetails: &terminationDetails{Code: e.code, Type: e.kind, Message: e.message}}
}

// endingOf reads an ending back from a state and status.
func endingOf(st runState, sts runStatus) ending {
	e := ending{life: st.LifeCycleState, result: st.ResultState, message: st.StateMessage, userCancelled: st.UserCancelledOrTimedout}
	if d := sts.TerminationDetails; d != nil {
		e.code, e.kind = d.Code, d.Type
	}
	return e
}

func setState(st *runState, sts *runStatus, life string) {
	*st, *sts = runState{LifeCycleState: life}, runStatus{State: life}
}

func millis(t time.Time) int64 { return t.UnixMilli() }

// endInterrupted ends a run an owner left running, and its tasks that had not ended.
func (f *runFile) endInterrupted(now time.Time) {
	end := millis(now)
	for i := range f.Run.Tasks {
		t := &f.Run.Tasks[i]
		if isTerminal(t.State.LifeCycleState) {
			continue
		}
		interrupted.apply(&t.State, &t.Status)
		t.EndTime = end
		if f.Outputs == nil {
			f.Outputs = map[int64]*taskOutput{}
		}
		f.Outputs[t.RunID] = &taskOutput{Error: interrupted.message}
	}
	interrupted.apply(&f.Run.State, &f.Run.Status)
	f.Run.EndTime = end
	f.Run.RunDuration = end - f.Run.StartTime
}

// startRun gives a new run and its tasks their ids, keeps it and starts executing it; a run
// asked for again with the same idempotency token is not started twice.
func (w *workspace) startRun(f *runFile) (int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if id, ok := w.tokens[f.IdempotencyToken]; ok && f.IdempotencyToken != "" {
		return id, nil
	}
	if w.closing {
		return 0, &apiError{http.StatusServiceUnavailable, "TEMPORARILY_UNAVAILABLE",
			"the local workspace is stopping: try again once the stack has a new owner"}
	}
	f.Run.RunID = w.nextID
	w.nextID++
	if f.Run.RunType == "JOB_RUN" {
		f.Run.NumberInJob = f.Run.RunID
	}
	f.Run.CreatorUserName, f.Run.StartTime = localUser, millis(w.now())
	setState(&f.Run.State, &f.Run.Status, "PENDING")
	for i := range f.Run.Tasks {
		t := &f.Run.Tasks[i]
		t.RunID = w.nextID
		w.nextID++
		setState(&t.State, &t.Status, "PENDING")
	}
	f.Outputs = map[int64]*taskOutput{}
	if err := w.store.saveRun(f); err != nil {
		return 0, err
	}
	w.addRun(f)
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if f.TimeoutSeconds > 0 {
		ctx, cancel = context.WithTimeout(ctx, time.Duration(f.TimeoutSeconds)*time.Second)
	}
	ctx, stop := context.WithCancel(ctx)
	w.active[f.Run.RunID] = func() { stop(); cancel() }
	w.wg.Add(1)
	go w.execute(ctx, f)
	return f.Run.RunID, nil
}

// save keeps the run's current state; a failure is logged, since the run goes on either way
// and the next save may succeed.
func (w *workspace) save(f *runFile) {
	if err := w.store.saveRun(f); err != nil {
		slog.Error("local workspace: keep run", "run", f.Run.RunID, "err", err)
	}
}

// execute runs the tasks of a run one after another, each after the tasks it depends on (the
// order submit gave them), and ends the run as its tasks ended.
func (w *workspace) execute(ctx context.Context, f *runFile) {
	defer w.wg.Done()
	w.mu.Lock()
	setState(&f.Run.State, &f.Run.Status, "RUNNING")
	w.save(f)
	n := len(f.Run.Tasks)
	w.mu.Unlock()
	notSucceeded := map[string]bool{}
	for i := range n {
		w.mu.Lock()
		t := f.Run.Tasks[i]
		upstream := false
		for _, d := range t.DependsOn {
			upstream = upstream || notSucceeded[d.TaskKey]
		}
		stopped := ctx.Err() != nil
		var stop ending
		if stopped {
			stop = w.stopEnding(ctx, f)
		}
		w.mu.Unlock()
		switch {
		case stopped:
			w.endTask(f, i, stop, &taskOutput{Error: stop.message})
			notSucceeded[t.TaskKey] = true
		case upstream:
			w.endTask(f, i, upstreamFailed, nil)
			notSucceeded[t.TaskKey] = true
		case !w.runTask(ctx, f, i):
			notSucceeded[t.TaskKey] = true
		}
	}
	w.finish(f)
}

// stopEnding says why a run's context ended: the workspace stopping, runs/cancel or the run's
// timeout. The caller holds w.mu.
func (w *workspace) stopEnding(ctx context.Context, f *runFile) ending {
	switch {
	case w.closing:
		return interrupted
	case f.canceled || !errors.Is(ctx.Err(), context.DeadlineExceeded):
		return cancelled
	}
	return ending{life: "TERMINATED", result: "TIMEDOUT", code: "RUN_EXECUTION_ERROR", kind: "CLIENT_ERROR",
		message: fmt.Sprintf("Run timed out after %d seconds.", f.TimeoutSeconds), userCancelled: true}
}

// runTask executes one task's notebook and reports whether it succeeded.
func (w *workspace) runTask(ctx context.Context, f *runFile, i int) bool {
	w.mu.Lock()
	t := &f.Run.Tasks[i]
	nb := t.NotebookTask.NotebookPath
	_, exists := w.notebooks[nb]
	t.StartTime = millis(w.now())
	setState(&t.State, &t.Status, "RUNNING")
	run := NotebookRun{RunID: t.RunID, Path: nb, Parameters: maps.Clone(t.NotebookTask.BaseParameters)}
	w.save(f)
	w.mu.Unlock()
	if run.Parameters == nil {
		run.Parameters = map[string]string{}
	}
	if !exists {
		e := ending{life: "INTERNAL_ERROR", result: "FAILED", code: "RESOURCE_NOT_FOUND", kind: "CLIENT_ERROR",
			message: fmt.Sprintf("notebook %s does not exist in the workspace: import it with pintui deploy", nb)}
		w.endTask(f, i, e, &taskOutput{Error: e.message})
		return false
	}
	logs := &runLog{}
	run.Log = logs
	result, err := w.run(ctx, run)
	out := &taskOutput{}
	out.Logs, out.LogsTruncated = logs.text()
	e := succeeded
	switch {
	case err != nil && ctx.Err() != nil:
		w.mu.Lock()
		e = w.stopEnding(ctx, f)
		w.mu.Unlock()
		out.Error = e.message
	case err != nil:
		e = failed(err.Error())
		out.Error = err.Error()
		out.ErrorTrace = fmt.Sprintf("notebook %s, task %s, run %d:\n%s", nb, f.Run.Tasks[i].TaskKey, run.RunID, err)
	default:
		out.Result = result
	}
	w.endTask(f, i, e, out)
	return e.result == "SUCCESS"
}

// endTask ends one task run and keeps its output.
func (w *workspace) endTask(f *runFile, i int, e ending, out *taskOutput) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := &f.Run.Tasks[i]
	t.EndTime = millis(w.now())
	if t.StartTime > 0 {
		t.ExecutionDuration = t.EndTime - t.StartTime
		t.RunDuration = t.ExecutionDuration
	}
	e.apply(&t.State, &t.Status)
	if out != nil {
		f.Outputs[t.RunID] = out
	}
	w.save(f)
}

// finish ends the run as its first task that did not succeed ended, or in SUCCESS.
func (w *workspace) finish(f *runFile) {
	w.mu.Lock()
	defer w.mu.Unlock()
	e := succeeded
	first := int64(0)
	for _, t := range f.Run.Tasks {
		if first == 0 && t.StartTime > 0 {
			first = t.StartTime
		}
		if e.result == "SUCCESS" && t.State.ResultState != "SUCCESS" && t.State.LifeCycleState != "SKIPPED" {
			e = endingOf(t.State, t.Status)
			e.message = fmt.Sprintf("task %s: %s", t.TaskKey, e.message)
		}
	}
	r := &f.Run
	r.EndTime = millis(w.now())
	r.RunDuration = r.EndTime - r.StartTime
	if first > 0 {
		r.SetupDuration, r.ExecutionDuration = first-r.StartTime, r.EndTime-first
	}
	e.apply(&r.State, &r.Status)
	delete(w.active, r.RunID)
	w.save(f)
}

// maxRunLog bounds the logs kept of one task run.
const maxRunLog = 1 << 20

// runLog keeps what a notebook run prints, up to maxRunLog bytes; the notebook may write from
// several goroutines.
type runLog struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	truncated bool
}

// Write keeps p, or what fits of it.
func (l *runLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	room := maxRunLog - l.buf.Len()
	if len(p) > room {
		l.buf.Write(p[:max(room, 0)])
		l.truncated = true
		return len(p), nil
	}
	return l.buf.Write(p)
}

func (l *runLog) text() (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String(), l.truncated
}
