package topics

import (
	"strings"
	"testing"
	"time"

	"github.com/pintui/pintui/ui/screen"
)

// described is the rates rig with u.geo, the second topic, described and n polls of it answered.
func described(t testing.TB, n int) *rig {
	t.Helper()
	m := ratesScreen(newFeedTailer())
	m.polled(t, 1)
	m.Update(press("j"))
	_, cmd := m.Update(press("d"))
	if m.detail == nil {
		t.Fatal("d opened no description")
	}
	m.answer(t, cmd)
	for range n - 1 {
		m.answer(t, m.fetch())
	}
	return m
}

func TestDescribeShowsPartitionsAndGroups(t *testing.T) {
	m := described(t, 3)
	out := plain(m.Model, 120, 40)
	for _, want := range []string{
		"partition start_offset end_offset records records/s last 30 polls",
		"▸ 0 0 25 25 5/s ██",
		"1 4 50 46 10/s ██",
		"group state total_lag partition committed lag",
		"pintui-s3-sink Stable 3 0 24 1",
		"pintui-s3-sink Stable 3 1 48 2",
		"audit Empty 71 0 - 25",
		"audit Empty 71 1 4 46",
	} {
		if !strings.Contains(flat(out), want) {
			t.Errorf("the description lacks %q:\n%s", want, out)
		}
	}
	if !strings.HasPrefix(out, "Topics › u.geo  2 partitions · 2 groups · enter tails  tab next list  / filters  esc back · every 1s") {
		t.Errorf("title:\n%s", out)
	}
}

