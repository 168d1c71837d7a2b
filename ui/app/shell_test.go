package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ui/internal/fixture"
)

// statusLine is the frame's bottom line as plain text.
func statusLine(m *Model) string {
	ls := lines(plain(m))
	return ls[len(ls)-1]
}

// seen collects every frame from the top of the open overlay to its bottom, a half page at a
// time, folded into one line of words so wrapped text reads as it was written.
func seen(m *Model) string {
	press(m, "g")
	var all []string
	for range 40 {
		all = append(all, plain(m))
		press(m, "ctrl+d")
	}
	return strings.Join(strings.Fields(strings.Join(all, " ")), " ")
}

func TestActionReplyReachesAScreenLeftBeforeIt(t *testing.T) {
	m, r := started(t, 120, 40)
	press(m, "2", "x")
	r.Hold()
	_, stop := m.Update(keyMsg("y")) // emulate stop is under way
	_, enter := m.Update(keyMsg("1"))
	r.Release()
	drive(m, stop)
	drive(m, enter)
	press(m, "2")
	if out := plain(m); !strings.Contains(out, "batch emulator stopped after") {
		t.Errorf("the stop's answer did not reach the Emulators screen:\n%s", out)
	}
}

func TestRunningCountIsOneCount(t *testing.T) {
	m, r := started(t, 120, 40)
	r.Hold()
	defer r.Release()
	first := overviewPoll(t, m.Init()) // the Overview's requests, answered below
	r.Release()
	old := first[0]()
	m.Update(old)
	for _, cmd := range first[1:] {
		m.Update(cmd())
	}
	r.Hold()
	_, held := m.Update(keyMsg("r")) // a fresh poll, held
	if held == nil {
		t.Fatal("r started nothing")
	}
	m.Update(old) // the same answer again must not count a held request as answered
	if got := m.ctx.Running(); got != len(first) {
		t.Errorf("running = %d, want the %d held requests", got, len(first))
	}
	if want := fmt.Sprintf("● %d running", len(first)); !strings.Contains(statusLine(m), want) {
		t.Errorf("the status bar disagrees: %s", statusLine(m))
	}
	press(m, "q")
	if want := fmt.Sprintf("%d command(s) still running", len(first)); !strings.Contains(statusLine(m), want) {
		t.Errorf("the quit confirmation disagrees: %s", statusLine(m))
	}
}

// overviewPoll is the requests of one poll of the Overview, status first, as cmd batches them.
func overviewPoll(t *testing.T, cmd tea.Cmd) []tea.Cmd {
	t.Helper()
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) < 2 {
		t.Fatalf("the Overview asked %d commands at once, want status and the streaming commands", len(batch))
	}
	return batch
}

func TestErrorClearsOnTheNextSuccessfulCommand(t *testing.T) {
	m, _ := started(t, 120, 40)
	press(m, ":")
	typeText(m, "preview nosuch")
	press(m, "enter")
	if !strings.Contains(statusLine(m), "✗ preview") {
		t.Fatalf("no error shown: %s", statusLine(m))
	}
	press(m, ":")
	typeText(m, "analytics")
	press(m, "enter")
	if strings.Contains(statusLine(m), "✗") {
		t.Errorf("the error outlived a successful command: %s", statusLine(m))
	}
}

func TestErrorClearsAfterItsTime(t *testing.T) {
	now := clock()
	tk := &ticker{}
	m, err := New(context.Background(), Deps{
		Runner: fixture.New(), Profile: "local", DataDir: fixture.DataDir, Now: func() time.Time { return now },
		Width: 120, Height: 40, Tailer: stateTail, Tick: tk.tick,
	})
	if err != nil {
		t.Fatal(err)
	}
	drive(m, m.Init())
	press(m, ":")
	typeText(m, "bogus")
	press(m, "enter")
	ticks := tk.others()
	if len(ticks) != 1 {
		t.Fatalf("the error scheduled %d ticks, want 1", len(ticks))
	}
	now = now.Add(ErrorShown - time.Second)
	drive(m, func() tea.Msg { return ticks[0] })
	if !strings.Contains(statusLine(m), `unknown command "bogus"`) {
		t.Fatalf("the error went before its time: %s", statusLine(m))
	}
	again := tk.others()
	if len(again) != 1 {
		t.Fatalf("an early tick scheduled %d more, want 1", len(again))
	}
	now = now.Add(time.Second)
	drive(m, func() tea.Msg { return again[0] })
	if strings.Contains(statusLine(m), "✗") {
		t.Errorf("the error outlived its time: %s", statusLine(m))
	}
}

