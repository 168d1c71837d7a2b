package backend

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pintui/pintui/config"
)

// loadedConfig is the local profile on dir with settings from env.
func loadedConfig(t *testing.T, dir string, env map[string]string) *config.Loaded {
	t.Helper()
	env["HOME"], env["PINTUI_DATA_DIR"] = dir, dir
	cfg, err := config.Load(config.Options{Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// checkNamed returns the check of that name, failing the test when there is none.
func checkNamed(t *testing.T, checks []Check, name string) Check {
	t.Helper()
	for _, c := range checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s check in %+v", name, checks)
	return Check{}
}

// TestCheckAdviceMatchesItsCause expects each failing check to give the advice of its own cause:
// an address serve refuses is not called free, a garbled Kafka state file is not a busy port, and
// a MySQL server that refuses the connection is not an unseeded database.
func TestCheckAdviceMatchesItsCause(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "kafka"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kafka", "topics.json"), []byte(`{"topics":[{"name":`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := loadedConfig(t, dir, map[string]string{
		"PINTUI_LOCAL_GATEWAY_ADDR": "0.0.0.0:0", "PINTUI_LOCAL_KAFKA_ADDR": "[::1]:0", "PINTUI_LOCAL_S3_ADDR": "127.0.0.1:0",
		"PINTUI_SOURCE_URL": "mysql://u:hunter2@127.0.0.1:1/db",
	})
	checks := CheckConfig(t.Context(), cfg)
	want := map[string]Check{
		"gateway listener": {Name: "gateway listener", Detail: `0.0.0.0:0 is not loopback: local mode listens on 127.0.0.1 only`,
			Fix: "set local.gateway_addr to a loopback address, e.g. 127.0.0.1:0 (port 0 picks a free one)"},
		"kafka listener": {Name: "kafka listener", Detail: `[::1]:0 is not 127.0.0.1: the embedded Kafka listens on 127.0.0.1 only`,
			Fix: "set local.kafka_addr to 127.0.0.1:PORT (port 0 picks a free one)"},
		"s3 listener": {Name: "s3 listener", OK: true, Detail: "127.0.0.1:0 is free"},
		"kafka data": {Name: "kafka data", Detail: filepath.Join(dir, "kafka", "topics.json") + " is damaged: unexpected end of JSON input",
			Fix: "restore the file from a copy, or move " + filepath.Join(dir, "kafka") + " away to start with empty topics (their records are lost; landed objects stay in s3/)"},
	}
	for name, w := range want {
		if got := checkNamed(t, checks, name); got != w {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, w)
		}
	}
	src := checkNamed(t, checks, "source")
	if src.OK || !strings.Contains(src.Detail, "connection refused") || strings.Contains(src.Fix, "seed") ||
		src.Fix != "start the database, or fix the host, port, user or password in source.url" {
		t.Errorf("source: %+v", src)
	}
}

// TestCheckTakenPortIsTaken keeps the advice for a port in use.
func TestCheckTakenPortIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	cfg := loadedConfig(t, dir, map[string]string{"PINTUI_LOCAL_S3_ADDR": ln.Addr().String()})
	c := checkNamed(t, CheckConfig(t.Context(), cfg), "s3 listener")
	if c.OK || !strings.HasPrefix(c.Detail, ln.Addr().String()+" is taken: ") ||
		c.Fix != "stop what listens there, or set local.s3_addr (port 0 picks a free one)" {
		t.Errorf("s3 listener: %+v", c)
	}
}

// TestCheckErrorsHideURLSecrets expects the gateway and S3 checks to fail without printing the
// password or token of their URLs.
func TestCheckErrorsHideURLSecrets(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	file := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(file, []byte("profiles:\n  cloud: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"http://u:hunter2@127.0.0.1:1/dev?token=hunter2", "http://u:hunter2@127.0.0.1:notaport/dev"} {
		cfg := loadedConfig(t, t.TempDir(), map[string]string{"PINTUI_CONFIG": file, "PINTUI_PROFILE": "cloud",
			"PINTUI_GATEWAY_INVOKE_URL": raw, "PINTUI_S3_ENDPOINT": raw, "PINTUI_S3_BUCKET": "b"})
		checks := CheckConfig(t.Context(), cfg)
		for _, c := range []Check{checkNamed(t, checks, "gateway"), checkNamed(t, checks, "s3")} {
			if c.OK || c.Detail == "" || strings.Contains(c.Detail+c.Fix, "hunter2") {
				t.Errorf("%s of %s: %+v", c.Name, raw, c)
			}
		}
	}
}

// TestCheckTakenPortOfEveryListener keeps config check looking at every listener the stack
// opens: a port in use for the Kinesis, the scheduler or the workspace stops serve as surely as
// one for Kafka.
func TestCheckTakenPortOfEveryListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, l := range []struct{ check, key, env string }{
		{"kinesis listener", "local.kinesis_addr", "PINTUI_LOCAL_KINESIS_ADDR"},
		{"scheduler listener", "local.airflow_addr", "PINTUI_LOCAL_AIRFLOW_ADDR"},
		{"workspace listener", "local.workspace_addr", "PINTUI_LOCAL_WORKSPACE_ADDR"},
	} {
		cfg := loadedConfig(t, t.TempDir(), map[string]string{l.env: ln.Addr().String()})
		c := checkNamed(t, CheckConfig(t.Context(), cfg), l.check)
		if c.OK || !strings.HasPrefix(c.Detail, ln.Addr().String()+" is taken: ") ||
			c.Fix != "stop what listens there, or set "+l.key+" (port 0 picks a free one)" {
			t.Errorf("%s: %+v", l.check, c)
		}
	}
}
