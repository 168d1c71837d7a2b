// Package units writes the numbers the screens show the way a person reads them: counts with
// thousands separators (11,001), sizes in B, KiB, MiB and GiB, ages in seconds, minutes and hours,
// and nouns that agree with their count (1 prefix, 3 prefixes). JSON and command tables keep plain
// numbers; only the console's views use this package.
package units

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Count writes n with a comma between each group of three digits.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}

// Bytes writes a size in bytes in the largest binary unit that keeps it at least 1: 300 B,
// 40.4 KiB, 1.2 MiB, 3.0 GiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit && n > -unit {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n)
	for _, u := range []string{"KiB", "MiB", "GiB", "TiB"} {
		v /= unit
		if v < unit && v > -unit || u == "TiB" {
			return fmt.Sprintf("%.1f %s", v, u)
		}
	}
	return "" // not reached: the loop returns at TiB
}

// Plural writes n and the noun that agrees with it: Plural(1, "prefix", "prefixes") is
// "1 prefix", Plural(11001, "row", "rows") is "11,001 rows".
func Plural(n int, one, many string) string {
	if n == 1 || n == -1 {
		return Count(int64(n)) + " " + one
	}
	return Count(int64(n)) + " " + many
}

// Ago writes how long ago something happened, to the second: "4 s ago", "2 min ago", "1 h ago".
func Ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", max(0, int(d/time.Second)))
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	}
	return fmt.Sprintf("%d h ago", int(d/time.Hour))
}

// Millis writes a duration given in milliseconds, such as an iterator age or a lag: "850 ms",
// "1.2 s", "4 min", "2 h".
func Millis(ms int64) string {
	switch d := time.Duration(ms) * time.Millisecond; {
	case d < time.Second:
		return fmt.Sprintf("%d ms", max(0, ms))
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	default:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
}

// Duration writes how long a run or a task took, to the second past a minute: "850 ms", "41.0 s",
// "3 min 04 s", "2 h 05 min"; Millis rounds those to the minute, too coarse for a run.
func Duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return Millis(d.Milliseconds())
	case d < time.Hour:
		return fmt.Sprintf("%d min %02d s", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%d h %02d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// Format turns one cell's plain number into its screen form; a cell that is not a whole number
// is left as it is.
type Format func(n int64) string

// Cells returns a copy of rows with the cells of the named columns written by their Format, so a
// screen keeps the command's plain cells for itself and shows people the readable ones.
func Cells(columns []string, rows [][]string, formats map[string]Format) [][]string {
	idx := map[int]Format{}
	for i, c := range columns {
		if f, ok := formats[c]; ok {
			idx[i] = f
		}
	}
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = append([]string(nil), r...)
		for j, f := range idx {
			if j >= len(r) {
				continue
			}
			if n, err := strconv.ParseInt(r[j], 10, 64); err == nil {
				out[i][j] = f(n)
			}
		}
	}
	return out
}
