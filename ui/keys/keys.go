// Package keys is the console's one keymap: every action is a named key.Binding, the `?` help is
// generated from it, and a user rebinds an action by its name.
package keys

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap holds every binding of the console, global and per screen.
type KeyMap struct {
	Quit, ForceQuit, Back, Help, Palette                 key.Binding
	Up, Down, Top, Bottom, PageDown, PageUp              key.Binding
	Focus, Enter, Refresh, Filter                        key.Binding
	Pause, RawJSON, Start, Stop, Faster, Slower          key.Binding
	TailFrom                                             key.Binding
	Overview, Emulators, Topics, Streams, S3, DAGs, Jobs key.Binding
	Tables                                               key.Binding
}

// Group is a titled list of bindings, the unit of the help screen.
type Group struct {
	Title    string
	Bindings []key.Binding
}

// Default returns the standard keymap.
func Default() *KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return &KeyMap{
		Quit:      b([]string{"q"}, "q", "quit (asks while work runs)"),
		ForceQuit: b([]string{"ctrl+c"}, "ctrl+c", "quit now"),
		Back:      b([]string{"esc"}, "esc", "back, close, clear filter"),
		Help:      b([]string{"?"}, "?", "this help"),
		Palette:   b([]string{":"}, ":", "command palette"),
		Up:        b([]string{"k", "up"}, "k/↑", "up"),
		Down:      b([]string{"j", "down"}, "j/↓", "down"),
		Top:       b([]string{"g", "home"}, "g", "top / first page"),
		Bottom:    b([]string{"G", "end"}, "G", "bottom / last page"),
		PageDown:  b([]string{"ctrl+d", "pgdown"}, "ctrl+d", "page down"),
		PageUp:    b([]string{"ctrl+u", "pgup"}, "ctrl+u", "page up"),
		Focus:     b([]string{"tab"}, "tab", "next pane"),
		Enter:     b([]string{"enter"}, "enter", "drill in"),
		Refresh:   b([]string{"r"}, "r", "refresh"),
		Filter:    b([]string{"/"}, "/", "filter"),
		Pause:     b([]string{"p"}, "p", "pause / resume a tail"),
		RawJSON:   b([]string{"J"}, "J", "raw / pretty JSON"),
		TailFrom:  b([]string{"o"}, "o", "tail from… (end, -N, an offset, a time)"),
		Start:     b([]string{"s"}, "s", "start the emulator"),
		Stop:      b([]string{"x"}, "x", "stop the emulator (asks)"),
		Faster:    b([]string{"+", "="}, "+", "double the emulator's rate"),
		Slower:    b([]string{"-"}, "-", "halve the emulator's rate"),
		Overview:  b([]string{"1"}, "1", "overview"),
		Emulators: b([]string{"2"}, "2", "emulators"),
		Topics:    b([]string{"3"}, "3", "topics"),
		Streams:   b([]string{"4"}, "4", "streams"),
		S3:        b([]string{"5"}, "5", "s3"),
		DAGs:      b([]string{"6"}, "6", "dags"),
		Jobs:      b([]string{"7"}, "7", "jobs"),
		Tables:    b([]string{"8"}, "8", "tables"),
	}
}

// actions names every binding for rebinding; the names are the help's words in snake case.
func (k *KeyMap) actions() map[string]*key.Binding {
	return map[string]*key.Binding{
		"quit": &k.Quit, "force_quit": &k.ForceQuit, "back": &k.Back, "help": &k.Help,
		"palette": &k.Palette, "up": &k.Up, "down": &k.Down, "top": &k.Top, "bottom": &k.Bottom,
		"page_down": &k.PageDown, "page_up": &k.PageUp, "focus": &k.Focus, "enter": &k.Enter,
		"refresh": &k.Refresh, "filter": &k.Filter, "pause": &k.Pause, "raw_json": &k.RawJSON, "tail_from": &k.TailFrom,
		"start": &k.Start, "stop": &k.Stop, "faster": &k.Faster, "slower": &k.Slower,
		"overview":  &k.Overview,
		"emulators": &k.Emulators, "topics": &k.Topics, "streams": &k.Streams, "s3": &k.S3,
		"dags": &k.DAGs, "jobs": &k.Jobs, "tables": &k.Tables,
	}
}

// Actions returns the names Rebind accepts, sorted.
func (k *KeyMap) Actions() []string {
	var names []string
	for n := range k.actions() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Rebind replaces the keys of actions by name, e.g. {"quit": {"Q"}}. Ctrl+c always stays a way
// out: force_quit can gain keys but never lose ctrl+c.
func (k *KeyMap) Rebind(bindings map[string][]string) error {
	acts := k.actions()
	names := make([]string, 0, len(bindings))
	for n := range bindings {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		b, ok := acts[name]
		if !ok {
			return fmt.Errorf("rebind %q: no such action (use one of %s)", name, strings.Join(k.Actions(), ", "))
		}
		ks := bindings[name]
		if len(ks) == 0 {
			return fmt.Errorf("rebind %q: give at least one key", name)
		}
		if name == "force_quit" && !contains(ks, "ctrl+c") {
			ks = append([]string{"ctrl+c"}, ks...)
		}
		b.SetKeys(ks...)
		b.SetHelp(strings.Join(ks, "/"), b.Help().Desc)
	}
	return nil
}

// Groups returns the bindings in the order the help screen shows them.
func (k *KeyMap) Groups() []Group {
	return []Group{
		{"Global", []key.Binding{k.Help, k.Palette, k.Back, k.Quit, k.ForceQuit}},
		{"Screens", []key.Binding{k.Overview, k.Emulators, k.Topics, k.Streams, k.S3, k.DAGs, k.Jobs, k.Tables}},
		{"Move", []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageDown, k.PageUp}},
		{"Act", []key.Binding{k.Enter, k.Focus, k.Filter, k.Refresh}},
		{"Tails & emulators", []key.Binding{k.Pause, k.RawJSON, k.TailFrom, k.Start, k.Stop, k.Faster, k.Slower}},
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
