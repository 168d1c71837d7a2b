package app

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ui/component/statusbar"
)

// Progress carries the progress that long commands such as seed and batch run report through
// command.Env.Progress to the console's status bar. It holds one report: a report the console has
// not taken yet is replaced by the newer one, so a fast command never blocks on a busy console
// and the console never falls behind.
type Progress struct {
	ch chan statusbar.Progress
}

// NewProgress returns an empty feed; give its Report to command.Env.Progress and the feed to
// Deps.Progress.
func NewProgress() *Progress { return &Progress{ch: make(chan statusbar.Progress, 1)} }

// Report is a command.Env.Progress: it never blocks.
func (p *Progress) Report(label string, done, total int) {
	next := statusbar.Progress{Label: label, Done: done, Total: total}
	for {
		select {
		case p.ch <- next:
			return
		default:
		}
		select {
		case <-p.ch: // an older report nobody has shown yet
		default:
		}
	}
}

// progressMsg is the latest report of a command that runs.
type progressMsg statusbar.Progress

// wait is the pump's command: it delivers the next report, and Update arms it again; it gives
// up when the console's context ends.
func (p *Progress) wait(ctx context.Context) tea.Cmd {
	return func() tea.Msg {
		select {
		case r := <-p.ch:
			return progressMsg(r)
		case <-ctx.Done():
			return nil
		}
	}
}
