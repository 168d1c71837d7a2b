package app

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/pintui/pintui/ui/internal/fixture"
	"github.com/pintui/pintui/ui/screen"
)

// clock is the fixed time every test frame shows.
func clock() time.Time { return time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC) }

// goldenTail and goldenStreamTail are the stand-in topic and stream readers of the golden runs:
// 60 records in one batch, then they wait like a live topic or stream. State tests, which run
// each command to its end, get ones that return.
var (
	goldenTail       = fixture.Tailer{First: 11190, Records: 60, Batch: 60}
	stateTail        = fixture.Tailer{First: 11190, Records: 60, Batch: 60, Return: true}
	goldenStreamTail = fixture.StreamTailer{First: 11190, Records: 60, Batch: 60}
	stateStreamTail  = fixture.StreamTailer{First: 11190, Records: 60, Batch: 60, Return: true}
)

func newModel(t *testing.T, r *fixture.Runner, width, height int) *Model {
	t.Helper()
	return newModelTicks(t, r, width, height, &ticker{})
}

func newModelTicks(t *testing.T, r *fixture.Runner, width, height int, tk *ticker) *Model {
	t.Helper()
	return newModelWith(t, r, width, height, tk, stateTail, stateStreamTail)
}

func newModelWith(t *testing.T, r *fixture.Runner, width, height int, tk *ticker, tailer fixture.Tailer, streams fixture.StreamTailer) *Model {
	t.Helper()
	m, err := New(context.Background(), Deps{
		Runner: r, Profile: "local", DataDir: fixture.DataDir, Now: clock, Width: width, Height: height,
		Tailer: tailer, StreamTailer: streams, Tick: tk.tick,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// ticker stands in for tea.Tick: each screen's first budget ticks answer at once, later ones
// never, so a polling screen settles after a known number of polls and no test waits a second.
type ticker struct {
	budget int
	mu     sync.Mutex
	given  map[screen.ID]int
	asked  map[screen.ID]int
	other  []tea.Msg // ticks that are not polls, kept for the test to deliver when it likes
}

func (tk *ticker) tick(_ time.Duration, msg tea.Msg) tea.Cmd {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	if tk.given == nil {
		tk.given, tk.asked = map[screen.ID]int{}, map[screen.ID]int{}
	}
	poll, ok := msg.(screen.PollMsg)
	if !ok {
		tk.other = append(tk.other, msg)
		return nil
	}
	id := poll.Screen
	tk.asked[id]++
	if tk.given[id] >= tk.budget {
		return nil
	}
	tk.given[id]++
	return func() tea.Msg { return msg }
}

// asks returns how many ticks screen id scheduled.
func (tk *ticker) asks(id screen.ID) int {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	return tk.asked[id]
}

// others takes the ticks that are not polls scheduled so far.
func (tk *ticker) others() []tea.Msg {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	out := tk.other
	tk.other = nil
	return out
}

// drive runs a command and feeds what it returns back into Update until nothing is left,
// reporting whether the program was told to quit.
func drive(m *Model, cmd tea.Cmd) (quit bool) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			quit = true
		case nil:
		default:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
	return quit
}

// press sends keys, each a key name ("enter", "esc", "tab", "ctrl+d") or one character, and
// drives what they start.
func press(m *Model, keys ...string) (quit bool) {
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		quit = drive(m, cmd) || quit
	}
	return quit
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c", "ctrl+d", "ctrl+u":
		return tea.KeyPressMsg{Code: rune(k[5]), Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// typeText presses one key per character.
func typeText(m *Model, s string) {
	for _, r := range s {
		press(m, string(r))
	}
}

// frame is the model's frame downsampled to a fixed colour profile, as a terminal of that
// profile would receive it.
func frame(t *testing.T, m *Model, p colorprofile.Profile) string {
	t.Helper()
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: p}
	if _, err := w.WriteString(m.Render()); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func lines(s string) []string { return strings.Split(s, "\n") }
