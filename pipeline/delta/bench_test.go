package delta_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
)

// benchPins draws pin rows shaped like cleaned source rows: a few placeholders nulled, the
// rest distinct text.
func benchPins(n int) []record.CleanPin {
	cats := []string{"mens-fashion", "art", "tattoos", "beauty", "travel", "diy-and-crafts"}
	out := make([]record.CleanPin, n)
	for i := range out {
		cat := cats[i%len(cats)]
		p := record.CleanPin{
			Ind:            int64(i),
			UniqueID:       ptr(fmt.Sprintf("%08x-4b2c-4a1e-9c3d-%012x", i*7919, i)),
			Title:          ptr(fmt.Sprintf("Easy weekend %s ideas you will love, number %d", cat, i)),
			Description:    ptr(fmt.Sprintf("A longer description of pin %d about %s, with a few more words to look like real text.", i, cat)),
			FollowerCount:  ptr(int32(i * 37 % 900000)),
			PosterName:     ptr(fmt.Sprintf("poster %d", i%5000)),
			TagList:        ptr("Home Decor,Ideas,Inspiration,Weekend"),
			IsImageOrVideo: ptr("image"),
			ImageSrc:       ptr(fmt.Sprintf("https://i.pinimg.com/originals/%02x/%02x/%08x.jpg", i%256, i/256%256, i)),
			SaveLocation:   ptr("/data/" + cat),
			Category:       ptr(cat),
		}
		if i%11 == 0 {
			p.Title, p.Description, p.FollowerCount = nil, nil, nil
		}
		out[i] = p
	}
	return out
}

func benchmarkPins(b *testing.B, opts ...delta.Option) {
	const rows, chunk = 200_000, 10_000
	pins := benchPins(rows)
	ctx := context.Background()
	cpu0 := delta.CPUTime()
	for b.Loop() {
		table := delta.Open(objstore.NewDir(b.TempDir()), "lakehouse/bench_pin_batch", opts...)
		w, err := delta.NewWriter[record.CleanPin](ctx, table, delta.Write{Mode: delta.Overwrite})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < rows; i += chunk {
			if err := w.Write(pins[i : i+chunk]); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := w.Commit(ctx); err != nil {
			b.Fatal(err)
		}
	}
	reportRows(b, rows, cpu0)
}

// reportRows reports rows per wall second and, where the CPU clock is known, per CPU second
// used since cpu0.
func reportRows(b *testing.B, rows int, cpu0 time.Duration) {
	total := float64(rows) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "rows/s")
	if cpu := delta.CPUTime() - cpu0; cpu > 0 {
		b.ReportMetric(total/cpu.Seconds(), "rows/cpu-s")
	}
}

// BenchmarkWritePins writes 200k pin rows through the typed path into one data file.
func BenchmarkWritePins(b *testing.B) { benchmarkPins(b) }

// BenchmarkWritePinsParallel splits the same rows into files encoded on every core.
func BenchmarkWritePinsParallel(b *testing.B) { benchmarkPins(b, delta.WithRowsPerFile(50_000)) }

// BenchmarkEncodePinsParquetGo is the ceiling of the write benchmarks: the same rows encoded
// by parquet-go with its own defaults, into memory, with no table around them.
func BenchmarkEncodePinsParquetGo(b *testing.B) {
	const rows = 200_000
	pins := benchPins(rows)
	var buf bytes.Buffer
	cpu0 := delta.CPUTime()
	for b.Loop() {
		buf.Reset()
		w := parquet.NewGenericWriter[record.CleanPin](&buf, parquet.Compression(&parquet.Snappy))
		if _, err := w.Write(pins); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	reportRows(b, rows, cpu0)
}

// sourcePins are rows of the synthetic source as the cleaning stage hands them on.
func sourcePins(b *testing.B, n int) []record.CleanPin {
	g := source.NewGenerator(n, 1)
	var lines []byte
	for r, ok := g.Next(); ok; r, ok = g.Next() {
		lines = append(r.Pin.AppendJSON(lines), '\n')
	}
	var pins []record.CleanPin
	if _, err := clean.Rows(context.Background(), bytes.NewReader(lines), func(rows []record.CleanPin) error {
		pins = append(pins, rows...)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	return pins
}

// BenchmarkRowEncoderPins is the Delta half of the clean → Delta stage on one goroutine: source
// rows appended to a RowEncoder, encoded a cleaning chunk (~370 rows) at a time and filed into
// data files, without the upload (a Writer uploads each file as it is finished, here to a store
// that drops it).
func BenchmarkRowEncoderPins(b *testing.B) {
	const rows, chunk = 200_000, 370
	pins := sourcePins(b, rows)
	table := delta.Open(dropPuts{objstore.NewDir(b.TempDir())}, "lakehouse/bench_pin_batch", delta.WithRowsPerFile(50_000))
	cpu0 := delta.CPUTime()
	ctx := context.Background()
	for b.Loop() {
		w, err := delta.NewWriter[record.CleanPin](ctx, table, delta.Write{Mode: delta.Overwrite})
		if err != nil {
			b.Fatal(err)
		}
		enc, err := w.NewRowEncoder()
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < rows; i += chunk {
			for _, p := range pins[i:min(i+chunk, rows)] {
				enc.Append(p)
			}
			if err := w.WriteEncoded(enc.Encode()); err != nil {
				b.Fatal(err)
			}
		}
		w.Abort()
	}
	reportRows(b, rows, cpu0)
}

// dropPuts is a store that takes every put and keeps nothing.
type dropPuts struct{ objstore.Store }

func (dropPuts) Put(context.Context, string, []byte) error { return nil }
