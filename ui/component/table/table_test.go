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
