package local

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/stream"
)

// kinesalite starts kinesalite (npm, installed into .ci/npm by .ci/run), a Kinesis server
// nobody here wrote, on a free loopback port and returns its URL. When it is missing the test
// fails under CI=true and is skipped otherwise.
func kinesalite(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(filepath.Dir(file), "..", "..", ".ci", "npm", "node_modules", ".bin", "kinesalite")
	if _, err := os.Stat(bin); err != nil {
		const install = "npm install --prefix .ci/npm --no-audit --no-fund kinesalite@3.3.3"
		if os.Getenv("CI") == "true" {
			t.Fatalf("kinesalite is required under CI=true: run %s", install)
		}
		t.Skipf("kinesalite is not installed (%s); skipping the conformance check", install)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--createStreamMs", "0", "--deleteStreamMs", "0", "--updateStreamMs", "0")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start kinesalite: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("kinesalite did not listen on %s within 20 s", addr)
		}
	}
}

// gatewayOverKinesis serves the stack's default gateway with its Kinesis upstream at kinesis.
func gatewayOverKinesis(t *testing.T, kinesis string) *httptest.Server {
	t.Helper()
	h, release, err := RESTProxy(context.Background(), Endpoints{Kafka: "127.0.0.1:1", Kinesis: kinesis})
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(h)
	t.Cleanup(func() {
		server.Close()
		release()
	})
	return server
}

// request sends body and decodes a JSON answer into out (when not nil); it returns the status
// and the raw answer.
func request(t *testing.T, method, url, body string, out any) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s answered %q: %v", method, url, raw, err)
		}
	}
	return resp.StatusCode, string(raw)
}

// kinesisRecords reads every record of a one-shard stream from TRIM_HORIZON with signed calls.
func kinesisRecords(t *testing.T, up *KinesisUpstream, stream string) []struct {
	Data         []byte
	PartitionKey string
} {
	t.Helper()
	ctx := context.Background()
	_, it, err := up.Call(ctx, "GetShardIterator", []byte(`{"StreamName":"`+stream+`","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`))
	if err != nil {
		t.Fatal(err)
	}
	var iter struct{ ShardIterator string }
	if err := json.Unmarshal(it, &iter); err != nil || iter.ShardIterator == "" {
		t.Fatalf("GetShardIterator answered %q", it)
	}
	status, got, err := up.Call(ctx, "GetRecords", []byte(`{"ShardIterator":"`+iter.ShardIterator+`"}`))
	if err != nil || status != http.StatusOK {
		t.Fatalf("GetRecords: %d %q %v", status, got, err)
	}
	var records struct {
		Records []struct {
			Data         []byte
			PartitionKey string
		}
	}
	if err := json.Unmarshal(got, &records); err != nil {
		t.Fatalf("GetRecords answered %q: %v", got, err)
	}
	return records.Records
}

// TestGatewayProxiesKinesis drives every resource of the gateway's Kinesis proxy through the
// signing upstream, against kinesalite and against the stack's own Kinesis: a stream is
// created, described, listed, put to one record and several at a time, read back whole with
// GetRecords, and deleted, and an unknown stream gets Kinesis's own refusal.
func TestGatewayProxiesKinesis(t *testing.T) {
	t.Run("kinesalite", func(t *testing.T) { proxyRoundTrip(t, kinesalite(t), nil) })
	t.Run("local", func(t *testing.T) {
		s := start(t, freePorts(t.TempDir()))
		proxyRoundTrip(t, s.Endpoints().Kinesis, stream.Streams(uid))
	})
}

