package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Kinesis is the upstream of the gateway's Kinesis proxy: it calls one operation of the Kinesis
// Data Streams JSON 1.1 API (PutRecord, ListStreams, …) with a request body in that API's JSON
// and returns the HTTP status and body Kinesis answered with. A non-nil error means no answer
// came (connection refused, timed out). The package consuming it declares it so that the gateway
// needs no cloud SDK; ops/local signs and sends the calls.
type Kinesis interface {
	Call(ctx context.Context, operation string, body []byte) (status int, resp []byte, err error)
}

// DefaultShardCount is the ShardCount of a CreateStream whose request names none, as the
// original API Gateway mapping template defaults it.
const DefaultShardCount = 5

// kinesisRoute is a parsed Kinesis proxy path: `[/<stage>]/streams[/<stream>[/record|/records]]`.
type kinesisRoute struct {
	stream string
	// resource is "", "record" or "records".
	resource string
}

// parseKinesisRoute accepts an optional single stage segment before `streams`, as the Kafka
// routes take one before `topics`.
func parseKinesisRoute(path string) (kinesisRoute, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) > 1 && segs[0] != "streams" && segs[1] == "streams" {
		segs = segs[1:]
	}
	if len(segs) == 0 || segs[0] != "streams" || len(segs) > 3 {
		return kinesisRoute{}, false
	}
	var rt kinesisRoute
	if len(segs) >= 2 {
		if segs[1] == "" {
			return kinesisRoute{}, false
		}
		rt.stream = segs[1]
	}
	if len(segs) == 3 {
		if segs[2] != "record" && segs[2] != "records" {
			return kinesisRoute{}, false
		}
		rt.resource = segs[2]
	}
	return rt, true
}

// kinesisHandler serves the API Gateway resources of the original streaming API, each mapped to
// one Kinesis operation whose answer it passes through.
type kinesisHandler struct {
	upstream Kinesis
	h        *Handler
}

// operation is a Kinesis call a request maps to, or the refusal the request gets instead.
func (k *kinesisHandler) operation(r *http.Request, rt kinesisRoute, body []byte) (string, []byte, *kinesisError) {
	switch {
	case rt.stream == "" && r.Method == http.MethodGet:
		return "ListStreams", []byte("{}"), nil
	case rt.stream == "":
	case rt.resource == "record" && r.Method == http.MethodPut:
		out, err := encodePutRecord(rt.stream, body)
		return "PutRecord", out, err
	case rt.resource == "records" && r.Method == http.MethodPut:
		out, err := encodePutRecords(rt.stream, body)
		return "PutRecords", out, err
	case rt.resource != "":
	case r.Method == http.MethodGet:
		return "DescribeStream", streamOnly(rt.stream), nil
	case r.Method == http.MethodDelete:
		return "DeleteStream", streamOnly(rt.stream), nil
	case r.Method == http.MethodPost:
		out, err := encodeCreateStream(rt.stream, body)
		return "CreateStream", out, err
	}
	return "", nil, &kinesisError{status: http.StatusMethodNotAllowed, Type: "MethodNotAllowedException",
		Message: fmt.Sprintf("%s %s is not a resource of this API: use GET /streams, GET|POST|DELETE /streams/NAME, PUT /streams/NAME/record or PUT /streams/NAME/records", r.Method, r.URL.Path)}
}

func (k *kinesisHandler) serve(w http.ResponseWriter, r *http.Request, rt kinesisRoute) {
	body, rerr := k.h.readBody(w, r, nil)
	if rerr != nil {
		if rerr.Status == http.StatusRequestEntityTooLarge {
			writeKinesisError(w, validation("the request body is larger than the gateway's limit of %d bytes: send fewer or smaller records", k.h.maxBody))
			return
		}
		writeKinesisError(w, &kinesisError{Type: "SerializationException", Message: rerr.Message})
		return
	}
	op, call, kerr := k.operation(r, rt, body)
	if kerr != nil {
		writeKinesisError(w, kerr)
		return
	}
	// A client that goes away once it has sent its record must not lose it: the call runs to
	// its own deadline, as a produce does.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), k.h.produceTimeout)
	defer cancel()
	status, resp, err := k.upstream.Call(ctx, op, call)
	if err != nil {
		writeKinesisError(w, &kinesisError{status: http.StatusInternalServerError, Type: "InternalFailure",
			Message: fmt.Sprintf("%s on stream %q got no answer from Kinesis: %v; retry the request", op, rt.stream, err)})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
	w.WriteHeader(status)
	_, _ = w.Write(resp)
}

// kinesisError is a request the proxy refuses, in Kinesis's `{"__type","message"}` shape.
type kinesisError struct {
	// status is the HTTP status; 0 means 400, Kinesis's status for bad requests.
	status  int
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// Error returns the exception name and its message.
func (e *kinesisError) Error() string { return e.Type + ": " + e.Message }

func validation(format string, args ...any) *kinesisError {
	return &kinesisError{Type: "ValidationException", Message: fmt.Sprintf(format, args...)}
}

func writeKinesisError(w http.ResponseWriter, e *kinesisError) {
	status := e.status
	if status == 0 {
		status = http.StatusBadRequest
	}
	body, _ := json.Marshal(e)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
