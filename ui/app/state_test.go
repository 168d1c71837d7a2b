package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/internal/fixture"
	"github.com/pintui/pintui/ui/screen"
)

func started(t *testing.T, width, height int) (*Model, *fixture.Runner) {
	t.Helper()
	r := fixture.New()
	m := newModel(t, r, width, height)
	drive(m, m.Init())
	return m, r
}

func plain(m *Model) string { return ansi.Strip(m.Render()) }

func TestQuitAsksWhileTheEmulatorRuns(t *testing.T) {
	m, _ := started(t, 120, 40)
	busy := "the batch emulator is running"
	m.deps.Busy = func() string { return busy }
	if press(m, "q") {
		t.Fatal("q quit while the emulator was running")
	}
	if !strings.Contains(plain(m), "the batch emulator is running: press y to quit, any other key to stay") {
		t.Errorf("no confirmation shown:\n%s", plain(m))
	}
	if !press(m, "y") {
		t.Error("y after q did not quit")
	}
	busy = ""
	if !press(m, "q") {
		t.Error("q with the emulator stopped did not quit at once")
	}
}

func TestNumberKeysAndNamesNavigate(t *testing.T) {
	m, _ := started(t, 120, 40)
	for i, name := range []string{"overview", "emulators", "topics", "streams", "s3", "dags", "jobs", "tables"} {
		press(m, string(rune('1'+i)))
		if m.active != screen.ID(i+1) {
			t.Errorf("key %d opened screen %d", i+1, m.active)
		}
		press(m, "1", ":")
		typeText(m, name)
		press(m, "enter")
		if m.screen().Name() != name {
			t.Errorf(":%s opened %s", name, m.screen().Name())
		}
	}
}

func TestEscNeverQuits(t *testing.T) {
	m, _ := started(t, 120, 40)
	for _, k := range []string{"8", "enter", "esc", "esc", "esc", "?", "esc", "esc"} {
		if press(m, k) {
			t.Fatalf("%s quit the console", k)
		}
	}
	if m.screen().Name() != "tables" {
		t.Errorf("esc left the Tables screen for %s", m.screen().Name())
	}
}

func TestQuitAsksWhileWorkRuns(t *testing.T) {
	m, r := started(t, 120, 40)
	r.Hold()
	defer r.Release()
	_, fetch := m.Update(keyMsg("r")) // status is now running and not driven
	if fetch == nil {
		t.Fatal("r started nothing")
	}
	if press(m, "q") {
		t.Fatal("q quit while a command was running")
	}
	if want := fmt.Sprintf("%d command(s) still running: press y to quit", m.ctx.Running()); m.ctx.Running() == 0 || !strings.Contains(plain(m), want) {
		t.Errorf("no confirmation shown:\n%s", plain(m))
	}
	if press(m, "n") || m.confirmQuit != "" {
		t.Fatal("n must cancel the confirmation")
	}
	press(m, "q")
	if !press(m, "y") {
		t.Error("y after q did not quit")
	}
	if !press(m, "ctrl+c") {
		t.Error("ctrl+c did not quit")
	}
	r.Release()
	drive(m, fetch)
	if !press(m, "q") {
		t.Error("q with nothing running did not quit at once")
	}
}

func TestPaletteRunsCommandIntoPanel(t *testing.T) {
	m, r := started(t, 120, 40)
	press(m, ":")
	typeText(m, "analytics")
	press(m, "enter")
	if got := r.Lines(); got[len(got)-1] != "analytics" {
		t.Fatalf("palette ran %q", got[len(got)-1])
	}
	out := plain(m)
	for _, want := range []string{":analytics", "category_by_country", "country    category        category_count", "lines 1–"} {
		if !strings.Contains(out, want) {
			t.Errorf("result panel lacks %q:\n%s", want, out)
		}
	}
	press(m, "esc")
	if m.overlay != noOverlay {
		t.Error("esc did not close the result panel")
	}
}

func TestPaletteCompletesFromRegistry(t *testing.T) {
	m, _ := started(t, 120, 40)
	press(m, ":")
	typeText(m, "pre")
	press(m, "tab")
	if got := m.palette.Value(); got != "preview " {
		t.Errorf("tab completed pre to %q", got)
	}
	if !slices.Contains(m.palette.Matches(), "preview") && m.palette.Value() != "preview " {
		t.Error("preview is not a candidate")
	}
}

func TestErrorsGoToStatusBar(t *testing.T) {
	m, _ := started(t, 120, 40)
	press(m, ":")
	typeText(m, "preview nosuch")
	press(m, "enter")
	if !strings.Contains(lines(plain(m))[39], `✗ preview: no table "nosuch": the tables are`) {
		t.Errorf("status bar lacks the error:\n%s", lines(plain(m))[39])
	}
	press(m, ":")
	typeText(m, "bogus")
	press(m, "enter")
	if !strings.Contains(lines(plain(m))[39], `unknown command "bogus"`) {
		t.Errorf("status bar lacks the parse error:\n%s", lines(plain(m))[39])
	}
}

