package backend

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/stream"
)

// streamJobRun is the stream job running in the background.
type streamJobRun struct {
	job    *stream.Job
	cancel context.CancelFunc
	done   chan struct{}
}

func (r *streamJobRun) finished() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// StreamJobState is what `stream status` shows. It crosses processes as JSON, so an attached
// process sees the job its stack's owner runs.
type StreamJobState struct {
	// Ran is false while the job has not been started by this stack's owner.
	Ran     bool
	Running bool
	Status  stream.Status
	// Err is why the job could not start, or why the stack's owner could not be asked.
	Err string
}

// errNoKinesis answers a start where nothing reads Kinesis.
var errNoKinesis = errors.New("no Kinesis to read the streams from: in a cloud profile set stream.in_cloud: true to run the stream job here")

// StartStreamJob starts the stream job, reading the three streams into the stream tables; it
// reports false when the job was already running. In a process attached to the local stack it
// runs in the stack's owner and outlives this process.
func (b *Backends) StartStreamJob() (bool, error) {
	if b.remote != nil {
		return b.remote.startStreamJob()
	}
	return b.startStreamJob()
}

func (b *Backends) startStreamJob() (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.streamJob != nil && !b.streamJob.finished() {
		return false, nil
	}
	if b.streamReader == nil {
		b.streamJobErr = errNoKinesis.Error()
		return false, errNoKinesis
	}
	job, err := stream.New(b.cfg.UID, b.streamReader, b.streamLakehouse(), stream.Trigger(b.cfg.StreamTrigger()),
		stream.ReadInterval(b.streamReadInterval()))
	if err != nil {
		b.streamJobErr = err.Error()
		return false, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &streamJobRun{job: job, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(run.done)
		_ = job.Run(ctx)
	}()
	b.streamJob, b.streamJobErr = run, ""
	return true, nil
}

// streamLakehouse is where the stream job keeps its tables: the local lakehouse, or in a cloud
// profile the bucket's lakehouse/ folder.
func (b *Backends) streamLakehouse() objstore.Store {
	if b.cfg.IsLocal() {
		return objstore.NewDir(b.cfg.LakehouseDir())
	}
	return b.S3.Store(b.Bucket, "lakehouse/")
}

// runsStreamJob reports whether the stream job runs in this process: the local stack's owner,
// or a cloud profile with stream.in_cloud.
func (b *Backends) runsStreamJob() bool {
	return b.Owned() || (!b.cfg.IsLocal() && b.cfg.Stream.InCloud)
}

// openStreamJob has the process that runs the stream job read Backends.Kinesis, and starts the
// job when stream.autostart asks for it; a failure to start shows in `stream status` rather than
// stopping the stack.
func (b *Backends) openStreamJob() {
	if !b.runsStreamJob() || b.Kinesis == nil {
		return
	}
	b.mu.Lock()
	b.streamReader = b.Kinesis
	b.mu.Unlock()
	if !b.cfg.Stream.Autostart {
		return
	}
	if _, err := b.startStreamJob(); err != nil {
		slog.Error("stream job did not start", "err", err)
	}
}

// StopStreamJob stops the stream job and waits for it; it reports whether it was running. What
// it read but had not committed is read again by the next start.
func (b *Backends) StopStreamJob() (bool, error) {
	if b.remote != nil {
		return b.remote.stopStreamJob()
	}
	return b.stopStreamJob(), nil
}

func (b *Backends) stopStreamJob() bool {
	b.mu.Lock()
	run := b.streamJob
	b.mu.Unlock()
	if run == nil || run.finished() {
		return false
	}
	run.cancel()
	<-run.done
	return true
}

// StreamJob returns the stream job's state. When the stack's owner cannot be asked, the state
// is not running and Err says why.
func (b *Backends) StreamJob() StreamJobState {
	if b.remote != nil {
		return b.remote.streamJob()
	}
	return b.localStreamJob()
}

func (b *Backends) localStreamJob() StreamJobState {
	b.mu.Lock()
	run, errText := b.streamJob, b.streamJobErr
	b.mu.Unlock()
	st := StreamJobState{Err: errText}
	if run != nil {
		st.Ran, st.Running, st.Status = true, !run.finished(), run.job.Status()
	}
	return st
}

// The control endpoint's stream-job messages.
type (
	// streamJobJSON answers GET /v1/stream.
	streamJobJSON struct {
		State StreamJobState `json:"state"`
	}
	// streamStartJSON answers POST /v1/stream/start.
	streamStartJSON struct {
		Started bool `json:"started"`
	}
	// streamStopJSON answers POST /v1/stream/stop.
	streamStopJSON struct {
		Stopped bool `json:"stopped"`
	}
)

// streamJobRoutes serves the stream job of the owner to the processes attached to its stack.
func (b *Backends) streamJobRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/stream", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, streamJobJSON{State: b.localStreamJob()})
	})
	mux.HandleFunc("POST /v1/stream/start", func(w http.ResponseWriter, _ *http.Request) {
		started, err := b.startStreamJob()
		if err != nil {
			reply(w, http.StatusConflict, errorJSON{err.Error()})
			return
		}
		reply(w, http.StatusOK, streamStartJSON{Started: started})
	})
	mux.HandleFunc("POST /v1/stream/stop", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, streamStopJSON{Stopped: b.stopStreamJob()})
	})
}

