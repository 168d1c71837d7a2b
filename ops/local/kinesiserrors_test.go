package local

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestKinesisBadInputGetsKinesisErrors sends the bad requests of the acceptance and a
// few more, each must get its documented status and exception, store nothing, and leave the
// server serving the next request.
func TestKinesisBadInputGetsKinesisErrors(t *testing.T) {
	clock := &testClock{now: time.Now()}
	srv, url := openTestKinesis(t, t.TempDir(), withClock(clock.Now))
	if err := srv.ensureStreams([]string{"s"}, 1); err != nil {
		t.Fatal(err)
	}
	status, out := kinesisCall(t, url, "GetShardIterator", map[string]any{"StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "TRIM_HORIZON"})
	if status != http.StatusOK {
		t.Fatalf("GetShardIterator: %d %v", status, out)
	}
	iterator := out["ShardIterator"].(string)
	big := base64.StdEncoding.EncodeToString(make([]byte, 2<<20))
	records := make([]map[string]any, 501)
	for i := range records {
		records[i] = map[string]any{"Data": "eA==", "PartitionKey": "k"}
	}
	raw := func(op, body string, edit func(*http.Request)) func() *http.Request {
		return func() *http.Request {
			req := signedKinesisRequest(t, url, op, []byte(body))
			if edit != nil {
				edit(req)
			}
			return req
		}
	}
	signed := func(op string, body any) func() *http.Request {
		return func() *http.Request {
			data, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			return signedKinesisRequest(t, url, op, data)
		}
	}
	for _, c := range []struct {
		name   string
		req    func() *http.Request
		status int
		typ    string
		// message is a part of the message that says what was wrong.
		message string
	}{
		{"Data not base64", raw("PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":"not base64!"}`, nil), 400, "SerializationException", "base64"},
		{"Data an object", raw("PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":{"index":1}}`, nil), 400, "SerializationException", "Data"},
		{"unknown stream", signed("PutRecord", map[string]any{"StreamName": "nope", "PartitionKey": "k", "Data": "eA=="}), 400, "ResourceNotFoundException", "Stream nope under account 000000000000 not found"},
		{"a 2 MiB record", signed("PutRecord", map[string]any{"StreamName": "s", "PartitionKey": "k", "Data": big}), 400, "ValidationException",
			"Value 'java.nio.HeapByteBuffer[pos=0 lim=2097152 cap=2097152]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576"},
		{"501 records", signed("PutRecords", map[string]any{"StreamName": "s", "Records": records}), 400, "ValidationException",
			"at 'records' failed to satisfy constraint: Member must have length less than or equal to 500"},
		{"no partition key", signed("PutRecord", map[string]any{"StreamName": "s", "Data": "eA=="}), 400, "ValidationException", "'partitionKey'"},
		{"a bad stream name", signed("PutRecord", map[string]any{"StreamName": "../x", "PartitionKey": "k", "Data": "eA=="}), 400, "ValidationException", "streamName"},
		{"unsigned", raw("PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":"eA=="}`, func(r *http.Request) { r.Header.Del("Authorization") }),
			400, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"another secret", raw("PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":"eA=="}`, func(r *http.Request) {
			resign(t, r, "pintui", "guessed", `{"StreamName":"s","PartitionKey":"k","Data":"eA=="}`)
		}), 403, "InvalidSignatureException", "does not match"},
		{"another access key", raw("PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":"eA=="}`, func(r *http.Request) {
			resign(t, r, "someone", "pintui-local-secret", `{"StreamName":"s","PartitionKey":"k","Data":"eA=="}`)
		}), 403, "UnrecognizedClientException", "not the local one"},
		{"a body changed after signing", raw("PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":"eA=="}`, func(r *http.Request) {
			body := `{"StreamName":"s","PartitionKey":"k","Data":"eQ=="}`
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
		}), 403, "InvalidSignatureException", "does not match"},
		{"an unknown operation", raw("SplitShard", `{}`, nil), 400, "UnknownOperationException", "SplitShard"},
		{"a body not JSON", raw("PutRecord", `{"StreamName":`, nil), 400, "SerializationException", "not JSON"},
		{"a bad iterator", signed("GetRecords", map[string]any{"ShardIterator": "AAAA"}), 400, "InvalidArgumentException", "Invalid ShardIterator"},
		{"a limit over 10000", signed("GetRecords", map[string]any{"ShardIterator": iterator, "Limit": 10001}), 400, "ValidationException", "'limit'"},
		{"an unknown shard", signed("GetShardIterator", map[string]any{"StreamName": "s", "ShardId": "shardId-000000000009", "ShardIteratorType": "LATEST"}),
			400, "ResourceNotFoundException", "Shard shardId-000000000009 in stream s"},
		{"a stream that exists", signed("CreateStream", map[string]any{"StreamName": "s", "ShardCount": 1}), 400, "ResourceInUseException", "already exists"},
	} {
		status, out := doKinesis(t, c.req())
		if status != c.status || out["__type"] != c.typ || !strings.Contains(out["message"].(string), c.message) {
			t.Errorf("%s: %d %v, want %d %s saying %q", c.name, status, out, c.status, c.typ, c.message)
		}
	}

	clock.Add(iteratorLife + time.Second)
	status, out = kinesisCall(t, url, "GetRecords", map[string]any{"ShardIterator": iterator})
	if status != 400 || out["__type"] != "ExpiredIteratorException" || !strings.Contains(out["message"].(string), "Iterator expired") {
		t.Errorf("an expired iterator: %d %v, want 400 ExpiredIteratorException", status, out)
	}

	c := kinesisClient(url)
	put, err := c.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("kept")})
	if err != nil {
		t.Fatalf("put after the bad requests: %v", err)
	}
	got := readShard(t, c, "s", "shardId-000000000000")
	if len(got) != 1 || *got[0].SequenceNumber != *put.SequenceNumber || string(got[0].Data) != "kept" {
		t.Errorf("the shard holds %d records, want only the one put after the bad requests", len(got))
	}
}

