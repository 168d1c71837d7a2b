package airflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// transport carries one call of the Airflow REST API: a path relative to the API root
// (/dags/…) in, the HTTP status and the JSON answer out. An answer with an error status is a
// reply, not an error; an error means no answer came.
type transport interface {
	roundTrip(ctx context.Context, c call) (reply, error)
	// version finds the REST API version the server speaks, for API auto.
	version(ctx context.Context) (string, error)
	// where names the server in errors.
	where() string
	// credentials says which credentials to check when Airflow refuses a call (401 or 403).
	credentials(status int) string
	// maxPath is the longest path the transport carries, 0 for any.
	maxPath() int
}

// call is one REST call.
type call struct {
	method, path string
	query        url.Values
	// body is marshalled as JSON; nil sends none.
	body any
	// api is the REST API version, v1 or v2.
	api string
}

// reply is Airflow's answer.
type reply struct {
	status int
	body   []byte
	// retryAfter is the Retry-After of a 429 or 503, when the answer had one.
	retryAfter    time.Duration
	hasRetryAfter bool
}

// The bounds of retrying a throttled call.
const (
	maxTries    = 5
	maxWaitings = 30 * time.Second
)

// Error is an error answer of Airflow, with what to do about it.
type Error struct {
	// Status is the HTTP status Airflow answered.
	Status int
	// Detail is Airflow's own account of the error (its problem JSON's detail).
	Detail string
	text   string
}

// Error says what happened and what to do.
func (e *Error) Error() string { return e.text }

// NotFound reports whether err is Airflow's 404.
func NotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// do makes a call, retrying throttled answers, and decodes a successful answer into out.
// notFound says what a 404 means and what to do, for the error.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any, notFound string) error {
	api, err := c.API(ctx)
	if err != nil {
		return err
	}
	op := method + " " + path
	if max := c.tr.maxPath(); max > 0 && len(path) > max {
		return fmt.Errorf("%s: %s takes paths of at most %d characters and this one has %d: look at it in the Airflow UI instead", op, c.tr.where(), max, len(path))
	}
	var waited time.Duration
	for try := 1; ; try++ {
		r, err := c.tr.roundTrip(ctx, call{method: method, path: path, query: query, body: body, api: api})
		if err != nil {
			return fmt.Errorf("%s on %s: %w", op, c.tr.where(), err)
		}
		if r.status == http.StatusTooManyRequests || r.status == http.StatusServiceUnavailable {
			wait := min(time.Second<<(try-1), 8*time.Second)
			if r.hasRetryAfter {
				wait = r.retryAfter
			}
			if try < maxTries && waited+wait <= maxWaitings {
				if err := c.sleep(ctx, wait); err != nil {
					return fmt.Errorf("%s on %s: %w", op, c.tr.where(), err)
				}
				waited += wait
				continue
			}
			return c.throttled(op, r, try, waited)
		}
		if r.status >= 300 {
			return c.failed(op, api, r, notFound)
		}
		if out == nil || len(r.body) == 0 {
			return nil
		}
		if err := json.Unmarshal(r.body, out); err != nil {
			return fmt.Errorf("%s on %s: the answer is not the JSON the REST API %s documents (%v): check that the URL is an Airflow's", op, c.tr.where(), api, err)
		}
		return nil
	}
}

func (c *Client) throttled(op string, r reply, tries int, waited time.Duration) error {
	what := "is throttling calls"
	if r.status == http.StatusServiceUnavailable {
		what = "is unavailable"
	}
	return &Error{Status: r.status, Detail: detail(r.body), text: fmt.Sprintf(
		"%s: %s %s (HTTP %d after %d tries over %s): wait a minute and try again, or make fewer calls",
		op, c.tr.where(), what, r.status, tries, waited.Round(time.Millisecond))}
}

// failed turns an error answer into an Error saying what to do.
func (c *Client) failed(op, api string, r reply, notFound string) error {
	d := detail(r.body)
	said := fmt.Sprintf("HTTP %d", r.status)
	if d != "" {
		said += ": " + d
	}
	var text string
	switch r.status {
	case http.StatusUnauthorized, http.StatusForbidden:
		text = fmt.Sprintf("%s: %s refused the call (%s): %s", op, c.tr.where(), said, c.tr.credentials(r.status))
	case http.StatusNotFound:
		if notFound == "" {
			text = fmt.Sprintf("%s: %s has no such path (%s): check that airflow.url is where the API is", op, c.tr.where(), said)
			break
		}
		head, tail, _ := strings.Cut(notFound, ": ")
		text = fmt.Sprintf("%s (%s on %s): %s", head, said, c.tr.where(), tail)
	case http.StatusConflict:
		text = fmt.Sprintf("%s: %s already has it (%s): give another run id, or leave it out", op, c.tr.where(), said)
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		text = fmt.Sprintf("%s: %s rejected the request (%s): check the arguments, and that airflow.api (%s) is the REST API the server speaks", op, c.tr.where(), said, api)
	default:
		text = fmt.Sprintf("%s: %s answered %s: try again, and check the server's logs if it persists", op, c.tr.where(), said)
	}
	return &Error{Status: r.status, Detail: d, text: text}
}

// detail is Airflow's account of an error: the detail of v1's problem JSON or of v2's
// FastAPI error (a string, or a list of validation errors), else the start of the answer.
func detail(body []byte) string {
	var p struct {
		Detail json.RawMessage `json:"detail"`
		Title  string          `json:"title"`
	}
	if json.Unmarshal(body, &p) != nil {
		return clip(strings.TrimSpace(string(body)))
	}
	var s string
	if json.Unmarshal(p.Detail, &s) == nil && s != "" {
		return clip(s)
	}
	var list []struct {
		Loc []any  `json:"loc"`
		Msg string `json:"msg"`
	}
	if json.Unmarshal(p.Detail, &list) == nil && len(list) > 0 {
		parts := make([]string, 0, len(list))
		for _, v := range list {
			loc := make([]string, 0, len(v.Loc))
			for _, l := range v.Loc {
				loc = append(loc, fmt.Sprint(l))
			}
			parts = append(parts, strings.Join(loc, ".")+": "+v.Msg)
		}
		return clip(strings.Join(parts, "; "))
	}
	return clip(p.Title)
}

// clip keeps an error's quote of an answer short.
func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var secs int
	if _, err := fmt.Sscanf(v, "%d", &secs); err == nil && fmt.Sprint(secs) == v && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
