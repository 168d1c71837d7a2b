package local

import (
	"bufio"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// kinesisHelperEnv makes the test binary act as a pintui whose Kinesis takes records in the named dir.
const kinesisHelperEnv = "PINTUI_LOCAL_KINESIS_HELPER"

// runKinesisWriter serves the local Kinesis over dir and puts records into stream s from four
// writers, with PutRecord and PutRecords, printing each acknowledged record as
// "<shard> <sequence> <data>" until it is killed.
func runKinesisWriter(dir string) {
	srv, err := openKinesis(dir)
	if err == nil {
		err = srv.ensureStreams([]string{"s"}, 2)
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	c := kinesisClient(httptest.NewServer(srv).URL)
	var out sync.Mutex
	ack := func(shard, seq *string, data string) {
		out.Lock()
		defer out.Unlock()
		fmt.Println(*shard, *seq, data)
	}
	for w := range 4 {
		go func() {
			ctx := context.Background()
			for i := 0; ; i++ {
				key := fmt.Sprintf("w%d-%d", w, i)
				if i%2 == 0 {
					put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(key), Data: []byte(key)})
					if err != nil {
						fmt.Println("error:", err)
						os.Exit(1)
					}
					ack(put.ShardId, put.SequenceNumber, key)
					continue
				}
				var entries []types.PutRecordsRequestEntry
				for j := range 5 {
					entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(key, j)), Data: fmt.Appendf(nil, "%s.%d", key, j)})
				}
				put, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries})
				if err != nil || *put.FailedRecordCount != 0 {
					fmt.Println("error:", err)
					os.Exit(1)
				}
				for j, r := range put.Records {
					ack(r.ShardId, r.SequenceNumber, string(entries[j].Data))
				}
			}
		}()
	}
	select {}
}

// TestKinesisKilledMidStreamKeepsEveryAcknowledgedRecord kills a process writing records with
// -9 and reopens its data: every record it had acknowledged is there, once, at its sequence
// number, and each shard reads in sequence order.
func TestKinesisKilledMidStreamKeepsEveryAcknowledgedRecord(t *testing.T) {
	dir := t.TempDir()
	writer := exec.Command(os.Args[0], "-test.run=^$")
	writer.Env = append(os.Environ(), kinesisHelperEnv+"="+dir)
	stdout, err := writer.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := writer.Start(); err != nil {
		t.Fatal(err)
	}
	defer writer.Process.Kill()
	acked := map[string]string{} // data → shard and sequence
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) != 3 {
			t.Fatalf("writer said %q", lines.Text())
		}
		acked[f[2]] = f[0] + " " + f[1]
		if len(acked) == 600 {
			if err := writer.Process.Signal(os.Kill); err != nil {
				t.Fatal(err)
			}
		}
	}
	writer.Wait()
	if len(acked) < 600 {
		t.Fatalf("the writer acknowledged %d records before it stopped, want 600", len(acked))
	}

	_, url := openTestKinesis(t, dir)
	c := kinesisClient(url)
	seen := map[string]bool{}
	for _, shard := range []string{"shardId-000000000000", "shardId-000000000001"} {
		last := ""
		for _, r := range readShard(t, c, "s", shard) {
			data := string(r.Data)
			if seen[data] {
				t.Errorf("%s is read twice", data)
			}
			seen[data] = true
			if *r.SequenceNumber <= last {
				t.Errorf("%s: %s reads after %s", shard, *r.SequenceNumber, last)
			}
			last = *r.SequenceNumber
			if want, ok := acked[data]; ok && want != shard+" "+*r.SequenceNumber {
				t.Errorf("%s is at %s %s, acknowledged at %s", data, shard, *r.SequenceNumber, want)
			}
		}
	}
	lost := 0
	for data := range acked {
		if !seen[data] {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged records are gone after kill -9", lost, len(acked))
	}
}

// TestKinesisCutsATornTail reopens a shard whose log ends in half an entry, as a crash in the
// middle of a write leaves it: the whole records are served, the torn one never is, and the
// next record takes its place.
func TestKinesisCutsATornTail(t *testing.T) {
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
	for _, data := range []string{"one", "two"} {
		put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte(data)})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, *put.SequenceNumber)
	}
	hs.Close()
	srv.close()
	names, _ := filepath.Glob(filepath.Join(dir, "s", "shardId-000000000000", "*.log"))
	whole, err := os.ReadFile(names[0])
	if err != nil {
		t.Fatal(err)
	}
	torn := appendEntry(nil, kRecord{counter: 3, arrival: 1, key: "k", data: []byte("three")})
	if err := os.WriteFile(names[0], append(slices.Clone(whole), torn[:len(torn)-2]...), 0o644); err != nil {
		t.Fatal(err)
	}

	_, url := openTestKinesis(t, dir)
	c = kinesisClient(url)
	if info, err := os.Stat(names[0]); err != nil || info.Size() != int64(len(whole)) {
		t.Errorf("the log after reopening: %v, want the torn entry cut to %d bytes", info.Size(), len(whole))
	}
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("four")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range readShard(t, c, "s", "shardId-000000000000") {
		got = append(got, *r.SequenceNumber+" "+string(r.Data))
	}
	want := []string{seqs[0] + " one", seqs[1] + " two", *put.SequenceNumber + " four"}
	if !reflect.DeepEqual(got, want) || *put.SequenceNumber <= seqs[1] {
		t.Errorf("after the torn tail = %v, want %v", got, want)
	}
}
