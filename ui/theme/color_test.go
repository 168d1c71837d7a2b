package theme

import (
	"testing"

	"github.com/charmbracelet/colorprofile"
)

func TestResolveColor(t *testing.T) {
	cases := []struct {
		setting, noColor string
		want             ColorMode
		profile          colorprofile.Profile
		forced           bool
	}{
		{"auto", "", ColorAuto, colorprofile.Unknown, false},
		{"", "", ColorAuto, colorprofile.Unknown, false},
		{"auto", "1", ColorNever, colorprofile.ASCII, true},
		{"never", "", ColorNever, colorprofile.ASCII, true},
		{"always", "1", ColorAlways, colorprofile.TrueColor, true},
	}
	for _, c := range cases {
		got, err := ResolveColor(c.setting, c.noColor)
		if err != nil || got != c.want {
			t.Errorf("ResolveColor(%q, %q) = %v, %v; want %v", c.setting, c.noColor, got, err, c.want)
		}
		if p, ok := got.Profile(); p != c.profile || ok != c.forced {
			t.Errorf("%v.Profile() = %v, %v", got, p, ok)
		}
	}
	if _, err := ResolveColor("pink", ""); err == nil || err.Error() != `color "pink" is not valid: use auto, always or never` {
		t.Errorf("err = %v", err)
	}
}
