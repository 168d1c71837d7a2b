// Package gateway is the HTTP front door of the batch path: the local stand-in for API Gateway
// in front of Confluent REST Proxy v2. The batch emulator posts each row to
// `[/<stage>]/topics/<uid>.<table>`; the gateway decodes the records and produces them to Kafka,
// where the S3 sink picks them up, answering with the REST Proxy's own responses and errors so
// the same clients work against the local stack and the cloud one.
package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// DefaultMaxBody is the largest produce body accepted when Options.MaxBody is zero.
const DefaultMaxBody = 5 << 20

// DefaultProduceTimeout bounds a produce when Options.ProduceTimeout is zero; it matches the
// Kafka producer's record delivery timeout.
const DefaultProduceTimeout = 30 * time.Second

// ErrTopicNotFound is returned by a Producer for a topic the cluster does not have.
var ErrTopicNotFound = errors.New("topic not found")

// ErrPartitionNotFound is returned by a Producer for a partition the topic does not have.
var ErrPartitionNotFound = errors.New("partition not found")

// Producer is the Kafka side of the gateway: it produces the records of one request and
// describes topics. Keys and values are only valid during the call.
type Producer interface {
	// Produce sends records to topic and returns one Result per record, in order; a non-nil
	// error means none was produced (ErrTopicNotFound, ErrPartitionNotFound, cluster down).
	Produce(ctx context.Context, topic string, records []Record) ([]Result, error)
	// Topics lists the names of the non-internal topics, sorted.
	Topics(ctx context.Context) ([]string, error)
	// Topic describes one topic, or returns ErrTopicNotFound.
	Topic(ctx context.Context, name string) (TopicInfo, error)
}

// Result is where one record landed, or why it did not.
type Result struct {
	Partition int32
	Offset    int64
	// Err is non-nil when this record was not produced.
	Err error
}

// TopicInfo is the REST Proxy v2 description of a topic.
type TopicInfo struct {
	Name       string            `json:"name"`
	Configs    map[string]string `json:"configs"`
	Partitions []PartitionInfo   `json:"partitions"`
}

// PartitionInfo is one partition of a topic with its replicas.
type PartitionInfo struct {
	Partition int32         `json:"partition"`
	Leader    int32         `json:"leader"`
	Replicas  []ReplicaInfo `json:"replicas"`
}

// ReplicaInfo is one replica of a partition.
type ReplicaInfo struct {
	Broker int32 `json:"broker"`
	Leader bool  `json:"leader"`
	InSync bool  `json:"in_sync"`
}

// Error is a REST Proxy error: an HTTP status and the `{"error_code","message"}` envelope.
type Error struct {
	Status  int
	Code    int
	Message string
}

// Error returns the status, the code and the message.
func (e *Error) Error() string { return fmt.Sprintf("%d %d: %s", e.Status, e.Code, e.Message) }

// Options tunes a Handler.
type Options struct {
	// MaxBody is the largest request body in bytes; larger ones get 413. Zero means DefaultMaxBody.
	MaxBody int64
	// ProduceTimeout bounds the produce of an accepted request, whatever its client does
	// meanwhile; a produce cut off by it is answered 50003 (retriable). Zero means
	// DefaultProduceTimeout. It bounds the Kinesis calls of accepted requests alike.
	ProduceTimeout time.Duration
	// Kinesis, when set, serves the API Gateway Kinesis proxy routes beside the REST Proxy ones:
	// `[/<stage>]/streams…`, each mapped to one call of Kinesis whose answer is passed through.
	Kinesis Kinesis
}

// Handler serves the REST Proxy v2 produce and topic metadata routes, and the Kinesis proxy
// routes when Options.Kinesis is set.
type Handler struct {
	producer       Producer
	maxBody        int64
	produceTimeout time.Duration
	buffers        sync.Pool
	kinesis        *kinesisHandler
}

// NewHandler returns a Handler producing through p.
func NewHandler(p Producer, opts Options) *Handler {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.ProduceTimeout <= 0 {
		opts.ProduceTimeout = DefaultProduceTimeout
	}
	h := &Handler{producer: p, maxBody: opts.MaxBody, produceTimeout: opts.ProduceTimeout}
	if opts.Kinesis != nil {
		h.kinesis = &kinesisHandler{upstream: opts.Kinesis, h: h}
	}
	return h
}

