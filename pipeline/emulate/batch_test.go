package emulate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/gateway"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

const uid = "0a1b2c3d4e5f"

// rows is a source held in memory.
type rows []source.Row

func (r rows) MaxID(context.Context) (int64, error) { return int64(len(r)) - 1, nil }

func (r rows) Row(_ context.Context, id int64) (source.Row, error) {
	if id < 0 || id >= int64(len(r)) {
		return source.Row{}, fmt.Errorf("no row %d", id)
	}
	return r[id], nil
}

// post is one request as the gateway saw it.
type post struct {
	path string
	id   int64
}

// stack is the real gateway over kfake, behind a middleware that logs posts and can inject
// failures.
type stack struct {
	cluster *kfake.Cluster
	server  *httptest.Server

	mu    sync.Mutex
	posts []post
	// fail, when set, answers a request itself instead of the gateway.
	fail func(w http.ResponseWriter, n int) bool
	seen atomic.Int64
}

func newStack(t *testing.T) *stack {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, uid+".pin", uid+".geo", uid+".user"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := gateway.NewKafka(cluster.ListenAddrs())
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{cluster: cluster}
	h := gateway.NewHandler(k, gateway.Options{})
	s.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.seen.Add(1))
		if s.fail != nil && s.fail(w, n) {
			return
		}
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		var body struct {
			Records []struct {
				Value struct {
					Index *int64 `json:"index"`
					Ind   *int64 `json:"ind"`
				} `json:"value"`
			} `json:"records"`
		}
		if sw.code == http.StatusOK && json.Unmarshal(raw, &body) == nil && len(body.Records) == 1 {
			id := body.Records[0].Value.Ind
			if id == nil {
				id = body.Records[0].Value.Index
			}
			s.mu.Lock()
			s.posts = append(s.posts, post{r.URL.Path, *id})
			s.mu.Unlock()
		}
	}))
	t.Cleanup(func() {
		s.server.Close()
		k.Close()
		cluster.Close()
	})
	return s
}

// statusWriter remembers the status the gateway answered.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *stack) consume(t *testing.T, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(s.cluster.ListenAddrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []*kgo.Record
	for len(got) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consume %s: %d of %d records", topic, len(got), n)
		}
		got = append(got, fs.Records()...)
	}
	return got
}

func testRows() rows { return rows(source.Generate(200, 7)) }

