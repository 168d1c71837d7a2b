package databricks

import (
	"net/http"
	"strconv"
	"time"
)

// The SDK retries a 429 or 503 after a backoff of its own (one second more each time) and never
// reads Retry-After, so a workspace asking for thirty seconds would be asked again after one.
// retryAfter holds such an answer back until the time it asks for has passed, so the SDK's next
// try comes after it; the SDK's own backoff then adds to it.
type retryAfter struct {
	next http.RoundTripper
}

// maxRetryAfter caps one wait below the SDK's 60 s request timeout, which would cut the answer off; the
// SDK's retry timeout bounds the whole.
const maxRetryAfter = 30 * time.Second

func honourRetryAfter(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &retryAfter{next: next}
}

// RoundTrip sends the request and, on a throttled answer with Retry-After, waits before
// returning it.
func (t *retryAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return resp, err
	}
	if d, ok := retryAfterOf(resp.Header); ok {
		// A request that ends while waiting still returns the answer, which the SDK reports.
		_ = sleep(req.Context(), min(d, maxRetryAfter))
	}
	return resp, nil
}

// retryAfterOf reads Retry-After, in seconds or as an HTTP date.
func retryAfterOf(h http.Header) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, time.Until(at)), true
	}
	return 0, false
}
