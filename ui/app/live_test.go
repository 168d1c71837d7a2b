package app

import (
	"slices"
	"strings"
	"testing"

	"github.com/pintui/pintui/ui/internal/fixture"
	"github.com/pintui/pintui/ui/screen"
)

func count(lines []string, line string) int {
	n := 0
	for _, l := range lines {
		if l == line {
			n++
		}
	}
	return n
}

func TestPollingOnlyWhileVisible(t *testing.T) {
	r := fixture.New()
	tk := &ticker{budget: 3}
	m := newModelTicks(t, r, 120, 40, tk)
	drive(m, m.Init())
	if got := count(r.Lines(), "status"); got != 4 {
		t.Fatalf("the Overview asked status %d times, want the first ask and 3 polls", got)
	}
	press(m, "3")
	if got := count(r.Lines(), "topics"); got != 4 {
		t.Fatalf("the Topics screen asked %d times, want 4", got)
	}
	press(m, "8")
	before := len(r.Lines())
	m.Update(screen.PollMsg{Screen: screen.Topics, Gen: 99})
	m.Update(screen.PollMsg{Screen: screen.Overview, Gen: 99})
	if len(r.Lines()) != before {
		t.Errorf("a hidden screen polled: %q", r.Lines()[before:])
	}
	tk.budget = 5
	press(m, "1")
	if got := count(r.Lines(), "status"); got != 4+1+2 {
		t.Errorf("back on the Overview: status asked %d times in all, want 7", got)
	}
}

func TestOverviewBoxesShowRatesAndDown(t *testing.T) {
	r := fixture.New()
	m := newModelTicks(t, r, 120, 40, &ticker{budget: 2})
	drive(m, m.Init())
	out := plain(m)
	for _, want := range []string{"╭ gateway", "▶ running        246/s", "✗ down", "commit offsets of 0a1…", "✓ ready            0/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("the Overview lacks %q:\n%s", want, out)
		}
	}
}

func TestEmulatorsStartStopAndRepace(t *testing.T) {
	m, r := started(t, 120, 40)
	press(m, "2", "x")
	if !strings.Contains(plain(m), "stop the batch emulator? press y") {
		t.Fatalf("x did not ask:\n%s", plain(m))
	}
	press(m, "n")
	if slices.Contains(r.Lines(), "emulate stop") {
		t.Fatal("n stopped the emulator")
	}
	press(m, "+")
	if got := r.Lines()[len(r.Lines())-2:]; !slices.Equal(got, []string{"emulate rate 200", "emulate status"}) {
		t.Errorf("+ ran %q", got)
	}
	if !strings.Contains(plain(m), "configured 200 draws/s") {
		t.Errorf("the new rate is not shown:\n%s", plain(m))
	}
	press(m, "x", "y")
	if !strings.Contains(plain(m), "batch emulator stopped after") || !strings.Contains(plain(m), "· stopped") {
		t.Errorf("x y did not stop:\n%s", plain(m))
	}
	press(m, "s")
	typeText(m, "500 50")
	press(m, "enter")
	if got := r.Lines()[len(r.Lines())-2]; got != "emulate batch --count 500 --rate 50" {
		t.Errorf("the start prompt ran %q", got)
	}
	press(m, "-")
	if got := r.Lines()[len(r.Lines())-2]; got != "emulate rate 25" {
		t.Errorf("- ran %q", got)
	}
	press(m, "s")
	if !strings.Contains(plain(m), "the batch emulator is already running: x stops it") {
		t.Errorf("s while running did not say so:\n%s", plain(m))
	}
	press(m, "x", "y", "s")
	typeText(m, "many")
	press(m, "enter")
	if !strings.Contains(plain(m), `start: "many" is not a positive whole number`) {
		t.Errorf("a bad count was not refused:\n%s", plain(m))
	}
}

// TestEmulatorsDriveTheStreamingEmulator selects a row of the streaming emulator and checks
// that each action runs its command for that emulator, leaving the batch one alone.
func TestEmulatorsDriveTheStreamingEmulator(t *testing.T) {
	m, r := started(t, 120, 40)
	press(m, "2", "j", "j", "j")
	if out := plain(m); !strings.Contains(out, "› stream  ▶ running") || !strings.Contains(out, "▸ stream    pin") {
		t.Fatalf("j j j did not select the streaming emulator's first row:\n%s", out)
	}
	press(m, "+")
	if got := r.Lines()[len(r.Lines())-2]; got != "emulate rate stream 100" {
		t.Errorf("+ on a stream row ran %q", got)
	}
	press(m, "x")
	if !strings.Contains(plain(m), "stop the streaming emulator? press y") {
		t.Fatalf("x did not ask about the streaming emulator:\n%s", plain(m))
	}
	press(m, "y")
	if got := r.Lines()[len(r.Lines())-2]; got != "emulate stop stream" {
		t.Errorf("x y ran %q", got)
	}
	if out := plain(m); !strings.Contains(out, "streaming emulator stopped after") || !strings.Contains(out, "› stream  · stopped") || !strings.Contains(out, "  batch   ▶ running") {
		t.Errorf("the screen does not show the streaming emulator stopped beside the running batch one:\n%s", out)
	}
	press(m, "-")
	if !strings.Contains(plain(m), "the streaming emulator is not running: s starts it") {
		t.Errorf("- on a stopped emulator did not say so:\n%s", plain(m))
	}
	press(m, "s")
	typeText(m, "200 5")
	press(m, "enter")
	if got := r.Lines()[len(r.Lines())-2]; got != "emulate stream --count 200 --rate 5" {
		t.Errorf("the start prompt ran %q", got)
	}
	press(m, "g", "x", "y")
	if got := r.Lines()[len(r.Lines())-2]; got != "emulate stop" {
		t.Errorf("x y on a batch row ran %q", got)
	}
}

func TestS3BrowseAndPreview(t *testing.T) {
	m, r := started(t, 120, 40)
	press(m, "5", "enter", "j", "enter", "enter", "j", "enter")
	key := "topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+0000000001.json"
	if got := last(r); got != "s3 cat "+key {
		t.Fatalf("enter on an object ran %q", got)
	}
	if out := plain(m); !strings.Contains(out, `  "title": "TireBuyer",`) || !strings.Contains(out, "0000000001.json · pretty") {
		t.Errorf("no pretty preview:\n%s", out)
	}
	press(m, "J")
	if out := plain(m); !strings.Contains(out, `{"index": 7, "unique_id"`) {
		t.Errorf("J did not show the raw object:\n%s", out)
	}
	press(m, "esc", "backspace")
	if got := last(r); got != "s3 ls topics/0a1b2c3d4e5f.pin/" {
		t.Errorf("going up ran %q", got)
	}
	press(m, "esc", "esc", "esc")
	if got := last(r); got != "s3 ls" || !strings.Contains(plain(m), "S3 › / ") {
		t.Errorf("esc to the root ran %q:\n%s", got, plain(m))
	}
}

func TestTopicsTailThroughTheConsole(t *testing.T) {
	m, r := started(t, 120, 40)
	press(m, "3", "enter")
	if got := last(r); got != "topic 0a1b2c3d4e5f.pin" {
		t.Errorf("enter asked %q", got)
	}
	out := plain(m)
	if !strings.Contains(out, "tail ended") || !strings.Contains(out, "p0 #11249") {
		t.Errorf("the tail shows no records:\n%s", out)
	}
	press(m, "esc")
	if !strings.Contains(plain(m), "3 topics") {
		t.Errorf("esc did not return to the list:\n%s", plain(m))
	}
}
