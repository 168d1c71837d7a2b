//go:build unix

package clean

import (
	"bytes"
	"context"
	"io"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/record"
)

// benchRows is how many raw pin lines each benchmark iteration cleans.
const benchRows = 200_000

var benchLines = sync.OnceValue(func() []byte { return genLines(record.TablePin, benchRows, 42) })

// cpuClock returns the CPU time the process has used, so that a benchmark run on a busy shared
// machine can also say how many rows it cleans per second of CPU it actually got.
func cpuClock() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs the benchmark loop and reports rows per wall second and per CPU second.
func measure(b *testing.B, rows int, body func()) {
	start := cpuClock()
	for b.Loop() {
		body()
	}
	cpu := cpuClock() - start
	total := float64(rows) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(total/cpu.Seconds(), "rows/cpu-s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkDecodeCleanPin is one core decoding and cleaning pin lines into CleanPin values.
func BenchmarkDecodeCleanPin(b *testing.B) {
	data := benchLines()
	b.SetBytes(int64(len(data)))
	measure(b, benchRows, func() {
		w := chunkWorker{cleaner: NewCleaner(record.TablePin)}
		for rest := data; len(rest) > 0; {
			i := bytes.IndexByte(rest, '\n')
			line := rest[:i]
			rest = rest[i+1:]
			if err := w.dec.scan(line); err != nil {
				b.Fatal(err)
			}
			w.fields = w.dec.fields(w.fields[:0])
			if _, err := w.cleaner.Pin(Row{Fields: w.fields}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRunPin is `pintui clean --table pin`: JSON lines in, clean JSON lines out, on every
// core.
func BenchmarkRunPin(b *testing.B) {
	data := benchLines()
	b.SetBytes(int64(len(data)))
	measure(b, benchRows, func() {
		if _, err := Run(context.Background(), record.TablePin, bytes.NewReader(data), io.Discard); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkCopyPin is the ceiling of BenchmarkRunPin: the same lines decoded and encoded again
// without cleaning.
func BenchmarkCopyPin(b *testing.B) {
	data := benchLines()
	b.SetBytes(int64(len(data)))
	measure(b, benchRows, func() {
		if err := Copy(context.Background(), bytes.NewReader(data), io.Discard); err != nil {
			b.Fatal(err)
		}
	})
}
