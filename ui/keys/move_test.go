package keys

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// moves records what a Mover was asked to do.
type moves []string

func (m *moves) Move(n int) { *m = append(*m, fmt.Sprintf("move %d", n)) }
func (m *moves) Top()       { *m = append(*m, "top") }
func (m *moves) Bottom()    { *m = append(*m, "bottom") }
func (m *moves) Page(n int) { *m = append(*m, fmt.Sprintf("page %d", n)) }

func TestMoveAppliesEveryMovementKey(t *testing.T) {
	k := Default()
	cases := map[string]tea.KeyPressMsg{
		"move -1": {Code: 'k', Text: "k"},
		"move 1":  {Code: 'j', Text: "j"},
		"top":     {Code: 'g', Text: "g"},
		"bottom":  {Code: 'G', Text: "G"},
		"page 1":  {Code: 'd', Mod: tea.ModCtrl},
		"page -1": {Code: 'u', Mod: tea.ModCtrl},
	}
	for want, msg := range cases {
		var got moves
		if !k.Move(msg, &got) || len(got) != 1 || got[0] != want {
			t.Errorf("%s: moved %v, want %s", msg, got, want)
		}
	}
	var got moves
	if k.Move(tea.KeyPressMsg{Code: 'x', Text: "x"}, &got) || len(got) != 0 {
		t.Errorf("x moved %v", got)
	}
}
