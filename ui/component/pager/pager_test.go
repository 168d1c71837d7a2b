package pager

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/pintui/pintui/ui/theme"
)

func TestScrollAndView(t *testing.T) {
	m := New(theme.New(theme.Default()))
	m.SetHint("esc closes")
	var b strings.Builder
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	m.SetContent(":help", b.String())
	m.View(40, 7)
	m.Page(1)
	m.Move(100)
	view := m.View(40, 7)
	if !strings.Contains(view, "lines 16–20 of 20 · esc closes") {
		t.Errorf("scrolled to the end should show lines 16–20:\n%s", ansi.Strip(view))
	}
	m.Top()
	golden.RequireEqual(t, ansi.Strip(m.View(40, 7)))
}

func TestLongLinesWrapInsteadOfBeingCut(t *testing.T) {
	m := New(theme.New(theme.Default()))
	text := "status  shows every component of the pipeline, its state and its record count"
	m.SetContent(":help", "  "+text)
	view := ansi.Strip(m.View(30, 8))
	if strings.Contains(view, "…") {
		t.Errorf("a long line was cut:\n%s", view)
	}
	if got := strings.Join(strings.Fields(view), " "); !strings.Contains(got, strings.Join(strings.Fields(text), " ")) {
		t.Errorf("the wrapped text does not read as written:\n%s", view)
	}
	if !strings.Contains(view, "\n  component of") {
		t.Errorf("continuation lines lost the indent:\n%s", view)
	}
}
