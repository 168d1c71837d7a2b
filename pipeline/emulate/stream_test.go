package emulate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/gateway"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
	"github.com/pintui/pintui/pipeline/stream"
)

// putRecord is one PutRecord call as the gateway made it.
type putRecord struct {
	Stream, PartitionKey string
	Data                 []byte
}

// memoryKinesis is a Kinesis upstream in memory: it keeps every PutRecord in order, and refuse,
// when set, answers a call itself.
type memoryKinesis struct {
	mu     sync.Mutex
	puts   []putRecord
	calls  int
	refuse func(call int) (int, string, bool)
}

func (k *memoryKinesis) Call(_ context.Context, op string, body []byte) (int, []byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls++
	if k.refuse != nil {
		if status, answer, ok := k.refuse(k.calls); ok {
			return status, []byte(answer), nil
		}
	}
	var in struct {
		StreamName, PartitionKey string
		Data                     []byte
	}
	if op != "PutRecord" || json.Unmarshal(body, &in) != nil {
		return http.StatusBadRequest, []byte(`{"__type":"SerializationException","message":"not a PutRecord"}`), nil
	}
	k.puts = append(k.puts, putRecord{in.StreamName, in.PartitionKey, in.Data})
	return http.StatusOK, fmt.Appendf(nil, `{"SequenceNumber":"%d","ShardId":"shardId-000000000000"}`, len(k.puts)), nil
}

func (k *memoryKinesis) records() []putRecord {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]putRecord(nil), k.puts...)
}

// streamGateway is the real gateway with its Kinesis proxy over k, checking each request is a
// PUT of application/json as the original emulator sends.
func streamGateway(t *testing.T, k *memoryKinesis) *httptest.Server {
	t.Helper()
	h := gateway.NewHandler(nil, gateway.Options{Kinesis: k})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s with Content-Type %q, want PUT application/json", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)
	return server
}

var uuid4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestStreamPutsEveryDrawToItsStream runs 100 draws through a stage prefix and checks that each
// stream got each draw's row, in draw order, as the JSON text the row encodes to, under a
// uuid4 partition key that the same seed gives again.
func TestStreamPutsEveryDrawToItsStream(t *testing.T) {
	src := testRows()
	run := func() []putRecord {
		k := &memoryKinesis{}
		s, err := NewStream(src, streamGateway(t, k).URL+"/dev", Options{UID: uid, Count: 100})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		st := s.Stats()
		if st.Iterations != 100 || st.Sent() != 300 || st.Failed() != 0 {
			t.Fatalf("stats = %+v, want 100 draws and 300 records sent", st)
		}
		// A draw's three records are put at once, so only each stream's own order is the draws'.
		byStream := map[string][]putRecord{}
		for _, put := range k.records() {
			byStream[put.Stream] = append(byStream[put.Stream], put)
		}
		var inOrder []putRecord
		for i := range 100 {
			for _, table := range record.Tables {
				if puts := byStream[stream.StreamName(uid, table)]; i < len(puts) {
					inOrder = append(inOrder, puts[i])
				}
			}
		}
		return inOrder
	}
	got := run()
	draws := source.NewDraws(DefaultSeed, int64(len(src))-1)
	keys := map[string]bool{}
	for i := range 100 {
		row := src[draws.Next().ID]
		for j, table := range record.Tables {
			put := got[3*i+j]
			want := map[record.Table][]byte{record.TablePin: row.Pin.AppendJSON(nil), record.TableGeo: row.Geo.AppendJSON(nil), record.TableUser: row.User.AppendJSON(nil)}[table]
			if put.Stream != stream.StreamName(uid, table) || string(put.Data) != string(want) {
				t.Fatalf("put %d = %s %s, want %s %s", 3*i+j, put.Stream, put.Data, stream.StreamName(uid, table), want)
			}
			if !uuid4.MatchString(put.PartitionKey) || keys[put.PartitionKey] {
				t.Fatalf("put %d has partition key %q: want a fresh uuid4", 3*i+j, put.PartitionKey)
			}
			keys[put.PartitionKey] = true
		}
	}
	again := run()
	for i := range got {
		if again[i].PartitionKey != got[i].PartitionKey {
			t.Fatalf("put %d has key %s the second run, %s the first: the same seed must give the same keys", i, again[i].PartitionKey, got[i].PartitionKey)
		}
	}
}