func TestThousandIterationsLandThreeThousandRecords(t *testing.T) {
	s := newStack(t)
	src := testRows()
	b, err := NewBatch(src, s.server.URL+"/dev", Options{UID: uid, Count: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := b.Stats()
	if st.Iterations != 1000 || st.Sent() != 3000 || st.Failed() != 0 || st.LastError != "" {
		t.Fatalf("stats %+v", st)
	}
	for _, ts := range st.Tables {
		if ts.Sent != 1000 {
			t.Fatalf("table %s sent %d", ts.Table, ts.Sent)
		}
	}

	draws := source.NewDraws(DefaultSeed, int64(len(src))-1)
	if len(s.posts) != 3000 {
		t.Fatalf("gateway saw %d posts", len(s.posts))
	}
	for i := range 1000 {
		id := draws.Next().ID
		for j, table := range record.Tables {
			want := post{"/dev/topics/" + uid + "." + string(table), id}
			if got := s.posts[3*i+j]; got != want {
				t.Fatalf("post %d is %+v, want %+v", 3*i+j, got, want)
			}
		}
	}

	draws = source.NewDraws(DefaultSeed, int64(len(src))-1)
	pins := s.consume(t, uid+".pin", 1000)
	for i, r := range pins {
		if want := string(src[draws.Next().ID].Pin.AppendJSON(nil)); string(r.Value) != want || r.Offset != int64(i) {
			t.Fatalf("pin %d at offset %d is %s, want %s", i, r.Offset, r.Value, want)
		}
	}
	if n := len(s.consume(t, uid+".geo", 1000)) + len(s.consume(t, uid+".user", 1000)); n != 2000 {
		t.Fatalf("geo+user landed %d records", n)
	}
}

func TestRetriesServiceUnavailable(t *testing.T) {
	s := newStack(t)
	s.fail = func(w http.ResponseWriter, n int) bool {
		// Every post fails twice before it gets through: requests 1,2 fail, 3 passes, 4,5 fail…
		if n%3 != 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"message":"Service Unavailable"}`))
			return true
		}
		return false
	}
	b, err := NewBatch(testRows(), s.server.URL, Options{UID: uid, Count: 10, Backoff: time.Microsecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := b.Stats(); st.Sent() != 30 || st.Failed() != 0 || s.seen.Load() != 90 || len(s.posts) != 30 {
		t.Fatalf("stats %+v after %d requests, %d produced", st, s.seen.Load(), len(s.posts))
	}
	if n := len(s.consume(t, uid+".pin", 10)); n != 10 {
		t.Fatalf("%d pins", n)
	}
}

func TestGivesUpAfterBoundedRetries(t *testing.T) {
	s := newStack(t)
	s.fail = func(w http.ResponseWriter, _ int) bool {
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(`{"message":"Internal server error"}`))
		return true
	}
	var delays []time.Duration
	b, err := NewBatch(testRows(), s.server.URL+"/test/", Options{UID: uid, Count: 2, Retries: 3, Backoff: time.Second, MaxBackoff: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b.sleep = func(ctx context.Context, d time.Duration, _ <-chan struct{}) error {
		delays = append(delays, d)
		return ctx.Err()
	}
	if err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := b.Stats()
	want := "post user to " + s.server.URL + "/test/topics/" + uid + ".user (4 attempts): HTTP 502: Internal server error"
	if st.Sent() != 0 || st.Failed() != 6 || s.seen.Load() != 24 || st.LastError != want {
		t.Fatalf("stats %+v after %d requests\nwant last error %s", st, s.seen.Load(), want)
	}
	if got := fmt.Sprint(delays[:3]); got != "[1s 2s 3s]" {
		t.Fatalf("backoff %s", got)
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	s := newStack(t)
	b, err := NewBatch(testRows(), s.server.URL, Options{UID: "nouser", Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := b.Stats()
	if st.Failed() != 3 || s.seen.Load() != 3 || !strings.HasSuffix(st.LastError, "(1 attempts): HTTP 404: Topic not found.") {
		t.Fatalf("stats %+v after %d requests", st, s.seen.Load())
	}
}

func TestConnectionErrorsFail(t *testing.T) {
	s := newStack(t)
	url := s.server.URL
	s.server.Close()
	b, err := NewBatch(testRows(), url, Options{UID: uid, Count: 1, Retries: 1, Backoff: time.Microsecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := b.Stats(); st.Failed() != 3 || !strings.Contains(st.LastError, "(2 attempts)") || !strings.Contains(st.LastError, "connection refused") {
		t.Fatalf("stats %+v", st)
	}
}

func TestStopsWhenContextEnds(t *testing.T) {
	s := newStack(t)
	ctx, cancel := context.WithCancel(context.Background())
	s.fail = func(_ http.ResponseWriter, n int) bool {
		if n == 31 {
			cancel()
		}
		return false
	}
	b, err := NewBatch(testRows(), s.server.URL, Options{UID: uid})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- b.Run(ctx) }()
	for b.Stats().Sent() == 0 {
		time.Sleep(time.Millisecond) // reading Stats while Run writes them, for -race
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st := b.Stats()
	if st.Sent() < 30 || st.Sent() > 31 || st.Failed() != 0 || st.Iterations != st.Sent()/3 {
		t.Fatalf("stats %+v after %d requests", st, s.seen.Load())
	}
}

func TestFaithfulPacingSleepsTheDrawnPauses(t *testing.T) {
	s := newStack(t)
	src := testRows()
	b, err := NewBatch(src, s.server.URL, Options{UID: uid, Count: 20, Faithful: true, Rate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var pauses []time.Duration
	b.sleep = func(_ context.Context, d time.Duration, _ <-chan struct{}) error {
		pauses = append(pauses, d)
		return nil
	}
	if err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	draws := source.NewDraws(DefaultSeed, int64(len(src))-1)
	for i, p := range pauses {
		if want := draws.Next().Pause; p != want {
			t.Fatalf("iteration %d paused %s, want %s", i, p, want)
		}
	}
	if len(pauses) != 20 {
		t.Fatalf("%d pauses", len(pauses))
	}
}

func TestRatePacing(t *testing.T) {
	s := newStack(t)
	b, err := NewBatch(testRows(), s.server.URL, Options{UID: uid, Count: 5, Rate: 2})
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	b.sleep = func(_ context.Context, d time.Duration, _ <-chan struct{}) error {
		waits = append(waits, d)
		return nil
	}
	if err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Iteration i is due i/2 s after the start; the waits shrink by the time posting took.
	for i, w := range waits {
		due := time.Duration(i) * 500 * time.Millisecond
		if w > due || (i > 0 && w <= due-500*time.Millisecond) {
			t.Fatalf("iteration %d waited %s, due at %s", i, w, due)
		}
	}
}

func TestNewBatchRejectsBadConfig(t *testing.T) {
	for base, want := range map[string]string{
		"127.0.0.1:8082": `batch emulator base "127.0.0.1:8082": want an http(s) URL such as http://127.0.0.1:8082 or an API Gateway invoke URL`,
		"ftp://x":        `batch emulator base "ftp://x": want an http(s) URL such as http://127.0.0.1:8082 or an API Gateway invoke URL`,
	} {
		if _, err := NewBatch(testRows(), base, Options{UID: uid}); err == nil || err.Error() != want {
			t.Errorf("%s: %v", base, err)
		}
	}
	if _, err := NewBatch(testRows(), "http://x", Options{}); err == nil {
		t.Error("no uid accepted")
	}
	b, _ := NewBatch(rows{}, "http://x", Options{UID: uid})
	if err := b.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "pintui seed") {
		t.Errorf("empty source: %v", err)
	}
}

func TestWorkersPostEveryDrawOnce(t *testing.T) {
	s := newStack(t)
	src := testRows()
	b, err := NewBatch(src, s.server.URL, Options{UID: uid, Count: 300, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := b.Stats(); st.Iterations != 300 || st.Sent() != 900 || st.Failed() != 0 {
		t.Fatalf("stats %+v", st)
	}
	want := map[string]int{}
	draws := source.NewDraws(DefaultSeed, int64(len(src))-1)
	for range 300 {
		id := draws.Next().ID
		for _, table := range record.Tables {
			want[fmt.Sprintf("/topics/%s.%s %d", uid, table, id)]++
		}
	}
	for _, p := range s.posts {
		want[fmt.Sprintf("%s %d", p.path, p.id)]--
	}
	for k, n := range want {
		if n != 0 {
			t.Fatalf("%s posted %d times too few", k, n)
		}
	}
}

func TestSourceFailureStopsTheRun(t *testing.T) {
	s := newStack(t)
	b, err := NewBatch(brokenRows{testRows()}, s.server.URL, Options{UID: uid, Count: 10, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Run(context.Background()); err == nil || err.Error() != "batch emulator: source is gone" {
		t.Fatalf("run: %v", err)
	}
}

// brokenRows reports its size but cannot read a row.
type brokenRows struct{ rows }

func (brokenRows) Row(context.Context, int64) (source.Row, error) {
	return source.Row{}, fmt.Errorf("source is gone")
}
