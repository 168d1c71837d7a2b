package sink

import (
	"context"
	"testing"
)

func benchmarkSink(b *testing.B, flushSize, records int) {
	for b.Loop() {
		res, err := Bench(context.Background(), b.TempDir(), flushSize, records)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.SinkObjectsPerSecond(), "objects/s")
		b.ReportMetric(res.SinkMBPerSecond(), "MB/s")
		b.ReportMetric(res.RawObjectsPerSecond(), "raw-objects/s")
		b.ReportMetric(res.RawMBPerSecond(), "raw-MB/s")
	}
}

func BenchmarkSinkFlushSize1(b *testing.B) { benchmarkSink(b, 1, 20_000) }

func BenchmarkSinkFlushSize1000(b *testing.B) { benchmarkSink(b, 1000, 300_000) }
