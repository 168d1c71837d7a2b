package app

import (
	"bytes"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/pintui/pintui/ui/internal/fixture"
)

// TestGolden runs the console as a real program at 120×40, types into it, and compares the
// final frame, in TrueColor, with testdata/TestGolden/<name>.golden (go test -update rewrites
// them). The screenshots are rendered from these files.
func TestGolden(t *testing.T) {
	type step struct {
		keys    []string
		waitFor string // sent keys are followed by waiting for this text on the terminal
	}
	tables := step{[]string{"8"}, "12 tables"}
	cases := []struct {
		name    string
		steps   []step
		profile colorprofile.Profile
	}{
		{"overview", nil, colorprofile.TrueColor},
		{"overview_no_color", nil, colorprofile.ASCII},
		{"emulators", []step{{[]string{"2"}, "not available yet"}}, colorprofile.TrueColor},
		{"tables", []step{tables}, colorprofile.TrueColor},
		{"tables_detail", []step{tables, {[]string{"j", "enter"}, "rows 1–20 of 11001"}}, colorprofile.TrueColor},
		{"tables_analytics", []step{tables, {[]string{"G", "enter"}, "rows 1–20 of 20"}}, colorprofile.TrueColor},
		{"help", []step{{[]string{"?"}, "Commands"}}, colorprofile.TrueColor},
		{"palette", []step{{[]string{":", "s"}, "status"}}, colorprofile.TrueColor},
		{"palette_result", []step{{[]string{":", "h", "e", "l", "p", "enter"}, "lines 1–"}}, colorprofile.TrueColor},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newModel(t, fixture.New(), 0, 0)
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
			steps := append([]step{{nil, "updated 09:26:53"}}, c.steps...)
			for _, s := range steps {
				for _, k := range s.keys {
					tm.Send(keyMsg(k))
				}
				teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s.waitFor)) },
					teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
			}
			tm.Send(tea.QuitMsg{})
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
			golden.RequireEqual(t, frame(t, final, c.profile))
		})
	}
}
