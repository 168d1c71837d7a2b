package app

import (
	"bytes"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/pintui/pintui/ui/internal/fixture"
	"github.com/pintui/pintui/ui/screen"
)

// polls is how many ticks each screen gets in the golden runs: enough for full sparklines.
const polls = 30

// patience bounds each wait of a golden run; under -race on a loaded machine a step can take
// several seconds, and a passing run never waits for it.
const patience = time.Minute

// TestGolden runs the console as a real program at 120×40, types into it, and compares the
// final frame, in TrueColor, with testdata/TestGolden/<name>.golden (go test -update rewrites
// them). Polling screens get a fixed number of immediate ticks, so each frame shows a known
// number of polls. The screenshots are rendered from these files.
func TestGolden(t *testing.T) { goldenAt(t, 120, 40) }

// TestGolden80x24 is the same runs at the smallest size every screen must work at.
func TestGolden80x24(t *testing.T) { goldenAt(t, 80, 24) }

func goldenAt(t *testing.T, width, height int) {
	type step struct {
		keys []string
		// until is what to wait for after the keys: text on the terminal, or a screen having
		// asked for n ticks, which it does only after handling the answer before.
		text  string
		asked screen.ID
		n     int
	}
	settled := func(id screen.ID) step { return step{asked: id, n: polls + 1} }
	tables := step{keys: []string{"8"}, text: "15 tables", asked: screen.Tables, n: polls + 1}
	topics := step{keys: []string{"3"}, asked: screen.Topics, n: polls + 1}
	streams := step{keys: []string{"4"}, text: "3 streams", asked: screen.Streams, n: polls + 1}
	// The description is refreshed four times after its first answer, each once the one before
	// was answered, so its partition shows a rate and a sparkline of four polls.
	described := []step{topics, {keys: []string{"d"}, text: "Consumer groups", asked: screen.Topics, n: polls + 2}}
	for i := range 4 {
		described = append(described, step{keys: []string{"r"}, asked: screen.Topics, n: polls + 3 + i})
	}
	dags := step{keys: []string{"6"}, text: "1 DAG", asked: screen.DAGs, n: polls + 1}
	dagRuns := []step{dags, {keys: []string{"enter"}, text: "5 runs", asked: screen.DAGs, n: polls + 2}}
	dagRun := slices.Concat(dagRuns, []step{{keys: []string{"enter"}, text: "operator"}})
	jobs := step{keys: []string{"7"}, text: "1 job"}
	jobRuns := []step{jobs, {keys: []string{"enter"}, text: "5 runs", asked: screen.Jobs, n: polls + 1}}
	cases := []struct {
		name    string
		steps   []step
		profile colorprofile.Profile
	}{
		{"overview", nil, colorprofile.TrueColor},
		{"overview_no_color", nil, colorprofile.ASCII},
		{"emulators", []step{{keys: []string{"2"}, asked: screen.Emulators, n: polls + 1}}, colorprofile.TrueColor},
		{"topics", []step{topics}, colorprofile.TrueColor},
		{"topics_tail", []step{topics, {keys: []string{"enter"}, text: "#11249", asked: screen.Topics, n: polls + 2}}, colorprofile.TrueColor},
		{"topics_detail", described, colorprofile.TrueColor},
		{"s3", []step{
			{keys: []string{"5"}, text: "under the bucket root"},
			{keys: []string{"enter"}, text: "3 prefixes under topics/"},
			// The row, since the line above it is redrawn only where it changed.
			{keys: []string{"j", "enter"}, text: "partition=0/"},
			{keys: []string{"enter"}, text: "138 objects"},
			{keys: []string{"j", "enter"}, text: "TireBuyer"},
			settled(screen.S3),
		}, colorprofile.TrueColor},
		{"streams", []step{streams}, colorprofile.TrueColor},
		{"streams_tail", []step{streams, {keys: []string{"enter"}, text: "1011249", asked: screen.Streams, n: polls + 2}}, colorprofile.TrueColor},
		{"tables", []step{tables}, colorprofile.TrueColor},
		{"tables_detail", []step{tables, {keys: []string{"j", "enter"}, text: "of 11,001"}}, colorprofile.TrueColor},
		{"tables_analytics", []step{tables, {keys: []string{"G", "enter"}, text: "rows 1–20 of 20"}}, colorprofile.TrueColor},
		{"dags", []step{dags}, colorprofile.TrueColor},
		{"dags_runs", dagRuns, colorprofile.TrueColor},
		{"dags_run", dagRun, colorprofile.TrueColor},
		{"dags_log", slices.Concat(dagRuns, []step{{keys: []string{"j", "j", "j", "enter", "j", "j", "enter"}, text: "the latest try"}, {keys: []string{"["}, text: "an earlier"}}), colorprofile.TrueColor},
		{"dags_no_color", dagRuns, colorprofile.ASCII},
		{"dags_trigger_asks", slices.Concat(dagRuns, []step{{keys: []string{"t"}, text: "y/n"}}), colorprofile.TrueColor},
		{"jobs", []step{jobs}, colorprofile.TrueColor},
		{"jobs_runs", jobRuns, colorprofile.TrueColor},
		{"jobs_output", slices.Concat(jobRuns, []step{{keys: []string{"j", "j", "enter"}, text: "read 1503 landings"}}), colorprofile.TrueColor},
		{"jobs_cancel", slices.Concat(jobRuns, []step{{keys: []string{"c"}, text: "cancel run 880209?"}}), colorprofile.TrueColor},
		{"help", []step{{keys: []string{"?"}, text: "Global"}}, colorprofile.TrueColor},
		{"palette", []step{{keys: []string{":", "s"}, text: "status"}}, colorprofile.TrueColor},
		{"errors", []step{
			{keys: []string{":", "b", "o", "g", "u", "s", "enter"}, text: `unknown command "bogus"`},
			{keys: []string{"!"}, text: "09:26:53  :bogus"},
		}, colorprofile.TrueColor},
		{"palette_result", []step{{keys: []string{":", "h", "e", "l", "p", "enter"}, text: "lines 1–"}}, colorprofile.TrueColor},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tk := &ticker{budget: polls}
			r := fixture.New()
			if c.name == "dags_trigger_asks" {
				r.AskFirst("dag trigger", "trigger a run of "+fixture.DAG+" on MWAA environment prod")
			}
			m := newModelWith(t, r, 0, 0, tk, goldenTail, goldenStreamTail)
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(width, height))
			for _, s := range append([]step{settled(screen.Overview)}, c.steps...) {
				for _, k := range s.keys {
					tm.Send(keyMsg(k))
				}
				teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
					return bytes.Contains(b, []byte(s.text)) && (s.n == 0 || tk.asks(s.asked) >= s.n)
				}, teatest.WithDuration(patience), teatest.WithCheckInterval(10*time.Millisecond))
			}
			tm.Send(tea.QuitMsg{})
			final := tm.FinalModel(t, teatest.WithFinalTimeout(patience)).(*Model)
			golden.RequireEqual(t, frame(t, final, c.profile))
		})
	}
}
