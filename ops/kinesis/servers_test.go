package kinesis

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pintui/pintui/ops/local"
)

// server is one Kinesis implementation the conformance suite runs against.
type server struct {
	name     string
	endpoint string
	// hangsAtAnEmptyTimestamp is kinesalite's: GetShardIterator AT_TIMESTAMP on a shard with no
	// record at or after the time never answers, where AWS returns an iterator at the shard's end.
	hangsAtAnEmptyTimestamp bool
	// behindAlwaysZero is kinesalite's too: its GetRecords answers MillisBehindLatest 0 even when
	// records are left behind the read.
	behindAlwaysZero bool
}

// kinesalitePath is where .ci/run installs kinesalite, from the module's root.
const kinesalitePath = ".ci/npm/node_modules/.bin/kinesalite"

// startKinesalite runs kinesalite on a free port until the test ends. When it is not installed
// the test fails under CI=true and is skipped otherwise, saying how to install it.
func startKinesalite(t *testing.T) server {
	t.Helper()
	bin := filepath.Join(moduleRoot(t), kinesalitePath)
	if _, err := os.Stat(bin); err != nil {
		const install = "npm install --prefix .ci/npm --no-audit --no-fund kinesalite@3.3.3"
		if os.Getenv("CI") == "true" {
			t.Fatalf("kinesalite is required under CI=true: install it with %s", install)
		}
		t.Skipf("kinesalite is not installed (%s); skipping the conformance check against it", install)
	}
	port := freePort(t)
	var out bytes.Buffer
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--createStreamMs", "0", "--deleteStreamMs", "0", "--updateStreamMs", "0",
		"--shardLimit", "1000")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start kinesalite: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			conn.Close()
			return server{name: "kinesalite", endpoint: "http://" + addr, hangsAtAnEmptyTimestamp: true, behindAlwaysZero: true}
		}
		if ctx.Err() != nil {
			t.Fatalf("kinesalite did not listen on %s: %v\n%s", addr, err, out.String())
		}
		pause(ctx, 50*time.Millisecond)
	}
}

// startLocal runs pintui's local stack on free ports, over a fresh data dir, until the test ends.
func startLocal(t *testing.T) server {
	t.Helper()
	s, err := local.Start(context.Background(), local.Options{
		DataDir: t.TempDir(), UID: "0a1b2c3d4e5f",
		KafkaAddr: "127.0.0.1:0", S3Addr: "127.0.0.1:0", GatewayAddr: "127.0.0.1:0", KinesisAddr: "127.0.0.1:0",
	})
	if err != nil {
		t.Fatalf("start the local stack: %v", err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return server{name: "local", endpoint: s.Endpoints().Kinesis}
}

// freePort returns a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// moduleRoot is the folder of go.mod, above the package's.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}
