package app

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/internal/fixture"
	"github.com/pintui/pintui/ui/screen"
)

// row returns the frame's first line that contains text, or "".
func row(frame, text string) string {
	for _, l := range lines(frame) {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

func TestSlashFiltersEveryList(t *testing.T) {
	for _, c := range []struct {
		screen, typed, kept, gone string
	}{
		{"1", "kafka", "records in 3 topics at 127.0.0.1:9092", "http://127.0.0.1:8082"},
		{"2", "GEO", "geo", "user "},
		{"3", "GEO", "0a1b2c3d4e5f.geo", "0a1b2c3d4e5f.user"},
		{"5", "topics", "topics/", "no objects"},
		{"8", "median", "median_followers_by_age_group", "0a1b2c3d4e5f_pin_batch"},
	} {
		m, _ := started(t, 120, 40)
		press(m, c.screen)
		id := m.active
		press(m, "/")
		if !m.screen().Capturing() {
			t.Errorf("screen %s: / opened no filter", c.screen)
		}
		typeText(m, c.typed)
		if m.active != id {
			t.Fatalf("screen %s: typing %q into the filter switched to screen %d", c.screen, c.typed, m.active)
		}
		out := plain(m)
		if !strings.Contains(out, "/"+c.typed) || !strings.Contains(out, c.kept) || strings.Contains(out, c.gone) {
			t.Errorf("screen %s: filter %q should keep %q and hide %q:\n%s", c.screen, c.typed, c.kept, c.gone, out)
		}
		press(m, "enter")
		if m.screen().Capturing() || !strings.Contains(plain(m), "/"+c.typed) {
			t.Errorf("screen %s: enter did not keep the filter:\n%s", c.screen, plain(m))
		}
		press(m, "esc")
		if out := plain(m); strings.Contains(out, "/"+c.typed) || c.gone != "no objects" && !strings.Contains(out, c.gone) {
			t.Errorf("screen %s: esc did not clear the filter:\n%s", c.screen, out)
		}
	}
}

func TestTypingIntoS3FilterFiresNoScreenKey(t *testing.T) {
	m, _ := started(t, 120, 40)
	press(m, "5", "/")
	typeText(m, "4999")
	if m.active != screen.S3 {
		t.Fatalf("typing 4999 after / on S3 switched to screen %d", m.active)
	}
	if !strings.Contains(plain(m), "/4999") {
		t.Errorf("the filter does not show what was typed:\n%s", plain(m))
	}
}

func TestEnterOnOverviewOpensItsScreen(t *testing.T) {
	for _, c := range []struct {
		component string
		want      screen.ID
	}{{"emulator", screen.Emulators}, {"kafka", screen.Topics}, {"sink", screen.S3}, {"s3", screen.S3}, {"lakehouse", screen.Tables}} {
		m, _ := started(t, 120, 40)
		press(m, "/")
		typeText(m, c.component)
		press(m, "enter", "enter")
		if m.active != c.want {
			t.Errorf("enter on %s opened screen %d, want %d", c.component, m.active, c.want)
		}
	}
}

func TestTablesPreviewScrollsColumnsAndOpensARow(t *testing.T) {
	m, _ := started(t, 80, 24)
	press(m, "8", "j", "enter")
	if strings.Contains(plain(m), "Ana Lima") {
		t.Fatalf("poster_name already in view at 80×24; the test needs a table wider than the pane:\n%s", plain(m))
	}
	for range 10 {
		press(m, "l")
	}
	if !strings.Contains(plain(m), "category") || !strings.Contains(plain(m), "/data/") {
		t.Errorf("l did not scroll to the last columns:\n%s", plain(m))
	}
	press(m, "h", "h", "h", "h", "h", "h", "h", "h", "h", "h")
	press(m, "j", "enter")
	out := plain(m)
	for _, want := range []string{"ind: 1", "unique_id: 9e3779b1-0001", "poster_name: Ben Ode", "category: beauty"} {
		if !strings.Contains(out, want) {
			t.Errorf("row view lacks %q:\n%s", want, out)
		}
	}
	press(m, "esc")
	if strings.Contains(plain(m), "ind: 1") || !strings.Contains(plain(m), "Rows") {
		t.Errorf("esc did not close the row view:\n%s", plain(m))
	}
}

func TestTablesPreviewFilterReopensEditable(t *testing.T) {
	m, r := started(t, 120, 40)
	press(m, "8", "j", "enter", "/")
	typeText(m, "category=finance")
	press(m, "enter", "/")
	if got := row(plain(m), "/category"); !strings.HasPrefix(got, "/category=finance ") {
		t.Errorf("reopened filter line = %q, want the current text to edit", got)
	}
	for range len("finance") {
		press(m, "backspace")
	}
	typeText(m, "art")
	press(m, "enter")
	if got := last(r); got != "preview 0a1b2c3d4e5f_pin_batch --limit 20 --offset 0 --where category=art" {
		t.Errorf("edited filter ran %q", got)
	}
}

func TestScreensShowUnits(t *testing.T) {
	m, _ := started(t, 120, 40)
	for _, c := range []struct {
		keys []string
		want []string
	}{
		{nil, []string{"11,001", "33,204"}},
		{[]string{"3"}, []string{"11,068", "10,930"}},
		{[]string{"5"}, []string{"40.4 KiB", "11,068"}},
		{[]string{"8"}, []string{"11,001"}},
		{[]string{"j", "enter"}, []string{"rows 1–20 of 11,001"}},
	} {
		press(m, c.keys...)
		out := plain(m)
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("after %v the frame lacks %q:\n%s", c.keys, w, out)
			}
		}
	}
}

