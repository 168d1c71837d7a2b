package backend

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/pintui/pintui/ops/local"
)

// The control endpoint's messages, plain JSON with snake_case keys. Every failure answers
// errorJSON with a 4xx or 5xx status.
type (
	errorJSON struct {
		Error string `json:"error"`
	}
	// ownerJSON answers GET /v1/owner; Closing says the owner is shutting down.
	ownerJSON struct {
		PID     int    `json:"pid"`
		Since   string `json:"since"`
		DataDir string `json:"data_dir"`
		Closing bool   `json:"closing"`
	}
	// startJSON asks POST /v1/emulators/{kind}/start for an emulator reading Source.
	startJSON struct {
		Options optionsJSON `json:"options"`
		Source  string      `json:"source"`
	}
	// emulatorJSON answers GET /v1/emulators/{kind}; Ran is false when no emulator of the kind
	// has run.
	emulatorJSON struct {
		Ran   bool          `json:"ran"`
		State EmulatorState `json:"state"`
	}
	// stopJSON answers POST /v1/emulators/{kind}/stop.
	stopJSON struct {
		Stopped bool `json:"stopped"`
	}
	// waitJSON answers GET /v1/emulators/{kind}/wait; Finished is false when the poll ran out
	// first.
	waitJSON struct {
		Finished bool          `json:"finished"`
		State    EmulatorState `json:"state"`
	}
	// rateJSON asks PUT /v1/emulators/{kind}/rate for a new rate.
	rateJSON struct {
		Rate float64 `json:"rate"`
	}
)

// maxControlBody bounds a request body; the largest real one is a few hundred bytes.
const maxControlBody = 64 << 10

// controlHandler serves the running work of the stack's owner to the other processes on its
// data dir. The stack puts it behind the bearer token.
func (b *Backends) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/owner", b.serveOwner)
	mux.HandleFunc("GET /v1/emulators/{kind}", b.withKind(func(w http.ResponseWriter, _ *http.Request, kind EmulatorKind) {
		st, ok := b.localEmulator(kind)
		reply(w, http.StatusOK, emulatorJSON{Ran: ok, State: st})
	}))
	mux.HandleFunc("POST /v1/emulators/{kind}/start", b.withKind(func(w http.ResponseWriter, r *http.Request, kind EmulatorKind) {
		var in startJSON
		if !decode(w, r, &in) {
			return
		}
		if in.Source == "" {
			in.Source = b.cfg.SourceURL()
		}
		if err := b.startEmulator(kind, in.Options.options(), in.Source); err != nil {
			reply(w, http.StatusConflict, errorJSON{err.Error()})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("POST /v1/emulators/{kind}/stop", b.withKind(func(w http.ResponseWriter, _ *http.Request, kind EmulatorKind) {
		reply(w, http.StatusOK, stopJSON{Stopped: b.stopEmulator(kind)})
	}))
	mux.HandleFunc("GET /v1/emulators/{kind}/wait", b.withKind(b.serveWait))
	mux.HandleFunc("PUT /v1/emulators/{kind}/rate", b.withKind(func(w http.ResponseWriter, r *http.Request, kind EmulatorKind) {
		var in rateJSON
		if !decode(w, r, &in) {
			return
		}
		if err := b.SetEmulatorRate(kind, in.Rate); err != nil {
			reply(w, http.StatusConflict, errorJSON{err.Error()})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	b.streamJobRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusNotFound, errorJSON{fmt.Sprintf("no control operation %s %s: this pintui may be older than the one asking; restart it", r.Method, r.URL.Path)})
	})
	// The endpoint is published before Open has set up what the operations use.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-b.ready:
		case <-b.closing:
		case <-r.Context().Done():
			return
		}
		select {
		case <-b.ready:
			mux.ServeHTTP(w, r)
		default:
			reply(w, http.StatusServiceUnavailable, errorJSON{"the pintui that owns the stack stopped while starting: try again once another one owns it"})
		}
	})
}

// serveOwner says who owns the stack; with wait_ms it answers only once the owner starts closing
// or the wait ends, so a watcher learns of a shutdown at once without asking again and again.
func (b *Backends) serveOwner(w http.ResponseWriter, r *http.Request) {
	wait, ok := pollTimeout(w, r, "wait_ms")
	if !ok {
		return
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-b.closing:
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	closing := false
	select {
	case <-b.closing:
		closing = true
	default:
	}
	reply(w, http.StatusOK, ownerJSON{PID: os.Getpid(), Since: b.Stack.Since().Format(timeLayout), DataDir: b.Stack.Endpoints().DataDir, Closing: closing})
}

// withKind reads the emulator kind of the path, answering 404 for one there is not.
func (b *Backends) withKind(h func(http.ResponseWriter, *http.Request, EmulatorKind)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		kind, err := ParseEmulatorKind(r.PathValue("kind"))
		if err != nil {
			reply(w, http.StatusNotFound, errorJSON{fmt.Sprintf("%s %s: %v", r.Method, r.URL.Path, err)})
			return
		}
		h(w, r, kind)
	}
}

// serveWait answers once the last emulator of kind has finished, or after timeout_ms with it
// still running.
func (b *Backends) serveWait(w http.ResponseWriter, r *http.Request, kind EmulatorKind) {
	wait, ok := pollTimeout(w, r, "timeout_ms")
	if !ok {
		return
	}
	e := b.emulation(kind)
	if e == nil {
		reply(w, http.StatusNotFound, errorJSON{notRun(kind).Error()})
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-e.done:
	case <-t.C:
	case <-b.closing:
	case <-r.Context().Done():
		return
	}
	reply(w, http.StatusOK, waitJSON{Finished: e.finished(), State: e.state()})
}

// pollTimeout reads a long poll's wait in milliseconds, at most local.MaxControlPoll.
func pollTimeout(w http.ResponseWriter, r *http.Request, key string) (time.Duration, bool) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return 0, true
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ms < 0 {
		reply(w, http.StatusBadRequest, errorJSON{fmt.Sprintf("%s %q is not a number of milliseconds", key, v)})
		return 0, false
	}
	return min(time.Duration(ms)*time.Millisecond, local.MaxControlPoll), true
}

// decode reads a request body into v, answering 400 with what was wrong if it cannot.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("more than one JSON value")
	}
	if err != nil {
		reply(w, http.StatusBadRequest, errorJSON{fmt.Sprintf("%s %s: the body is not valid: %v", r.Method, r.URL.Path, err)})
		return false
	}
	return true
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
