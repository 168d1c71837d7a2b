package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	pinTopic   = "0a1b2c3d4e5f.pin"
	geoTopic   = "0a1b2c3d4e5f.geo"
	multiTopic = "multi"
	jsonV2     = "application/vnd.kafka.json.v2+json"
	binaryV2   = "application/vnd.kafka.binary.v2+json"
)

// stack is a kfake cluster with the gateway in front of it on loopback.
type stack struct {
	cluster *kfake.Cluster
	kafka   *Kafka
	server  *httptest.Server
}

func newStack(t testing.TB) *stack {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, pinTopic, geoTopic),
		kfake.SeedTopics(3, multiTopic))
	if err != nil {
		t.Fatal(err)
	}
	k, err := NewKafka(cluster.ListenAddrs())
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(NewHandler(k, Options{}))
	t.Cleanup(func() {
		server.Close()
		k.Close()
		cluster.Close()
	})
	return &stack{cluster: cluster, kafka: k, server: server}
}

// post sends body and returns the status, Content-Type and body of the answer.
func (s *stack) post(t testing.TB, path, contentType, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) (int, string, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// consume reads n records of topic from the start.
func (s *stack) consume(t testing.TB, topic string, n int) []*kgo.Record {
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
		if err := ctx.Err(); err != nil {
			t.Fatalf("consume %s: got %d of %d records: %v", topic, len(got), n, err)
		}
		got = append(got, fs.Records()...)
	}
	return got
}

func offsets(entries ...string) string {
	return `{"offsets":[` + strings.Join(entries, ",") + `],"key_schema_id":null,"value_schema_id":null}`
}

func offset(partition, off int) string {
	return fmt.Sprintf(`{"partition":%d,"offset":%d,"error_code":null,"error":null}`, partition, off)
}

func fixtureLine(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return line
}

func TestEmulatorRequestLandsAsCompactJSON(t *testing.T) {
	s := newStack(t)
	pin := fixtureLine(t, "raw_pin.jsonl")
	status, ct, body := s.post(t, "/dev/topics/"+pinTopic, jsonV2, `{"records": [{"value": `+pin+`}]}`)
	if status != 200 || ct != mediaKafkaV2 || body != offsets(offset(0, 0)) {
		t.Fatalf("got %d %q %s", status, ct, body)
	}
	var want bytes.Buffer
	if err := json.Compact(&want, []byte(pin)); err != nil {
		t.Fatal(err)
	}
	got := s.consume(t, pinTopic, 1)
	if string(got[0].Value) != want.String() || got[0].Key != nil {
		t.Fatalf("landed value %q key %q, want %q", got[0].Value, got[0].Key, want.String())
	}
}

func TestContentTypes(t *testing.T) {
	s := newStack(t)
	cases := []struct {
		contentType string
		body        string
		key, value  string
	}{
		{jsonV2, `{"records":[{"key":{"k": 1},"value":{"a": [1, 2.5e3, "x y"], "b": null}}]}`, `{"k":1}`, `{"a":[1,2.5e3,"x y"],"b":null}`},
		{jsonV2 + "; charset=utf-8", `{"records":[{"value":"caf\u00e9 \"q\""}]}`, "", `"caf\u00e9 \"q\""`},
		{"Application/VND.Kafka.JSON.v2+JSON", `{"records":[{"value":42}]}`, "", `42`},
		{"application/vnd.kafka.json+json", `{"records":[{"value":true}]}`, "", `true`},
		{binaryV2, `{"records":[{"key":"a2V5","value":"aGVsbG8="}]}`, "key", "hello"},
		{"application/vnd.kafka.v2+json", `{"records":[{"value":"aGVsbG8="}]}`, "", "hello"},
		{"application/vnd.kafka+json", `{"records":[{"value":"aGk="}]}`, "", "hi"},
		{"application/json; charset=UTF-8", `{"records":[{"value":"eyJhIjoxfQ=="}]}`, "", `{"a":1}`},
		{"application/octet-stream", `{"records":[{"value":"YS9i\/w=="}]}`, "", "a/b\xff"},
		{"", `{"records":[{"value":"AA=="}]}`, "", "\x00"},
	}
	for i, c := range cases {
		status, _, body := s.post(t, "/topics/"+geoTopic, c.contentType, c.body)
		if status != 200 || body != offsets(offset(0, i)) {
			t.Fatalf("%q: got %d %s", c.contentType, status, body)
		}
	}
	got := s.consume(t, geoTopic, len(cases))
	for i, c := range cases {
		if string(got[i].Key) != c.key || string(got[i].Value) != c.value {
			t.Errorf("%q: landed key %q value %q, want %q %q", c.contentType, got[i].Key, got[i].Value, c.key, c.value)
		}
	}
}