// TestStreamBodyIsTheOriginals checks one put byte for byte: the body the original
// streaming emulator sends.
func TestStreamBodyIsTheOriginals(t *testing.T) {
	row := testRows()[0]
	p := kinesisProxy{uid: uid, seed: 1, prefixes: [3]string{`{"StreamName":"streaming-0a1b2c3d4e5f-pin","Data":`}}
	got := string(p.appendBody(nil, 0, row, record.TablePin))
	want := `{"StreamName":"streaming-0a1b2c3d4e5f-pin","Data":` + string(row.Pin.AppendJSON(nil)) + `,"PartitionKey":"` + string(appendPartitionKey(nil, 1, 0, 0)) + `"}`
	if got != want {
		t.Errorf("body = %s\nwant %s", got, want)
	}
	if target := p.target("http://gw/dev", record.TableGeo); target != "http://gw/dev/streams/streaming-0a1b2c3d4e5f-geo/record" {
		t.Errorf("target = %s", target)
	}
}

// TestStreamRetriesThrottlingAndNotRefusals throttles the first puts as Kinesis does past a
// shard's limits, which the emulator retries until they land, and refuses one stream's puts
// as an unknown stream, which it counts as failed without retrying.
func TestStreamRetriesThrottlingAndNotRefusals(t *testing.T) {
	k := &memoryKinesis{refuse: func(call int) (int, string, bool) {
		if call <= 3 {
			return http.StatusBadRequest, `{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard shardId-000000000000"}`, true
		}
		return 0, "", false
	}}
	s, err := NewStream(testRows(), streamGateway(t, k).URL, Options{UID: uid, Count: 2, Backoff: time.Microsecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Sent() != 6 || st.Failed() != 0 || len(k.records()) != 6 {
		t.Fatalf("stats = %+v with %d records put, want all 6 sent after the retries", st, len(k.records()))
	}

	k = &memoryKinesis{refuse: func(int) (int, string, bool) {
		return http.StatusBadRequest, `{"__type":"ResourceNotFoundException","message":"Stream streaming-0a1b2c3d4e5f-pin not found."}`, true
	}}
	s, err = NewStream(testRows(), streamGateway(t, k).URL, Options{UID: uid, Count: 1, Backoff: time.Microsecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Failed() != 3 || k.calls != 3 {
		t.Fatalf("stats = %+v after %d calls, want 3 failed posts and no retry", st, k.calls)
	}
	want := "HTTP 400: ResourceNotFoundException: Stream streaming-0a1b2c3d4e5f-pin not found."
	if !strings.HasSuffix(st.LastError, want) {
		t.Errorf("last error = %q, want it to end in %q", st.LastError, want)
	}
}

func TestNewStreamRejectsBadConfig(t *testing.T) {
	if _, err := NewStream(testRows(), "127.0.0.1:8082", Options{UID: uid}); err == nil ||
		err.Error() != `streaming emulator base "127.0.0.1:8082": want an http(s) URL such as http://127.0.0.1:8082 or an API Gateway invoke URL` {
		t.Errorf("bad base: %v", err)
	}
	if _, err := NewStream(testRows(), "http://x", Options{}); err == nil || err.Error() != "streaming emulator: no user id to name the streams; set the uid in the config" {
		t.Errorf("no uid: %v", err)
	}
}

// TestStreamPutsADrawsThreeRecordsAtOnce expects the three records of a draw in flight
// together: each goes to its own stream, so none need wait for another's acknowledgement, which
// the local Kinesis gives only once the record is fsynced.
func TestStreamPutsADrawsThreeRecordsAtOnce(t *testing.T) {
	var (
		mu             sync.Mutex
		inFlight, most int
	)
	all := make(chan struct{})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		if most = max(most, inFlight); inFlight == 3 {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(2 * time.Second):
		}
		mu.Lock()
		inFlight--
		mu.Unlock()
		fmt.Fprint(w, `{"SequenceNumber":"1","ShardId":"shardId-000000000000"}`)
	}))
	defer server.Close()
	s, err := NewStream(testRows(), server.URL, Options{UID: uid, Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); most != 3 || st.Iterations != 1 {
		t.Fatalf("at most %d puts in flight over %d draws (%+v), want the draw's 3 at once", most, st.Iterations, st)
	}
}
