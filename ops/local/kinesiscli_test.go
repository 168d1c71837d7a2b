package local

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"testing"

	"github.com/pintui/pintui/ops/reftool"
	"github.com/pintui/pintui/ops/s3"
)

// TestAWSCLIReadsBackEveryRecord checks the local Kinesis against a client nobody here wrote:
// the AWS CLI creates a stream, puts records, lists the shards and reads every record back.
func TestAWSCLIReadsBackEveryRecord(t *testing.T) {
	cli := reftool.Path(t, "aws", "awscli")
	_, url := openTestKinesis(t, t.TempDir())
	run := func(out any, args ...string) {
		t.Helper()
		cmd := exec.Command(cli, append(append([]string{"kinesis"}, args...), "--endpoint-url", url, "--output", "json")...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+s3.LocalAccessKey, "AWS_SECRET_ACCESS_KEY="+s3.LocalSecretKey,
			"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_CA_BUNDLE=", "AWS_PAGER=")
		stdout, err := cmd.Output()
		if err != nil {
			stderr := ""
			if e, ok := err.(*exec.ExitError); ok {
				stderr = string(e.Stderr)
			}
			t.Fatalf("aws kinesis %v: %v\n%s%s", args, err, stdout, stderr)
		}
		if out != nil {
			if err := json.Unmarshal(stdout, out); err != nil {
				t.Fatalf("aws kinesis %v printed %q: %v", args, stdout, err)
			}
		}
	}
	run(nil, "create-stream", "--stream-name", "cli", "--shard-count", "2")
	want := map[string][]string{}
	data := func(i int) string { return fmt.Sprintf(`{"index":%d,"title":"pin é"}`, i) }
	var put struct{ ShardId, SequenceNumber string }
	run(&put, "put-record", "--stream-name", "cli", "--partition-key", "key0", "--data", base64.StdEncoding.EncodeToString([]byte(data(0))))
	want[put.ShardId] = append(want[put.ShardId], put.SequenceNumber+" "+data(0))
	var entries []map[string]string
	for i := 1; i < 8; i++ {
		entries = append(entries, map[string]string{"PartitionKey": fmt.Sprint("key", i), "Data": base64.StdEncoding.EncodeToString([]byte(data(i)))})
	}
	records, _ := json.Marshal(entries)
	var puts struct {
		FailedRecordCount int
		Records           []struct{ ShardId, SequenceNumber string }
	}
	run(&puts, "put-records", "--stream-name", "cli", "--records", string(records))
	if puts.FailedRecordCount != 0 || len(puts.Records) != 7 {
		t.Fatalf("put-records = %+v, want 7 records put", puts)
	}
	for i, r := range puts.Records {
		want[r.ShardId] = append(want[r.ShardId], r.SequenceNumber+" "+data(i+1))
	}
	var shards struct{ Shards []struct{ ShardId string } }
	run(&shards, "list-shards", "--stream-name", "cli")
	if len(shards.Shards) != 2 {
		t.Fatalf("list-shards = %+v, want 2 shards", shards)
	}
	got := map[string][]string{}
	for _, sh := range shards.Shards {
		var it struct{ ShardIterator string }
		run(&it, "get-shard-iterator", "--stream-name", "cli", "--shard-id", sh.ShardId, "--shard-iterator-type", "TRIM_HORIZON")
		var recs struct {
			Records []struct {
				SequenceNumber, Data, PartitionKey string
			}
			MillisBehindLatest int
		}
		run(&recs, "get-records", "--shard-iterator", it.ShardIterator)
		for _, r := range recs.Records {
			data, err := base64.StdEncoding.DecodeString(r.Data)
			if err != nil {
				t.Fatalf("get-records Data %q: %v", r.Data, err)
			}
			got[sh.ShardId] = append(got[sh.ShardId], r.SequenceNumber+" "+string(data))
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("get-records read %v, want what put-record put, %v", got, want)
	}
}
