package clean

import (
	"encoding/json"
	"testing"

	"github.com/pintui/pintui/pipeline/record"
)

// TestTableIsWhatTheCleanerDoes checks the exported table against the cleaner itself, so the
// notebooks rendered from the table clean as pintui does.
func TestTableIsWhatTheCleanerDoes(t *testing.T) {
	pinJSON := func(col, value string) map[string]any {
		t.Helper()
		line, _ := json.Marshal(map[string]any{"index": 1, "unique_id": "u", col: value})
		out, _ := cleanLine(t, record.TablePin, string(line))
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("clean %s: %q: %v", line, out, err)
		}
		return got
	}
	// Only the whole value is a placeholder; follower_count nulls any text that is not a count.
	for _, p := range PinPlaceholders() {
		if got := pinJSON(p.Column, p.Value); got[p.Column] != nil {
			t.Errorf("placeholder %s=%q cleans to %v, want null", p.Column, p.Value, got[p.Column])
		}
		if got := pinJSON(p.Column, p.Value+" "); got[p.Column] == nil && p.Column != "follower_count" {
			t.Errorf("%s=%q (the placeholder and a space) cleans to null, want it kept", p.Column, p.Value+" ")
		}
	}
	for _, s := range FollowerSuffixes() {
		got := pinJSON("follower_count", "7"+s.Suffix)["follower_count"]
		if want := float64(7 * s.Scale); got != want {
			t.Errorf("follower_count %q cleans to %v, want %v", "7"+s.Suffix, got, want)
		}
	}
	if got := pinJSON("follower_count", "7x")["follower_count"]; got != nil {
		t.Errorf("follower_count \"7x\" cleans to %v, want null: a suffix the table lacks", got)
	}
	got := pinJSON("save_location", SaveLocationPrefix+"/data/art")["save_location"]
	if got != "/data/art" {
		t.Errorf("save_location %q cleans to %v, want /data/art", SaveLocationPrefix+"/data/art", got)
	}
	if n := len(PinPlaceholders()); n != 6 {
		t.Errorf("%d placeholders, want SPEC's 6", n)
	}
}
