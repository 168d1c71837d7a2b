package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
)

// historyKept is how many palette lines the history file keeps.
const historyKept = 500

// history is the palette's earlier lines, kept in a file across runs. Every submitted line is
// kept, the ones that failed too, since a failed line is the one most often fixed and run
// again; a line the same as the one before it is kept once.
type history struct {
	path  string
	lines []string

	mu    *sync.Mutex // orders the saves of one console
	saved *int        // the newest version written, under mu
	seq   int         // the version of lines
}

// historySavedMsg reports a failed save of the history file.
type historySavedMsg struct{ err error }

// loadHistory reads the history file; a missing file is an empty history, and so is one that
// cannot be read, with the error saying why.
func loadHistory(path string) (*history, error) {
	h := &history{path: path, mu: &sync.Mutex{}, saved: new(int)}
	if path == "" {
		return h, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("read palette history: %w (this console starts without it)", err)
	}
	for l := range strings.SplitSeq(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			h.lines = append(h.lines, l)
		}
	}
	h.lines = h.lines[max(0, len(h.lines)-historyKept):]
	return h, nil
}

// Lines returns the lines, oldest first.
func (h *history) Lines() []string { return h.lines }

// add keeps a submitted line and returns the command that saves the file, or nil when nothing
// changed or there is no file.
func (h *history) add(line string) tea.Cmd {
	if n := len(h.lines); n > 0 && h.lines[n-1] == line {
		return nil
	}
	h.lines = append(h.lines, line)
	h.lines = h.lines[max(0, len(h.lines)-historyKept):]
	h.seq++
	if h.path == "" {
		return nil
	}
	text := strings.Join(h.lines, "\n") + "\n"
	seq, path, mu, saved := h.seq, h.path, h.mu, h.saved
	return func() tea.Msg {
		mu.Lock()
		defer mu.Unlock()
		if seq <= *saved {
			return nil // a newer version is already on disk
		}
		if err := writeFile(path, text); err != nil {
			return historySavedMsg{err}
		}
		*saved = seq
		return nil
	}
}

// writeFile replaces the file whole, so a crash mid-write leaves the old history, not half of it.
func writeFile(path, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("save palette history: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return fmt.Errorf("save palette history: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save palette history: %w", err)
	}
	return nil
}
