package livetail

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/component/prompt"
	"github.com/pintui/pintui/ui/theme"
)

// Start asks where the next tail starts. It checks the answer before a tail opens, so a mistyped
// start is corrected here rather than ending a tail.
type Start struct {
	styles *theme.Styles
	prompt *prompt.Model
	def    string
	check  func(from string) error
	open   bool
	err    error
}

// NewStart returns the prompt that offers def, describes the starts it takes in hint and refuses
// those check returns an error for.
func NewStart(styles *theme.Styles, def, hint string, check func(from string) error) *Start {
	return &Start{styles: styles, prompt: prompt.New(styles, "tail from ", hint), def: def, check: check}
}

// Open shows the prompt on the default start.
func (s *Start) Open() {
	s.prompt.SetValue(s.def)
	s.open, s.err = true, nil
}

// IsOpen reports that the prompt shows and takes the keys.
func (s *Start) IsOpen() bool { return s.open }

// Close hides the prompt.
func (s *Start) Close() { s.open = false }

// Key edits the start and reports a start that passed the check once enter submitted it; esc
// closes the prompt and a start that fails stays to be edited.
func (s *Start) Key(msg tea.KeyPressMsg) (from string, ok bool) {
	switch s.prompt.Update(msg) {
	case prompt.Cancelled:
		s.open = false
	case prompt.Submitted:
		from := strings.TrimSpace(s.prompt.Value())
		if err := s.check(from); err != nil {
			s.err = err
			return "", false
		}
		s.open = false
		return from, true
	default:
		s.err = nil
	}
	return "", false
}

// View is the prompt's line and, wrapped below it, what was wrong with the last start submitted,
// which lists every valid form and so rarely fits one line.
func (s *Start) View(width int) []string {
	lines := []string{s.prompt.View(width)}
	if s.err != nil {
		for _, l := range strings.Split(ansi.Wordwrap(s.err.Error()+" · edit and enter, or esc", width, ""), "\n") {
			lines = append(lines, s.styles.Error.Render(l))
		}
	}
	return lines
}