func TestOffsetsFollowRecordOrder(t *testing.T) {
	s := newStack(t)
	var records, want []string
	for i := range 100 {
		records = append(records, fmt.Sprintf(`{"value":{"n":%d}}`, i))
		want = append(want, offset(0, i))
	}
	body := `{"records":[` + strings.Join(records, ",") + `]}`
	if status, _, got := s.post(t, "/topics/"+pinTopic, jsonV2, body); status != 200 || got != offsets(want...) {
		t.Fatalf("got %d %s", status, got)
	}
	if _, _, got := s.post(t, "/test/topics/"+pinTopic, jsonV2, `{"records":[{"value":1},{"value":2}]}`); got != offsets(offset(0, 100), offset(0, 101)) {
		t.Fatalf("second request: %s", got)
	}
	for i, r := range s.consume(t, pinTopic, 102)[:100] {
		if string(r.Value) != fmt.Sprintf(`{"n":%d}`, i) {
			t.Fatalf("record %d is %s", i, r.Value)
		}
	}
}

func TestPartitionPlacement(t *testing.T) {
	s := newStack(t)
	hash := kgo.StickyKeyPartitioner(nil).ForTopic(multiTopic)
	var want []string
	var records []string
	for i := range 20 {
		key := fmt.Sprintf("user-%d", i)
		records = append(records, fmt.Sprintf(`{"key":%q,"value":%d}`, key, i))
		want = append(want, fmt.Sprintf(`"partition":%d`, hash.Partition(&kgo.Record{Key: []byte(fmt.Sprintf("%q", key))}, 3)))
	}
	_, _, body := s.post(t, "/topics/"+multiTopic, jsonV2, `{"records":[`+strings.Join(records, ",")+`]}`)
	var resp struct{ Offsets []map[string]any }
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatal(err)
	}
	for i, o := range resp.Offsets {
		if got := fmt.Sprintf(`"partition":%v`, o["partition"]); got != want[i] {
			t.Errorf("record %d: %s, want %s (murmur2 of the key)", i, got, want[i])
		}
	}

	status, _, body := s.post(t, "/topics/"+multiTopic+"/partitions/2", jsonV2, `{"records":[{"value":1},{"value":2,"partition":0}]}`)
	if status != 200 || !strings.Contains(body, `{"partition":2,"offset":`) || strings.Contains(body, `"partition":0`) {
		t.Fatalf("path partition: %d %s", status, body)
	}
	status, _, body = s.post(t, "/topics/"+multiTopic, jsonV2, `{"records":[{"value":1,"partition":1}]}`)
	if status != 200 || !strings.Contains(body, `{"partition":1,"offset":`) {
		t.Fatalf("record partition: %d %s", status, body)
	}
}

