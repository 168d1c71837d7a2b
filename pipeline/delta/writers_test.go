package delta

import (
	"bytes"
	"context"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
)

// The two ways of writing a data file weighed against each other: the column path of
// columnFile and parquet-go's GenericWriter with the data files' options, each with the Snappy
// encoder in use (s2.EncodeSnappy) and with parquet-go's own (s2.EncodeSnappyBetter).

// cleanedRows are rows of the synthetic source cleaned as the batch job cleans them.
func cleanedRows[T clean.CleanRow](tb testing.TB, n int) []T {
	tb.Helper()
	g := source.NewGenerator(n, 1)
	var lines []byte
	for r, ok := g.Next(); ok; r, ok = g.Next() {
		switch any(*new(T)).(type) {
		case record.CleanPin:
			lines = r.Pin.AppendJSON(lines)
		case record.CleanGeo:
			lines = r.Geo.AppendJSON(lines)
		case record.CleanUser:
			lines = r.User.AppendJSON(lines)
		}
		lines = append(lines, '\n')
	}
	var rows []T
	if _, err := clean.Rows(context.Background(), bytes.NewReader(lines), func(chunk []T) error {
		rows = append(rows, chunk...)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return rows
}

// parquetWriter encodes rows into one data file in out.
type parquetWriter[T any] func(out *bytes.Buffer, rows []T) error

// columnWriter writes through the column path.
func columnWriter[T any](tb testing.TB) parquetWriter[T] {
	l, err := layoutOf[T](parquet.SchemaOf(*new(T)))
	if err != nil || l == nil {
		tb.Fatalf("layout of %T: %v, %v", *new(T), l, err)
	}
	return func(out *bytes.Buffer, rows []T) error {
		f := newColumnFile(l, out)
		if err := f.Write(rows); err != nil {
			return err
		}
		_, err := f.Close()
		return err
	}
}

// genericWriter writes through parquet-go's GenericWriter with the data files' options and codec.
func genericWriter[T any](codec parquet.WriterOption) parquetWriter[T] {
	schema := parquet.SchemaOf(*new(T))
	opts := append(writerOptions(schema), codec)
	return func(out *bytes.Buffer, rows []T) error {
		w := parquet.NewGenericWriter[T](out, opts...)
		if _, err := w.Write(rows); err != nil {
			return err
		}
		return w.Close()
	}
}

// writerCases are the writers compared, by name.
func writerCases[T any](tb testing.TB) []struct {
	name  string
	write parquetWriter[T]
} {
	return []struct {
		name  string
		write parquetWriter[T]
	}{
		{"generic/s2", genericWriter[T](parquet.Compression(snappyCodec{}))},
		{"columns/s2", columnWriter[T](tb)},
		{"generic/snappy-better", genericWriter[T](parquet.Compression(&parquet.Snappy))},
	}
}

// BenchmarkParquetWriters writes the same cleaned rows of each table into one data file each
// way on one goroutine, as one worker of a write does, and reports rows per CPU-second, bytes
// and allocations per row, and the file's size. Reproduce the decision with
//
//	go test ./pipeline/delta -run '^$' -bench ParquetWriters -count 3
func BenchmarkParquetWriters(b *testing.B) {
	b.Run("pin", benchmarkWriters[record.CleanPin])
	b.Run("geo", benchmarkWriters[record.CleanGeo])
	b.Run("user", benchmarkWriters[record.CleanUser])
}

// benchRows is how many source rows each table's benchmark writes.
const benchRows = 100_000

func benchmarkWriters[T clean.CleanRow](b *testing.B) {
	rows := cleanedRows[T](b, benchRows)
	for _, w := range writerCases[T](b) {
		b.Run(w.name, func(b *testing.B) {
			var out bytes.Buffer
			measureWrites(b, len(rows), "rows", func() error {
				out.Reset()
				return w.write(&out, rows)
			})
			b.ReportMetric(float64(out.Len()), "file-bytes")
		})
	}
}

// BenchmarkParquetWritersLandings writes the pin, geo and user rows of the same landings each
// way, as the batch job does, and reports landings per CPU-second: the figure the decision
// between the writers rests on, since the pins cost far more per row than the others.
func BenchmarkParquetWritersLandings(b *testing.B) {
	pins := cleanedRows[record.CleanPin](b, benchRows)
	geos := cleanedRows[record.CleanGeo](b, benchRows)
	users := cleanedRows[record.CleanUser](b, benchRows)
	pinWriters, geoWriters, userWriters := writerCases[record.CleanPin](b), writerCases[record.CleanGeo](b), writerCases[record.CleanUser](b)
	for i := range pinWriters {
		b.Run(pinWriters[i].name, func(b *testing.B) {
			var out bytes.Buffer
			measureWrites(b, benchRows, "landings", func() error {
				out.Reset()
				if err := pinWriters[i].write(&out, pins); err != nil {
					return err
				}
				out.Reset()
				if err := geoWriters[i].write(&out, geos); err != nil {
					return err
				}
				out.Reset()
				return userWriters[i].write(&out, users)
			})
		})
	}
}

// measureWrites runs write b.N times and reports the units it writes each time per CPU-second,
// and the bytes and allocations per unit.
func measureWrites(b *testing.B, n int, unit string, write func() error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime()
	for b.Loop() {
		if err := write(); err != nil {
			b.Fatal(err)
		}
	}
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&after)
	total := float64(n) * float64(b.N)
	if cpu > 0 {
		b.ReportMetric(total/cpu.Seconds(), unit+"/cpu-s")
	}
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/total, "B/"+strings.TrimSuffix(unit, "s"))
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/"+strings.TrimSuffix(unit, "s"))
}