func TestErrorLogOpensInFull(t *testing.T) {
	m, _ := started(t, 80, 24)
	for _, line := range []string{"preview nosuch", "bogus"} {
		press(m, ":")
		typeText(m, line)
		press(m, "enter")
	}
	for _, open := range [][]string{{"!"}, {":", "e", "r", "r", "o", "r", "s", "enter"}} {
		press(m, open...)
		out := plain(m)
		for _, want := range []string{"2 errors", "09:26:53  :preview nosuch", `preview: no table "nosuch": the tables are`, "09:26:53  :bogus", `unknown command "bogus"`} {
			if !strings.Contains(out, want) {
				t.Errorf("after %q the error log lacks %q:\n%s", open, want, out)
			}
		}
		press(m, "esc")
	}
}

func TestHelpScrollsToEveryBinding(t *testing.T) {
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		m, r := started(t, size[0], size[1])
		press(m, "?")
		all := seen(m)
		for _, g := range m.ctx.Keys.Groups() {
			for _, b := range g.Bindings {
				if want := b.Help().Key + " " + b.Help().Desc; !strings.Contains(all, want) {
					t.Errorf("at %v the help never shows %q", size, want)
				}
			}
		}
		// Wrapping may break a line at a hyphen, so the texts are compared without their spaces.
		squeezed := strings.Join(strings.Fields(all), "")
		for _, c := range r.Commands() {
			if !strings.Contains(squeezed, strings.Join(strings.Fields(c.Help), "")) {
				t.Errorf("at %v the help never shows %q", size, c.Help)
			}
		}
		press(m, "esc")
		if m.overlay != noOverlay {
			t.Errorf("at %v esc did not close the help", size)
		}
	}
}

func TestPaletteHelpShowsEveryHelpText(t *testing.T) {
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		m, r := started(t, size[0], size[1])
		press(m, ":")
		typeText(m, "help")
		press(m, "enter")
		all := seen(m)
		// Wrapping may break a line at a hyphen, so the texts are compared without their spaces.
		squeezed := strings.Join(strings.Fields(all), "")
		for _, c := range r.Commands() {
			if !strings.Contains(squeezed, strings.Join(strings.Fields(c.Help), "")) {
				t.Errorf("at %v :help never shows %q:\n%s", size, c.Help, plain(m))
			}
		}
	}
}

func newModelDeps(t *testing.T, deps Deps) *Model {
	t.Helper()
	deps.Profile, deps.DataDir, deps.Now, deps.Width, deps.Height = "local", fixture.DataDir, clock, 120, 40
	deps.Tailer, deps.Tick = stateTail, (&ticker{}).tick
	m, err := New(context.Background(), deps)
	if err != nil {
		t.Fatal(err)
	}
	drive(m, m.Init())
	return m
}

