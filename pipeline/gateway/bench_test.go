package gateway

import (
	"context"
	"testing"
	"time"
)

func TestBenchReportsEveryMeasurement(t *testing.T) {
	res, err := Bench(context.Background(), BenchOptions{Duration: 50 * time.Millisecond, Connections: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Throughputs() {
		if m.Name == "" || m.Requests == 0 || m.Records < m.Requests || m.Bytes == 0 || m.P99 < m.P50 {
			t.Errorf("measurement %+v is incomplete", m)
		}
	}
	if res.Batch.Records != 100*res.Batch.Requests {
		t.Errorf("batch measured %d records in %d requests", res.Batch.Records, res.Batch.Requests)
	}
}

// benchmarkTarget runs b.N calls of the target open gives, from 16 connections.
func benchmarkTarget(b *testing.B, open func(conns int) (*benchTarget, error)) {
	t, err := open(16)
	if err != nil {
		b.Fatal(err)
	}
	defer t.close()
	b.ResetTimer()
	if err := t.run(context.Background(), 16, func(started int64) bool { return started >= int64(b.N) }); err != nil {
		b.Fatal(err)
	}
	m := t.throughput()
	b.ReportMetric(m.RequestsPerSecond(), "req/s")
	b.ReportMetric(m.RecordsPerSecond(), "records/s")
	b.ReportMetric(float64(m.P99.Microseconds()), "p99-µs")
	b.ReportMetric(m.RecordsPerCPUSecond(), "records/cpu-s")
}

// BenchmarkGateway1 is the gateway at one record per request, as the emulator posts.
func BenchmarkGateway1(b *testing.B) {
	benchmarkTarget(b, func(conns int) (*benchTarget, error) { return gatewayTarget(conns, 1) })
}

// BenchmarkGateway100 is the gateway at 100 records per request.
func BenchmarkGateway100(b *testing.B) {
	benchmarkTarget(b, func(conns int) (*benchTarget, error) { return gatewayTarget(conns, 100) })
}

// BenchmarkDirect100 is franz-go producing the same records straight to the cluster.
func BenchmarkDirect100(b *testing.B) {
	benchmarkTarget(b, func(int) (*benchTarget, error) { return directTarget(100) })
}

// BenchmarkEcho is a bare net/http handler that only echoes, the HTTP ceiling.
func BenchmarkEcho(b *testing.B) { benchmarkTarget(b, echoTarget) }

// BenchmarkEcho100 is the echo handler reading a 100-record body: the HTTP share of the
// gateway's 100-record path, which franz-go producing directly does not pay.
func BenchmarkEcho100(b *testing.B) {
	benchmarkTarget(b, func(conns int) (*benchTarget, error) {
		t, err := httpTarget(echoHandler, produceBody(100), conns)
		if t != nil {
			t.perCall = 100
		}
		return t, err
	})
}

// BenchmarkDecode100 is the request decoder alone on a 100-record body.
func BenchmarkDecode100(b *testing.B) {
	body := produceBody(100)
	var out []byte
	var records []Record
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var err error
		records, out, err = decodeProduce(body, formatJSON, out, records)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "records/s")
}
