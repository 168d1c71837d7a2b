package main

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

func TestSVG(t *testing.T) {
	frame := "\x1b[1;38;2;230;0;35mpintui\x1b[m <&>\n\x1b[48;2;58;58;90m▸ row \x1b[m\n\x1b[7mrev\x1b[m"
	svg := string(SVG(frame, 12, 3, DefaultLook))
	for _, want := range []string{
		`fill="#E60023" textLength="50.58" lengthAdjust="spacingAndGlyphs" font-weight="bold">pintui</text>`,
		`&lt;&amp;&gt;`,
		`fill="#3A3A5A"/>`,
		`fill="#1C1C1C" textLength="25.29" lengthAdjust="spacingAndGlyphs">rev</text>`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %s", want)
		}
	}
	golden.RequireEqual(t, svg)
}