// flat is a frame with each line's runs of spaces made one.
func flat(out string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

func TestDescribePollsTheTopic(t *testing.T) {
	m := described(t, 1)
	_, cmd := m.Update(m.tick)
	if cmd == nil {
		t.Fatal("a poll tick asked nothing")
	}
	if msg := cmd().(screen.ResultMsg); msg.Line != "topic u.geo" {
		t.Errorf("the poll ran %q, want topic u.geo", msg.Line)
	}
}

func TestDescribeFilterNarrowsBothLists(t *testing.T) {
	m := described(t, 1)
	for _, k := range []string{"/", "a", "u", "d", "enter"} {
		m.Update(press(k))
	}
	out := flat(plain(m.Model, 120, 40))
	if strings.Contains(out, "pintui-s3-sink") || !strings.Contains(out, "audit Empty") || !strings.Contains(out, `no rows match "aud"`) {
		t.Errorf("/aud did not narrow both lists to the audit group:\n%s", out)
	}
	m.Back()
	if out := flat(plain(m.Model, 120, 40)); !strings.Contains(out, "pintui-s3-sink") || m.detail == nil {
		t.Errorf("the first esc did not clear the filter and stay:\n%s", out)
	}
}

func TestDescribeTabMovesBetweenTheLists(t *testing.T) {
	m := described(t, 1)
	m.Update(press("j"))
	if got := m.detail.parts.Cursor(); got != 1 {
		t.Errorf("j moved the partitions to %d, want 1", got)
	}
	m.Update(press("tab"))
	m.Update(press("j"))
	out := flat(plain(m.Model, 120, 40))
	if !strings.Contains(out, "▸ pintui-s3-sink Stable 3 1 28 2") || strings.Count(out, "▸") != 1 {
		t.Errorf("after tab, j did not move the groups' cursor alone:\n%s", out)
	}
}

func TestDescribeEnterTailsAndEscComesBack(t *testing.T) {
	m := described(t, 1)
	_, cmd := m.Update(press("enter"))
	if m.tail == nil || m.tail.topic != "u.geo" || m.tail.From() != defaultStart {
		t.Fatal("enter did not open the tail of u.geo from the recent records")
	}
	if cmd == nil {
		t.Fatal("the tail asked nothing")
	}
	m.Back()
	if m.tail != nil || m.detail == nil {
		t.Fatal("esc from the tail did not come back to the description")
	}
	m.Back()
	if m.detail != nil {
		t.Fatal("esc did not leave the description")
	}
	if out := plain(m.Model, 120, 40); !strings.HasPrefix(out, "Topics  2 topics") {
		t.Errorf("esc did not show the list:\n%s", out)
	}
}

func TestDescribeRatesAreKept(t *testing.T) {
	m := described(t, 2)
	m.Back()
	m.Update(press("j"))
	_, cmd := m.Update(press("d"))
	m.answer(t, cmd)
	if out := flat(plain(m.Model, 120, 40)); !strings.Contains(out, "▸ 0 0 25 25 5/s ██") {
		t.Errorf("describing u.geo again lost its partitions' rates:\n%s", out)
	}
}

func TestDescribeFitsEightyByTwentyFour(t *testing.T) {
	m := described(t, 31)
	out := plain(m.Model, 80, 22)
	if strings.Contains(out, "columns 1–") || !strings.Contains(flat(out), "audit Empty 491 1 4 326") {
		t.Errorf("the description at 80 columns:\n%s", out)
	}
}

func TestDescribeFailureSaysSo(t *testing.T) {
	m := ratesScreen(nil)
	m.polled(t, 1)
	m.list.SetRows([]string{"topic"}, [][]string{{"gone"}})
	_, cmd := m.Update(press("d"))
	m.Update(cmd())
	if out := plain(m.Model, 120, 40); !strings.Contains(out, "\ntopic: describe topic gone: no such topic ") {
		t.Errorf("a failed topic command is not shown:\n%s", out)
	}
}

func TestFiltersTakeTheTailFromKey(t *testing.T) {
	m := ratesScreen(nil)
	m.polled(t, 1)
	for _, k := range []string{"/", "g", "e", "o"} {
		m.Update(press(k))
	}
	if m.start.IsOpen() || m.listFilter.Text() != "geo" {
		t.Errorf("typing o in the list's filter opened the start prompt (%v) or was lost (filter %q)", m.start.IsOpen(), m.listFilter.Text())
	}
	m.Update(press("enter"))
	_, cmd := m.Update(press("d"))
	m.answer(t, cmd)
	for _, k := range []string{"/", "o", "d"} {
		m.Update(press(k))
	}
	if m.start.IsOpen() || m.detail.filter.Text() != "od" {
		t.Errorf("typing o d in the description's filter opened the start prompt (%v) or was lost (filter %q)", m.start.IsOpen(), m.detail.filter.Text())
	}
}

func TestDescribeKeyAsBound(t *testing.T) {
	m := ratesScreen(nil)
	if err := m.ctx.Keys.Rebind(map[string][]string{"describe": {"D"}}); err != nil {
		t.Fatal(err)
	}
	m.polled(t, 1)
	if out := plain(m.Model, 120, 40); !strings.Contains(out, "D describes") {
		t.Errorf("the hint does not name the bound key:\n%s", out)
	}
	if m.Update(press("d")); m.detail != nil {
		t.Error("d still describes after rebinding describe to D")
	}
	if _, cmd := m.Update(press("D")); m.detail == nil || cmd == nil {
		t.Error("D does not describe")
	}
}

func TestDescribeShownAgainSaysHowOld(t *testing.T) {
	m := described(t, 2)
	m.Leave()
	m.at = m.at.Add(3 * time.Second)
	cmd := m.Enter()
	if out := plain(m.Model, 120, 40); !strings.HasPrefix(out, "Topics › u.geo  updated 3 s ago · asking topic…") || !strings.Contains(flat(out), "▸ 0 0 20 20 5/s █") {
		t.Errorf("the description shown again:\n%s", out)
	}
	if msg := cmd().(screen.ResultMsg); msg.Line != "topic u.geo" {
		t.Errorf("entering again ran %q, want topic u.geo", msg.Line)
	}
}
