package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// FuzzLoad checks that no config file panics the loader, that a file it accepts gives a valid
// configuration with one row per setting in config show, and that a file it refuses gets an
// error that names the file or the setting.
func FuzzLoad(f *testing.F) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(readme, -1) {
		f.Add(string(m[1]))
	}
	for _, seed := range []string{"", "uid: 0a1b2c3d4e5f\n", "kafak:\n  brokers: [x]\n", "uid: [\n", "kafka:\n  tls: maybe\n",
		"keys: {quit: [Q], pause: [space, P]}\n", "keys: {quit: {a: b}}\n", "profiles:\n  p: 3\n", "profiles: [a]\n",
		"source: {url: 'u:pw@tcp(h:3306)/db?password=x'}\n", "sink: {flush_size: 9999999999999999999999}\n", "- a\n- b\n"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		name := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := Load(Options{File: name, Env: envOf(map[string]string{"HOME": "/h"})})
		if err != nil {
			msg := err.Error()
			if !strings.Contains(msg, name) && !strings.Contains(msg, "not valid") && !strings.HasPrefix(msg, "keys: ") {
				t.Fatalf("error names neither the file nor the setting: %v", err)
			}
			return
		}
		if err := l.Validate(); err != nil {
			t.Fatalf("accepted a config that does not validate: %v", err)
		}
		if got, want := len(l.Settings()), len(Fields()); got != want {
			t.Fatalf("config show has %d rows for %d settings", got, want)
		}
	})
}
