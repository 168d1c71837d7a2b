// Package startat reads the times a tail's --from takes, one reading for the Kafka and the
// Kinesis tails: s@ followed by Unix milliseconds (kcat's form), an RFC 3339 time, or a time
// relative to now such as -10m.
package startat

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Parse reads s as a start time relative to now. ok is false when s is none of the time forms,
// so the caller can try its own; err says what is wrong with s when it is one but not valid.
func Parse(s string, now time.Time) (t time.Time, ok bool, err error) {
	switch {
	case strings.HasPrefix(s, "s@"):
		ms, err := strconv.ParseInt(s[2:], 10, 64)
		if err != nil || ms < 0 {
			return time.Time{}, true, fmt.Errorf("--from %q is not valid: s@ takes Unix milliseconds, such as s@1796119200000", s)
		}
		return time.UnixMilli(ms), true, nil
	case looksLikeDate(s):
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, true, fmt.Errorf("--from %q is not a valid time: write RFC 3339 with a zone, such as 2026-12-01T10:00:00Z or 2026-12-01T11:00:00+01:00", s)
		}
		return t, true, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d > 0 {
			return time.Time{}, true, fmt.Errorf("--from %q would start in the future: a relative time looks back, such as -%s", s, strings.TrimPrefix(s, "+"))
		}
		return now.Add(d), true, nil
	} else if len(s) > 1 && (s[0] == '-' || s[0] == '+') && s[1] >= '0' && s[1] <= '9' {
		return time.Time{}, true, fmt.Errorf("--from %q is not a valid duration: use the units h, m, s or ms, such as -10m or -1h30m", s)
	}
	return time.Time{}, false, nil
}

// looksLikeDate reports whether s starts as an RFC 3339 date does, four digits and a dash, so a
// mistyped time gets the time's error rather than the list of every form.
func looksLikeDate(s string) bool {
	if len(s) < 5 || s[4] != '-' {
		return false
	}
	for _, c := range s[:4] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