func TestPaletteHistoryOutlivesTheConsole(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state", "history")
	m := newModelDeps(t, Deps{Runner: fixture.New(), History: file})
	for _, line := range []string{"analytics", "analytics", "bogus", "tables", "esc"} {
		if line == "esc" {
			press(m, "esc")
			continue
		}
		press(m, ":")
		typeText(m, line)
		press(m, "enter")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(data), "analytics\nbogus\ntables\n"; got != want {
		t.Fatalf("history file = %q, want %q", got, want)
	}
	again := newModelDeps(t, Deps{Runner: fixture.New(), History: file})
	press(again, ":", "up", "up")
	if got := again.palette.Value(); got != "bogus" {
		t.Errorf("↑↑ in a new console gave %q, want bogus", got)
	}
}

func TestPaletteHistoryKeepsTheLast500Lines(t *testing.T) {
	file := filepath.Join(t.TempDir(), "history")
	var b strings.Builder
	for i := range 600 {
		fmt.Fprintf(&b, "preview t%d\n", i)
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	m := newModelDeps(t, Deps{Runner: fixture.New(), History: file})
	lines := m.history.Lines()
	if len(lines) != 500 || lines[0] != "preview t100" || lines[499] != "preview t599" {
		t.Errorf("kept %d lines from %q to %q, want the last 500", len(lines), lines[0], lines[len(lines)-1])
	}
}

// completing is a Runner that completes arguments as the real registry does, from a fixed list.
type completing struct {
	*fixture.Runner
	asked []string
}

func (c *completing) Complete(_ context.Context, line string) ([]string, error) {
	c.asked = append(c.asked, line)
	var out []string
	for _, l := range []string{"preview 0a1b2c3d4e5f_pin_batch", "preview 0a1b2c3d4e5f_geo_batch", "schema 0a1b2c3d4e5f_pin_batch"} {
		if strings.HasPrefix(l, line) {
			out = append(out, l)
		}
	}
	return out, nil
}

func TestPaletteCompletesArgumentsFromTheRunner(t *testing.T) {
	r := &completing{Runner: fixture.New()}
	m := newModelDeps(t, Deps{Runner: r})
	press(m, ":")
	typeText(m, "preview 0a1b")
	if got := strings.TrimRight(lines(plain(m))[37], " "); got != ":preview 0a1b2c3d4e5f_" {
		t.Errorf("ghost text line = %q", got)
	}
	press(m, "tab")
	if got := m.palette.Value(); got != "preview 0a1b2c3d4e5f_" {
		t.Fatalf("tab gave %q", got)
	}
	typeText(m, "p")
	press(m, "tab")
	if got := m.palette.Value(); got != "preview 0a1b2c3d4e5f_pin_batch " {
		t.Errorf("tab on one candidate gave %q", got)
	}
	if slices.Contains(r.asked, "p") || slices.Contains(r.asked, "preview") {
		t.Errorf("a command name without arguments was sent to the completer: %q", r.asked)
	}
}

func TestPaletteWithoutCompleterCompletesWords(t *testing.T) {
	m := newModelDeps(t, Deps{Runner: fixture.New()})
	press(m, ":")
	typeText(m, "s3 l")
	press(m, "tab")
	if got := m.palette.Value(); got != "s3 ls " {
		t.Errorf("tab gave %q", got)
	}
}

func TestHistoryThatCannotBeSavedSaysSo(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	m := newModelDeps(t, Deps{Runner: fixture.New(), History: filepath.Join(dir, "f", "history")})
	if !strings.Contains(statusLine(m), "✗ read palette history: open") {
		t.Errorf("the failed read is not shown: %s", statusLine(m))
	}
	press(m, ":")
	typeText(m, "analytics")
	press(m, "enter")
	press(m, "esc", "!")
	if out := plain(m); !strings.Contains(out, "2 errors") || !strings.Contains(out, "save palette history: mkdir") {
		t.Errorf("the error log lacks the failed read and save:\n%s", out)
	}
}

func TestReboundKeysWorkAndShowInHelpAndHints(t *testing.T) {
	m := newModelDeps(t, Deps{Runner: fixture.New(), Keys: map[string][]string{"help": {"H"}, "errors": {"E"}}})
	if !strings.Contains(statusLine(m), "H help  : command palette") {
		t.Errorf("the status bar's hint does not name the bound key: %s", statusLine(m))
	}
	press(m, "?")
	if m.overlay != noOverlay {
		t.Error("? still opens the help after help was bound to H")
	}
	press(m, "H")
	if out := plain(m); m.overlay != helpOverlay || !strings.Contains(out, "H       help") || !strings.Contains(out, "E       the last errors in full") {
		t.Errorf("H did not open a help naming the bound keys:\n%s", out)
	}
	press(m, "esc", "E")
	if m.overlay != errorsOverlay {
		t.Error("E did not open the error log")
	}
}

func TestScreenHintsNameTheBoundKeys(t *testing.T) {
	m := newModelDeps(t, Deps{Runner: fixture.New(), Keys: map[string][]string{"start": {"S"}, "filter": {"f"}, "refresh": {"R"}}})
	drive(m, m.Init())
	if out := plain(m); !strings.Contains(out, "enter opens  f filters  R refreshes") {
		t.Errorf("the Overview's hint does not name the bound keys:\n%s", lines(out)[1])
	}
	press(m, "2")
	if out := plain(m); !strings.Contains(out, "S starts  x stops") {
		t.Errorf("the Emulators' hint does not name the bound keys:\n%s", lines(out)[1])
	}
}
