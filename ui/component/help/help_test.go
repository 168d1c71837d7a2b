package help

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/theme"
)

func TestView(t *testing.T) {
	k := keys.Default()
	if err := k.Rebind(map[string][]string{"refresh": {"R"}}); err != nil {
		t.Fatal(err)
	}
	cmds := []Command{{"status", "shows every component and its state"}, {"preview TABLE [--limit LIMIT]", "pages through a table"}}
	view := View(theme.New(theme.Default()), k.Groups(), cmds, 80, 32)
	lines := strings.Split(view, "\n")
	if len(lines) != 32 {
		t.Fatalf("%d lines, want 32", len(lines))
	}
	if !strings.Contains(ansi.Strip(view), "R      refresh") {
		t.Error("a rebound key must show in the help")
	}
	golden.RequireEqual(t, ansi.Strip(view))
}
