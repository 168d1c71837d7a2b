package s3

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ui/internal/fixture"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/theme"
)

const part = "topics/0a1b2c3d4e5f.pin/partition=0/"

// browsing is the S3 screen on the fixture's bucket with pages of 50 entries and at most 100
// kept, so the pin partition's 138 landings take three pages.
func browsing(t *testing.T) (*Model, *fixture.Runner) {
	t.Helper()
	r := fixture.New()
	ctx := &screen.Context{Ctx: context.Background(), Runner: r, Styles: theme.New(theme.Default()), Keys: keys.Default(),
		Now:  func() time.Time { return time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC) },
		Tick: func(time.Duration, tea.Msg) tea.Cmd { return nil }}
	m := New(ctx)
	m.pages.size, m.pages.max = 50, 100
	return m, r
}

// drive runs cmd and feeds its replies back to the screen until nothing is left.
func drive(m *Model, cmd tea.Cmd) {
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
		case nil:
		default:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
}

func press(m *Model, ks ...string) {
	for _, k := range ks {
		msg := tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
		switch k {
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "ctrl+u":
			msg = tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
		}
		_, cmd := m.Update(msg)
		drive(m, cmd)
	}
}

// shown is the first and last name the listing shows.
func shown(m *Model) [2]string {
	first, last := m.pages.entries[0].key, m.pages.entries[len(m.pages.entries)-1].key
	return [2]string{strings.TrimPrefix(first, part), strings.TrimPrefix(last, part)}
}

func name(off string) string { return "0a1b2c3d4e5f.pin+0+00000" + off + ".json" }

func lastLine(r *fixture.Runner) string { l := r.Lines(); return l[len(l)-1] }

func TestListingPagesOnAndKeepsABoundedNumber(t *testing.T) {
	m, r := browsing(t)
	m.prefix = part
	drive(m, m.Enter())
	if got, want := m.pages.summary(m.prefix, "n", "g"), "50 objects, 0 prefixes under "+part+" · 50 of many · more follow: n or ↓ at the end lists them"; got != want {
		t.Fatalf("first page says %q, want %q", got, want)
	}
	press(m, "n")
	if got := lastLine(r); got != "s3 ls "+part+" --token "+tokenOf(name("00049"))+" --limit 50" {
		t.Fatalf("n ran %q", got)
	}
	if got := shown(m); got != [2]string{name("00000"), name("00099")} {
		t.Fatalf("after n the listing shows %q", got)
	}
	m.list.Bottom()
	press(m, "down")
	if got := shown(m); got != [2]string{name("00038"), name("00137")} {
		t.Fatalf("after ↓ at the end the listing shows %q, want the newest 100", got)
	}
	if got := m.list.Selected()[0]; got != name("00099") {
		t.Errorf("dropping the oldest moved the cursor to %s, want it kept on %s", got, name("00099"))
	}
	if got, want := m.pages.summary(m.prefix, "n", "g"), "100 objects, 0 prefixes under "+part+" · the first 38 dropped to keep 100"; got != want {
		t.Errorf("the last page says %q, want %q", got, want)
	}
	asked := len(r.Lines())
	press(m, "n", "down")
	if len(r.Lines()) != asked {
		t.Errorf("n and ↓ at the end of the last page listed again: %q", r.Lines()[asked:])
	}
	press(m, "g")
	if got := shown(m); got != [2]string{name("00000"), name("00049")} || m.list.Cursor() != 0 {
		t.Errorf("g after dropping shows %q at row %d, want the first page from its top", got, m.list.Cursor())
	}
}

func TestBottomListsTheNewest(t *testing.T) {
	m, r := browsing(t)
	m.prefix = part
	drive(m, m.Enter())
	press(m, "G")
	if got := lastLine(r); got != "s3 ls "+part+" --last 50 --limit 50" {
		t.Fatalf("G ran %q", got)
	}
	if got := shown(m); got != [2]string{name("00088"), name("00137")} || m.list.Selected()[0] != name("00137") {
		t.Fatalf("G shows %q with %q selected, want the newest 50 and the last selected", got, m.list.Selected())
	}
	if got, want := m.pages.summary(m.prefix, "n", "g"), "50 objects, 0 prefixes under "+part+" · the newest; earlier ones come before: g lists from the start"; got != want {
		t.Errorf("G says %q, want %q", got, want)
	}
}

func TestListUnderATypedPrefix(t *testing.T) {
	m, r := browsing(t)
	drive(m, m.Enter())
	press(m, "P")
	if !m.Capturing() {
		t.Fatal("P did not open the prefix prompt")
	}
	press(m, "ctrl+u")
	for _, c := range part + "0a1b2c3d4e5f.pin+0+000000001" {
		press(m, string(c))
	}
	press(m, "enter")
	if got := lastLine(r); got != "s3 ls "+part+"0a1b2c3d4e5f.pin+0+000000001 --limit 50" {
		t.Fatalf("enter ran %q", got)
	}
	var names []string
	for i := range 10 {
		names = append(names, name("0001"+string(rune('0'+i))))
	}
	var got []string
	for _, e := range m.pages.entries {
		got = append(got, strings.TrimPrefix(e.key, part))
	}
	if !slices.Equal(got, names) || m.Capturing() {
		t.Fatalf("the typed prefix lists %q (capturing %v), want %q", got, m.Capturing(), names)
	}
	if _, ok := m.pages.keys[names[0]]; !ok {
		t.Errorf("the names are not shown relative to the partition folder: %v", m.pages.keys)
	}
	press(m, "P", "esc")
	if m.Capturing() {
		t.Error("esc did not close the prefix prompt")
	}
}

func tokenOf(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(part + key)) }
