package theme

import (
	"fmt"

	"github.com/charmbracelet/colorprofile"
)

// ColorMode is the resolved colour choice of --color and NO_COLOR.
type ColorMode int

// The colour modes.
const (
	// ColorAuto lets the terminal's detected capabilities decide.
	ColorAuto ColorMode = iota
	// ColorAlways draws in full colour even when the output is not detected as a colour terminal.
	ColorAlways
	// ColorNever draws without colour, keeping bold, underline and reverse so nothing is lost.
	ColorNever
)

// ResolveColor combines the --color setting (auto, always or never) with the NO_COLOR
// environment value: any non-empty NO_COLOR turns auto into never, and an explicit always wins.
func ResolveColor(setting, noColor string) (ColorMode, error) {
	switch setting {
	case "", "auto":
		if noColor != "" {
			return ColorNever, nil
		}
		return ColorAuto, nil
	case "always":
		return ColorAlways, nil
	case "never":
		return ColorNever, nil
	}
	return ColorAuto, fmt.Errorf("color %q is not valid: use auto, always or never", setting)
}

// Profile is the colour profile a mode forces on the terminal; ok is false for ColorAuto, where
// the terminal is asked instead.
func (m ColorMode) Profile() (p colorprofile.Profile, ok bool) {
	switch m {
	case ColorAlways:
		return colorprofile.TrueColor, true
	case ColorNever:
		return colorprofile.ASCII, true
	}
	return colorprofile.Unknown, false
}
