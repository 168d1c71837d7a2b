package backend

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/pipeline/emulate"
	"github.com/pintui/pintui/pipeline/source"
)

// seeded makes a data dir whose source has a few hundred rows.
func seeded(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := source.Seed(context.Background(), filepath.Join(dir, "source.db"), 300, 100, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

// ownerEnv makes the test binary act as a separate pintui owning the stack in the named dir.
const ownerEnv = "PINTUI_BACKEND_OWNER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(ownerEnv); dir != "" {
		if _, err := openDir(dir); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("ready")
		select {}
	}
	os.Exit(m.Run())
}

// openDir opens the pipeline on dir as one more pintui on it would, on free ports.
func openDir(dir string) (*Backends, error) {
	env := map[string]string{"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "config"),
		"PINTUI_LOCAL_KAFKA_ADDR": "127.0.0.1:0", "PINTUI_LOCAL_S3_ADDR": "127.0.0.1:0", "PINTUI_LOCAL_GATEWAY_ADDR": "127.0.0.1:0", "PINTUI_LOCAL_KINESIS_ADDR": "127.0.0.1:0", "PINTUI_LOCAL_AIRFLOW_ADDR": "127.0.0.1:0",
		"PINTUI_LOCAL_WORKSPACE_ADDR": "127.0.0.1:0"}
	cfg, err := config.Load(config.Options{Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Flags: map[string]string{"data_dir": dir}})
	if err != nil {
		return nil, err
	}
	return Open(context.Background(), cfg)
}

func open(t *testing.T, dir string) *Backends {
	t.Helper()
	b, err := openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(context.Background()) })
	return b
}

// running waits until b sees a running batch emulator that has posted draws.
func running(t *testing.T, b *Backends, draws int64) EmulatorState {
	t.Helper()
	return runningKind(t, b, BatchEmulator, draws)
}

// runningKind waits until b sees a running emulator of kind that has posted draws.
func runningKind(t *testing.T, b *Backends, kind EmulatorKind, draws int64) EmulatorState {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if st, ok := b.Emulator(kind); ok && st.Running && st.Stats.Iterations == draws {
			return st
		}
	}
	st, ok := b.Emulator(kind)
	t.Fatalf("no running %s with %d draws: %v %+v", kind.Name(), draws, ok, st)
	return st
}

