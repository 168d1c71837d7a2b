// Package theme turns a handful of semantic colour tokens into the one Styles struct every screen
// and component of the console draws with, so no view names a colour and a palette change is one
// edit.
package theme

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Palette is the set of semantic colour tokens the console is drawn from.
type Palette struct {
	Text      color.Color // ordinary text
	Muted     color.Color // secondary text: hints, units, empty states
	Accent    color.Color // the active tab, titles, the palette prompt
	OnAccent  color.Color // text drawn on an Accent background
	Surface   color.Color // the header and status bar background
	Selection color.Color // the background of the selected row
	Border    color.Color // box and rule lines
	OK        color.Color // healthy: a ready component
	Warn      color.Color // needs attention: empty or not started
	Bad       color.Color // broken: a component that is down, an error
}

// Default is the console's palette, chosen to read on dark and light terminals alike.
func Default() Palette {
	return Palette{
		Text:      lipgloss.Color("#D0D0D0"),
		Muted:     lipgloss.Color("#8A8A8A"),
		Accent:    lipgloss.Color("#E60023"),
		OnAccent:  lipgloss.Color("#FFFFFF"),
		Surface:   lipgloss.Color("#262626"),
		Selection: lipgloss.Color("#3A3A5A"),
		Border:    lipgloss.Color("#585858"),
		OK:        lipgloss.Color("#5FD787"),
		Warn:      lipgloss.Color("#FFAF5F"),
		Bad:       lipgloss.Color("#FF5F5F"),
	}
}

// Styles is every style the console uses, derived once from a Palette and injected into screens
// and components at construction.
type Styles struct {
	Text, Muted, Title, Error lipgloss.Style

	// Header and tab bar.
	Brand, Tab, ActiveTab, HeaderFill lipgloss.Style

	// Status bar.
	StatusBar, StatusKey, StatusValue, StatusError, StatusBusy lipgloss.Style

	// Tables.
	TableHeader, TableCell, TableSelected, TableCursor lipgloss.Style

	// Component states: ready, empty, down, not started.
	StateReady, StateEmpty, StateDown, StateIdle lipgloss.Style

	// Spark draws sparklines; Rate draws a measured rate.
	Spark, Rate lipgloss.Style

	// Panels, help and prompts.
	PanelTitle, PanelBorder, FocusedBorder, HelpKey, HelpDesc, HelpGroup lipgloss.Style
	Prompt, Input, Cursor, Suggestion, Confirm                           lipgloss.Style
}

// New derives the Styles from a palette.
func New(p Palette) *Styles {
	base := lipgloss.NewStyle()
	fg := func(c color.Color) lipgloss.Style { return base.Foreground(c) }
	bar := base.Background(p.Surface).Foreground(p.Text)
	return &Styles{
		Text:  fg(p.Text),
		Muted: fg(p.Muted),
		Title: fg(p.Accent).Bold(true),
		Error: fg(p.Bad).Bold(true),

		Brand:      base.Background(p.Accent).Foreground(p.OnAccent).Bold(true),
		Tab:        bar.Foreground(p.Muted),
		ActiveTab:  bar.Foreground(p.Accent).Bold(true).Underline(true),
		HeaderFill: bar,

		StatusBar:   bar,
		StatusKey:   bar.Foreground(p.Muted),
		StatusValue: bar.Foreground(p.Text),
		StatusError: bar.Foreground(p.Bad).Bold(true),
		StatusBusy:  bar.Foreground(p.Warn),

		TableHeader:   fg(p.Accent).Bold(true),
		TableCell:     fg(p.Text),
		TableSelected: base.Background(p.Selection).Foreground(p.Text).Bold(true),
		TableCursor:   base.Background(p.Selection).Foreground(p.Accent).Bold(true),

		StateReady: fg(p.OK),
		StateEmpty: fg(p.Warn),
		StateDown:  fg(p.Bad).Bold(true),
		StateIdle:  fg(p.Muted),

		Spark: fg(p.OK),
		Rate:  fg(p.Text).Bold(true),

		PanelTitle:    fg(p.Accent).Bold(true),
		PanelBorder:   fg(p.Border),
		FocusedBorder: fg(p.Accent),
		HelpKey:       fg(p.Accent).Bold(true),
		HelpDesc:      fg(p.Text),
		HelpGroup:     fg(p.Muted).Bold(true),

		Prompt:     fg(p.Accent).Bold(true),
		Input:      fg(p.Text),
		Cursor:     base.Reverse(true),
		Suggestion: fg(p.Muted),
		Confirm:    base.Background(p.Bad).Foreground(p.OnAccent).Bold(true),
	}
}

// State returns the style and symbol of a component state word of the status command, so the
// state reads by its symbol and word even without colour.
func (s *Styles) State(state string) (lipgloss.Style, string) {
	switch state {
	case "ready":
		return s.StateReady, "✓"
	case "running":
		return s.StateReady, "▶"
	case "empty":
		return s.StateEmpty, "○"
	case "down":
		return s.StateDown, "✗"
	}
	return s.StateIdle, "·"
}
