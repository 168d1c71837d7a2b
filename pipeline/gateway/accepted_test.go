package gateway

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// halfClosed serves h, handing each request's context to requests, sends one request (line
// is its method and path) over raw TCP and half-closes the connection, which cancels the
// request's context; it returns the answer's status and body.
func halfClosed(t *testing.T, h http.Handler, requests chan<- context.Context, line, contentType, body string) (int, string) {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests <- r.Context()
		h.ServeHTTP(w, r)
	}))
	defer server.Close()
	conn, err := net.Dial("tcp", server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "%s HTTP/1.1\r\nHost: gateway\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", line, contentType, len(body), body)
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer strings.Builder
	if _, err := bufio.NewReader(resp.Body).WriteTo(&answer); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, answer.String()
}

// goneClientProducer produces only once the client's request context has ended, so a produce
// that still depends on that context fails every time instead of by chance.
type goneClientProducer struct {
	*Kafka
	clientGone func() <-chan struct{}
}

func (p goneClientProducer) Produce(ctx context.Context, topic string, records []Record) ([]Result, error) {
	<-p.clientGone()
	return p.Kafka.Produce(ctx, topic, records)
}

// TestHalfClosedClientKeepsItsProduce sends a whole request over raw TCP and half-closes the
// connection, which cancels the request's context; the accepted record must still reach Kafka
// and the client must still get its offsets.
func TestHalfClosedClientKeepsItsProduce(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, pinTopic))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	k, err := NewKafka(cluster.ListenAddrs())
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	requests := make(chan context.Context, 1)
	h := NewHandler(goneClientProducer{Kafka: k, clientGone: func() <-chan struct{} { return (<-requests).Done() }}, Options{})
	status, answer := halfClosed(t, h, requests, "POST /dev/topics/"+pinTopic, jsonV2, `{"records":[{"value":{"index":7528}}]}`)
	if status != 200 || answer != offsets(offset(0, 0)) {
		t.Fatalf("half-closed client got %d %s, want 200 %s", status, answer, offsets(offset(0, 0)))
	}
	s := &stack{cluster: cluster}
	if got := s.consume(t, pinTopic, 1); string(got[0].Value) != `{"index":7528}` {
		t.Fatalf("landed %q, want the half-closed client's record", got[0].Value)
	}
}

// unfinishedProducer fails each record as a produce that ran out of time does.
type unfinishedProducer struct{ Producer }

func (unfinishedProducer) Produce(_ context.Context, _ string, records []Record) ([]Result, error) {
	results := make([]Result, len(records))
	results[0] = Result{Err: fmt.Errorf("produce: %w", context.DeadlineExceeded)}
	results[1] = Result{Err: kgo.ErrRecordTimeout}
	return results, nil
}

// blockedProducer returns only when its context ends, as a produce to a stalled cluster does.
type blockedProducer struct{ Producer }

func (blockedProducer) Produce(ctx context.Context, _ string, _ []Record) ([]Result, error) {
	<-ctx.Done()
	return nil, fmt.Errorf("produce: %w", ctx.Err())
}

func TestProduceThatCannotFinishIsRetriable(t *testing.T) {
	serve := func(h *Handler, body string) (int, string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/topics/t", strings.NewReader(body))
		req.Header.Set("Content-Type", jsonV2)
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	status, body := serve(NewHandler(unfinishedProducer{}, Options{}), `{"records":[{"value":1},{"value":2}]}`)
	want := offsets(
		`{"partition":null,"offset":null,"error_code":50003,"error":"produce: context deadline exceeded"}`,
		`{"partition":null,"offset":null,"error_code":50003,"error":"`+kgo.ErrRecordTimeout.Error()+`"}`)
	if status != 200 || body != want {
		t.Errorf("records out of time: %d %s\nwant 200 %s", status, body, want)
	}
	status, body = serve(NewHandler(blockedProducer{}, Options{ProduceTimeout: time.Millisecond}), `{"records":[{"value":1}]}`)
	want = `{"error_code":50003,"message":"Retriable Kafka error producing to t: produce: context deadline exceeded; retry the request"}`
	if status != 500 || body != want {
		t.Errorf("stalled cluster: %d %s\nwant 500 %s", status, body, want)
	}
}