func TestOneTableIsSingular(t *testing.T) {
	m, _ := started(t, 120, 40)
	press(m, "8", "/")
	typeText(m, "top_country")
	if !strings.Contains(plain(m), "1 table ·") {
		t.Errorf("one matching table is not singular:\n%s", plain(m))
	}
}

func TestReenteredScreenMarksItsDataStale(t *testing.T) {
	for _, c := range []struct{ key, line string }{
		{"1", "Pipeline"}, {"2", "▶ running"}, {"3", "3 topics"}, {"5", "Sink"},
	} {
		now := clock()
		r := fixture.New()
		m := newModel(t, r, 120, 40)
		m.ctx.Now = func() time.Time { return now }
		drive(m, m.Init())
		press(m, c.key, "8")
		now = now.Add(12 * time.Second)
		r.Hold()
		_, cmd := m.Update(keyMsg(c.key))
		if got := row(plain(m), c.line); !strings.Contains(got, "updated 12 s ago") {
			t.Errorf("re-entered screen %s does not say its data is 12 s old: %q", c.key, got)
		}
		r.Release()
		drive(m, cmd)
		if got := row(plain(m), c.line); strings.Contains(got, "ago") {
			t.Errorf("after the poll answered screen %s still says %q", c.key, got)
		}
	}
}

func TestSparklinesKeepHistoryAcrossVisits(t *testing.T) {
	tk := &ticker{budget: 5}
	m := newModelTicks(t, fixture.New(), 120, 40, tk)
	drive(m, m.Init())
	before := strings.TrimSpace(ansi.Strip(row(plain(m), "▸ pin")))
	press(m, "2")
	spark := func() string {
		f := strings.Fields(ansi.Strip(row(plain(m), "▸ batch")))
		return f[len(f)-1]
	}
	first := spark()
	press(m, "1", "2")
	if again := spark(); !strings.HasPrefix(again, first) || len([]rune(again)) != len([]rune(first))+1 {
		t.Errorf("Emulators' sparkline restarted: %q after %q (%s)", again, first, before)
	}
}

func TestEveryScreenFitsAt80x24(t *testing.T) {
	m, _ := started(t, 80, 24)
	out := plain(m)
	for _, c := range []string{"source", "stack", "emulator", "gateway", "kafka", "sink", "s3", "lakehouse"} {
		if row(out, "  "+c+" ") == "" && row(out, "▸ "+c+" ") == "" {
			t.Errorf("Overview at 80×24 hides the %s row:\n%s", c, out)
		}
	}
	press(m, "5")
	if out := plain(m); strings.Count(out, "0a1b2c3d4e5f.p…") > 1 {
		t.Errorf("S3 at 80×24 cuts topics to one prefix:\n%s", out)
	}
}

func TestOverviewMarksTheBoxEnterOpens(t *testing.T) {
	m, _ := started(t, 120, 40)
	if !strings.Contains(plain(m), "╭ ▸ source ") {
		t.Errorf("the selected component's box is not marked:\n%s", plain(m))
	}
	press(m, "j", "j")
	if out := plain(m); !strings.Contains(out, "╭ ▸ emulator ") || strings.Contains(out, "▸ source ") {
		t.Errorf("the mark did not follow the selection to the emulator:\n%s", out)
	}
}