func TestAttachedProcessRunsTheEmulatorInTheOwner(t *testing.T) {
	dir := seeded(t)
	owner := open(t, dir)
	first := open(t, dir)
	if !owner.Owned() || first.Owned() {
		t.Fatalf("owned: %v and %v, want the first only", owner.Owned(), first.Owned())
	}
	if err := first.SetEmulatorRate(BatchEmulator, 5); err == nil || err.Error() != "no batch emulator is running: start one with `emulate batch --rate N`" {
		t.Errorf("rate with no emulator: %v", err)
	}
	// One draw goes out at once; the next is due in 100 s, so the counters hold still.
	if err := first.StartEmulator(BatchEmulator, emulate.Options{Count: 5, Rate: 0.01}); err != nil {
		t.Fatal(err)
	}
	seen := running(t, owner, 1)
	if got := running(t, first, 1); !reflect.DeepEqual(got.Stats.Tables, seen.Stats.Tables) || !got.Started.Equal(seen.Started) {
		t.Errorf("the attached process sees %+v, the owner %+v", got, seen)
	}
	if err := first.StartEmulator(BatchEmulator, emulate.Options{Count: 5}); err == nil || err.Error() != "the batch emulator is already running: `emulate stop` it first" {
		t.Errorf("second start: %v", err)
	}

	// The process that started it leaves; the emulator goes on in the owner.
	if err := first.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	running(t, owner, 1)
	second := open(t, dir)
	for _, bad := range []float64{math.NaN(), math.Inf(1), -1} {
		want := fmt.Sprintf("rate %g is not valid: use draws per second, 0 for as fast as possible", bad)
		if err := second.SetEmulatorRate(BatchEmulator, bad); err == nil || err.Error() != want {
			t.Errorf("SetEmulatorRate(%g) = %v, want %q", bad, err, want)
		}
	}
	if err := second.SetEmulatorRate(BatchEmulator, 0.02); err != nil {
		t.Fatal(err)
	}
	if st := running(t, owner, 1); st.Options.Rate != 0.02 {
		t.Errorf("the owner paces by %g after the attached process set 0.02", st.Options.Rate)
	}
	if err := second.SetEmulatorRate(BatchEmulator, 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done, err := second.WaitEmulator(ctx, BatchEmulator)
	if err != nil || done.Running || done.Stats.Iterations != 5 || done.Stats.Sent() != 15 || done.Options.Rate != 0 {
		t.Fatalf("wait: %v %+v", err, done)
	}
	// The state crosses the control endpoint whole.
	local, _ := owner.Emulator(BatchEmulator)
	if remote, ok := second.Emulator(BatchEmulator); !ok || !reflect.DeepEqual(remote, local) {
		t.Errorf("through the control endpoint %+v\nin the owner %+v", remote, local)
	}

	// Another process stops what another one started.
	if err := second.StartEmulator(BatchEmulator, emulate.Options{Rate: 0.01}); err != nil {
		t.Fatal(err)
	}
	running(t, owner, 1)
	if !second.StopEmulator(BatchEmulator) {
		t.Fatal("stop found no emulator running")
	}
	if st, _ := owner.Emulator(BatchEmulator); st.Running || st.Stats.Iterations != 1 {
		t.Errorf("after stop the owner has %+v", st)
	}
	if second.StopEmulator(BatchEmulator) {
		t.Error("a second stop found an emulator running")
	}
	if err := second.StartEmulator(BatchEmulator, emulate.Options{Faithful: true}); err != nil {
		t.Fatal(err)
	}
	want := "the emulator runs --faithful, pausing 0 or 1 s like the original: restart it without --faithful to set a rate"
	if err := second.SetEmulatorRate(BatchEmulator, 3); err == nil || err.Error() != want {
		t.Errorf("rate of a faithful emulator: %v", err)
	}
	// Closing the owner stops its emulator.
	if err := owner.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _ := owner.Emulator(BatchEmulator); st.Running {
		t.Error("the closed owner still runs its emulator")
	}
}

func TestEmulatorStateRoundTrip(t *testing.T) {
	st := EmulatorState{
		Running: true,
		Options: emulate.Options{UID: "u", Count: 9, Rate: 2.5, Workers: 3, Seed: 7, Retries: -1, Backoff: 200 * time.Millisecond, MaxBackoff: 5 * time.Second},
		Stats: emulate.Stats{Iterations: 4, Tables: []emulate.TableStats{{Table: "pin", Sent: 4}, {Table: "geo", Sent: 3, Failed: 1}, {Table: "user", Sent: 4}},
			LastError: "post geo: HTTP 500", History: []float64{0, 2.5, 3}},
		Started: time.Date(2026, 12, 1, 20, 1, 2, 345_000_000, time.UTC),
		Err:     errors.New("batch emulator stopped: source is gone"),
	}
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"running":true,"options":{"uid":"u","count":9,"rate":2.5,"faithful":false,"workers":3,"seed":7,"retries":-1,"backoff_ms":200,"max_backoff_ms":5000},` +
		`"stats":{"iterations":4,"tables":[{"table":"pin","sent":4,"failed":0},{"table":"geo","sent":3,"failed":1},{"table":"user","sent":4,"failed":0}],"last_error":"post geo: HTTP 500","history":[0,2.5,3]},` +
		`"started":"2026-12-01T20:01:02.345Z","error":"batch emulator stopped: source is gone"}`
	if string(data) != want {
		t.Fatalf("JSON\n%s\nwant\n%s", data, want)
	}
	var back EmulatorState
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Err == nil || back.Err.Error() != st.Err.Error() {
		t.Fatalf("error came back as %v", back.Err)
	}
	back.Err, st.Err = nil, nil
	if !reflect.DeepEqual(back, st) {
		t.Fatalf("round trip\n%+v\nwant\n%+v", back, st)
	}
	if err := json.Unmarshal([]byte(`{"started":"yesterday"}`), &back); err == nil || !strings.Contains(err.Error(), `started "yesterday"`) {
		t.Errorf("bad time: %v", err)
	}
}

func TestOwnerStopsAndTheAttachedProcessReattaches(t *testing.T) {
	dir := seeded(t)
	first := open(t, dir)
	attached := open(t, dir)
	o := attached.Owner()
	if o.Owned || !o.Alive || o.Err != nil || o.PID != os.Getpid() || o.DataDir != dir || !o.Since.Equal(first.Owner().Since) {
		t.Fatalf("attached Owner() = %+v, owner's %+v", o, first.Owner())
	}
	if mine := first.Owner(); !mine.Owned || !mine.Alive {
		t.Fatalf("owner's Owner() = %+v", mine)
	}
	if err := first.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); attached.Owner().Alive && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	want := "the pintui that owned " + dir + " (pid " + strconv.Itoa(os.Getpid()) + ") has stopped: start pintui serve again, or quit and reopen the console to own the stack"
	if o := attached.Owner(); o.Alive || o.Err == nil || o.Err.Error() != want {
		t.Fatalf("after the owner closed, Owner() = %+v, want the error %q", o, want)
	}
	var stopped *OwnerStoppedError
	if err := attached.StartEmulator(BatchEmulator, emulate.Options{Count: 1}); !errors.As(err, &stopped) || err.Error() != want {
		t.Errorf("start with the owner gone: %v", err)
	}
	if st, ok := attached.Emulator(BatchEmulator); !ok || st.Running || st.Err == nil || st.Err.Error() != want {
		t.Errorf("status with the owner gone: %v %+v", ok, st)
	}
	if err := attached.SetEmulatorRate(BatchEmulator, 1); err == nil || err.Error() != want {
		t.Errorf("rate with the owner gone: %v", err)
	}

	// A new owner comes up on other ports; the attached process follows it unasked.
	second := open(t, dir)
	for deadline := time.Now().Add(5 * time.Second); !attached.Owner().Alive && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if o := attached.Owner(); !o.Alive || o.Err != nil || !o.Since.Equal(second.Owner().Since) {
		t.Fatalf("after a new owner started, Owner() = %+v", o)
	}
	if attached.Stack.Endpoints() != second.Stack.Endpoints() {
		t.Fatalf("reattached to %+v, the new owner serves %+v", attached.Stack.Endpoints(), second.Stack.Endpoints())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topics, err := attached.Kafka.Topics(ctx)
	if err != nil || len(topics) != 3 {
		t.Fatalf("topics after reattaching: %v %+v", err, topics)
	}
	if _, err := attached.S3.Ls(ctx, attached.Bucket, "", false, 1); err != nil {
		t.Fatalf("s3 ls after reattaching: %v", err)
	}
	if err := attached.StartEmulator(BatchEmulator, emulate.Options{Count: 2}); err != nil {
		t.Fatal(err)
	}
	if st, err := attached.WaitEmulator(ctx, BatchEmulator); err != nil || st.Stats.Sent() != 6 {
		t.Fatalf("emulator in the new owner: %v %+v", err, st)
	}
}

func TestKilledOwnerIsNoticedAndReplaced(t *testing.T) {
	dir := seeded(t)
	owner := exec.Command(os.Args[0], "-test.run=^$")
	owner.Env = append(os.Environ(), ownerEnv+"="+dir)
	out, err := owner.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Process.Kill(); owner.Wait() })
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("owner process: %q %v", line, err)
	}
	attached := open(t, dir)
	if o := attached.Owner(); o.Owned || !o.Alive || o.PID != owner.Process.Pid {
		t.Fatalf("Owner() = %+v, want the owner process %d", o, owner.Process.Pid)
	}
	if err := attached.StartEmulator(BatchEmulator, emulate.Options{Rate: 0.01}); err != nil {
		t.Fatal(err)
	}
	running(t, attached, 1)
	if err := owner.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	owner.Wait()
	for deadline := time.Now().Add(5 * time.Second); attached.Owner().Alive && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	want := "the pintui that owned " + dir + " (pid " + strconv.Itoa(owner.Process.Pid) + ") has stopped: start pintui serve again, or quit and reopen the console to own the stack"
	if o := attached.Owner(); o.Alive || o.Err == nil || o.Err.Error() != want {
		t.Fatalf("after the owner was killed, Owner() = %+v, want the error %q", o, want)
	}
	if st, _ := attached.Emulator(BatchEmulator); st.Running || st.Err == nil || st.Err.Error() != want {
		t.Errorf("status with the owner killed: %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := attached.S3.Ls(ctx, attached.Bucket, "", false, 1); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("s3 ls with the owner killed: %v", err)
	}

	open(t, dir)
	for deadline := time.Now().Add(5 * time.Second); !attached.Owner().Alive && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if o := attached.Owner(); !o.Alive || o.PID != os.Getpid() {
		t.Fatalf("after a new owner started, Owner() = %+v", o)
	}
	if topics, err := attached.Kafka.Topics(ctx); err != nil || len(topics) != 3 {
		t.Fatalf("topics after reattaching: %v %+v", err, topics)
	}
}

func TestControlEndpointAnswersBadRequestsClearly(t *testing.T) {
	dir := seeded(t)
	b := open(t, dir)
	e := b.Stack.Endpoints()
	for _, c := range []struct{ method, path, body, want string }{
		{"POST", "/v1/emulators/batch/start", `{"options":{"count":"many"}}`, `{"error":"POST /v1/emulators/batch/start: the body is not valid: json: cannot unmarshal string into Go struct field optionsJSON.options.count of type int64"}`},
		{"POST", "/v1/emulators/stream/start", `{"colour":1}`, `{"error":"POST /v1/emulators/stream/start: the body is not valid: json: unknown field \"colour\""}`},
		{"PUT", "/v1/emulators/batch/rate", `{"rate":-2}`, `{"error":"no batch emulator is running: start one with ` + "`emulate batch --rate N`" + `"}`},
		{"GET", "/v1/emulators/batch/wait?timeout_ms=soon", ``, `{"error":"timeout_ms \"soon\" is not a number of milliseconds"}`},
		{"GET", "/v1/emulators/stream/wait", ``, `{"error":"no streaming emulator has run: start one with ` + "`emulate stream`" + `"}`},
		{"GET", "/v1/emulators/kafka", ``, `{"error":"GET /v1/emulators/kafka: \"kafka\" is not an emulator: use batch or stream"}`},
		{"DELETE", "/v1/stack", ``, `{"error":"no control operation DELETE /v1/stack: this pintui may be older than the one asking; restart it"}`},
	} {
		req, _ := http.NewRequest(c.method, e.Control+c.path, strings.NewReader(c.body))
		req.Header.Set("Authorization", "Bearer "+b.Stack.ControlToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || strings.TrimSpace(string(body)) != c.want {
			t.Errorf("%s %s %s: %d %s\nwant %s", c.method, c.path, c.body, resp.StatusCode, body, c.want)
		}
	}
}
