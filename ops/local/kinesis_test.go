package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pintui/pintui/ops/s3"
	"github.com/pintui/pintui/pipeline/stream"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// openTestKinesis serves a local Kinesis over dir on a free port.
func openTestKinesis(t testing.TB, dir string, opts ...kinesisOption) (*kinesisServer, string) {
	t.Helper()
	srv, err := openKinesis(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		srv.close()
	})
	return srv, hs.URL
}

// kinesisClient is the SDK's client for the local Kinesis at url, signing with the local
// credentials; it does not retry, so every answer is seen as the server gave it.
func kinesisClient(url string) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider(s3.LocalAccessKey, s3.LocalSecretKey, ""),
		HTTPClient:   &http.Client{},
		Retryer:      aws.NopRetryer{},
	})
}

// kinesisCall sends a signed JSON 1.1 request and returns the status and the decoded answer.
func kinesisCall(t testing.TB, url, op string, body any) (int, map[string]any) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := signedKinesisRequest(t, url, op, data)
	return doKinesis(t, req)
}

func signedKinesisRequest(t testing.TB, url, op string, data []byte) *http.Request {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", kinesisTarget+op)
	sum := sha256.Sum256(data)
	if err := v4.NewSigner().SignHTTP(context.Background(), localCreds, req, hex.EncodeToString(sum[:]), "kinesis", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

func doKinesis(t testing.TB, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("answer %d %q is not JSON: %v", resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode, out
}

// readShard reads every record of a shard from TRIM_HORIZON.
func readShard(t testing.TB, c *kinesis.Client, name, shard string) []types.Record {
	t.Helper()
	ctx := context.Background()
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	var recs []types.Record
	iter := it.ShardIterator
	for {
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, out.Records...)
		iter = out.NextShardIterator
		if len(out.Records) == 0 {
			return recs
		}
	}
}

func TestKinesisServesTheSDK(t *testing.T) {
	ctx := context.Background()
	_, url := openTestKinesis(t, t.TempDir())
	c := kinesisClient(url)
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	d := sum.StreamDescriptionSummary
	if *d.StreamName != "s" || d.StreamStatus != types.StreamStatusActive || *d.OpenShardCount != 3 || *d.RetentionPeriodHours != 24 ||
		*d.StreamARN != "arn:aws:kinesis:us-east-1:000000000000:stream/s" {
		t.Errorf("summary = %+v", d)
	}
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	var ranges []string
	for _, sh := range shards.Shards {
		ranges = append(ranges, *sh.ShardId+" "+*sh.HashKeyRange.StartingHashKey+"-"+*sh.HashKeyRange.EndingHashKey)
	}
	want := []string{
		"shardId-000000000000 0-113427455640312821154458202477256070484",
		"shardId-000000000001 113427455640312821154458202477256070485-226854911280625642308916404954512140969",
		"shardId-000000000002 226854911280625642308916404954512140970-340282366920938463463374607431768211455",
	}
	if !reflect.DeepEqual(ranges, want) {
		t.Errorf("shards = %v, want %v", ranges, want)
	}
	testRecordsOverTheSDK(t, c)

	list, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(list.StreamNames, []string{"s"}) || len(list.StreamSummaries) != 1 || *list.HasMoreStreams {
		t.Errorf("list streams = %+v", list)
	}
	desc, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	if len(desc.StreamDescription.Shards) != 3 || *desc.StreamDescription.HasMoreShards {
		t.Errorf("describe stream = %+v", desc.StreamDescription)
	}
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")}); !isKinesisError(err, "ResourceNotFoundException") {
		t.Errorf("describe after delete: %v, want ResourceNotFoundException", err)
	}
}

// testRecordsOverTheSDK puts records into stream s of three shards and reads them back from
// TRIM_HORIZON, after a sequence number and from LATEST.
func testRecordsOverTheSDK(t *testing.T, c *kinesis.Client) {
	t.Helper()
	ctx := context.Background()
	// MD5("a") is 0cc1…, in the first third of the key space; MD5("e") is e167…, in the last.
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("a"), Data: []byte("one")})
	if err != nil {
		t.Fatal(err)
	}
	if *put.ShardId != "shardId-000000000000" || len(*put.SequenceNumber) != 38 {
		t.Errorf("put a = %s %s, want shard 0 and a 38-digit sequence number", *put.ShardId, *put.SequenceNumber)
	}
	batch, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{
		{PartitionKey: aws.String("a"), Data: []byte("two")},
		{PartitionKey: aws.String("e"), Data: []byte("three")},
		{PartitionKey: aws.String("a"), Data: []byte{}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if *batch.FailedRecordCount != 0 || *batch.Records[0].SequenceNumber <= *put.SequenceNumber || *batch.Records[1].ShardId != "shardId-000000000002" {
		t.Errorf("put records: %d failed, first at %s, second on %s", *batch.FailedRecordCount, *batch.Records[0].SequenceNumber, *batch.Records[1].ShardId)
	}
	var got []string
	for _, r := range readShard(t, c, "s", "shardId-000000000000") {
		got = append(got, *r.PartitionKey+"="+string(r.Data)+" "+*r.SequenceNumber)
	}
	want := []string{"a=one " + *put.SequenceNumber, "a=two " + *batch.Records[0].SequenceNumber, "a= " + *batch.Records[2].SequenceNumber}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("shard 0 = %v, want %v", got, want)
	}

	after, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: put.SequenceNumber})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: after.ShardIterator, Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs.Records) != 1 || string(recs.Records[0].Data) != "two" || *recs.MillisBehindLatest < 0 {
		t.Errorf("after the first record, limit 1: %+v", recs.Records)
	}
	latest, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000002"), ShardIteratorType: types.ShardIteratorTypeLatest})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("e"), Data: []byte("four")}); err != nil {
		t.Fatal(err)
	}
	recs, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: latest.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs.Records) != 1 || string(recs.Records[0].Data) != "four" || *recs.MillisBehindLatest != 0 {
		t.Errorf("from LATEST: %+v behind %d, want the record put after", recs.Records, *recs.MillisBehindLatest)
	}

}