// route is a parsed request path: `[/<stage>]/topics[/<topic>[/partitions[/<p>]]]`.
type route struct {
	topic      string
	partitions bool
	partition  int32 // -1 when the path names none
}

// parseRoute accepts an optional single stage segment before `topics`, as API Gateway's
// `{proxy+}` integration forwards it.
func parseRoute(path string) (route, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) > 0 && segs[0] != "topics" && len(segs) > 1 && segs[1] == "topics" {
		segs = segs[1:]
	}
	if len(segs) == 0 || segs[0] != "topics" || len(segs) > 4 {
		return route{}, false
	}
	rt := route{partition: -1}
	if len(segs) >= 2 {
		if segs[1] == "" {
			return route{}, false
		}
		rt.topic = segs[1]
	}
	if len(segs) >= 3 {
		if segs[2] != "partitions" {
			return route{}, false
		}
		rt.partitions = true
	}
	if len(segs) == 4 {
		p, err := strconv.ParseInt(segs[3], 10, 32)
		if err != nil || p < 0 {
			return route{}, false
		}
		rt.partition = int32(p)
	}
	return rt, true
}

// ServesPath reports whether path is one of the gateway's REST Proxy routes, so a front
// router on the same port can send every other path (the Kinesis proxy routes) elsewhere.
func ServesPath(path string) bool {
	_, ok := parseRoute(path)
	return ok
}

// ServeHTTP routes a request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.kinesis != nil {
		if rt, ok := parseKinesisRoute(r.URL.Path); ok {
			h.kinesis.serve(w, r, rt)
			return
		}
	}
	media := negotiate(r.Header.Get("Accept"))
	if media == "" {
		writeError(w, mediaKafkaV2, &Error{Status: 406, Code: 406, Message: "HTTP 406 Not Acceptable: responses are " +
			mediaKafkaV2 + " or " + mediaJSON})
		return
	}
	rt, ok := parseRoute(r.URL.Path)
	if !ok {
		writeError(w, media, &Error{Status: 404, Code: 404, Message: "HTTP 404 Not Found"})
		return
	}
	switch {
	case r.Method == http.MethodPost && rt.topic != "" && (!rt.partitions || rt.partition >= 0):
		h.produce(w, r, media, rt)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		h.describe(w, r, media, rt)
	default:
		allow := "GET, HEAD"
		if rt.topic != "" && (!rt.partitions || rt.partition >= 0) {
			allow = "GET, HEAD, POST"
		}
		w.Header().Set("Allow", allow)
		writeError(w, media, &Error{Status: 405, Code: 405, Message: "HTTP 405 Method Not Allowed"})
	}
}

// produceBuffers are the per-request allocations reused across requests.
type produceBuffers struct {
	body    []byte
	out     []byte
	records []Record
	resp    []byte
}

func (h *Handler) produce(w http.ResponseWriter, r *http.Request, media string, rt route) {
	format, ferr := contentFormat(r.Header.Get("Content-Type"))
	if ferr != nil {
		writeError(w, media, ferr)
		return
	}
	buf, _ := h.buffers.Get().(*produceBuffers)
	if buf == nil {
		buf = &produceBuffers{}
	}
	defer h.buffers.Put(buf)

	body, rerr := h.readBody(w, r, buf.body[:0])
	buf.body = body[:0]
	if rerr != nil {
		writeError(w, media, rerr)
		return
	}
	records, out, err := decodeProduce(body, format, buf.out, buf.records)
	buf.out, buf.records = out[:0], records[:0]
	if err != nil {
		writeError(w, media, &Error{Status: 422, Code: 422, Message: err.Error()})
		return
	}
	if rt.partition >= 0 {
		for i := range records {
			records[i].Partition = rt.partition
		}
	}
	// A client that half-closes once it has sent cancels r.Context(), yet its records were
	// accepted: the produce runs to its own deadline so they are not lost on the way.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), h.produceTimeout)
	defer cancel()
	results, err := h.producer.Produce(ctx, rt.topic, records)
	if err != nil {
		writeError(w, media, produceError(rt, err))
		return
	}
	buf.resp = appendOffsets(buf.resp[:0], results)
	w.Header().Set("Content-Type", media)
	w.Header().Set("Content-Length", strconv.Itoa(len(buf.resp)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.resp)
}

// readBody reads the whole body into buf, refusing bodies over the limit before reading them
// when their length is declared.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request, buf []byte) ([]byte, *Error) {
	if r.ContentLength > h.maxBody {
		return buf, h.tooLarge()
	}
	if r.ContentLength > 0 && int64(cap(buf)) < r.ContentLength+1 {
		buf = make([]byte, 0, r.ContentLength+1)
	}
	body := http.MaxBytesReader(w, r.Body, h.maxBody)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == nil {
			continue
		}
		var max *http.MaxBytesError
		switch {
		case errors.As(err, &max):
			return buf, h.tooLarge()
		case errors.Is(err, io.EOF):
			return buf, nil
		default:
			return buf, &Error{Status: 422, Code: 422, Message: "Request body is truncated: " + err.Error()}
		}
	}
}

