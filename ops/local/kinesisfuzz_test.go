package local

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// FuzzKinesisRequest sends arbitrary signed bodies to every operation: the server answers each
// with 200 or a 4xx in Kinesis's error shape, never panics, never fails inside, and keeps
// serving.
func FuzzKinesisRequest(f *testing.F) {
	for _, seed := range []struct{ op, body string }{
		{"PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":"eA=="}`},
		{"PutRecord", `{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","PartitionKey":"k","Data":"","ExplicitHashKey":"340282366920938463463374607431768211456"}`},
		{"PutRecords", `{"StreamName":"s","Records":[{"PartitionKey":"k","Data":"eA=="},{"PartitionKey":"","Data":null}]}`},
		{"GetShardIterator", `{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"40000000000000000000000000000000000001"}`},
		{"GetShardIterator", `{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1.7e9}`},
		{"GetRecords", `{"ShardIterator":"AQAAAZNzAAAAAAAAAAAAAAAAAAAAAAAAAAAAAXM=","Limit":5}`},
		{"CreateStream", `{"StreamName":"t","ShardCount":3}`},
		{"CreateStream", `{"StreamName":"..","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}`},
		{"DeleteStream", `{"StreamName":"t"}`},
		{"ListStreams", `{"Limit":1,"NextToken":"cw=="}`},
		{"ListShards", `{"NextToken":"cy9zaGFyZElkLTAwMDAwMDAwMDAwMA==","MaxResults":1}`},
		{"ListShards", `{"StreamName":"s","ShardFilter":{"Type":"AFTER_SHARD_ID"}}`},
		{"DescribeStream", `{"StreamName":"s","Limit":0,"ExclusiveStartShardId":"x"}`},
		{"DescribeStreamSummary", `[]`},
		{"IncreaseStreamRetentionPeriod", `{"StreamName":"s","RetentionPeriodHours":48}`},
		{"DecreaseStreamRetentionPeriod", `{"StreamName":"s","RetentionPeriodHours":-1}`},
		{"Nope", `{}`},
		{"PutRecord", `{"Data":7}`},
	} {
		f.Add(seed.op, []byte(seed.body))
	}
	srv, url := openTestKinesis(f, f.TempDir())
	if err := srv.ensureStreams([]string{"s"}, 2); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, signedKinesisRequest(t, url, op, body))
		if w.Code != 200 && (w.Code < 400 || w.Code >= 500) {
			t.Fatalf("%s %q: status %d %s, want 200 or a 4xx", op, body, w.Code, w.Body)
		}
		if w.Body.Len() == 0 {
			return
		}
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %q: the answer %q is not a JSON object: %v", op, body, w.Body, err)
		}
		if w.Code != 200 && (out["__type"] == nil || out["message"] == nil) {
			t.Fatalf("%s %q: %d %s is not in Kinesis's error shape", op, body, w.Code, w.Body)
		}
	})
}