// isKinesisError reports whether err is the API error named code.
func isKinesisError(err error, code string) bool {
	return err != nil && strings.Contains(err.Error(), code)
}

func TestKinesisKeepsRecordsAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := openKinesis(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.ensureStreams([]string{"s"}, 1); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	c := kinesisClient(hs.URL)
	var seqs []string
	for i := range 5 {
		out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: fmt.Appendf(nil, "r%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, *out.SequenceNumber)
	}
	hs.Close()
	srv.close()

	_, url := openTestKinesis(t, dir)
	c = kinesisClient(url)
	var got []string
	for _, r := range readShard(t, c, "s", "shardId-000000000000") {
		got = append(got, *r.SequenceNumber+" "+string(r.Data))
	}
	var want []string
	for i, s := range seqs {
		want = append(want, fmt.Sprintf("%s r%d", s, i))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after restart = %v, want %v", got, want)
	}
	out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("r5")})
	if err != nil {
		t.Fatal(err)
	}
	if *out.SequenceNumber <= seqs[4] {
		t.Errorf("sequence after restart %s is not above %s", *out.SequenceNumber, seqs[4])
	}
}

func TestStackServesTheThreeStreams(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := start(t, freePorts(dir))
	e := s.Endpoints()
	if !strings.HasPrefix(e.Kinesis, "http://127.0.0.1:") || strings.HasSuffix(e.Kinesis, ":0") {
		t.Fatalf("Kinesis endpoint = %q, want loopback with the chosen port", e.Kinesis)
	}
	c := kinesisClient(e.Kinesis)
	list, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Sorted(slices.Values(stream.Streams(uid)))
	if !reflect.DeepEqual(list.StreamNames, want) {
		t.Errorf("streams = %v, want %v", list.StreamNames, want)
	}
	name := stream.Streams(uid)[0]
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if *sum.StreamDescriptionSummary.OpenShardCount != DefaultKinesisShards {
		t.Errorf("%s has %d shards, want %d", name, *sum.StreamDescriptionSummary.OpenShardCount, DefaultKinesisShards)
	}
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: []byte(`{"index":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	attached := start(t, freePorts(dir))
	if attached.Endpoints().Kinesis != e.Kinesis {
		t.Errorf("attached sees Kinesis at %q, want %q", attached.Endpoints().Kinesis, e.Kinesis)
	}
	s.Close(ctx)

	s = start(t, freePorts(dir))
	got := readShard(t, kinesisClient(s.Endpoints().Kinesis), name, *put.ShardId)
	if len(got) != 1 || *got[0].SequenceNumber != *put.SequenceNumber || string(got[0].Data) != `{"index":1}` {
		t.Errorf("after restart %s holds %+v, want the one record put", name, got)
	}
}

func TestKinesisPagesStreamsAndShards(t *testing.T) {
	ctx := context.Background()
	srv, url := openTestKinesis(t, t.TempDir())
	if err := srv.ensureStreams([]string{"c", "a", "b"}, 3); err != nil {
		t.Fatal(err)
	}
	c := kinesisClient(url)
	var names []string
	streams := kinesis.NewListStreamsPaginator(c, &kinesis.ListStreamsInput{Limit: aws.Int32(2)})
	for pages := 0; streams.HasMorePages(); pages++ {
		page, err := streams.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if pages == 0 && (!*page.HasMoreStreams || page.NextToken == nil) {
			t.Errorf("the first page of 2 of 3 streams: HasMoreStreams %v, NextToken %v", *page.HasMoreStreams, page.NextToken)
		}
		names = append(names, page.StreamNames...)
	}
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(names, want) {
		t.Errorf("streams page by page = %v, want %v", names, want)
	}
	var ids []string
	in := &kinesis.ListShardsInput{StreamName: aws.String("b"), MaxResults: aws.Int32(2)}
	for {
		page, err := c.ListShards(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range page.Shards {
			ids = append(ids, *sh.ShardId)
		}
		if page.NextToken == nil {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: page.NextToken, MaxResults: aws.Int32(2)}
	}
	if want := []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("shards page by page = %v, want %v", ids, want)
	}
}