func (r *remote) startStreamJob() (bool, error) {
	var out streamStartJSON
	err := r.quick(http.MethodPost, "/v1/stream/start", nil, &out)
	return out.Started, err
}

func (r *remote) stopStreamJob() (bool, error) {
	var out streamStopJSON
	// Stopping waits for the micro-batch being committed, which can take longer than a quick call.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := r.call(ctx, http.MethodPost, "/v1/stream/stop", nil, &out)
	return out.Stopped, err
}

func (r *remote) streamJob() StreamJobState {
	var out streamJobJSON
	if err := r.quick(http.MethodGet, "/v1/stream", nil, &out); err != nil {
		return StreamJobState{Err: err.Error()}
	}
	return out.State
}

// streamStateJSON is StreamJobState as the control endpoint carries it, with snake_case keys
// and durations in milliseconds.
type streamStateJSON struct {
	Ran         bool              `json:"ran"`
	Running     bool              `json:"running"`
	Started     time.Time         `json:"started"`
	TriggerMS   int64             `json:"trigger_ms"`
	StatusError string            `json:"status_error"`
	Tables      []streamTableJSON `json:"tables"`
	Error       string            `json:"error"`
}

type streamTableJSON struct {
	Table       string           `json:"table"`
	Stream      string           `json:"stream"`
	MicroBatch  int64            `json:"micro_batch"`
	LastCommit  time.Time        `json:"last_commit"`
	Rows        int64            `json:"rows"`
	Rate        float64          `json:"rate"`
	LagMS       int64            `json:"lag_ms"`
	Reading     bool             `json:"reading"`
	ShardLagMS  map[string]int64 `json:"shard_lag_ms"`
	Quarantined int64            `json:"quarantined"`
	Error       string           `json:"error"`
}

// MarshalJSON writes the state as the control endpoint carries it.
func (s StreamJobState) MarshalJSON() ([]byte, error) {
	out := streamStateJSON{Ran: s.Ran, Running: s.Running, Started: s.Status.Started, TriggerMS: s.Status.Trigger.Milliseconds(),
		StatusError: s.Status.Err, Tables: []streamTableJSON{}, Error: s.Err}
	for _, t := range s.Status.Tables {
		lags := make(map[string]int64, len(t.ShardLag))
		for shard, l := range t.ShardLag {
			lags[shard] = l.Milliseconds()
		}
		out.Tables = append(out.Tables, streamTableJSON{Table: t.Table, Stream: t.Stream, MicroBatch: t.MicroBatch, LastCommit: t.LastCommit,
			Rows: t.Rows, Rate: t.Rate, LagMS: t.Lag.Milliseconds(), Reading: t.Reading, ShardLagMS: lags, Quarantined: t.Quarantined, Error: t.Err})
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (s *StreamJobState) UnmarshalJSON(data []byte) error {
	var in streamStateJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*s = StreamJobState{Ran: in.Ran, Running: in.Running, Err: in.Error,
		Status: stream.Status{Started: in.Started, Trigger: time.Duration(in.TriggerMS) * time.Millisecond, Err: in.StatusError}}
	for _, t := range in.Tables {
		var lags map[string]time.Duration
		if t.ShardLagMS != nil {
			lags = make(map[string]time.Duration, len(t.ShardLagMS))
			for shard, l := range t.ShardLagMS {
				lags[shard] = time.Duration(l) * time.Millisecond
			}
		}
		s.Status.Tables = append(s.Status.Tables, stream.TableStatus{Table: t.Table, Stream: t.Stream, MicroBatch: t.MicroBatch, LastCommit: t.LastCommit,
			Rows: t.Rows, Rate: t.Rate, Lag: time.Duration(t.LagMS) * time.Millisecond, Reading: t.Reading, ShardLag: lags, Quarantined: t.Quarantined, Err: t.Error})
	}
	return nil
}

// limitedReadInterval keeps the stream job to 4 GetRecords calls a second per shard, of the 5
// Kinesis takes from all the stream's readers together.
const limitedReadInterval = 250 * time.Millisecond

// streamReadInterval is how often the stream job may read one shard: as often as it polls from
// the local Kinesis without limits, within AWS's per-shard limit from AWS or from the local
// Kinesis with `local.kinesis_limits: aws`.
func (b *Backends) streamReadInterval() time.Duration {
	if b.cfg.IsLocal() && b.cfg.Local.KinesisLimits != "aws" {
		return 0
	}
	return limitedReadInterval
}
