package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
)

// TestConfigCheckOnAServedDataDir expects config check, on a data dir a pintui serve owns, to
// name the owner's listeners instead of trying the configured addresses.
func TestConfigCheckOnAServedDataDir(t *testing.T) {
	dataDir := t.TempDir()
	server, e := serve(t, dataDir)
	out, errs, _ := pintui(t, t.TempDir(), "", "config", "check", "--data-dir", dataDir, "-o", "json")
	var checks []struct {
		Name, Detail string
		OK           bool
	}
	if err := json.Unmarshal([]byte(out), &checks); err != nil {
		t.Fatalf("%v: %s %s", err, out, errs)
	}
	hostPort := func(u string) string {
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		return p.Host
	}
	pid := server.Process.Pid
	want := map[string]string{
		"kafka listener":     fmt.Sprintf("kafka %s served by pintui pid %d", e.Kafka, pid),
		"s3 listener":        fmt.Sprintf("s3 %s served by pintui pid %d", hostPort(e.S3), pid),
		"gateway listener":   fmt.Sprintf("gateway %s served by pintui pid %d", hostPort(e.Gateway), pid),
		"kinesis listener":   fmt.Sprintf("kinesis %s served by pintui pid %d", hostPort(e.Kinesis), pid),
		"scheduler listener": fmt.Sprintf("scheduler %s served by pintui pid %d", hostPort(e.Airflow), pid),
		"workspace listener": fmt.Sprintf("workspace %s served by pintui pid %d", hostPort(e.Workspace), pid),
	}
	for _, c := range checks {
		if w, ok := want[c.Name]; ok {
			if !c.OK || c.Detail != w {
				t.Errorf("%s: ok %v, detail %q; want ok, %q", c.Name, c.OK, c.Detail, w)
			}
			delete(want, c.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("config check lacks %v:\n%s", want, out)
	}
}
