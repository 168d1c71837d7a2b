package local

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestKinesisLimitsAreAWSsPerShardLimits drives the limits with a clock that stands still, so
// exactly one second's worth passes, and then moves it.
func TestKinesisLimitsAreAWSsPerShardLimits(t *testing.T) {
	clock := &testClock{now: time.Now()}
	srv, url := openTestKinesis(t, t.TempDir(), withClock(clock.Now), withLimits(true))
	if err := srv.ensureStreams([]string{"s"}, 1); err != nil {
		t.Fatal(err)
	}
	putRecords := func(n, size int) (failed int, codes map[string]int) {
		t.Helper()
		data := base64.StdEncoding.EncodeToString(make([]byte, size))
		records := make([]map[string]any, n)
		for i := range records {
			records[i] = map[string]any{"Data": data, "PartitionKey": "k"}
		}
		status, out := kinesisCall(t, url, "PutRecords", map[string]any{"StreamName": "s", "Records": records})
		if status != http.StatusOK {
			t.Fatalf("PutRecords: %d %v, want 200 even when records fail", status, out)
		}
		codes = map[string]int{}
		for _, r := range out["Records"].([]any) {
			if code, ok := r.(map[string]any)["ErrorCode"].(string); ok {
				codes[code]++
			}
		}
		return int(out["FailedRecordCount"].(float64)), codes
	}
	// 1,000 records a second per shard.
	for range 2 {
		if failed, _ := putRecords(500, 1); failed != 0 {
			t.Fatalf("%d of the first 1,000 records in one second failed, want none", failed)
		}
	}
	if failed, codes := putRecords(3, 1); failed != 3 || codes["ProvisionedThroughputExceededException"] != 3 {
		t.Errorf("records 1,001 to 1,003 in one second: %d failed %v, want 3 ProvisionedThroughputExceededException", failed, codes)
	}
	status, out := kinesisCall(t, url, "PutRecord", map[string]any{"StreamName": "s", "Data": "eA==", "PartitionKey": "k"})
	if status != 400 || out["__type"] != "ProvisionedThroughputExceededException" || !strings.Contains(out["message"].(string), "shardId-000000000000") {
		t.Errorf("PutRecord over the limit: %d %v", status, out)
	}
	clock.Add(100 * time.Millisecond)
	if failed, _ := putRecords(101, 1); failed != 1 {
		t.Errorf("101 records 100 ms later: %d failed, want 1 (100 came back)", failed)
	}

	// 1 MiB a second per shard, data and partition key.
	clock.Add(time.Second)
	if failed, _ := putRecords(4, 256<<10-1); failed != 0 {
		t.Errorf("4 records of 256 KiB with their key: %d failed, want none", failed)
	}
	if failed, _ := putRecords(1, 1); failed != 1 {
		t.Errorf("a record past 1 MiB in one second: %d failed, want 1", failed)
	}

	// 5 GetRecords and 5 GetShardIterator calls a second per shard.
	clock.Add(time.Second)
	var iterator string
	for i := range 6 {
		status, out := kinesisCall(t, url, "GetShardIterator", map[string]any{"StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "TRIM_HORIZON"})
		if want := map[bool]int{true: 200, false: 400}[i < 5]; status != want {
			t.Errorf("GetShardIterator call %d in one second: %d %v, want %d", i+1, status, out, want)
		}
		if i == 0 {
			iterator = out["ShardIterator"].(string)
		}
	}
	for i := range 6 {
		status, out := kinesisCall(t, url, "GetRecords", map[string]any{"ShardIterator": iterator, "Limit": 1})
		if i < 5 && status != 200 || i == 5 && (status != 400 || out["__type"] != "ProvisionedThroughputExceededException") {
			t.Errorf("GetRecords call %d in one second: %d %v", i+1, status, out["__type"])
		}
	}
	clock.Add(200 * time.Millisecond)
	if status, out := kinesisCall(t, url, "GetRecords", map[string]any{"ShardIterator": iterator, "Limit": 1}); status != 200 {
		t.Errorf("GetRecords 200 ms later: %d %v, want 200", status, out)
	}
}

// TestKinesisWithoutLimitsTakesAnyRate is the default: no limit, whatever the rate.
func TestKinesisWithoutLimitsTakesAnyRate(t *testing.T) {
	clock := &testClock{now: time.Now()}
	srv, url := openTestKinesis(t, t.TempDir(), withClock(clock.Now))
	if err := srv.ensureStreams([]string{"s"}, 1); err != nil {
		t.Fatal(err)
	}
	records := make([]map[string]any, 500)
	for i := range records {
		records[i] = map[string]any{"Data": "eA==", "PartitionKey": "k"}
	}
	for range 3 {
		if status, out := kinesisCall(t, url, "PutRecords", map[string]any{"StreamName": "s", "Records": records}); status != 200 || out["FailedRecordCount"].(float64) != 0 {
			t.Fatalf("PutRecords without limits: %d %v", status, out["FailedRecordCount"])
		}
	}
}

// syncEach is the syncer without group commit: every writer fsyncs for itself.
type syncEach struct{}

func (syncEach) register(f *os.File) func() error { return f.Sync }

// BenchmarkKinesisPutRecord puts one record per call from 2, 16 and 64 writers at once, with
// the group commit and with one fsync per writer, to show what sharing the fsync saves.
func BenchmarkKinesisPutRecord(b *testing.B) {
	for _, writers := range []int{2, 16, 64} {
		for _, c := range []struct {
			name string
			each bool
		}{{"group-commit", false}, {"fsync-each", true}} {
			b.Run(fmt.Sprintf("writers=%d/%s", writers, c.name), func(b *testing.B) {
				benchmarkPuts(b, writers, c.each)
			})
		}
	}
}

func benchmarkPuts(b *testing.B, writers int, each bool) {
	srv, err := openKinesis(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.close()
	if each {
		srv.syncs = syncEach{}
	}
	if err := srv.ensureStreams([]string{"s"}, 2); err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 600)
	var keys atomic.Int64
	b.SetParallelism(max(1, writers/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := strconv.FormatInt(keys.Add(1), 10)
			req := &putRecordRequest{streamRef: streamRef{StreamName: "s"}, putEntry: putEntry{Data: data, PartitionKey: &key}}
			if _, e := srv.putRecord(context.Background(), req); e != nil {
				b.Fatal(e)
			}
		}
	})
}

// BenchmarkKinesisPutToReadable is the local Kinesis's share of the stream benchmark's latency:
// one PutRecord over HTTP, then the GetRecords that reads it.
func BenchmarkKinesisPutToReadable(b *testing.B) {
	srv, url := openTestKinesis(b, b.TempDir())
	if err := srv.ensureStreams([]string{"s"}, 1); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	c := kinesisClient(url)
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeLatest})
	if err != nil {
		b.Fatal(err)
	}
	iterator := it.ShardIterator
	data := make([]byte, 600)
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: data}); err != nil {
			b.Fatal(err)
		}
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iterator})
		if err != nil || len(out.Records) != 1 {
			b.Fatalf("GetRecords after the put: %v, %v", out, err)
		}
		iterator = out.NextShardIterator
	}
}
