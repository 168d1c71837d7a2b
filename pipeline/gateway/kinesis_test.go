package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// kinesisCall is one call the proxy made of its upstream.
type kinesisCall struct {
	Operation string
	Body      string
}

// fakeKinesis records the calls and answers each with a fixed status and body.
type fakeKinesis struct {
	mu     sync.Mutex
	calls  []kinesisCall
	status int
	resp   string
	err    error
}

func (f *fakeKinesis) Call(_ context.Context, op string, body []byte) (int, []byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, kinesisCall{op, string(body)})
	if f.err != nil {
		return 0, nil, f.err
	}
	return f.status, []byte(f.resp), nil
}

func (f *fakeKinesis) made() []kinesisCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]kinesisCall(nil), f.calls...)
}

func kinesisServer(t *testing.T, upstream Kinesis) *httptest.Server {
	t.Helper()
	server := httptest.NewServer(NewHandler(nil, Options{Kinesis: upstream}))
	t.Cleanup(server.Close)
	return server
}

func send(t *testing.T, server *httptest.Server, method, path, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestKinesisRoutesCallTheirOperations sends each resource of the original API Gateway
// streaming API and checks the one Kinesis call it becomes, byte for byte, and that the
// upstream's answer comes back unchanged.
func TestKinesisRoutesCallTheirOperations(t *testing.T) {
	const answer = `{"SequenceNumber":"49590338271490256608559692538361571095921575989136588898","ShardId":"shardId-000000000000"}`
	pin := `{"index":7528,"title":"No Title Data Available","tag_list":"a,b"}`
	cases := []struct {
		method, path, body string
		want               kinesisCall
	}{
		{http.MethodPut, "/dev/streams/streaming-0a1b2c3d4e5f-pin/record",
			`{"StreamName":"streaming-0a1b2c3d4e5f-pin","Data":{ "index": 7528, "title": "No Title Data Available", "tag_list": "a,b" },"PartitionKey":"c8e1"}`,
			kinesisCall{"PutRecord", `{"StreamName":"streaming-0a1b2c3d4e5f-pin","Data":"` + b64(pin) + `","PartitionKey":"c8e1"}`}},
		{http.MethodPut, "/streams/s/records",
			`{"records":[{"data":{"ind":1},"partition-key":"a"},{"data":"some text","partition-key":"b"}]}`,
			kinesisCall{"PutRecords", `{"StreamName":"s","Records":[{"Data":"` + b64(`{"ind":1}`) + `","PartitionKey":"a"},{"Data":"` + b64("some text") + `","PartitionKey":"b"}]}`}},
		{http.MethodGet, "/test/streams", "", kinesisCall{"ListStreams", `{}`}},
		{http.MethodGet, "/streams/s", "", kinesisCall{"DescribeStream", `{"StreamName":"s"}`}},
		{http.MethodPost, "/streams/s", "", kinesisCall{"CreateStream", `{"ShardCount":5,"StreamName":"s"}`}},
		{http.MethodPost, "/dev/streams/s", `{"ShardCount":2}`, kinesisCall{"CreateStream", `{"ShardCount":2,"StreamName":"s"}`}},
		{http.MethodDelete, "/streams/s", "", kinesisCall{"DeleteStream", `{"StreamName":"s"}`}},
	}
	for _, c := range cases {
		t.Run(c.method+c.path, func(t *testing.T) {
			up := &fakeKinesis{status: http.StatusOK, resp: answer}
			status, ctype, body := send(t, kinesisServer(t, up), c.method, c.path, c.body)
			if status != http.StatusOK || ctype != "application/json" || body != answer {
				t.Errorf("answer = %d %s %s, want 200 application/json %s", status, ctype, body, answer)
			}
			if got := up.made(); len(got) != 1 || got[0] != c.want {
				t.Errorf("calls = %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestKinesisErrorsPassThrough checks that Kinesis's own refusal reaches the client with its
// status and body.
func TestKinesisErrorsPassThrough(t *testing.T) {
	const refusal = `{"__type":"ResourceNotFoundException","message":"Stream nope under account 000000000000 not found."}`
	up := &fakeKinesis{status: http.StatusBadRequest, resp: refusal}
	status, _, body := send(t, kinesisServer(t, up), http.MethodPut, "/streams/nope/record", `{"Data":{"a":1},"PartitionKey":"k"}`)
	if status != http.StatusBadRequest || body != refusal {
		t.Errorf("answer = %d %s, want 400 %s", status, body, refusal)
	}
}

// TestKinesisBadInputIsRefused sends each kind of bad request and checks the exact refusal,
// in Kinesis's error shape, and that nothing reached the upstream.
func TestKinesisBadInputIsRefused(t *testing.T) {
	many := `{"records":[` + strings.Repeat(`{"data":{"a":1},"partition-key":"k"},`, MaxPutRecords) + `{"data":{"a":1},"partition-key":"k"}]}`
	huge := `{"Data":{"a":"` + strings.Repeat("x", 2<<20) + `"},"PartitionKey":"k"}`
	cases := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"data is a string", http.MethodPut, "/streams/s/record", `{"StreamName":"s","Data":"{\"index\":1}","PartitionKey":"k"}`, 400,
			`{"__type":"ValidationException","message":"Data is a JSON string, not an object: send the row itself as Data, e.g. {\"Data\":{\"index\":1}}, not its text"}`},
		{"data is missing", http.MethodPut, "/streams/s/record", `{"PartitionKey":"k"}`, 400,
			`{"__type":"ValidationException","message":"Data is missing: send the row as a JSON object, e.g. {\"Data\":{\"index\":1}}"}`},
		{"no partition key", http.MethodPut, "/streams/s/record", `{"Data":{"a":1}}`, 400,
			`{"__type":"ValidationException","message":"PartitionKey is missing: every record needs a partition key of 1 to 256 characters, e.g. a uuid"}`},
		{"number partition key", http.MethodPut, "/streams/s/record", `{"Data":{"a":1},"PartitionKey":7}`, 400,
			`{"__type":"ValidationException","message":"PartitionKey is a JSON number, not a string: send a partition key of 1 to 256 characters, e.g. a uuid"}`},
		{"empty partition key", http.MethodPut, "/streams/s/record", `{"Data":{"a":1},"PartitionKey":""}`, 400,
			`{"__type":"ValidationException","message":"PartitionKey has 0 characters: a partition key has 1 to 256"}`},
		{"not json", http.MethodPut, "/streams/s/record", `index=1`, 400,
			`{"__type":"SerializationException","message":"the body is not a JSON object: send {\"StreamName\":\"…\",\"Data\":{…},\"PartitionKey\":\"…\"}"}`},
		{"broken json", http.MethodPut, "/streams/s/record", `{"Data":{"a":1}`, 400,
			`{"__type":"SerializationException","message":"the body is not valid JSON (unexpected end of JSON input): send {\"StreamName\":\"…\",\"Data\":{…},\"PartitionKey\":\"…\"}"}`},
		{"2 MiB record", http.MethodPut, "/streams/s/record", huge, 400,
			`{"__type":"ValidationException","message":"the record is 2097161 bytes of Data and PartitionKey, over Kinesis's limit of 1048576: send smaller rows"}`},
		{"501 records", http.MethodPut, "/streams/s/records", many, 400,
			`{"__type":"ValidationException","message":"the body has 501 records, over Kinesis's limit of 500 per PutRecords: split them over several requests"}`},
		{"no records", http.MethodPut, "/streams/s/records", `{"records":[]}`, 400,
			`{"__type":"ValidationException","message":"the body has no records: send {\"records\":[{\"data\":{…},\"partition-key\":\"…\"}]} with 1 to 500 records"}`},
		{"records not a list", http.MethodPut, "/streams/s/records", `{"records":{}}`, 400,
			`{"__type":"ValidationException","message":"records is a JSON object, which it cannot be: send {\"records\":[{\"data\":{…},\"partition-key\":\"…\"}]}"}`},
		{"shard count a string", http.MethodPost, "/streams/s", `{"ShardCount":"2"}`, 400,
			`{"__type":"ValidationException","message":"ShardCount is a JSON string, which it cannot be: send {\"ShardCount\":5}"}`},
		{"record by POST", http.MethodPost, "/streams/s/record", `{"Data":{"a":1},"PartitionKey":"k"}`, 405,
			`{"__type":"MethodNotAllowedException","message":"POST /streams/s/record is not a resource of this API: use GET /streams, GET|POST|DELETE /streams/NAME, PUT /streams/NAME/record or PUT /streams/NAME/records"}`},
		{"over the body limit", http.MethodPut, "/streams/s/record", `{"Data":{"a":"` + strings.Repeat("x", DefaultMaxBody) + `"},"PartitionKey":"k"}`, 400,
			`{"__type":"ValidationException","message":"the request body is larger than the gateway's limit of 5242880 bytes: send fewer or smaller records"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			up := &fakeKinesis{status: http.StatusOK, resp: "{}"}
			status, ctype, body := send(t, kinesisServer(t, up), c.method, c.path, c.body)
			if status != c.status || ctype != "application/json" || body != c.want {
				t.Errorf("answer = %d %s\n%s\nwant %d application/json\n%s", status, ctype, body, c.status, c.want)
			}
			if calls := up.made(); len(calls) != 0 {
				t.Errorf("the upstream was called: %+v", calls)
			}
		})
	}
}

// TestKinesisUnreachableIsRetriable checks that a call that got no answer is a 500, which the
// streaming emulator retries.
func TestKinesisUnreachableIsRetriable(t *testing.T) {
	up := &fakeKinesis{err: errors.New("dial tcp 127.0.0.1:4567: connect: connection refused")}
	status, _, body := send(t, kinesisServer(t, up), http.MethodPut, "/streams/s/record", `{"Data":{"a":1},"PartitionKey":"k"}`)
	want := `{"__type":"InternalFailure","message":"PutRecord on stream \"s\" got no answer from Kinesis: dial tcp 127.0.0.1:4567: connect: connection refused; retry the request"}`
	if status != http.StatusInternalServerError || body != want {
		t.Errorf("answer = %d %s, want 500 %s", status, body, want)
	}
}

// TestWithoutKinesisTheStreamRoutesAreNotServed keeps a gateway without a Kinesis upstream a
// plain REST Proxy.
func TestWithoutKinesisTheStreamRoutesAreNotServed(t *testing.T) {
	server := httptest.NewServer(NewHandler(nil, Options{}))
	defer server.Close()
	status, _, body := send(t, server, http.MethodPut, "/streams/s/record", `{"Data":{"a":1},"PartitionKey":"k"}`)
	if status != http.StatusNotFound || body != `{"error_code":404,"message":"HTTP 404 Not Found"}` {
		t.Errorf("answer = %d %s, want the REST Proxy's 404", status, body)
	}
}

// goneClientKinesis answers only once the client's request context has ended, so a call that
// still depends on that context fails every time.
type goneClientKinesis struct {
	clientGone func() <-chan struct{}
	got        chan error
}

func (k goneClientKinesis) Call(ctx context.Context, _ string, _ []byte) (int, []byte, error) {
	<-k.clientGone()
	k.got <- ctx.Err()
	return http.StatusOK, []byte(`{"SequenceNumber":"1","ShardId":"shardId-000000000000"}`), nil
}

// TestHalfClosedClientKeepsItsRecord half-closes the connection once a record put is sent,
// which cancels the request's context; the call to Kinesis must still run with a live context.
func TestHalfClosedClientKeepsItsRecord(t *testing.T) {
	requests := make(chan context.Context, 1)
	up := goneClientKinesis{clientGone: func() <-chan struct{} { return (<-requests).Done() }, got: make(chan error, 1)}
	const answer = `{"SequenceNumber":"1","ShardId":"shardId-000000000000"}`
	status, body := halfClosed(t, NewHandler(nil, Options{Kinesis: up}), requests, "PUT /dev/streams/s/record", "application/json", `{"Data":{"index":7528},"PartitionKey":"k"}`)
	if err := <-up.got; err != nil {
		t.Fatalf("the Kinesis call ran on the client's cancelled context: %v", err)
	}
	if status != http.StatusOK || body != answer {
		t.Errorf("half-closed client got %d %s, want 200 %s", status, body, answer)
	}
}

// FuzzDecodeKinesis puts arbitrary bytes in a record put and a records put: the proxy refuses
// them in Kinesis's shape or makes a call whose every Data decodes to what was sent, never
// anything else.
func FuzzDecodeKinesis(f *testing.F) {
	for _, seed := range []string{
		`{"StreamName":"s","Data":{"index":1},"PartitionKey":"k"}`,
		`{"records":[{"data":{"ind":1},"partition-key":"a"},{"data":"x","partition-key":"b"}]}`,
		`{"Data":"x","PartitionKey":"k"}`, `{"Data":{"a":[1,2,{"b":null}]},"PartitionKey":"ü"}`, `{`, `[]`, `null`, ``,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, encode := range []func(string, []byte) ([]byte, *kinesisError){encodePutRecord, encodePutRecords} {
			out, kerr := encode("s", []byte(body))
			if kerr != nil {
				if kerr.Type == "" || kerr.Message == "" || out != nil {
					t.Fatalf("refusal %+v with call %q", kerr, out)
				}
				continue
			}
			var call struct {
				StreamName   string
				Data         []byte
				PartitionKey string
				Records      []struct {
					Data         []byte
					PartitionKey string
				}
			}
			if err := json.Unmarshal(out, &call); err != nil || call.StreamName != "s" {
				t.Fatalf("call %q does not decode: %v", out, err)
			}
			if call.Records == nil && !json.Valid(call.Data) {
				t.Fatalf("Data %q of %q is not the JSON sent", call.Data, body)
			}
		}
	})
}
