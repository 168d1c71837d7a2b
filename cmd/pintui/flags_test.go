package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pintui/pintui/config"
)

// TestEveryFlagConfigShowNamesParses sets each setting through its global flag, reads back the
// flag `config show` says the value came from, and gives that flag again: it must parse and set
// the same setting.
func TestEveryFlagConfigShowNamesParses(t *testing.T) {
	values := map[string]string{
		"profile": "local", "data_dir": "DATA", "uid": "abc123abc123", "color": "never", "source.url": "/x/source.db",
		"local.kafka_addr": "127.0.0.1:0", "local.s3_addr": "127.0.0.1:0", "local.gateway_addr": "127.0.0.1:0", "local.kinesis_addr": "127.0.0.1:0",
		"local.workspace_addr": "127.0.0.1:0",
	}
	origin := func(home string, args ...string) map[string]string {
		t.Helper()
		out, errs, code := pintui(t, home, "", append([]string{"config", "show", "-o", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("config show %v: exit %d: %s", args, code, errs)
		}
		var settings []config.Setting
		if err := json.Unmarshal([]byte(out), &settings); err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, s := range settings {
			m[s.Key] = s.Origin
		}
		return m
	}
	home := t.TempDir()
	for key, value := range values {
		value = strings.ReplaceAll(value, "DATA", home)
		flag := "--" + strings.NewReplacer(".", "-", "_", "-").Replace(key)
		if key == "source.url" {
			flag = "--source"
		} else if strings.HasPrefix(key, "local.") {
			flag = "--" + strings.ReplaceAll(strings.TrimPrefix(key, "local."), "_", "-")
		}
		named, ok := strings.CutPrefix(origin(home, flag, value)[key], "flag ")
		if !ok {
			t.Errorf("%s %s: config show names no flag for %s", flag, value, key)
			continue
		}
		if got := origin(home, named, value)[key]; got != "flag "+named {
			t.Errorf("%s: config show names %s, which sets %s from %q", flag, named, key, got)
		}
	}
}
