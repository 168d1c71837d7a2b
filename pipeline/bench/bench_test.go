package bench

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestCleanMeasuresEveryStage(t *testing.T) {
	r, err := Clean(context.Background(), 3000)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "clean" || r.Rows != 3000 || len(r.Stages) != 2 {
		t.Fatalf("result %+v", r)
	}
	for _, s := range r.Stages {
		if s.RowsPerSecond <= 0 || s.CeilingRowsPerSecond <= 0 {
			t.Errorf("stage %q measured %v rows/s, ceiling %v", s.Name, s.RowsPerSecond, s.CeilingRowsPerSecond)
		}
	}
}

// TestCleanToDeltaKeepsEveryRow reads back the table the clean → Delta stage wrote, whose rows
// were encoded by the cleaning workers, and expects the rows clean.Rows hands out.
func TestCleanToDeltaKeepsEveryRow(t *testing.T) {
	ctx := context.Background()
	lines := pinLines(5000)
	store := objstore.NewDir(t.TempDir())
	if err := cleanToDelta(ctx, store, lines, 5000); err != nil {
		t.Fatal(err)
	}
	got, err := delta.Read[record.CleanPin](ctx, delta.Open(store, "lakehouse/bench_pin_batch"))
	if err != nil {
		t.Fatal(err)
	}
	var want []record.CleanPin
	if _, err := clean.Rows(ctx, bytes.NewReader(lines), func(rows []record.CleanPin) error {
		want = append(want, rows...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 5000 || !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %d rows that differ from the %d cleaned", len(got), len(want))
	}
}

func TestWriteTable(t *testing.T) {
	r := Result{Name: "clean", Rows: 200_000, Cores: 2, Stages: []Stage{
		{Name: "JSON lines → clean → Delta", RowsPerSecond: 801_234.4, RowsPerCPUSecond: 455_000,
			Ceiling: "JSON decode → Delta", CeilingRowsPerSecond: 950_000, CeilingRowsPerCPUSecond: 520_000.6,
			Target: 750_000},
		{Name: "JSON lines → clean → JSON lines", RowsPerSecond: 480_000, RowsPerCPUSecond: 300_000,
			Ceiling: "JSON decode → encode", CeilingRowsPerSecond: 0, Target: 500_000},
	}}
	var b bytes.Buffer
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "clean_table.golden")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (go test -update creates it): %v", err)
	}
	if b.String() != string(want) {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

// BenchmarkClean runs `pintui bench clean` once and logs its table (go test -bench Clean
// -benchtime 1x -v).
func BenchmarkClean(b *testing.B) {
	for b.Loop() {
		r, err := Clean(context.Background(), DefaultCleanRows)
		if err != nil {
			b.Fatal(err)
		}
		var out strings.Builder
		if err := r.WriteTable(&out); err != nil {
			b.Fatal(err)
		}
		b.Log("\n" + out.String())
	}
}

// BenchmarkCleanToDelta is the first stage of BenchmarkClean alone, for profiling
// (go test -bench CleanToDelta -cpuprofile cpu.out).
func BenchmarkCleanToDelta(b *testing.B) {
	lines := pinLines(DefaultCleanRows)
	store := objstore.NewDir(b.TempDir())
	cpu0 := cpuTime()
	for b.Loop() {
		if err := cleanToDelta(context.Background(), store, lines, DefaultCleanRows); err != nil {
			b.Fatal(err)
		}
	}
	total := float64(DefaultCleanRows) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "rows/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(total/cpu.Seconds(), "rows/cpu-s")
	}
}
