package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/pintui/pintui/ops/local"
	"github.com/pintui/pintui/pipeline/emulate"
)

// controlCallTimeout bounds a control call that is not a long poll.
const controlCallTimeout = 10 * time.Second

// errClosing is a watch's answer when the owner says it is shutting down.
var errClosing = errors.New("the stack's owner is closing")

// remote runs the work of an attached process in the stack's owner, through its control
// endpoint.
type remote struct {
	b         *Backends
	transport *http.Transport
	client    *http.Client
}

func newRemote(b *Backends) *remote {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	return &remote{b: b, transport: t, client: &http.Client{Transport: t}}
}

// call sends in (when not nil) to the owner and decodes its answer into out (when not nil). It
// fails at once with the owner's error while the owner is gone.
func (r *remote) call(ctx context.Context, method, path string, in, out any) error {
	if err := r.b.Owner().Err; err != nil {
		return err
	}
	stack := r.b.Stack
	e := stack.Endpoints()
	if e.Control == "" {
		return fmt.Errorf("the pintui that owns %s (pid %d) serves no control endpoint: stop it and start pintui again", e.DataDir, stack.OwnerPID())
	}
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.Control+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+stack.ControlToken())
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.client.Do(req)
	if err != nil {
		if lost := r.b.Owner().Err; lost != nil {
			return lost
		}
		return fmt.Errorf("reach the pintui that owns %s (pid %d) at %s: %w", e.DataDir, stack.OwnerPID(), e.Control, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("read the answer of the stack's owner to %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var e errorJSON
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = fmt.Sprintf("the stack's owner answered %s %s with HTTP %d: %q", method, path, resp.StatusCode, data)
		}
		return errors.New(e.Error)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the stack's owner answered %s %s with %q: %w", method, path, data, err)
	}
	return nil
}

func (r *remote) quick(method, path string, in, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), controlCallTimeout)
	defer cancel()
	return r.call(ctx, method, path, in, out)
}

// emulatorPath is the control endpoint's path of the emulator of kind, with op after it.
func emulatorPath(kind EmulatorKind, op string) string {
	return "/v1/emulators/" + string(kind) + op
}

func (r *remote) start(kind EmulatorKind, opts emulate.Options, source string) error {
	return r.quick(http.MethodPost, emulatorPath(kind, "/start"), startJSON{Options: toOptionsJSON(opts), Source: source}, nil)
}

func (r *remote) stop(kind EmulatorKind) bool {
	var out stopJSON
	return r.quick(http.MethodPost, emulatorPath(kind, "/stop"), nil, &out) == nil && out.Stopped
}

func (r *remote) emulator(kind EmulatorKind) (EmulatorState, bool) {
	var out emulatorJSON
	if err := r.quick(http.MethodGet, emulatorPath(kind, ""), nil, &out); err != nil {
		return EmulatorState{Err: err}, true
	}
	return out.State, out.Ran
}

func (r *remote) setRate(kind EmulatorKind, rate float64) error {
	// JSON has no NaN or infinity, so a bad rate is refused here with the owner's own words.
	if err := emulate.CheckRate(rate); err != nil {
		return err
	}
	return r.quick(http.MethodPut, emulatorPath(kind, "/rate"), rateJSON{Rate: rate}, nil)
}

// wait long-polls the owner until the emulator of kind has finished or ctx ends.
func (r *remote) wait(ctx context.Context, kind EmulatorKind) (EmulatorState, error) {
	var last EmulatorState
	for {
		poll := local.MaxControlPoll
		if deadline, ok := ctx.Deadline(); ok {
			poll = min(poll, time.Until(deadline))
		}
		if poll <= 0 {
			return last, context.DeadlineExceeded
		}
		var out waitJSON
		pctx, cancel := context.WithTimeout(ctx, poll+controlCallTimeout)
		err := r.call(pctx, http.MethodGet, emulatorPath(kind, "/wait?timeout_ms="+strconv.FormatInt(poll.Milliseconds(), 10)), nil, &out)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return last, ctx.Err()
			}
			return last, err
		}
		last = out.State
		if out.Finished {
			return last, nil
		}
	}
}

// watch asks the owner to answer once it starts closing, or after the longest poll: nil means it
// still serves, errClosing that it is shutting down, any other error that it could not be asked.
func (r *remote) watch(ctx context.Context) error {
	var out ownerJSON
	ctx, cancel := context.WithTimeout(ctx, local.MaxControlPoll+controlCallTimeout)
	defer cancel()
	if err := r.call(ctx, http.MethodGet, "/v1/owner?wait_ms="+strconv.FormatInt(local.MaxControlPoll.Milliseconds(), 10), nil, &out); err != nil {
		return err
	}
	if out.Closing {
		return errClosing
	}
	return nil
}
