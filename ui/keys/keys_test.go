package keys

import (
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func press(s string) tea.KeyPressMsg {
	if len(s) == 1 {
		return tea.KeyPressMsg{Code: rune(s[0]), Text: s}
	}
	return tea.KeyPressMsg{Code: tea.KeyEsc}
}

func TestRebindByActionName(t *testing.T) {
	k := Default()
	if err := k.Rebind(map[string][]string{"quit": {"x"}}); err != nil {
		t.Fatal(err)
	}
	if key.Matches(press("q"), k.Quit) {
		t.Error("q still quits after rebinding quit to x")
	}
	if !key.Matches(press("x"), k.Quit) {
		t.Error("x does not quit after rebinding")
	}
	if got := k.Quit.Help().Key; got != "x" {
		t.Errorf("help key = %q, want x", got)
	}
}

func TestRebindKeepsCtrlC(t *testing.T) {
	k := Default()
	if err := k.Rebind(map[string][]string{"force_quit": {"ctrl+q"}}); err != nil {
		t.Fatal(err)
	}
	got := k.ForceQuit.Keys()
	if len(got) != 2 || got[0] != "ctrl+c" || got[1] != "ctrl+q" {
		t.Errorf("force_quit keys = %v, want [ctrl+c ctrl+q]", got)
	}
}

func TestRebindUnknownAction(t *testing.T) {
	err := Default().Rebind(map[string][]string{"explode": {"x"}})
	if err == nil || err.Error()[:26] != `rebind "explode": no such ` {
		t.Errorf("err = %v", err)
	}
}

func TestTailFromIsInTheHelpAndRebindable(t *testing.T) {
	k := Default()
	if err := k.Rebind(map[string][]string{"tail_from": {"F"}}); err != nil {
		t.Fatal(err)
	}
	if !key.Matches(press("F"), k.TailFrom) || key.Matches(press("o"), k.TailFrom) {
		t.Error("tail_from did not move from o to F")
	}
	var help []string
	for _, g := range k.Groups() {
		for _, b := range g.Bindings {
			if b.Help().Desc == k.TailFrom.Help().Desc {
				help = append(help, g.Title+": "+b.Help().Key)
			}
		}
	}
	if len(help) != 1 || help[0] != "Tails & emulators: F" {
		t.Errorf("the help shows tail_from as %v, want once under Tails & emulators, as F", help)
	}
}
