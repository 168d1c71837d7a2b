package sink

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/objstore"
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
		b.ReportMetric(res.ConsumeRecordsPerSecond(), "consume-records/s")
		b.ReportMetric(res.ConsumeMBPerSecond(), "consume-MB/s")
	}
}

func BenchmarkSinkFlushSize1(b *testing.B) { benchmarkSink(b, 1, 20_000) }

func BenchmarkSinkFlushSize1000(b *testing.B) { benchmarkSink(b, 1000, 300_000) }

// benchmarkLand produces once and lands the same records again in every iteration, each time
// in a fresh group and store, so that a CPU profile is mostly the sink's.
func benchmarkLand(b *testing.B, flushSize, records int) {
	ctx := context.Background()
	bc, err := startBench(ctx, records)
	if err != nil {
		b.Fatal(err)
	}
	defer bc.cluster.Close()
	var bytes int64
	for _, f := range benchFiles(bc.topics, bc.values, flushSize) {
		bytes += int64(len(f.data))
	}
	dir := b.TempDir()
	for i := 0; b.Loop(); i++ {
		group := fmt.Sprintf("bench-land-%d", i)
		d, err := bc.land(ctx, objstore.NewDir(filepath.Join(dir, group)), bc.options(group, flushSize))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(bytes)/1e6/d.Seconds(), "MB/s")
		b.ReportMetric(float64(records)/d.Seconds(), "records/s")
	}
}

func BenchmarkLandFlushSize1(b *testing.B) { benchmarkLand(b, 1, 20_000) }

func BenchmarkLandFlushSize1000(b *testing.B) { benchmarkLand(b, 1000, 300_000) }

// benchmarkConsume is benchmarkLand's consumer alone: the consume ceiling.
func benchmarkConsume(b *testing.B, flushSize, records int) {
	ctx := context.Background()
	bc, err := startBench(ctx, records)
	if err != nil {
		b.Fatal(err)
	}
	defer bc.cluster.Close()
	for i := 0; b.Loop(); i++ {
		d, err := bc.consume(ctx, bc.options(fmt.Sprintf("bench-consume-%d", i), flushSize))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(records)/d.Seconds(), "records/s")
	}
}

func BenchmarkConsumeFlushSize1(b *testing.B) { benchmarkConsume(b, 1, 20_000) }

func BenchmarkConsumeFlushSize1000(b *testing.B) { benchmarkConsume(b, 1000, 300_000) }

func TestBenchMeasuresTheSinkBesideBothCeilings(t *testing.T) {
	res, err := Bench(context.Background(), t.TempDir(), 10, 305)
	if err != nil {
		t.Fatal(err)
	}
	// 305 records over three topics are 102, 102 and 101: ten whole files each.
	if res.Objects != 30 || res.Records != 305 {
		t.Fatalf("objects %d of records %d, want 30 of 305", res.Objects, res.Records)
	}
	if res.Sink <= 0 || res.Raw <= 0 || res.Consume <= 0 {
		t.Fatalf("sink %v, raw %v, consume %v: every run must be timed", res.Sink, res.Raw, res.Consume)
	}
	if got, want := res.ConsumeRecordsPerSecond(), 300/res.Consume.Seconds(); got != want {
		t.Fatalf("consume records/s %v, want the 300 landed records over %v (%v)", got, res.Consume, want)
	}
}

func TestOfCeilingIsAgainstTheLowerCeiling(t *testing.T) {
	for _, tc := range []struct {
		raw, consume time.Duration
		bound        string
		share        float64
	}{
		{raw: time.Second, consume: 2 * time.Second, bound: "consume", share: 0.5},
		{raw: 3 * time.Second, consume: 2 * time.Second, bound: "raw puts", share: 0.75},
	} {
		r := BenchResult{FlushSize: 1000, Objects: 300, Bytes: 200e6, Sink: 4 * time.Second, Raw: tc.raw, Consume: tc.consume}
		if r.Bound() != tc.bound || r.OfCeiling() != tc.share {
			t.Errorf("raw %v, consume %v: bound %q of ceiling %v, want %q %v", tc.raw, tc.consume, r.Bound(), r.OfCeiling(), tc.bound, tc.share)
		}
		if r.ConsumeMBPerSecond() != 200/tc.consume.Seconds() || r.ConsumeRecordsPerSecond() != 300_000/tc.consume.Seconds() {
			t.Errorf("consume %v: %v MB/s %v records/s", tc.consume, r.ConsumeMBPerSecond(), r.ConsumeRecordsPerSecond())
		}
	}
}