// proxyRoundTrip runs the proxy's resources against the Kinesis at endpoint, which already
// serves the streams named in existing.
func proxyRoundTrip(t *testing.T, endpoint string, existing []string) {
	gw := gatewayOverKinesis(t, endpoint)
	const name = "proxy-test"
	base := gw.URL + "/dev/streams/" + name
	if status, body := request(t, http.MethodPost, base, `{"ShardCount":1}`, nil); status != http.StatusOK {
		t.Fatalf("POST %s: %d %s", base, status, body)
	}
	var described struct{ StreamDescription struct{ StreamStatus string } }
	for deadline := time.Now().Add(10 * time.Second); described.StreamDescription.StreamStatus != "ACTIVE"; time.Sleep(20 * time.Millisecond) {
		if status, body := request(t, http.MethodGet, base, "", &described); status != http.StatusOK || time.Now().After(deadline) {
			t.Fatalf("GET %s: %d %s", base, status, body)
		}
	}
	var listed struct{ StreamNames []string }
	want := append(slices.Clone(existing), name)
	slices.Sort(want)
	if status, body := request(t, http.MethodGet, gw.URL+"/streams", "", &listed); status != http.StatusOK || !slices.Equal(listed.StreamNames, want) {
		t.Fatalf("GET /streams: %d %s, want %q", status, body, want)
	}

	row := `{"index":7528,"unique_id":"fbe53c66-3442-4773-b19e-d3ec6f54dddf","title":"No Title Data Available","follower_count":"User Info Error"}`
	var put struct{ SequenceNumber, ShardId string }
	status, body := request(t, http.MethodPut, base+"/record", `{"StreamName":"`+name+`","Data":`+row+`,"PartitionKey":"7528"}`, &put)
	if status != http.StatusOK || put.SequenceNumber == "" || put.ShardId != "shardId-000000000000" {
		t.Fatalf("PUT record: %d %s", status, body)
	}
	var puts struct{ FailedRecordCount int }
	status, body = request(t, http.MethodPut, base+"/records", `{"records":[{"data":{"ind":1},"partition-key":"a"},{"data":"text","partition-key":"b"}]}`, &puts)
	if status != http.StatusOK || puts.FailedRecordCount != 0 || !strings.Contains(body, `"Records":[`) {
		t.Fatalf("PUT records: %d %s", status, body)
	}

	got := kinesisRecords(t, NewKinesisUpstream(endpoint), name)
	sent := []struct{ data, key string }{{row, "7528"}, {`{"ind":1}`, "a"}, {"text", "b"}}
	if len(got) != len(sent) {
		t.Fatalf("GetRecords read %d records, want %d", len(got), len(sent))
	}
	for i, w := range sent {
		if string(got[i].Data) != w.data || got[i].PartitionKey != w.key {
			t.Errorf("record %d = %q key %q, want %q key %q", i, got[i].Data, got[i].PartitionKey, w.data, w.key)
		}
	}

	status, body = request(t, http.MethodPut, gw.URL+"/streams/nope/record", `{"Data":{"a":1},"PartitionKey":"k"}`, nil)
	if status != http.StatusBadRequest || !strings.Contains(body, `"__type":"ResourceNotFoundException"`) {
		t.Errorf("PUT to an unknown stream: %d %s, want 400 ResourceNotFoundException", status, body)
	}
	if status, body := request(t, http.MethodDelete, base, "", nil); status != http.StatusOK {
		t.Errorf("DELETE %s: %d %s", base, status, body)
	}
}

// BenchmarkGatewayPutRecord measures one record put through the gateway's Kinesis proxy into
// the stack's Kinesis, answered once the record is fsynced: the part of the stream benchmark's
// latency the gateway adds to the server's.
func BenchmarkGatewayPutRecord(b *testing.B) {
	s, err := Start(context.Background(), Options{DataDir: b.TempDir(), UID: uid, KafkaAddr: "127.0.0.1:0", S3Addr: "127.0.0.1:0", GatewayAddr: "127.0.0.1:0", KinesisAddr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	name := stream.Streams(uid)[0]
	target := s.Endpoints().Gateway + "/dev/streams/" + name + "/record"
	body := []byte(`{"StreamName":"` + name + `","Data":{"index":7528,"unique_id":"fbe53c66-3442-4773-b19e-d3ec6f54dddf","title":"No Title Data Available"},"PartitionKey":"7528"}`)
	client := &http.Client{}
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPut, target, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("PUT answered %d", resp.StatusCode)
		}
	}
}