// resign signs r again with other credentials over body.
func resign(t *testing.T, r *http.Request, key, secret, body string) {
	t.Helper()
	r.Header.Del("Authorization")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "kinesis", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestKinesisRetentionDropsExpiredRecords(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: time.Now()}
	dir := t.TempDir()
	srv, url := openTestKinesis(t, dir, withClock(clock.Now))
	if err := srv.ensureStreams([]string{"s"}, 1); err != nil {
		t.Fatal(err)
	}
	c := kinesisClient(url)
	put := func(data string) string {
		t.Helper()
		out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte(data)})
		if err != nil {
			t.Fatal(err)
		}
		return *out.SequenceNumber
	}
	old := put("old")
	clock.Add(2 * time.Hour)
	put("middle")
	clock.Add(23 * time.Hour)
	put("new")
	data := func(recs []types.Record) []string {
		var out []string
		for _, r := range recs {
			out = append(out, string(r.Data))
		}
		return out
	}
	if got := data(readShard(t, c, "s", "shardId-000000000000")); !reflect.DeepEqual(got, []string{"middle", "new"}) {
		t.Errorf("from TRIM_HORIZON 25 h after the first put: %v, want the two retained records", got)
	}
	at, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(old)})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: at.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if got := data(recs.Records); !reflect.DeepEqual(got, []string{"middle", "new"}) {
		t.Errorf("at the expired record's sequence number: %v, want the retained records after it", got)
	}
	segments := func() int {
		names, _ := filepath.Glob(filepath.Join(dir, "s", "shardId-000000000000", "*.log"))
		return len(names)
	}
	before := segments()
	if err := srv.sweep(); err != nil {
		t.Fatal(err)
	}
	if after := segments(); before != 3 || after != 2 {
		t.Errorf("segments before and after the sweep: %d, %d; want 3 (one an hour or more apart), then 2", before, after)
	}
	if got := data(readShard(t, c, "s", "shardId-000000000000")); !reflect.DeepEqual(got, []string{"middle", "new"}) {
		t.Errorf("after the sweep: %v, want the two retained records", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "s", "stream.json")); err != nil {
		t.Error(err)
	}
}

func TestKinesisRetentionPeriodChangesAndIsKept(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: time.Now()}
	dir := t.TempDir()
	srv, err := openKinesis(dir, withClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.ensureStreams([]string{"s"}, 1); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	c := kinesisClient(hs.URL)
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(48)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		op    string
		hours int
		want  string
	}{
		{"IncreaseStreamRetentionPeriod", 30, "can not be shorter than existing retention period (48 hours)"},
		{"DecreaseStreamRetentionPeriod", 72, "can not be longer than existing retention period (48 hours)"},
		{"DecreaseStreamRetentionPeriod", 12, "is not between 24 and 8760 hours"},
	} {
		status, out := kinesisCall(t, hs.URL, c.op, map[string]any{"StreamName": "s", "RetentionPeriodHours": c.hours})
		if status != 400 || out["__type"] != "InvalidArgumentException" || !strings.Contains(out["message"].(string), c.want) {
			t.Errorf("%s to %d hours: %d %v, want InvalidArgumentException saying %q", c.op, c.hours, status, out, c.want)
		}
	}
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("old")}); err != nil {
		t.Fatal(err)
	}
	hs.Close()
	srv.close()

	clock.Add(30 * time.Hour)
	_, url := openTestKinesis(t, dir, withClock(clock.Now))
	c = kinesisClient(url)
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	if got := *sum.StreamDescriptionSummary.RetentionPeriodHours; got != 48 {
		t.Errorf("retention after a restart = %d hours, want 48", got)
	}
	if got := readShard(t, c, "s", "shardId-000000000000"); len(got) != 1 {
		t.Errorf("a 30 h old record with 48 h retention: read %d records, want 1", len(got))
	}
	if _, err := c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(24)}); err != nil {
		t.Fatal(err)
	}
	if got := readShard(t, c, "s", "shardId-000000000000"); len(got) != 0 {
		t.Errorf("the 30 h old record once retention is 24 h: read %d records, want none", len(got))
	}
}
