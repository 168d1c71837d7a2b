package sparkline

import (
	"slices"
	"testing"
)

func TestView(t *testing.T) {
	cases := []struct {
		values []float64
		width  int
		want   string
	}{
		{nil, 4, "    "},
		{[]float64{0, 0}, 3, " ▁▁"},
		{[]float64{0, 1, 2, 3, 4, 5, 6, 7}, 8, "▁▂▃▄▅▆▇█"},
		{[]float64{7, 0, 7}, 2, "▁█"},
		{[]float64{1}, 0, ""},
	}
	for _, c := range cases {
		if got := View(c.values, c.width); got != c.want {
			t.Errorf("View(%v, %d) = %q, want %q", c.values, c.width, got, c.want)
		}
	}
}

func TestSeriesRates(t *testing.T) {
	var s Series
	if _, ok := s.Rate(); ok {
		t.Fatal("a fresh series has a rate")
	}
	s.Observe(100, 10, 1)
	s.Observe(300, 12, 1) // 200 in 2 s
	s.Observe(350, 12, 1) // clock did not move: the fallback second
	s.Observe(20, 13, 1)  // restarted: no rate
	s.Observe(120, 14, 1) // 100 in 1 s
	if got, want := s.Rates(), []float64{100, 50, 100}; !slices.Equal(got, want) {
		t.Errorf("rates = %v, want %v", got, want)
	}
	for i := range 2 * Samples {
		s.Observe(int64(200+i), float64(20+i), 1)
	}
	if len(s.Rates()) != Samples {
		t.Errorf("kept %d rates, want %d", len(s.Rates()), Samples)
	}
}

func TestFormatRate(t *testing.T) {
	for r, want := range map[float64]string{0: "0/s", 87.4: "87/s", 999.4: "999/s", 1234: "1.2k/s", 3.4e6: "3.4M/s"} {
		if got := FormatRate(r); got != want {
			t.Errorf("FormatRate(%v) = %q, want %q", r, got, want)
		}
	}
}
