// Package bench measures pipeline stages for `pintui bench`, each next to its ceiling measured in
// the same run on the same rows: on a shared or slow machine the ratio to the ceiling says more
// than the absolute rate.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
)

// DefaultCleanRows is how many pin landing lines Clean generates when asked for none.
const DefaultCleanRows = 200_000

// rowsPerFile splits a benchmark write into data files that encode on every core.
const rowsPerFile = 50_000

// The targets of the cleaning stages, in rows per second on 2 cores.
const (
	targetCleanParquet = 750_000
	targetCleanJSON    = 500_000
)

// Stage is one measured stage next to its ceiling.
type Stage struct {
	Name string `json:"name"`
	// RowsPerSecond is the best wall-clock rate over the attempts.
	RowsPerSecond float64 `json:"rows_per_second"`
	// RowsPerCPUSecond is the rate per second of CPU the process used, which a busy machine
	// does not lower as much.
	RowsPerCPUSecond float64 `json:"rows_per_cpu_second"`
	Ceiling          string  `json:"ceiling"`
	// CeilingRowsPerSecond is the ceiling's best wall-clock rate in the same run.
	CeilingRowsPerSecond    float64 `json:"ceiling_rows_per_second"`
	CeilingRowsPerCPUSecond float64 `json:"ceiling_rows_per_cpu_second"`
	// Target is the stage's target in rows per second.
	Target float64 `json:"target"`
}

// Result is what a benchmark measured.
type Result struct {
	Name   string  `json:"name"`
	Rows   int     `json:"rows"`
	Cores  int     `json:"cores"`
	Stages []Stage `json:"stages"`
}

// attempts is how many times each stage runs; the fastest counts, as on a shared machine the
// others mostly measure the neighbours. The stages and their ceilings take turns, attempt by
// attempt, so a neighbour's burst of load falls on each of them alike.
const attempts = 3

// Clean measures pin cleaning on rows generated landing lines (DefaultCleanRows if rows ≤ 0):
// JSON lines → clean → Parquet in a Delta table next to JSON decode → Parquet/Delta of the
// same rows uncleaned, and JSON lines → clean → JSON lines (`pintui clean`) next to JSON
// decode → encode. The tables are written to a temporary folder that is removed afterwards.
func Clean(ctx context.Context, rows int) (Result, error) {
	if rows <= 0 {
		rows = DefaultCleanRows
	}
	lines := pinLines(rows)
	dir, err := os.MkdirTemp("", "pintui-bench-")
	if err != nil {
		return Result{}, fmt.Errorf("bench clean: make a folder for the tables: %w", err)
	}
	defer os.RemoveAll(dir)
	store := objstore.NewDir(dir)

	result := Result{Name: "clean", Rows: rows, Cores: runtime.GOMAXPROCS(0)}
	parquetStage := Stage{Name: "JSON lines → clean → Delta", Ceiling: "JSON decode → Delta", Target: targetCleanParquet}
	jsonStage := Stage{Name: "JSON lines → clean → JSON lines", Ceiling: "JSON decode → encode", Target: targetCleanJSON}
	measures := []struct {
		rate, cpuRate *float64
		run           func() error
	}{
		{&parquetStage.RowsPerSecond, &parquetStage.RowsPerCPUSecond, func() error {
			return cleanToDelta(ctx, store, lines, rows)
		}},
		{&parquetStage.CeilingRowsPerSecond, &parquetStage.CeilingRowsPerCPUSecond, func() error {
			return decodeToDelta(ctx, store, lines)
		}},
		{&jsonStage.RowsPerSecond, &jsonStage.RowsPerCPUSecond, func() error {
			r, err := clean.Run(ctx, record.TablePin, bytes.NewReader(lines), io.Discard)
			if err == nil && r.RowsOut != int64(rows) {
				err = fmt.Errorf("cleaned %d rows of %d", r.RowsOut, rows)
			}
			return err
		}},
		{&jsonStage.CeilingRowsPerSecond, &jsonStage.CeilingRowsPerCPUSecond, func() error {
			return clean.Copy(ctx, bytes.NewReader(lines), io.Discard)
		}},
	}
	for range attempts {
		for _, m := range measures {
			runtime.GC()
			cpu0, wall0 := cpuTime(), time.Now()
			if err := m.run(); err != nil {
				return result, fmt.Errorf("bench clean: %w", err)
			}
			cpu, wall := cpuTime()-cpu0, time.Since(wall0)
			*m.rate = max(*m.rate, float64(rows)/wall.Seconds())
			if cpu > 0 {
				*m.cpuRate = max(*m.cpuRate, float64(rows)/cpu.Seconds())
			}
		}
	}
	result.Stages = []Stage{parquetStage, jsonStage}
	return result, nil
}

