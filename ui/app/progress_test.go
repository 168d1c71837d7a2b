package app

import (
	"context"
	"strings"
	"testing"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/internal/fixture"
	"github.com/pintui/pintui/ui/screen"
)

// progressRunner answers `batch run` as the real one reports: progress first, then the answer
// once the test releases it.
type progressRunner struct {
	*fixture.Runner
	feed     *Progress
	reports  [][2]int
	reported chan struct{} // closed once every report is made
	release  chan struct{}
}

func (r *progressRunner) Run(ctx context.Context, line string) (*command.Result, error) {
	if line != "batch run" {
		return r.Runner.Run(ctx, line)
	}
	for _, p := range r.reports {
		r.feed.Report("batch", p[0], p[1])
	}
	close(r.reported)
	<-r.release
	return &command.Result{Message: "batch run done"}, nil
}

func TestBatchRunShowsProgressInTheStatusBar(t *testing.T) {
	feed := NewProgress()
	r := &progressRunner{Runner: fixture.New(), feed: feed, reports: [][2]int{{1, 4}, {2, 4}},
		reported: make(chan struct{}), release: make(chan struct{})}
	m, err := New(context.Background(), Deps{Runner: r, Profile: "local", DataDir: fixture.DataDir, Now: clock, Width: 120, Height: 30, Progress: feed, Tick: (&ticker{}).tick})
	if err != nil {
		t.Fatal(err)
	}
	run := m.submit("batch run")
	answered := make(chan any, 1)
	go func() { answered <- run() }()
	<-r.reported

	report := m.pumpProgress()() // both reports came before the console took one: only the newer one is shown
	_, next := m.Update(report)
	if next == nil {
		t.Fatal("the progress pump was not armed again")
	}
	want := "batch ▕██████░░░░░░▏ 50% 2/4 ● 1 running"
	if got := statusLine(m); !strings.Contains(got, want) {
		t.Fatalf("status bar while batch run runs:\n%s\nwant it to contain %q", got, want)
	}

	close(r.release)
	res := (<-answered).(screen.ResultMsg)
	m.Update(res)
	if got := statusLine(m); strings.Contains(got, "batch") {
		t.Fatalf("status bar after batch run answered still shows its progress:\n%s", got)
	}
	feed.Report("batch", 4, 4) // a report that reaches the console after the answer
	m.Update(m.pumpProgress()())
	if got := statusLine(m); strings.Contains(got, "batch") {
		t.Fatalf("a report that came after the answer shows again:\n%s", got)
	}
}

func TestProgressReportNeverBlocks(t *testing.T) {
	feed := NewProgress()
	for i := range 1000 {
		feed.Report("seed", i, 1000)
	}
	msg := feed.wait(context.Background())()
	if got, want := msg.(progressMsg).Done, 999; got != want {
		t.Fatalf("the pump took report %d, want the latest, %d", got, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if msg := feed.wait(ctx)(); msg != nil {
		t.Fatalf("the pump of an ended console delivered %v", msg)
	}
}