func (h *Handler) tooLarge() *Error {
	return &Error{Status: 413, Code: 413, Message: fmt.Sprintf(
		"Request body is larger than the limit of %d bytes; split the records over several requests", h.maxBody)}
}

// produceError maps a Producer failure of a whole request to the REST Proxy envelope.
func produceError(rt route, err error) *Error {
	switch {
	case errors.Is(err, ErrTopicNotFound):
		return &Error{Status: 404, Code: 40401, Message: "Topic not found."}
	case errors.Is(err, ErrPartitionNotFound):
		return &Error{Status: 404, Code: 40402, Message: "Partition not found."}
	case retriable(err):
		return &Error{Status: 500, Code: 50003, Message: fmt.Sprintf("Retriable Kafka error producing to %s: %v; retry the request", rt.topic, err)}
	}
	return &Error{Status: 500, Code: 50002, Message: fmt.Sprintf("Kafka error producing to %s: %v", rt.topic, err)}
}

// retriable reports whether a failed produce may succeed if sent again: Kafka says so, or the
// produce ran out of time before it could finish.
func retriable(err error) bool {
	return kerr.IsRetriable(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, kgo.ErrRecordTimeout)
}

// appendOffsets writes the v2 produce response: one offsets entry per record, in order, with
// explicit nulls.
func appendOffsets(b []byte, results []Result) []byte {
	b = append(b, `{"offsets":[`...)
	for i, res := range results {
		if i > 0 {
			b = append(b, ',')
		}
		if res.Err != nil {
			code := 50002
			if retriable(res.Err) {
				code = 50003
			}
			msg, _ := json.Marshal(res.Err.Error())
			b = append(b, `{"partition":null,"offset":null,"error_code":`...)
			b = strconv.AppendInt(b, int64(code), 10)
			b = append(b, `,"error":`...)
			b = append(b, msg...)
			b = append(b, '}')
			continue
		}
		b = append(b, `{"partition":`...)
		b = strconv.AppendInt(b, int64(res.Partition), 10)
		b = append(b, `,"offset":`...)
		b = strconv.AppendInt(b, res.Offset, 10)
		b = append(b, `,"error_code":null,"error":null}`...)
	}
	return append(b, `],"key_schema_id":null,"value_schema_id":null}`...)
}

func (h *Handler) describe(w http.ResponseWriter, r *http.Request, media string, rt route) {
	ctx := r.Context()
	var v any
	if rt.topic == "" {
		names, err := h.producer.Topics(ctx)
		if err != nil {
			writeError(w, media, &Error{Status: 500, Code: 50002, Message: "Kafka error listing topics: " + err.Error()})
			return
		}
		if names == nil {
			names = []string{}
		}
		v = names
	} else {
		info, err := h.producer.Topic(ctx, rt.topic)
		if err != nil {
			writeError(w, media, produceError(rt, err))
			return
		}
		v = info
		if rt.partitions {
			v = info.Partitions
		}
		if rt.partition >= 0 {
			v = nil
			for _, p := range info.Partitions {
				if p.Partition == rt.partition {
					v = p
				}
			}
			if v == nil {
				writeError(w, media, produceError(rt, ErrPartitionNotFound))
				return
			}
		}
	}
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, media, &Error{Status: 500, Code: 500, Message: err.Error()})
		return
	}
	w.Header().Set("Content-Type", media)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// writeError writes the REST Proxy error envelope.
func writeError(w http.ResponseWriter, media string, e *Error) {
	body, _ := json.Marshal(struct {
		Code    int    `json:"error_code"`
		Message string `json:"message"`
	}{e.Code, e.Message})
	w.Header().Set("Content-Type", media)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}