// TestParquetWritersAgree checks that every writer of the benchmark writes files the reader
// reads back row by row as written, with the same schema, codec, encodings and column chunk
// statistics, so the Delta stats and every reader of the tables see the same thing.
func TestParquetWritersAgree(t *testing.T) {
	checkWritersAgree(t, cleanedRows[record.CleanPin](t, 3000), record.CleanPinFields)
	checkWritersAgree(t, cleanedRows[record.CleanGeo](t, 3000), record.CleanGeoFields)
	checkWritersAgree(t, cleanedRows[record.CleanUser](t, 3000), record.CleanUserFields)
	checkWritersAgree(t, edgePins(300), record.CleanPinFields)
	checkWritersAgree(t, edgeGeos(300), record.CleanGeoFields)
	checkWritersAgree(t, edgeUsers(300), record.CleanUserFields)
}

func checkWritersAgree[T any](t *testing.T, rows []T, fields []record.Field) {
	t.Helper()
	var want *format.FileMetaData
	var wantStats string
	for _, w := range writerCases[T](t) {
		var out bytes.Buffer
		if err := w.write(&out, rows); err != nil {
			t.Fatalf("%T %s: %v", *new(T), w.name, err)
		}
		data := out.Bytes()
		got, err := parquet.Read[T](bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%T %s: read back: %v", *new(T), w.name, err)
		}
		if len(got) != len(rows) {
			t.Fatalf("%T %s: read back %d rows, want %d", *new(T), w.name, len(got), len(rows))
		}
		for i := range rows {
			if !reflect.DeepEqual(got[i], rows[i]) {
				t.Fatalf("%T %s: row %d read back as %+v, want %+v", *new(T), w.name, i, got[i], rows[i])
			}
		}
		meta := mustOpen(t, data).Metadata()
		stats, err := statsOf(meta, fields)
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want, wantStats = meta, stats
			continue
		}
		if stats != wantStats {
			t.Errorf("%T %s: Delta stats\n%s\nwant (%s)\n%s", *new(T), w.name, stats, writerCases[T](t)[0].name, wantStats)
		}
		if !reflect.DeepEqual(meta.Schema, want.Schema) || !reflect.DeepEqual(meta.ColumnOrders, want.ColumnOrders) {
			t.Errorf("%T %s: schema %+v, want %+v", *new(T), w.name, meta.Schema, want.Schema)
		}
		if meta.NumRows != want.NumRows || len(meta.RowGroups) != len(want.RowGroups) {
			t.Fatalf("%T %s: %d rows in %d row groups, want %d in %d", *new(T), w.name,
				meta.NumRows, len(meta.RowGroups), want.NumRows, len(want.RowGroups))
		}
		for g, rg := range meta.RowGroups {
			for c, cc := range rg.Columns {
				got, exp := cc.MetaData, want.RowGroups[g].Columns[c].MetaData
				if got.Codec != exp.Codec || got.Type != exp.Type {
					t.Errorf("%T %s: column %v is %s %s, want %s %s", *new(T), w.name,
						exp.PathInSchema, got.Type, got.Codec, exp.Type, exp.Codec)
				}
				// The column path names a nested leaf by its last name only and keeps no
				// bounds for it; Delta keeps no stats for arrays, and readers find the leaf
				// by its place in the schema.
				if len(exp.PathInSchema) > 1 {
					continue
				}
				if !reflect.DeepEqual(got.PathInSchema, exp.PathInSchema) {
					t.Errorf("%T %s: column path %v, want %v", *new(T), w.name, got.PathInSchema, exp.PathInSchema)
				}
				if !reflect.DeepEqual(got.Statistics, exp.Statistics) {
					t.Errorf("%T %s: column %v statistics %+v, want %+v", *new(T), w.name, got.PathInSchema, got.Statistics, exp.Statistics)
				}
				if got.NumValues != exp.NumValues {
					t.Errorf("%T %s: column %v holds %d values, want %d", *new(T), w.name, got.PathInSchema, got.NumValues, exp.NumValues)
				}
			}
		}
	}
}