func TestErrors(t *testing.T) {
	s := newStack(t)
	cases := []struct {
		name, method, path, contentType, body string
		status                                int
		envelope                              string
	}{
		{"empty records", "POST", "/topics/" + pinTopic, jsonV2, `{"records":[]}`, 422,
			`{"error_code":422,"message":"records may not be empty"}`},
		{"no records", "POST", "/topics/" + pinTopic, jsonV2, `{"value_schema_id":null}`, 422,
			`{"error_code":422,"message":"records may not be empty"}`},
		{"null records", "POST", "/topics/" + pinTopic, jsonV2, `{"records":null}`, 422,
			`{"error_code":422,"message":"records may not be empty"}`},
		{"empty body", "POST", "/topics/" + pinTopic, jsonV2, ``, 422,
			`{"error_code":422,"message":"Request body is empty: send {\"records\":[{\"value\":…}]}"}`},
		{"not JSON", "POST", "/topics/" + pinTopic, jsonV2, `{"records":x}`, 422,
			`{"error_code":422,"message":"Unexpected character 'x' (code 120): expected '[' starting the records array at line 1 column 12"}`},
		{"bad value", "POST", "/topics/" + pinTopic, jsonV2, "{\"records\":[\n  {\"value\": {\"a\": tru}}]}", 422,
			`{"error_code":422,"message":"Unexpected character '}' (code 125): expected 'true' at line 2 column 22"}`},
		{"truncated", "POST", "/topics/" + pinTopic, jsonV2, `{"records":[{"value":{"index":7528,"title":"No Ti`, 422,
			`{"error_code":422,"message":"Unexpected end of input (the body is truncated): expected '\"' closing a string at line 1 column 50"}`},
		{"trailing garbage", "POST", "/topics/" + pinTopic, jsonV2, `{"records":[{"value":1}]} x`, 422,
			`{"error_code":422,"message":"Unexpected character 'x' (code 120): expected end of input after the request object at line 1 column 27"}`},
		{"missing value", "POST", "/topics/" + pinTopic, jsonV2, `{"records":[{"value":1},{"key":2}]}`, 422,
			`{"error_code":422,"message":"records[1]: value is required"}`},
		{"bad base64", "POST", "/topics/" + pinTopic, binaryV2, `{"records":[{"value":"no+pe!"}]}`, 422,
			`{"error_code":422,"message":"records[0].value: illegal base64 data at byte 5 of the string (binary embedded format expects standard base64)"}`},
		{"json value as binary", "POST", "/topics/" + pinTopic, "application/json", `{"records":[{"value":{"a":1}}]}`, 422,
			`{"error_code":422,"message":"Unexpected character '{' (code 123): expected a base64 string or null for records[0].value (binary embedded format) at line 1 column 22"}`},
		{"bad partition", "POST", "/topics/" + pinTopic, jsonV2, `{"records":[{"value":1,"partition":1.5}]}`, 422,
			`{"error_code":422,"message":"records[0].partition: 1.5 is not a partition number"}`},
		{"unknown topic", "POST", "/dev/topics/nope", jsonV2, `{"records":[{"value":1}]}`, 404,
			`{"error_code":40401,"message":"Topic not found."}`},
		{"unknown partition", "POST", "/topics/" + pinTopic + "/partitions/3", jsonV2, `{"records":[{"value":1}]}`, 404,
			`{"error_code":40402,"message":"Partition not found."}`},
		{"record partition out of range", "POST", "/topics/" + multiTopic, jsonV2, `{"records":[{"value":1,"partition":3}]}`, 404,
			`{"error_code":40402,"message":"Partition not found."}`},
		{"wrong content type", "POST", "/topics/" + pinTopic, "text/plain", `{"records":[{"value":1}]}`, 415,
			`{"error_code":415,"message":"HTTP 415 Unsupported Media Type: \"text/plain\"; send application/vnd.kafka.json.v2+json (JSON values) or application/vnd.kafka.binary.v2+json (base64 values)"}`},
		{"avro", "POST", "/topics/" + pinTopic, "application/vnd.kafka.avro.v2+json", `{"value_schema_id":1,"records":[{"value":1}]}`, 415,
			`{"error_code":415,"message":"Embedded format avro needs a schema registry, which this gateway does not have; send application/vnd.kafka.json.v2+json or application/vnd.kafka.binary.v2+json"}`},
		{"v1", "POST", "/topics/" + pinTopic, "application/vnd.kafka.json.v1+json", `{"records":[{"value":1}]}`, 415,
			`{"error_code":415,"message":"HTTP 415 Unsupported Media Type: \"application/vnd.kafka.json.v1+json\"; send application/vnd.kafka.json.v2+json (JSON values) or application/vnd.kafka.binary.v2+json (base64 values)"}`},
		{"wrong method", "DELETE", "/topics/" + pinTopic, jsonV2, ``, 405,
			`{"error_code":405,"message":"HTTP 405 Method Not Allowed"}`},
		{"post to topic list", "POST", "/topics", jsonV2, `{"records":[{"value":1}]}`, 405,
			`{"error_code":405,"message":"HTTP 405 Method Not Allowed"}`},
		{"unknown route", "POST", "/a/b/topics/x", jsonV2, `{"records":[{"value":1}]}`, 404,
			`{"error_code":404,"message":"HTTP 404 Not Found"}`},
		{"bad partition path", "POST", "/topics/x/partitions/-1", jsonV2, `{"records":[{"value":1}]}`, 404,
			`{"error_code":404,"message":"HTTP 404 Not Found"}`},
		{"unknown topic metadata", "GET", "/topics/nope", "", ``, 404,
			`{"error_code":40401,"message":"Topic not found."}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, s.server.URL+c.path, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			status, ct, body := do(t, req)
			if status != c.status || body != c.envelope || ct != mediaKafkaV2 {
				t.Fatalf("got %d %q %s\nwant %d %s", status, ct, body, c.status, c.envelope)
			}
		})
	}
	// The server keeps serving and nothing accepted before was lost.
	if status, _, body := s.post(t, "/topics/"+pinTopic, jsonV2, `{"records":[{"value":"after"}]}`); status != 200 || body != offsets(offset(0, 0)) {
		t.Fatalf("after errors: %d %s", status, body)
	}
}

func TestBodyOverLimit(t *testing.T) {
	s := newStack(t)
	big := `{"records":[{"value":"` + strings.Repeat("a", 10<<20) + `"}]}`
	want := `{"error_code":413,"message":"Request body is larger than the limit of 5242880 bytes; split the records over several requests"}`

	// Declared length: refused before reading.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/topics/"+pinTopic, strings.NewReader(big))
	req.Header.Set("Content-Type", jsonV2)
	NewHandler(s.kafka, Options{}).ServeHTTP(rec, req)
	if rec.Code != 413 || rec.Body.String() != want {
		t.Fatalf("declared: %d %s", rec.Code, rec.Body)
	}

	// Chunked, no declared length: cut off while reading.
	req, _ = http.NewRequest(http.MethodPost, s.server.URL+"/topics/"+pinTopic, io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Content-Type", jsonV2)
	if status, _, body := do(t, req); status != 413 || body != want {
		t.Fatalf("chunked: %d %s", status, body)
	}

	// A configurable limit.
	small := httptest.NewServer(NewHandler(s.kafka, Options{MaxBody: 16}))
	defer small.Close()
	req, _ = http.NewRequest(http.MethodPost, small.URL+"/topics/"+pinTopic, strings.NewReader(`{"records":[{"value":12345}]}`))
	req.Header.Set("Content-Type", jsonV2)
	if status, _, _ := do(t, req); status != 413 {
		t.Fatalf("limit 16: %d", status)
	}
	if status, _, body := s.post(t, "/topics/"+pinTopic, jsonV2, `{"records":[{"value":1}]}`); status != 200 {
		t.Fatalf("after 413: %d %s", status, body)
	}
}

func TestTopicMetadata(t *testing.T) {
	s := newStack(t)
	get := func(path, accept string) (int, string, string) {
		req, _ := http.NewRequest(http.MethodGet, s.server.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		return do(t, req)
	}
	if status, ct, body := get("/topics", ""); status != 200 || ct != mediaKafkaV2 ||
		body != `["0a1b2c3d4e5f.geo","0a1b2c3d4e5f.pin","multi"]` {
		t.Fatalf("topics: %d %q %s", status, ct, body)
	}
	status, ct, body := get("/dev/topics/"+multiTopic, "application/vnd.kafka.v2+json; q=0.4, application/json; q=0.5")
	if status != 200 || ct != mediaJSON {
		t.Fatalf("topic: %d %q %s", status, ct, body)
	}
	var info TopicInfo
	if err := json.Unmarshal([]byte(body), &info); err != nil {
		t.Fatal(err)
	}
	if info.Name != multiTopic || len(info.Partitions) != 3 || info.Configs == nil {
		t.Fatalf("topic: %s", body)
	}
	for i, p := range info.Partitions {
		if p.Partition != int32(i) || len(p.Replicas) != 1 || !p.Replicas[0].Leader || !p.Replicas[0].InSync || p.Replicas[0].Broker != p.Leader {
			t.Fatalf("partition %d: %+v", i, p)
		}
	}
	if status, _, body := get("/topics/"+multiTopic+"/partitions/1", ""); status != 200 || !strings.HasPrefix(body, `{"partition":1,"leader":`) {
		t.Fatalf("partition: %d %s", status, body)
	}
	if status, _, body := get("/topics/"+multiTopic+"/partitions/7", ""); status != 404 || body != `{"error_code":40402,"message":"Partition not found."}` {
		t.Fatalf("missing partition: %d %s", status, body)
	}
	if status, _, _ := get("/topics", "text/html"); status != 406 {
		t.Fatalf("text/html accepted: %d", status)
	}
}

func TestNegotiate(t *testing.T) {
	cases := map[string]string{
		"": mediaKafkaV2,
		"application/vnd.kafka.v2+json; q=0.9, application/json; q=0.5": mediaKafkaV2,
		"application/json":                    mediaJSON,
		"*/*":                                 mediaKafkaV2,
		"application/json, */*":               mediaKafkaV2,
		"application/json;q=1, */*;q=0.1":     mediaJSON,
		"text/html":                           "",
		"application/vnd.kafka.v2+json;q=0":   "",
		"application/vnd.kafka+json; q=bogus": "",
		"text/html, application/json; q=0.01": mediaJSON,
	}
	for accept, want := range cases {
		if got := negotiate(accept); got != want {
			t.Errorf("negotiate(%q) = %q, want %q", accept, got, want)
		}
	}
}

// failingProducer reports per-record and whole-request Kafka failures.
type failingProducer struct {
	Producer
	err error
}

func (f failingProducer) Produce(_ context.Context, _ string, records []Record) ([]Result, error) {
	if f.err != nil {
		return nil, f.err
	}
	results := make([]Result, len(records))
	results[0] = Result{Partition: 0, Offset: 7}
	results[1] = Result{Err: kerr.NotLeaderForPartition}
	results[2] = Result{Err: kerr.MessageTooLarge}
	return results, nil
}

func TestKafkaFailures(t *testing.T) {
	serve := func(p Producer) (int, string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/topics/t", strings.NewReader(`{"records":[{"value":1},{"value":2},{"value":3}]}`))
		req.Header.Set("Content-Type", jsonV2)
		NewHandler(p, Options{}).ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	status, body := serve(failingProducer{})
	want := offsets(offset(0, 7),
		`{"partition":null,"offset":null,"error_code":50003,"error":"NOT_LEADER_FOR_PARTITION: This server is not the leader for that topic-partition."}`,
		`{"partition":null,"offset":null,"error_code":50002,"error":"MESSAGE_TOO_LARGE: The request included a message larger than the max message size the server will accept"}`)
	if status != 200 || body != want {
		t.Fatalf("per-record: %d %s\nwant %s", status, body, want)
	}
	status, body = serve(failingProducer{err: errors.New("dial tcp 127.0.0.1:9092: connection refused")})
	if status != 500 || body != `{"error_code":50002,"message":"Kafka error producing to t: dial tcp 127.0.0.1:9092: connection refused"}` {
		t.Fatalf("cluster down: %d %s", status, body)
	}
	status, body = serve(failingProducer{err: fmt.Errorf("describe topic t: %w", kerr.LeaderNotAvailable)})
	if status != 500 || !strings.HasPrefix(body, `{"error_code":50003,"message":"Retriable Kafka error producing to t: `) {
		t.Fatalf("retriable: %d %s", status, body)
	}
}

// cutReader ends a body early, as a client that drops the connection mid-body does.
type cutReader struct{ r io.Reader }

func (c cutReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func TestBodyCutOffWhileReading(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/topics/t", cutReader{strings.NewReader(`{"records":[{"value":`)})
	req.Header.Set("Content-Type", jsonV2)
	NewHandler(failingProducer{}, Options{}).ServeHTTP(rec, req)
	if rec.Code != 422 || rec.Body.String() != `{"error_code":422,"message":"Request body is truncated: unexpected EOF"}` {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
}

func TestServesPath(t *testing.T) {
	for path, want := range map[string]bool{
		"/topics": true, "/topics/": true, "/dev/topics/a.pin": true, "/topics/a/partitions": true,
		"/topics/a/partitions/0": true, "/streams/streaming-a-pin/record": false, "/dev/streams": false,
		"/": false, "/a/b/topics/x": false, "/topics/a/records": false,
	} {
		if got := ServesPath(path); got != want {
			t.Errorf("ServesPath(%q) = %v", path, got)
		}
	}
}
