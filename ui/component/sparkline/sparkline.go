// Package sparkline draws a run of rates as one line of block characters, and keeps the bounded
// history of rates a screen measures between polls: the little graphs of the Overview's boxes and
// the Emulators' tables.
package sparkline

import (
	"fmt"
	"strings"
)

// Samples is how many rates a Series keeps: about half a minute at one poll a second.
const Samples = 30

var levels = []rune("▁▂▃▄▅▆▇█")

// View draws the last width values scaled to the largest of them, right-aligned and padded with
// spaces, so a new series grows from the right like a strip chart. Zero draws the lowest block.
func View(values []float64, width int) string {
	if width <= 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	top := 0.0
	for _, v := range values {
		top = max(top, v)
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", width-len(values)))
	for _, v := range values {
		i := 0
		if top > 0 && v > 0 {
			i = min(len(levels)-1, int(v/top*float64(len(levels)-1)+0.5))
		}
		b.WriteRune(levels[i])
	}
	return b.String()
}

// Series is a counter's recent rates, measured from successive readings of the counter.
type Series struct {
	rates []float64
	last  int64
	at    float64 // seconds on the reading clock
	seen  bool
}

// Observe records a reading of a monotonically increasing counter taken at second at, and adds
// the rate since the previous reading. A counter that went backwards was restarted: its rate is
// measured again from this reading. When the clock did not move, fallback seconds are assumed.
func (s *Series) Observe(count int64, at, fallback float64) {
	if s.seen && count >= s.last {
		dt := at - s.at
		if dt <= 0 {
			dt = fallback
		}
		s.rates = append(s.rates, float64(count-s.last)/dt)
		if len(s.rates) > Samples {
			s.rates = s.rates[len(s.rates)-Samples:]
		}
	}
	s.last, s.at, s.seen = count, at, true
}

// Rates returns the kept rates, oldest first.
func (s *Series) Rates() []float64 { return s.rates }

// Rate returns the latest rate and whether one has been measured yet.
func (s *Series) Rate() (float64, bool) {
	if len(s.rates) == 0 {
		return 0, false
	}
	return s.rates[len(s.rates)-1], true
}

// FormatRate writes a rate per second the way the console shows it: 87/s, 1.2k/s, 3.4M/s.
func FormatRate(r float64) string {
	switch {
	case r >= 999_500:
		return fmt.Sprintf("%.1fM/s", r/1e6)
	case r >= 999.5:
		return fmt.Sprintf("%.1fk/s", r/1e3)
	}
	return fmt.Sprintf("%.0f/s", r)
}
