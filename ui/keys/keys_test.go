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
	if err := k.Rebind(map[string][]string{"quit": {"Q"}}); err != nil {
		t.Fatal(err)
	}
	if key.Matches(press("q"), k.Quit) {
		t.Error("q still quits after rebinding quit to Q")
	}
	if !key.Matches(press("Q"), k.Quit) {
		t.Error("Q does not quit after rebinding")
	}
	if got := k.Quit.Help().Key; got != "Q" {
		t.Errorf("help key = %q, want Q", got)
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

func TestRebindRefusesConflictsAndEmptyKeys(t *testing.T) {
	for _, c := range []struct {
		bind map[string][]string
		want string
	}{
		{map[string][]string{"quit": {"r"}}, `rebind: key "r" is bound to both quit and refresh: give one of them another key`},
		{map[string][]string{"quit": {}}, `rebind "quit": give at least one key, e.g. quit: [q]`},
		{map[string][]string{"pause": {" "}}, `rebind "pause": an empty key: name a key such as Q, space or ctrl+q`},
	} {
		k := Default()
		err := k.Rebind(c.bind)
		if err == nil || err.Error() != c.want {
			t.Errorf("Rebind(%v) = %v, want %s", c.bind, err, c.want)
		}
		if !key.Matches(press("q"), k.Quit) || !key.Matches(press("r"), k.Refresh) {
			t.Errorf("a refused Rebind(%v) changed the keymap", c.bind)
		}
	}
}

func TestHintsNameTheBoundKeys(t *testing.T) {
	k := Default()
	if err := k.Rebind(map[string][]string{"help": {"H"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := Hints(k.Help, As(k.Back, "closes")), "H help  esc closes"; got != want {
		t.Errorf("Hints = %q, want %q", got, want)
	}
}

func TestColumnScrollKeys(t *testing.T) {
	k := Default()
	for _, c := range []struct {
		msg  tea.KeyPressMsg
		want key.Binding
	}{{press("h"), k.Left}, {tea.KeyPressMsg{Code: tea.KeyLeft}, k.Left}, {press("l"), k.Right}, {tea.KeyPressMsg{Code: tea.KeyRight}, k.Right}} {
		if !key.Matches(c.msg, c.want) {
			t.Errorf("%s does not scroll %s", c.msg, c.want.Help().Desc)
		}
	}
	if err := k.Rebind(map[string][]string{"left": {"H"}, "right": {"L"}}); err != nil {
		t.Fatal(err)
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

func TestDescribeIsInTheHelpAndRebindable(t *testing.T) {
	k := Default()
	if !key.Matches(press("d"), k.Describe) || key.Matches(tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}, k.Describe) {
		t.Error("describe is not d alone")
	}
	if err := k.Rebind(map[string][]string{"describe": {"D"}}); err != nil {
		t.Fatal(err)
	}
	var help []string
	for _, g := range k.Groups() {
		for _, b := range g.Bindings {
			if b.Help().Desc == k.Describe.Help().Desc {
				help = append(help, g.Title+": "+b.Help().Key)
			}
		}
	}
	if len(help) != 1 || help[0] != "Act: D" {
		t.Errorf("the help shows describe as %v, want once under Act, as D", help)
	}
}
