package statusbar

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/pintui/pintui/ui/theme"
)

func TestView(t *testing.T) {
	s := theme.New(theme.Default())
	cases := []struct {
		name  string
		st    Status
		width int
	}{
		{"plain", Status{Profile: "local", DataDir: "/home/ana/.local/share/pintui", Hint: "? help"}, 80},
		{"error", Status{Profile: "local", DataDir: "/home/ana/.local/share/pintui", Running: 2,
			Err: "preview: table \"pins\" not found:\nrun tables to list them", Hint: "? help"}, 100},
		{"narrow", Status{Profile: "prod", DataDir: "/very/long/path/to/the/pintui/data/dir", Err: "status: boom", Hint: "? help"}, 60},
		{"attached_narrow", Status{Profile: "local", DataDir: "/root/qa/data/pintui", Stack: "attached to pid 24344 since 21:41", Hint: "? help  : command palette"}, 80},
		{"attached", Status{Profile: "local", DataDir: "/home/ana/.local/share/pintui", Stack: "attached to pid 4242 since 09:20", Hint: "? help"}, 100},
		{"progress", Status{Profile: "local", DataDir: "/home/ana/.local/share/pintui", Running: 1, Hint: "? help",
			Progress: &Progress{Label: "batch", Done: 1200, Total: 2400}}, 100},
		{"progress_unknown_total", Status{Profile: "local", DataDir: "/d", Running: 1, Hint: "? help",
			Progress: &Progress{Label: "seed", Done: 1200}}, 80},
		{"owner_stopped", Status{Profile: "local", DataDir: "/d", Err: "status: boom", Hint: "? help", StackDown: true,
			Stack: "the pintui that owned /d (pid 4242) has stopped: start pintui serve again, or quit and reopen the console to own the stack"}, 140},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := View(s, c.st, c.width)
			if w := ansi.StringWidth(v); w != c.width {
				t.Fatalf("width %d, want %d", w, c.width)
			}
			golden.RequireEqual(t, ansi.Strip(v))
		})
	}
}