// pinLines draws rows pin rows from the synthetic source as landed JSON lines.
func pinLines(rows int) []byte {
	g := source.NewGenerator(rows, 1)
	b := make([]byte, 0, rows*700)
	for r, ok := g.Next(); ok; r, ok = g.Next() {
		b = append(r.Pin.AppendJSON(b), '\n')
	}
	return b
}

func cleanToDelta(ctx context.Context, store objstore.Store, lines []byte, rows int) error {
	table := delta.Open(store, "lakehouse/bench_pin_batch", delta.WithRowsPerFile(rowsPerFile))
	w, err := delta.NewWriter[record.CleanPin](ctx, table, delta.Write{Mode: delta.Overwrite})
	if err != nil {
		return err
	}
	newEncoder := func() (clean.ChunkEncoder[record.CleanPin, *delta.EncodedRows], error) {
		return w.NewRowEncoder()
	}
	report, err := clean.EncodeRows(ctx, bytes.NewReader(lines), newEncoder, w.WriteEncoded)
	if err != nil {
		w.Abort()
		return err
	}
	c, err := w.Commit(ctx)
	if err == nil && (report.RowsOut != int64(rows) || c.Rows != int64(rows)) {
		err = fmt.Errorf("cleaned %d and committed %d rows of %d", report.RowsOut, c.Rows, rows)
	}
	return err
}

func decodeToDelta(ctx context.Context, store objstore.Store, lines []byte) error {
	table := delta.Open(store, "lakehouse/bench_pin_raw", delta.WithRowsPerFile(rowsPerFile))
	w, err := delta.NewWriter[record.CleanPin](ctx, table, delta.Write{Mode: delta.Overwrite})
	if err != nil {
		return err
	}
	newEncoder := func() (clean.ChunkEncoder[record.CleanPin, *delta.EncodedRows], error) {
		return w.NewRowEncoder()
	}
	if err := clean.EncodePinCopies(ctx, bytes.NewReader(lines), newEncoder, w.WriteEncoded); err != nil {
		w.Abort()
		return err
	}
	_, err = w.Commit(ctx)
	return err
}

// WriteTable renders the result as a small aligned table with each stage's share of its
// ceiling and its target.
func (r Result) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "bench %s: %s pin rows, %d cores\n", r.Name, group(float64(r.Rows)), r.Cores)
	fmt.Fprintln(tw, "stage\trows/s\trows/cpu-s\tceiling\tceiling rows/s\tceiling rows/cpu-s\tof ceiling\ttarget")
	for _, s := range r.Stages {
		share := "-"
		if s.CeilingRowsPerSecond > 0 {
			share = strconv.Itoa(int(100*s.RowsPerSecond/s.CeilingRowsPerSecond+0.5)) + "%"
		}
		verdict := "met"
		if s.RowsPerSecond < s.Target {
			verdict = "missed"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t≥ %s %s\n", s.Name, group(s.RowsPerSecond),
			group(s.RowsPerCPUSecond), s.Ceiling, group(s.CeilingRowsPerSecond),
			group(s.CeilingRowsPerCPUSecond), share, group(s.Target), verdict)
	}
	return tw.Flush()
}

// group prints a rate as a whole number with thousands separators.
func group(x float64) string {
	s := strconv.FormatInt(int64(x+0.5), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
