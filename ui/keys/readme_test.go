package keys

import (
	"os"
	"strings"
	"testing"
)

func TestREADMENamesEveryAction(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	console := string(data)
	console = console[strings.Index(console, "## The console"):strings.Index(console, "## Configuration")]
	for _, name := range Default().Actions() {
		if name == "emulators" || name == "topics" || name == "streams" || name == "s3" || name == "dags" || name == "jobs" {
			continue // the screens' actions are written as the range `overview` … `tables`
		}
		if !strings.Contains(console, "`"+name+"`") {
			t.Errorf("README's console section does not name the action %s", name)
		}
	}
}
