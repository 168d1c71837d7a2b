package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pintui/pintui/ops/kinesis"
	"github.com/pintui/pintui/ops/reftool"
	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
	"github.com/pintui/pintui/pipeline/stream"
)

// uid is the default user id every name of these tests derives from.
const uid = "0a1b2c3d4e5f"

// homeDir is a fresh folder under the home folder, removed when the test ends: the local Kinesis
// fsyncs every put, and files are slow to sync under /tmp on some machines.
func homeDir(t *testing.T) string {
	t.Helper()
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(home, "pintui-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// scriptJSON runs a script with -o json on dataDir, on free ports, and returns one document per
// command.
func scriptJSON(t *testing.T, dataDir, script string) []string {
	t.Helper()
	cmd := exec.Command(binary, "--script", "-", "-o", "json", "--data-dir", dataDir,
		"--kafka-addr", "127.0.0.1:0", "--s3-addr", "127.0.0.1:0", "--gateway-addr", "127.0.0.1:0", "--kinesis-addr", "127.0.0.1:0", "--airflow-addr", "127.0.0.1:0", "--workspace-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "HOME="+dataDir)
	cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("script %q: %v\n%s\n%s", script, err, stderr.String(), out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// streamTable is a stream table of the lakehouse under dataDir.
func streamTable(dataDir string, table record.Table) *delta.Table {
	return delta.Open(objstore.NewDir(filepath.Join(dataDir, "lakehouse")), stream.TableName(uid, table))
}

// tableLines returns the rows of a stream table encoded as `pintui clean` writes them, sorted.
func tableLines(t *testing.T, dataDir string, table record.Table) []string {
	t.Helper()
	ctx, tbl := context.Background(), streamTable(dataDir, table)
	var lines []string
	var err error
	switch table {
	case record.TablePin:
		lines, err = encoded(ctx, tbl, clean.AppendPin)
	case record.TableGeo:
		lines, err = encoded(ctx, tbl, clean.AppendGeo)
	default:
		lines, err = encoded(ctx, tbl, clean.AppendUser)
	}
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	return lines
}

func encoded[T any](ctx context.Context, tbl *delta.Table, appendRow func([]byte, T) []byte) ([]string, error) {
	rows, err := delta.Read[T](ctx, tbl)
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = string(appendRow(nil, r))
	}
	return lines, err
}

// TestScriptStreamsEveryDrawIntoItsTableOnceCleaned is the streaming acceptance: on a fresh
// data dir a script seeds, streams 1,000 draws and waits for the three stream tables; Kinesis
// holds each draw's records once, and each table holds exactly what `pintui clean` makes of its
// stream's records, each once.
func TestScriptStreamsEveryDrawIntoItsTableOnceCleaned(t *testing.T) {
	dataDir := homeDir(t)
	script := "seed\nemulate stream --count 1000 --rate 0\n"
	for _, table := range record.Tables {
		script += "wait rows " + stream.TableName(uid, table) + " >= 1000 --timeout 60s\n"
	}
	docs := scriptJSON(t, dataDir, script)
	if len(docs) != 5 {
		t.Fatalf("want 5 results, got %d:\n%s", len(docs), strings.Join(docs, "\n"))
	}
	for _, doc := range docs[2:] {
		var w struct {
			Rows int64 `json:"rows"`
		}
		if err := json.Unmarshal([]byte(doc), &w); err != nil || w.Rows != 1000 {
			t.Errorf("wait rows = %s, want 1000 rows", doc)
		}
	}

	// The records are read back from the stack the script left on disk.
	_, e := serve(t, dataDir)
	kc, err := kinesis.New(context.Background(), kinesis.Settings{Endpoint: e.Kinesis})
	if err != nil {
		t.Fatal(err)
	}
	draws := source.NewDraws(source.DefaultSeed, 11000)
	drawn := map[int64]int{}
	for range 1000 {
		drawn[draws.Next().ID]++
	}
	for _, table := range record.Tables {
		name := stream.StreamName(uid, table)
		recs, _, err := kc.Read(context.Background(), name, kinesis.TrimHorizon, 0)
		if err != nil {
			t.Fatal(err)
		}
		keys, ids := map[string]bool{}, map[int64]int{}
		var raw bytes.Buffer
		for _, r := range recs {
			keys[r.PartitionKey] = true
			var row struct {
				Index *int64 `json:"index"`
				Ind   *int64 `json:"ind"`
			}
			if err := json.Unmarshal(r.Data, &row); err != nil {
				t.Fatalf("%s holds a record that is no JSON object: %q", name, r.Data)
			}
			id := cmp.Or(row.Index, row.Ind)
			if id == nil {
				t.Fatalf("%s holds a record without its id: %q", name, r.Data)
			}
			ids[*id]++
			raw.Write(r.Data)
			raw.WriteByte('\n')
		}
		if len(recs) != 1000 || len(keys) != 1000 || !maps.Equal(ids, drawn) {
			t.Fatalf("%s holds %d records with %d partition keys, want each of the 1000 draws once", name, len(recs), len(keys))
		}
		file := filepath.Join(dataDir, string(table)+".jsonl")
		if err := os.WriteFile(file, raw.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		cleaned := exec.Command(binary, "clean", "--table", string(table), file)
		cleaned.Env = append(os.Environ(), "HOME="+dataDir)
		out, err := cleaned.Output()
		if err != nil {
			t.Fatalf("pintui clean --table %s: %v", table, err)
		}
		want := strings.Split(strings.TrimSpace(string(out)), "\n")
		slices.Sort(want)
		if got := tableLines(t, dataDir, table); !slices.Equal(got, want) {
			t.Errorf("%s holds %d rows that are not the %d rows pintui clean makes of its stream's records:\n%s",
				stream.TableName(uid, table), len(got), len(want), firstDifference(got, want))
		}
	}
}

// firstDifference shows the first line where two sorted lists part.
func firstDifference(got, want []string) string {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("line %d:\n got %s\nwant %s", i+1, g, w)
		}
	}
	return ""
}

// uuid4 is a random version 4 uuid, the original emulator's partition key.
func uuid4() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6], u[8] = u[6]&0x0f|0x40, u[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}

// putRecord sends the original streaming emulator's request for one row and returns the status
// and the answer.
func putRecord(client *http.Client, gateway, streamName string, row []byte) (int, []byte, error) {
	body := `{"StreamName": "` + streamName + `", "Data": ` + string(row) + `, "PartitionKey": "` + uuid4() + `"}`
	req, err := http.NewRequest(http.MethodPut, gateway+"/streams/"+streamName+"/record", strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, err
}

// kinesisPut is the part of a PutRecord answer the tests read.
type kinesisPut struct {
	SequenceNumber string
	ShardID        string `json:"ShardId"`
}

func compact(t *testing.T, data []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		t.Fatalf("%q is not JSON: %v", data, err)
	}
	return b.String()
}

// TestServeTakesTheOriginalStreamingRequests sends the original streaming emulator's requests
// to `pintui serve`: each gets Kinesis's PutRecord answer, the AWS CLI reads every record back
// from the local Kinesis, and the pin stream table holds each pin once.
func TestServeTakesTheOriginalStreamingRequests(t *testing.T) {
	aws := reftool.Path(t, "aws", "awscli")
	dataDir := homeDir(t)
	_, e := serve(t, dataDir)
	name := stream.StreamName(uid, record.TablePin)
	posted := map[string]string{}
	inds := map[int64]bool{}
	g := source.NewGenerator(25, 7)
	client := &http.Client{Timeout: 30 * time.Second}
	seq, shard := regexp.MustCompile(`^[0-9]{21,128}$`), regexp.MustCompile(`^shardId-[0-9]{12}$`)
	for row, ok := g.Next(); ok; row, ok = g.Next() {
		data := row.Pin.AppendJSON(nil)
		status, answer, err := putRecord(client, e.Gateway+"/dev", name, data)
		if err != nil {
			t.Fatal(err)
		}
		var put kinesisPut
		if status != 200 || json.Unmarshal(answer, &put) != nil || !seq.MatchString(put.SequenceNumber) || !shard.MatchString(put.ShardID) {
			t.Fatalf("PUT record: %d %s, want 200 with a SequenceNumber and a ShardId", status, answer)
		}
		posted[put.SequenceNumber] = compact(t, data)
		inds[row.Pin.Index] = true
	}

	read := map[string]string{}
	var shards struct{ Shards []struct{ ShardId string } }
	awsKinesis(t, aws, e.Kinesis, &shards, "list-shards", "--stream-name", name)
	if len(shards.Shards) == 0 {
		t.Fatal("aws kinesis list-shards lists no shard")
	}
	for _, s := range shards.Shards {
		var it struct{ ShardIterator string }
		awsKinesis(t, aws, e.Kinesis, &it, "get-shard-iterator", "--stream-name", name, "--shard-id", s.ShardId, "--shard-iterator-type", "TRIM_HORIZON")
		for iterator := it.ShardIterator; iterator != ""; {
			var got struct {
				Records []struct {
					SequenceNumber string
					Data           string
				}
				NextShardIterator  string
				MillisBehindLatest int64
			}
			awsKinesis(t, aws, e.Kinesis, &got, "get-records", "--shard-iterator", iterator)
			for _, r := range got.Records {
				data, err := base64.StdEncoding.DecodeString(r.Data)
				if err != nil {
					t.Fatalf("get-records Data %q: %v", r.Data, err)
				}
				read[r.SequenceNumber] = compact(t, data)
			}
			if len(got.Records) == 0 && got.MillisBehindLatest == 0 {
				break
			}
			iterator = got.NextShardIterator
		}
	}
	if !maps.Equal(read, posted) {
		t.Fatalf("aws kinesis get-records read %d records, want the %d posted, each with its sequence number and row", len(read), len(posted))
	}

	table := stream.TableName(uid, record.TablePin)
	docs := attachJSON(t, dataDir, "wait rows "+table+" >= 25 --timeout 60s\npreview "+table+" --limit 100")
	var page struct {
		Rows []struct {
			Ind int64 `json:"ind"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(docs[1]), &page); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]int{}
	for _, r := range page.Rows {
		seen[r.Ind]++
	}
	for ind := range inds {
		if seen[ind] != 1 {
			t.Errorf("pin %d is in %s %d times, want once", ind, table, seen[ind])
		}
	}
	if len(page.Rows) != len(inds) {
		t.Errorf("%s holds %d rows, want the %d posted pins", table, len(page.Rows), len(inds))
	}
}

// awsKinesis runs `aws kinesis ARGS` against endpoint with the local credentials and decodes its
// JSON answer into out.
func awsKinesis(t *testing.T, aws, endpoint string, out any, args ...string) {
	t.Helper()
	cmd := exec.Command(aws, append(append([]string{"kinesis"}, args...), "--endpoint-url", endpoint, "--output", "json")...)
	cmd.Env = append(awsEnv(), "HOME="+t.TempDir())
	raw, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("aws kinesis %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("aws kinesis %s printed %q: %v", args[0], raw, err)
	}
}

// attachJSON runs a script with -o json against the stack serving dataDir.
func attachJSON(t *testing.T, dataDir, script string) []string {
	t.Helper()
	cmd := exec.Command(binary, "--script", "-", "-o", "json", "--data-dir", dataDir)
	cmd.Env = append(os.Environ(), "HOME="+dataDir)
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("script %q: %v\n%s", script, err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// pinPutter puts numbered pins through a gateway from several clients at once and remembers
// which were tried and which acknowledged with 200.
type pinPutter struct {
	mu    sync.Mutex
	next  int64
	acked map[int64]bool
	tried map[int64]bool
}

// run puts pins through gateway from workers clients until the returned stop is called.
func (p *pinPutter) run(gateway string, workers int) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	name := stream.StreamName(uid, record.TablePin)
	for range workers {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				p.mu.Lock()
				ind := p.next
				p.next++
				p.tried[ind] = true
				p.mu.Unlock()
				status, answer, err := putRecord(client, gateway, name, fmt.Appendf(nil, `{"index": %d, "category": "travel"}`, ind))
				var put kinesisPut
				if err == nil && status == 200 && json.Unmarshal(answer, &put) == nil && put.SequenceNumber != "" {
					p.mu.Lock()
					p.acked[ind] = true
					p.mu.Unlock()
					continue
				}
				// The gateway is gone; the next attempt would fail as fast.
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	return func() { close(done); wg.Wait() }
}

func tableRows(t *testing.T, tbl *delta.Table) int64 {
	snap, err := tbl.Snapshot(context.Background())
	if err != nil {
		return 0
	}
	n, _ := snap.NumRecords()
	return n
}

// TestKilledServeWhileTheStreamJobCommitsKeepsEveryAcknowledgedRecordOnce kills `pintui serve`
// with SIGKILL three times while pins arrive through its gateway and its stream job commits
// them, starting it again each time on the same data dir: in the end every pin the gateway
// acknowledged is in the pin stream table exactly once, and nothing else is.
func TestKilledServeWhileTheStreamJobCommitsKeepsEveryAcknowledgedRecordOnce(t *testing.T) {
	dataDir := homeDir(t)
	tbl := streamTable(dataDir, record.TablePin)
	p := &pinPutter{acked: map[int64]bool{}, tried: map[int64]bool{}}
	for round := range 3 {
		server, e := serve(t, dataDir)
		stop := p.run(e.Gateway, 4)
		start := tableRows(t, tbl)
		for deadline := time.Now().Add(30 * time.Second); tableRows(t, tbl) < start+200; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				stop()
				t.Fatalf("round %d: the stream job appended %d rows in 30s, want 200", round, tableRows(t, tbl)-start)
			}
		}
		if err := server.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = server.Wait()
		stop()
	}
	_, e := serve(t, dataDir)
	// The restarted job goes on with pins that arrive after the last kill.
	stop := p.run(e.Gateway, 1)
	for start, deadline := tableRows(t, tbl), time.Now().Add(30*time.Second); tableRows(t, tbl) < start+20; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			stop()
			t.Fatal("the stream job appended nothing in 30s after the last restart")
		}
	}
	stop()

	var seen map[int64]int
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rows, err := delta.Read[record.CleanPin](context.Background(), tbl)
		seen = map[int64]int{}
		for _, r := range rows {
			seen[r.Ind]++
		}
		if err == nil && holdsEvery(seen, p.acked) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restarts the pin table holds %d rows (%v), want the %d acknowledged pins", len(rows), err, len(p.acked))
		}
	}
	for ind, n := range seen {
		if n != 1 || !p.tried[ind] {
			t.Errorf("pin %d is in the table %d times (put: %v)", ind, n, p.tried[ind])
		}
	}
	t.Logf("%d pins put, %d acknowledged, %d in the table", len(p.tried), len(p.acked), len(seen))
}

func holdsEvery(seen map[int64]int, acked map[int64]bool) bool {
	for ind := range acked {
		if seen[ind] == 0 {
			return false
		}
	}
	return true
}
