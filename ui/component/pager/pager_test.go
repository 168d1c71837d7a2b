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
	var b strings.Builder
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&b, "line %d of the result, long enough to be cut at the edge\n", i)
	}
	m.SetContent(":help", b.String())
	m.View(40, 7)
	m.Page(1)
	m.Move(100)
	view := m.View(40, 7)
	if !strings.Contains(view, "lines 16–20 of 20") {
		t.Errorf("scrolled to the end should show lines 16–20:\n%s", ansi.Strip(view))
	}
	m.Top()
	golden.RequireEqual(t, ansi.Strip(m.View(40, 7)))
}
