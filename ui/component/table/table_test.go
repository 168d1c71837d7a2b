package table

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/pintui/pintui/ui/theme"
)

func sample() *Model {
	m := New(theme.New(theme.Default()))
	var rows [][]string
	for i := range 30 {
		rows = append(rows, []string{fmt.Sprintf("table_%02d", i), "batch", fmt.Sprint(i * 100), "v1"})
	}
	m.SetRows([]string{"table", "kind", "rows", "version"}, rows)
	return m
}

func checkSize(t *testing.T, view string, width, height int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != height {
		t.Fatalf("view has %d lines, want %d", len(lines), height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != width {
			t.Fatalf("line %d is %d cells wide, want %d: %q", i, w, width, ansi.Strip(l))
		}
	}
}

func TestViewScrollsWithCursor(t *testing.T) {
	m := sample()
	m.View(40, 8)
	m.Move(9)
	view := m.View(40, 8)
	checkSize(t, view, 40, 8)
	golden.RequireEqual(t, ansi.Strip(view))
}

func TestViewNarrowDropsColumns(t *testing.T) {
	m := sample()
	view := m.View(20, 5)
	checkSize(t, view, 20, 5)
	golden.RequireEqual(t, ansi.Strip(view))
}

func TestFilter(t *testing.T) {
	m := sample()
	m.SetFilter("TABLE_2")
	if m.Len() != 10 {
		t.Fatalf("filter kept %d rows, want 10", m.Len())
	}
	m.Bottom()
	if got := m.Selected()[0]; got != "table_29" {
		t.Errorf("bottom row = %s, want table_29", got)
	}
	m.SetFilter("nothing")
	if m.Selected() != nil {
		t.Error("Selected on an empty filter result is not nil")
	}
	view := m.View(40, 4)
	checkSize(t, view, 40, 4)
	golden.RequireEqual(t, ansi.Strip(view))
}

func TestPageAndClamp(t *testing.T) {
	m := sample()
	m.View(40, 12) // 10 body rows under the header, above the footer
	m.Page(1)
	if m.Cursor() != 5 {
		t.Errorf("cursor after page down = %d, want 5", m.Cursor())
	}
	m.Move(-100)
	if m.Cursor() != 0 {
		t.Errorf("cursor after moving far up = %d, want 0", m.Cursor())
	}
	m.SetRows([]string{"a"}, nil)
	m.Move(3)
	if m.Cursor() != 0 || m.Selected() != nil {
		t.Error("an empty table must keep the cursor at 0 and select nothing")
	}
}

// wide is a preview-like table: twelve columns, one of them longer than any screen.
func wide() *Model {
	m := New(theme.New(theme.Default()))
	cols := []string{"ind", "unique_id", "title", "description", "follower_count", "poster_name", "tag_list", "is_image_or_video", "image_src", "save_location", "category", "downloaded"}
	var rows [][]string
	for i := range 5 {
		rows = append(rows, []string{fmt.Sprint(i), fmt.Sprintf("9e3779b1-%04d-4409-bb7a-17d5ed7e1cf1", i), fmt.Sprintf("Idea %d", i),
			strings.Repeat("a long description ", 5), "7919", "Ana Lima", "cars,wheels", "image", "https://i.pinimg.com/x.jpg", "Local save in /data/vehicles", fmt.Sprintf("cat-%d", i), "1"})
	}
	m.SetRows(cols, rows)
	return m
}

func TestWideColumnsFromContentAndScroll(t *testing.T) {
	m := wide()
	view := m.View(80, 5)
	checkSize(t, view, 80, 5)
	first := ansi.Strip(view)
	if !strings.Contains(first, "9e3779b1-0000-4409-bb7a-17d5ed7e1cf1") {
		t.Errorf("a 36-cell id was cut though it fits:\n%s", first)
	}
	if !strings.Contains(first, "columns 1–4 of 12") {
		t.Errorf("no column position shown:\n%s", first)
	}
	seen := map[string]bool{}
	for range 12 {
		for _, c := range m.Columns() {
			if strings.Contains(ansi.Strip(m.View(80, 5)), c) {
				seen[c] = true
			}
		}
		m.ScrollColumns(1)
	}
	for _, c := range m.Columns() {
		if !seen[c] {
			t.Errorf("column %s is never shown while scrolling right", c)
		}
	}
	last := ansi.Strip(m.View(80, 5))
	if !strings.Contains(last, "downloaded") || !strings.Contains(last, "of 12") {
		t.Errorf("scrolled to the end but the last column is not shown:\n%s", last)
	}
	m.ScrollColumns(-100)
	if ansi.Strip(m.View(80, 5)) != first {
		t.Error("scrolling back left does not return to the first frame")
	}
	golden.RequireEqual(t, first+"\n"+last)
}

func TestLongCellsCapAt40(t *testing.T) {
	m := wide()
	m.ScrollColumns(3)
	got := strings.Split(ansi.Strip(m.View(80, 5)), "\n")[1]
	want := "▸ " + "a long description a long description a…" + "  7919"
	if !strings.HasPrefix(got, want) {
		t.Errorf("long cell = %q, want it cut to 40 cells: %q", got, want)
	}
	m.SetRows([]string{"ind", "description"}, [][]string{{"1", strings.Repeat("x", 60)}})
	if got := ansi.Strip(m.View(120, 2)); !strings.Contains(got, strings.Repeat("x", 60)) {
		t.Errorf("a long cell is cut though the table has room for it:\n%s", got)
	}
}

func TestNamesCutInTheMiddle(t *testing.T) {
	m := New(theme.New(theme.Default()))
	rows := [][]string{{"0a1b2c3d4e5f.pin", "0", "138", "11068", "10930", "138", "41400", "1"},
		{"0a1b2c3d4e5f.geo", "0", "137", "11068", "10931", "137", "15618", "0"},
		{"0a1b2c3d4e5f.user", "0", "137", "11068", "10931", "137", "14385", "0"}}
	m.SetRows([]string{"topic", "partition", "landed_offset", "end_offset", "lag", "objects", "bytes", "errors"}, rows)
	view := ansi.Strip(m.View(80, 4))
	names := map[string]bool{}
	for _, l := range strings.Split(view, "\n")[1:] {
		names[strings.Fields(strings.TrimPrefix(l, "▸"))[0]] = true
	}
	if len(names) != 3 {
		t.Errorf("names are not distinguishable when cut:\n%s", view)
	}
	for n := range names {
		if !strings.Contains(n, "…") || !strings.HasSuffix(n, ".pin") && !strings.HasSuffix(n, ".geo") && !strings.HasSuffix(n, "user") {
			t.Errorf("name %q is not cut in the middle:\n%s", n, view)
		}
	}
}

func TestBlurredTableDrawsNoCursor(t *testing.T) {
	m := sample()
	m.Blurred = true
	out := m.View(40, 4)
	if strings.Contains(out, "▸") || !strings.Contains(ansi.Strip(out), "  table_00") {
		t.Errorf("a blurred table drew its cursor:\n%s", ansi.Strip(out))
	}
	checkSize(t, out, 40, 4)
	m.Blurred = false
	if !strings.Contains(m.View(40, 4), "▸ ") {
		t.Error("a focused table lost its cursor")
	}
}
