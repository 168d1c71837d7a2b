package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pintui/pintui/ops/kafka"
	"github.com/pintui/pintui/ops/reftool"
	"github.com/pintui/pintui/ops/s3"
	"github.com/pintui/pintui/pipeline/source"
)

// binary is the pintui built once for the tests that run it as a separate process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pintui-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "pintui")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build pintui: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// endpoints are what `pintui serve --output json` prints.
type endpoints struct {
	Gateway, Kafka, S3, Kinesis, Airflow, Workspace, Bucket string
}

// serve starts `pintui serve` on dataDir as a separate process and returns its endpoints.
func serve(t *testing.T, dataDir string) (*exec.Cmd, endpoints) {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--output", "json", "--data-dir", dataDir,
		"--kafka-addr", "127.0.0.1:0", "--s3-addr", "127.0.0.1:0", "--gateway-addr", "127.0.0.1:0", "--kinesis-addr", "127.0.0.1:0", "--airflow-addr", "127.0.0.1:0", "--workspace-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "HOME="+dataDir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed no endpoints: %v\n%s", err, stderr.String())
	}
	var e endpoints
	if err := json.Unmarshal([]byte(line), &e); err != nil {
		t.Fatalf("serve endpoints %q: %v", line, err)
	}
	return cmd, e
}

// attach runs a script against the stack serving dataDir.
func attach(t *testing.T, dataDir, script string) string {
	t.Helper()
	cmd := exec.Command(binary, "--script", "-", "--data-dir", dataDir)
	cmd.Env = append(os.Environ(), "HOME="+dataDir)
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script %q: %v\n%s", script, err, out)
	}
	return string(out)
}

