package units

import (
	"slices"
	"testing"
	"time"
)

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 11001: "11,001", 1234567: "1,234,567", -41400: "-41,400"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 300: "300 B", 1023: "1023 B", 1024: "1.0 KiB", 41400: "40.4 KiB", 5 << 20: "5.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 prefixes"}, {1, "1 prefix"}, {2, "2 prefixes"}, {11001, "11,001 prefixes"}} {
		if got := Plural(c.n, "prefix", "prefixes"); got != c.want {
			t.Errorf("Plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestAgo(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0 s ago", 12 * time.Second: "12 s ago", 150 * time.Second: "2 min ago", 2 * time.Hour: "2 h ago", -time.Second: "0 s ago"} {
		if got := Ago(d); got != want {
			t.Errorf("Ago(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestMillis(t *testing.T) {
	for ms, want := range map[int64]string{0: "0 ms", 850: "850 ms", 1234: "1.2 s", 59_900: "59.9 s", 240_000: "4 min", 7_300_000: "2 h", -5: "0 ms"} {
		if got := Millis(ms); got != want {
			t.Errorf("Millis(%d) = %q, want %q", ms, got, want)
		}
	}
}

func TestCellsKeepsTheRowsItWasGiven(t *testing.T) {
	rows := [][]string{{"pin", "41400", "13471"}, {"geo", "n/a", ""}}
	got := Cells([]string{"topic", "bytes", "end_offset"}, rows, map[string]Format{"bytes": Bytes, "end_offset": Count})
	want := [][]string{{"pin", "40.4 KiB", "13,471"}, {"geo", "n/a", ""}}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d = %q, want %q", i, got[i], want[i])
		}
	}
	if rows[0][1] != "41400" {
		t.Error("Cells changed the rows it was given")
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{850 * time.Millisecond: "850 ms", 41 * time.Second: "41.0 s",
		3*time.Minute + 4*time.Second: "3 min 04 s", time.Hour: "1 h 00 min", 2*time.Hour + 5*time.Minute + 9*time.Second: "2 h 05 min"} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}
