package help

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/theme"
)

func TestLines(t *testing.T) {
	k := keys.Default()
	if err := k.Rebind(map[string][]string{"refresh": {"R"}}); err != nil {
		t.Fatal(err)
	}
	cmds := []Command{
		{"status", "shows every component and its state"},
		{"preview TABLE [--limit LIMIT]", "pages through a table"},
		{"preview TABLE [--limit LIMIT] [--offset OFFSET] [--where WHERE]", "pages through a table's rows, a page at a time, with an optional filter"},
	}
	view := ansi.Strip(strings.Join(Lines(theme.New(theme.Default()), k.Groups(), cmds, 60), "\n"))
	if !strings.Contains(view, "R      refresh") {
		t.Error("a rebound key must show in the help")
	}
	for _, l := range strings.Split(view, "\n") {
		if w := ansi.StringWidth(l); w > 60 {
			t.Errorf("a line is %d wide, past the panel's 60: %q", w, l)
		}
	}
	if got := strings.Join(strings.Fields(view), " "); !strings.Contains(got, "pages through a table's rows, a page at a time, with an optional filter") {
		t.Errorf("a long help is not there in full:\n%s", view)
	}
	golden.RequireEqual(t, view)
}
