package source

import (
	"path/filepath"
	"testing"
)

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		g := NewGenerator(DefaultRows, DefaultSeed)
		for _, ok := g.Next(); ok; _, ok = g.Next() {
		}
	}
	b.ReportMetric(float64(b.N*DefaultRows)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkSeedSQLite(b *testing.B) {
	path := filepath.Join(b.TempDir(), "source.db")
	for b.Loop() {
		if err := Seed(b.Context(), path, DefaultRows, DefaultSeed, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*DefaultRows)/b.Elapsed().Seconds(), "rows/s")
}