func TestScreenErrorShownInPlace(t *testing.T) {
	r := fixture.New()
	r.Fail("status", errors.New("open source.db: permission denied"))
	m := newModel(t, r, 120, 40)
	drive(m, m.Init())
	out := plain(m)
	if !strings.Contains(out, "status failed: open source.db: permission denied") {
		t.Errorf("overview lacks the error:\n%s", out)
	}
	if !strings.Contains(lines(out)[39], "✗ open source.db") {
		t.Errorf("status bar lacks the error: %s", lines(out)[39])
	}
}

func TestLateReplyToLeftScreenIsDropped(t *testing.T) {
	r := fixture.New()
	m := newModel(t, r, 120, 40)
	poll := overviewPoll(t, m.Init()) // the Overview asks, and the user leaves before it answers
	press(m, "8")
	old := poll[0]()
	if res := old.(screen.ResultMsg); res.Screen != screen.Overview || res.Line != "status" {
		t.Fatalf("reply to %q addressed to %d", res.Line, res.Screen)
	}
	m.Update(old)
	if strings.Contains(m.screens[0].View(120, 38), "updated") {
		t.Error("a reply to a screen already left was shown")
	}
	for _, cmd := range poll[1:] {
		m.Update(cmd())
	}
	m.Update(keyMsg("1")) // back on the Overview: a fresh poll, not answered yet
	if m.ctx.Running() != len(poll) {
		t.Fatalf("running = %d, want the %d fresh requests", m.ctx.Running(), len(poll))
	}
	m.Update(old) // the old ticket must not be taken for the new request's answer
	if strings.Contains(plain(m), "updated") {
		t.Errorf("a stale reply was shown:\n%s", plain(m))
	}
}

func TestTablesDrillPageAndFilter(t *testing.T) {
	m, r := started(t, 120, 40)
	press(m, "8", "j", "enter")
	want := []string{"schema 0a1b2c3d4e5f_pin_batch", "preview 0a1b2c3d4e5f_pin_batch --limit 20 --offset 0"}
	if got := r.Lines()[len(r.Lines())-2:]; !slices.Equal(got, want) {
		t.Fatalf("enter ran %q, want %q", got, want)
	}
	press(m, "ctrl+d")
	if got := last(r); got != "preview 0a1b2c3d4e5f_pin_batch --limit 20 --offset 20" {
		t.Errorf("ctrl+d ran %q", got)
	}
	press(m, "G")
	if got := last(r); got != "preview 0a1b2c3d4e5f_pin_batch --limit 20 --offset 11000" {
		t.Errorf("G ran %q", got)
	}
	press(m, "/")
	press(m, "ctrl+u")
	typeText(m, "category=finance")
	press(m, "enter")
	if got := last(r); got != "preview 0a1b2c3d4e5f_pin_batch --limit 20 --offset 0 --where category=finance" {
		t.Errorf("filter ran %q", got)
	}
	if !strings.Contains(plain(m), "rows 1–20 matching category=finance") {
		t.Errorf("filtered page not shown:\n%s", plain(m))
	}
	press(m, "esc")
	if got := last(r); got != "preview 0a1b2c3d4e5f_pin_batch --limit 20 --offset 0" {
		t.Errorf("esc on a filtered preview ran %q, want the unfiltered first page", got)
	}
	press(m, "esc")
	if !strings.Contains(plain(m), "15 tables") {
		t.Errorf("second esc did not return to the list:\n%s", plain(m))
	}
}

func TestTablesListFilter(t *testing.T) {
	m, _ := started(t, 120, 40)
	press(m, "8", "/")
	typeText(m, "median")
	if !strings.Contains(plain(m), "3 tables") {
		t.Errorf("typing filtered to the wrong count:\n%s", plain(m))
	}
	press(m, "q") // typed into the filter, not a quit
	if m.screen().Capturing() == false {
		t.Error("q while filtering left the filter")
	}
	press(m, "backspace", "enter", "esc")
	if !strings.Contains(plain(m), "15 tables") {
		t.Errorf("esc did not clear the filter:\n%s", plain(m))
	}
}

func TestAnalyticsOpenAsTables(t *testing.T) {
	m, r := started(t, 120, 40)
	press(m, "8", "/")
	typeText(m, "top_country")
	press(m, "enter", "enter")
	if got := last(r); got != "analytics top_country" {
		t.Errorf("opening an analytics output ran %q", got)
	}
	if !strings.Contains(plain(m), "rows 1–1 of 1") {
		t.Errorf("analytics rows not shown:\n%s", plain(m))
	}
}

func TestResizeDownTo60x15(t *testing.T) {
	m, _ := started(t, 120, 40)
	for _, k := range []string{"1", "2", "s", "esc", "3", "enter", "J", "esc", "5", "enter", "j", "enter", "enter", "enter", "8", "enter", "?", "?", ":"} {
		press(m, k)
		for _, size := range [][2]int{{60, 15}, {120, 40}, {61, 16}} {
			m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			ls := lines(m.Render())
			if len(ls) != size[1] {
				t.Fatalf("after %s at %v: %d lines", k, size, len(ls))
			}
			for i, l := range ls {
				if w := ansi.StringWidth(l); w != size[0] {
					t.Fatalf("after %s at %v: line %d is %d wide: %q", k, size, i, w, ansi.Strip(l))
				}
			}
		}
	}
}

func last(r *fixture.Runner) string {
	l := r.Lines()
	return l[len(l)-1]
}
