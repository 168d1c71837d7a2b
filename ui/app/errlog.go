package app

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ui/screen"
)

// errorsKept is how many errors the error log keeps.
const errorsKept = 20

// failure is one entry of the error log: when a command line failed and how; the line is "" for
// the console's own failures, such as saving the history.
type failure struct {
	at   time.Time
	line string
	err  string
}

// errExpiredMsg tells the root model the error shown may have had its time; gen tells it from
// the ticks of errors shown before.
type errExpiredMsg struct{ gen int }

// fail shows an error in the status bar and logs it. A poll failing the same way again only
// moves its entry's time, so one broken backend does not push every other error out of the log.
func (m *Model) fail(line string, err error) tea.Cmd {
	f := failure{at: m.deps.Now(), line: line, err: err.Error()}
	if n := len(m.errs); n > 0 && m.errs[n-1].line == f.line && m.errs[n-1].err == f.err {
		m.errs[n-1].at = f.at
	} else {
		m.errs = append(m.errs, f)
		if len(m.errs) > errorsKept {
			m.errs = m.errs[len(m.errs)-errorsKept:]
		}
	}
	m.lastErr, m.errLine, m.errAt = f.err, line, f.at
	m.errGen++
	if m.overlay == errorsOverlay {
		m.showErrors()
	}
	return m.tick(ErrorShown, errExpiredMsg{m.errGen})
}

// succeeded clears the status bar's error when the user's own command worked or when the line
// that failed works again; another screen's routine poll working says nothing about the error.
func (m *Model) succeeded(msg screen.ResultMsg) {
	if msg.Screen == screen.Palette || msg.Kind == screen.Action || msg.Line == m.errLine {
		m.lastErr, m.errLine = "", ""
	}
}

// expire clears the error once it has been shown for ErrorShown by the console's clock; a tick
// that comes early waits out the rest.
func (m *Model) expire(msg errExpiredMsg) tea.Cmd {
	if msg.gen != m.errGen || m.lastErr == "" {
		return nil
	}
	if left := ErrorShown - m.deps.Now().Sub(m.errAt); left > 0 {
		return m.tick(left, msg)
	}
	m.lastErr, m.errLine = "", ""
	return nil
}

func (m *Model) tick(d time.Duration, msg tea.Msg) tea.Cmd {
	if m.ctx.Tick != nil {
		return m.ctx.Tick(d, msg)
	}
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

// showErrors opens the error log, newest first.
func (m *Model) showErrors() {
	title := fmt.Sprintf("%d errors", len(m.errs))
	if len(m.errs) == 1 {
		title = "1 error"
	}
	var text []string
	for i := len(m.errs) - 1; i >= 0; i-- {
		f := m.errs[i]
		head := f.at.Format("15:04:05")
		if f.line != "" {
			head += "  :" + f.line
		}
		text = append(text, head)
		for _, l := range strings.Split(f.err, "\n") {
			text = append(text, "          "+l)
		}
		text = append(text, "")
	}
	if len(text) == 0 {
		text = []string{"no errors since the console started"}
	}
	m.errPanel.SetLayout(title, func(int) []string { return text })
	m.overlay = errorsOverlay
}
