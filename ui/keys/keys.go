// Package keys is the console's one keymap: every action is a named key.Binding, the `?` help is
// generated from it, and a user rebinds an action by its name.
package keys

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap holds every binding of the console, global and per screen.
type KeyMap struct {
	Quit, ForceQuit, Back, Help, Palette, Errors         key.Binding
	Up, Down, Top, Bottom, PageDown, PageUp              key.Binding
	Left, Right                                          key.Binding
	Focus, Enter, Refresh, Filter                        key.Binding
	NextPage, ListUnder                                  key.Binding
	Pause, RawJSON, Start, Stop, Faster, Slower          key.Binding
	TailFrom, Describe                                   key.Binding
	Trigger, Cancel, PrevTry, NextTry                    key.Binding
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
		Help:      b([]string{"?"}, "?", "help"),
		Palette:   b([]string{":"}, ":", "command palette"),
		Errors:    b([]string{"!"}, "!", "the last errors in full"),
		Up:        b([]string{"k", "up"}, "k/↑", "up"),
		Down:      b([]string{"j", "down"}, "j/↓", "down"),
		Top:       b([]string{"g", "home"}, "g", "top / first page"),
		Bottom:    b([]string{"G", "end"}, "G", "bottom / last page"),
		PageDown:  b([]string{"ctrl+d", "pgdown"}, "ctrl+d", "page down"),
		PageUp:    b([]string{"ctrl+u", "pgup"}, "ctrl+u", "page up"),
		Left:      b([]string{"h", "left"}, "h/←", "scroll columns left"),
		Right:     b([]string{"l", "right"}, "l/→", "scroll columns right"),
		Focus:     b([]string{"tab"}, "tab", "next pane"),
		Enter:     b([]string{"enter"}, "enter", "drill in"),
		Refresh:   b([]string{"r"}, "r", "refresh"),
		Filter:    b([]string{"/"}, "/", "filter"),
		Describe:  b([]string{"d"}, "d", "describe a topic"),
		NextPage:  b([]string{"n"}, "n", "next page of a list; run a job now"),
		ListUnder: b([]string{"P"}, "P", "list under a prefix"),
		Pause:     b([]string{"p"}, "p", "pause / resume a tail or a DAG"),
		RawJSON:   b([]string{"J"}, "J", "raw / pretty JSON"),
		TailFrom:  b([]string{"o"}, "o", "tail from… (an offset, a sequence number, a time)"),
		Trigger:   b([]string{"t"}, "t", "trigger a DAG run (asks in the cloud)"),
		Cancel:    b([]string{"c"}, "c", "cancel a job run (asks)"),
		PrevTry:   b([]string{"["}, "[", "a task's earlier try"),
		NextTry:   b([]string{"]"}, "]", "a task's later try"),
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
		"palette": &k.Palette, "errors": &k.Errors, "up": &k.Up, "down": &k.Down, "top": &k.Top, "bottom": &k.Bottom,
		"page_down": &k.PageDown, "page_up": &k.PageUp, "left": &k.Left, "right": &k.Right, "focus": &k.Focus, "enter": &k.Enter,
		"refresh": &k.Refresh, "filter": &k.Filter, "next_page": &k.NextPage, "list_under": &k.ListUnder, "pause": &k.Pause, "raw_json": &k.RawJSON, "tail_from": &k.TailFrom,
		"describe": &k.Describe, "trigger": &k.Trigger, "cancel": &k.Cancel, "previous_try": &k.PrevTry, "next_try": &k.NextTry,
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
// out: force_quit can gain keys but never lose ctrl+c. An unknown action, an empty key or a key
// that two actions would share is an error naming the action and the key, and nothing changes.
func (k *KeyMap) Rebind(bindings map[string][]string) error {
	next := *k
	acts := next.actions()
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
			return fmt.Errorf("rebind %q: give at least one key, e.g. %s: [%s]", name, name, b.Help().Key)
		}
		for _, key := range ks {
			if strings.TrimSpace(key) == "" {
				return fmt.Errorf("rebind %q: an empty key: name a key such as Q, space or ctrl+q", name)
			}
		}
		if name == "force_quit" && !slices.Contains(ks, "ctrl+c") {
			ks = append([]string{"ctrl+c"}, ks...)
		}
		b.SetKeys(ks...)
		b.SetHelp(strings.Join(ks, "/"), b.Help().Desc)
	}
	if err := next.conflicts(); err != nil {
		return err
	}
	*k = next
	return nil
}

// conflicts finds a key bound to two actions; the console has one keymap for every screen, so a
// key means one thing everywhere.
func (k *KeyMap) conflicts() error {
	owner := map[string]string{}
	for _, name := range k.Actions() {
		b := k.actions()[name]
		for _, key := range b.Keys() {
			if other, ok := owner[key]; ok && other != name {
				return fmt.Errorf("rebind: key %q is bound to both %s and %s: give one of them another key", key, other, name)
			}
			owner[key] = name
		}
	}
	return nil
}

// Groups returns the bindings in the order the help screen shows them.
func (k *KeyMap) Groups() []Group {
	return []Group{
		{"Global", []key.Binding{k.Help, k.Palette, k.Errors, k.Back, k.Quit, k.ForceQuit}},
		{"Screens", []key.Binding{k.Overview, k.Emulators, k.Topics, k.Streams, k.S3, k.DAGs, k.Jobs, k.Tables}},
		{"Move", []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageDown, k.PageUp}},
		{"Act", []key.Binding{k.Enter, k.Describe, k.Focus, k.Filter, k.Refresh, k.Left, k.Right, k.NextPage, k.ListUnder}},
		{"Tails & emulators", []key.Binding{k.Pause, k.RawJSON, k.TailFrom, k.Start, k.Stop, k.Faster, k.Slower}},
		{"DAGs & jobs", []key.Binding{k.Trigger, k.Cancel, k.PrevTry, k.NextTry}},
	}
}

// Hints renders bindings as a one-line reminder, e.g. "? help  : command palette", so a hint
// in a title or footer always names the keys the user bound. Disabled bindings are left out.
func Hints(bindings ...key.Binding) string {
	var parts []string
	for _, b := range bindings {
		if b.Enabled() {
			parts = append(parts, b.Help().Key+" "+b.Help().Desc)
		}
	}
	return strings.Join(parts, "  ")
}

// Pair is one hint for two bindings that do one thing in two directions, e.g. "h/← l/→ scroll".
func Pair(a, b key.Binding, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(append(a.Keys(), b.Keys()...)...), key.WithHelp(a.Help().Key+" "+b.Help().Key, desc))
}

// As returns the binding with another description, for a hint that says what the key does in
// one place, e.g. keys.Hints(keys.As(k.Back, "closes")).
func As(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}