// landedExactlyOnce checks that the bucket holds one object per Kafka record of each topic,
// keyed by its offset, with the record's value as content.
func landedExactlyOnce(t *testing.T, e endpoints, uid string, want int64) {
	t.Helper()
	ctx := context.Background()
	kc, err := kafka.New(ctx, kafka.Settings{Brokers: []string{e.Kafka}})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	sc, err := s3.New(ctx, s3.Settings{Endpoint: e.S3})
	if err != nil {
		t.Fatal(err)
	}
	store := sc.Store(e.Bucket, "")
	for _, table := range []string{"pin", "geo", "user"} {
		topic := uid + "." + table
		objs, err := store.List(ctx, "topics/"+topic+"/")
		if err != nil {
			t.Fatal(err)
		}
		keys := make([]string, len(objs))
		for i, o := range objs {
			keys[i] = o.Key
		}
		sort.Strings(keys)
		if int64(len(keys)) != want {
			t.Fatalf("%s: %d landings, want %d", topic, len(keys), want)
		}
		n := int64(0)
		err = kc.Tail(ctx, topic, kafka.TailOptions{From: kafka.Beginning}, func(r kafka.Record) error {
			key := fmt.Sprintf("topics/%s/partition=0/%s+0+%010d.json", topic, topic, r.Offset)
			if keys[r.Offset] != key {
				return fmt.Errorf("offset %d: key %s, want %s", r.Offset, keys[r.Offset], key)
			}
			body, err := store.Get(ctx, key)
			if err != nil {
				return err
			}
			if string(body) != string(r.Value)+"\n" {
				return fmt.Errorf("%s holds %q, want the record %q", key, body, r.Value)
			}
			n++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Fatalf("%s: %d records in Kafka, want %d", topic, n, want)
		}
	}
}

func TestScriptIngestsEndToEnd(t *testing.T) {
	home := t.TempDir()
	script := strings.Join([]string{
		"seed",
		"emulate batch --count 1000 --rate 0",
		"wait landings >= 3000 --timeout 60s",
		"batch run",
		"analytics top_country",
		"tables",
		"s3 ls topics/0a1b2c3d4e5f.pin/partition=0/ --limit 2",
		"tail topic 0a1b2c3d4e5f.geo --from -2 --max 5",
	}, "\n")
	// The real binary, not the race-instrumented test process, so the 60 s budget is the user's.
	runScript := func(script string) string {
		cmd := exec.Command(binary, "--script", "-", "-o", "json", "--kafka-addr", "127.0.0.1:0", "--s3-addr", "127.0.0.1:0", "--gateway-addr", "127.0.0.1:0", "--kinesis-addr", "127.0.0.1:0", "--airflow-addr", "127.0.0.1:0", "--workspace-addr", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"))
		cmd.Stdin = strings.NewReader(script)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		raw, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %s\n%s", err, stderr.String(), raw)
		}
		return string(raw)
	}
	out := runScript(script)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 8 {
		t.Fatalf("want 8 results, got %d:\n%s", len(lines), out)
	}
	var ls struct {
		Objects   []struct{ Key string }
		Truncated bool
	}
	if err := json.Unmarshal([]byte(lines[6]), &ls); err != nil {
		t.Fatal(err)
	}
	if len(ls.Objects) != 2 || !ls.Truncated || ls.Objects[1].Key != "topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+0000000001.json" {
		t.Errorf("s3 ls --limit 2 = %s, want the first two pin landings and more to follow", lines[6])
	}
	var tailed struct {
		Records []struct{ Offset int64 }
	}
	if err := json.Unmarshal([]byte(lines[7]), &tailed); err != nil {
		t.Fatal(err)
	}
	if tail := tailed.Records; len(tail) != 2 || tail[0].Offset != 998 || tail[1].Offset != 999 {
		t.Errorf("tail --from -2 = %s, want offsets 998 and 999", lines[7])
	}
	var run struct {
		Tables []struct {
			Name     string `json:"name"`
			Landings int    `json:"landings"`
			Read     int64  `json:"read"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(lines[3]), &run); err != nil {
		t.Fatal(err)
	}
	for _, tr := range run.Tables {
		if tr.Landings != 1000 || tr.Read != 1000 {
			t.Errorf("%s: %d landings, %d rows read; want 1000 of each", tr.Name, tr.Landings, tr.Read)
		}
	}
	// Restarted with nothing new to land, the sink reports what Kafka knows has landed.
	var sinkStatus struct {
		Partitions []struct {
			Topic        string
			LandedOffset int64 `json:"landed_offset"`
			EndOffset    int64 `json:"end_offset"`
			Lag          int64
		}
	}
	if err := json.Unmarshal([]byte(runScript("sink status")), &sinkStatus); err != nil {
		t.Fatal(err)
	}
	status := sinkStatus.Partitions
	if len(status) != 3 {
		t.Fatalf("sink status after a restart lists %d partitions, want 3", len(status))
	}
	for _, p := range status {
		if p.LandedOffset != 999 || p.EndOffset != 1000 || p.Lag != 0 {
			t.Errorf("sink status after a restart: %+v, want landed 999, end 1000, lag 0", p)
		}
	}

	// The landings are the emulator's draws in order: seed 100 replays the original's 7528, 2863, ….
	dataDir := filepath.Join(home, "data", "pintui")
	_, e := serve(t, dataDir)
	landedExactlyOnce(t, e, "0a1b2c3d4e5f", 1000)
	draws := source.NewDraws(100, 11000)
	sc, err := s3.New(context.Background(), s3.Settings{Endpoint: e.S3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		key := fmt.Sprintf("topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+%010d.json", i)
		body, err := sc.Store(e.Bucket, "").Get(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`{"index":%d,`, draws.Next().ID)
		if !strings.HasPrefix(string(body), want) {
			t.Fatalf("%s starts %.40q, want %q", key, body, want)
		}
	}
}

func TestServeSpeaksToReferenceTools(t *testing.T) {
	kcat := reftool.Path(t, "kcat", "kcat")
	aws := reftool.Path(t, "aws", "awscli")
	dataDir := t.TempDir()
	_, e := serve(t, dataDir)

	// A plain HTTP client posting the original emulator's request gets a REST Proxy response.
	pin, err := os.ReadFile("testdata/raw_pin.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(pin), "\n")
	for i := range 3 {
		body := `{"records": [{"value": ` + first + `}]}`
		resp, err := http.Post(e.Gateway+"/dev/topics/0a1b2c3d4e5f.pin", "application/vnd.kafka.json.v2+json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := fmt.Sprintf(`{"offsets":[{"partition":0,"offset":%d,"error_code":null,"error":null}],"key_schema_id":null,"value_schema_id":null}`, i)
		if resp.StatusCode != 200 || strings.TrimSpace(string(got)) != want || resp.Header.Get("Content-Type") != "application/vnd.kafka.v2+json" {
			t.Fatalf("post %d: %d %s %q", i, resp.StatusCode, resp.Header.Get("Content-Type"), got)
		}
	}
	resp, err := http.Post(e.Gateway+"/topics/0a1b2c3d4e5f.nope", "application/vnd.kafka.json.v2+json", strings.NewReader(`{"records":[{"value":1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(string(got), `"error_code":40401`) {
		t.Fatalf("unknown topic: %d %s", resp.StatusCode, got)
	}

	// kcat lists the three topics and reads back every posted record.
	meta, err := exec.Command(kcat, "-b", e.Kafka, "-L").CombinedOutput()
	if err != nil {
		t.Fatalf("kcat -L: %v\n%s", err, meta)
	}
	for _, topic := range []string{"0a1b2c3d4e5f.pin", "0a1b2c3d4e5f.geo", "0a1b2c3d4e5f.user"} {
		if !strings.Contains(string(meta), `topic "`+topic+`" with 1 partitions`) {
			t.Errorf("kcat -L lacks %s:\n%s", topic, meta)
		}
	}
	read, err := exec.Command(kcat, "-b", e.Kafka, "-C", "-t", "0a1b2c3d4e5f.pin", "-o", "beginning", "-e", "-q").Output()
	if err != nil {
		t.Fatalf("kcat -C: %v", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(first)); err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat(compact.String()+"\n", 3); string(read) != want {
		t.Fatalf("kcat -C read\n%s\nwant\n%s", read, want)
	}

	// The sink lands each record under Connect's key, and the AWS CLI lists them.
	deadline := time.Now().Add(30 * time.Second)
	var listing []byte
	for time.Now().Before(deadline) {
		cmd := exec.Command(aws, "s3", "ls", "--recursive", "--endpoint-url", e.S3, "s3://"+e.Bucket+"/")
		cmd.Env = append(awsEnv(), "HOME="+dataDir)
		listing, err = cmd.CombinedOutput()
		if err == nil && strings.Count(string(listing), ".json") == 3 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for i := range 3 {
		key := fmt.Sprintf("topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+%010d.json", i)
		if !strings.Contains(string(listing), key) {
			t.Errorf("aws s3 ls lacks %s:\n%s", key, listing)
		}
	}
}

// awsEnv is the environment for the AWS CLI against the local S3: dummy keys, no CA bundle.
func awsEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env, "AWS_ACCESS_KEY_ID="+s3.LocalAccessKey, "AWS_SECRET_ACCESS_KEY="+s3.LocalSecretKey,
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true")
}

func TestKillDuringLandingLosesAndRepeatsNothing(t *testing.T) {
	dataDir := t.TempDir()
	attachSeed := exec.Command(binary, "seed", "--data-dir", dataDir)
	if out, err := attachSeed.CombinedOutput(); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	server, _ := serve(t, dataDir)
	attach(t, dataDir, "emulate batch --count 1500 --rate 0\nwait emulator --timeout 60s\nwait landings >= 300 --timeout 60s")
	// Every record is in Kafka now and the sink is part-way through landing them.
	t.Log(strings.TrimSpace(attach(t, dataDir, "sink status")))
	if err := server.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = server.Wait()
	_, e := serve(t, dataDir)
	attach(t, dataDir, "wait landings >= 4500 --timeout 120s")
	landedExactlyOnce(t, e, "0a1b2c3d4e5f", 1500)

	// Asked from another process, the sink's progress comes from its commits and the bucket.
	status := attach(t, dataDir, "sink status")
	for _, topic := range []string{"pin", "geo", "user"} {
		want := []string{"0a1b2c3d4e5f." + topic, "0", "1499", "1500", "0", "1500"}
		found := false
		for line := range strings.Lines(status) {
			if f := strings.Fields(line); len(f) >= 6 && f[0] == want[0] {
				found = slices.Equal(f[:6], want)
			}
		}
		if !found {
			t.Errorf("sink status lacks %v:\n%s", want, status)
		}
	}
}

func TestSIGHUPStopsServeAndWithdrawsTheStack(t *testing.T) {
	dataDir := t.TempDir()
	server, _ := serve(t, dataDir)
	if _, err := os.Stat(filepath.Join(dataDir, "stack.json")); err != nil {
		t.Fatalf("serve published no stack.json: %v", err)
	}
	if err := server.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if err := server.Wait(); err != nil {
		t.Fatalf("serve after SIGHUP: %v, want exit 0", err)
	}
	for _, name := range []string{"stack.json", "control.token"} {
		if _, err := os.Stat(filepath.Join(dataDir, name)); !os.IsNotExist(err) {
			t.Errorf("%s is left behind after SIGHUP: %v", name, err)
		}
	}
}

func TestScriptsShareTheEmulatorOfTheStacksOwner(t *testing.T) {
	dataDir := t.TempDir()
	if out, err := exec.Command(binary, "seed", "--rows", "500", "--data-dir", dataDir).CombinedOutput(); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	serve(t, dataDir)
	if out := attach(t, dataDir, "emulate batch --rate 20"); !strings.Contains(out, "batch emulator started: until `emulate stop`, configured 20 draws/s") {
		t.Fatalf("emulate batch:\n%s", out)
	}
	// The script that started it has exited; the emulator runs on in serve.
	if out := attach(t, dataDir, "emulate status batch"); !hasLine(out, "running: ") || !strings.Contains(out, "configured 20 draws/s") {
		t.Fatalf("emulate status from another script:\n%s", out)
	}
	if out := attach(t, dataDir, "emulate rate 40\nemulate status batch"); !strings.Contains(out, "configured 40 draws/s, measured") {
		t.Fatalf("emulate rate from a third script:\n%s", out)
	}
	if out := attach(t, dataDir, "emulate stop"); !hasLine(out, "batch emulator stopped after ") {
		t.Fatalf("emulate stop from a third script:\n%s", out)
	}
	if out := attach(t, dataDir, "emulate status batch"); !hasLine(out, "stopped: ") || strings.Contains(out, "no emulator has run") {
		t.Fatalf("emulate status after the stop:\n%s", out)
	}
}

// hasLine reports whether a line of out starts with prefix.
func hasLine(out, prefix string) bool {
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}
