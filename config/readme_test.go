package config

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the settings table in README.md")

// settingsTable renders the README's table of settings from the declarations, so the docs
// cannot drift from the code.
func settingsTable() string {
	var b strings.Builder
	for _, f := range Fields() {
		def := f.Default
		if def != "" {
			def = "`" + def + "`"
		}
		b.WriteString("| `" + f.Key + "` | " + def + " | " + strings.ReplaceAll(f.Help, "|", `\|`) + " |\n")
	}
	return b.String()
}

func TestREADMEListsEverySetting(t *testing.T) {
	const name = "../README.md"
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	const head = "| key | default | meaning |\n|---|---|---|\n"
	start := strings.Index(readme, head)
	if start < 0 {
		t.Fatal("README.md has no settings table")
	}
	start += len(head)
	end := start + strings.Index(readme[start:], "\n\n") + 1
	want := settingsTable()
	if readme[start:end] == want {
		return
	}
	if !*update {
		t.Fatalf("README.md settings table is out of date: run go test ./config -update\nwant:\n%s", want)
	}
	if err := os.WriteFile(name, []byte(readme[:start]+want+readme[end:]), 0o644); err != nil {
		t.Fatal(err)
	}
}
