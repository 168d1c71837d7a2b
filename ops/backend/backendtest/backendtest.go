// Package backendtest opens the real local stack for tests: an embedded Kafka, S3, gateway and
// sink on ports the kernel picks, over a fresh data dir, so a test of a command or a screen runs
// against the pipeline itself rather than a stand-in.
package backendtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/ops/backend"
)

// Open starts the local stack in a new data dir under the home folder (files are slow to create
// under /tmp on some machines) and closes and removes it when the test ends.
func Open(t testing.TB) (*config.Loaded, *backend.Backends) {
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
	cfg, err := config.Load(config.Options{
		Env: func(k string) (string, bool) {
			if k == "XDG_CONFIG_HOME" {
				return dir, true
			}
			return "", false
		},
		Flags: map[string]string{
			"data_dir": dir, "local.kafka_addr": "127.0.0.1:0", "local.s3_addr": "127.0.0.1:0", "local.gateway_addr": "127.0.0.1:0", "local.kinesis_addr": "127.0.0.1:0", "local.airflow_addr": "127.0.0.1:0",
			"local.workspace_addr": "127.0.0.1:0",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := backend.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(context.Background()) })
	return cfg, b
}
