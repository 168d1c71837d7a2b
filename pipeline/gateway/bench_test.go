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

// stopAfter ends a measurement after b.N calls.
func stopAfter(b *testing.B) func(int64) bool {
	return func(started int64) bool { return started >= int64(b.N) }
}

func benchmarkGateway(b *testing.B, perRequest int) {
	cluster, k, err := benchCluster()
	if err != nil {
		b.Fatal(err)
	}
	defer cluster.Close()
	defer k.Close()
	b.ResetTimer()
	t, err := loadHTTP(context.Background(), NewHandler(k, Options{}), produceBody(perRequest), 16, stopAfter(b))
	if err != nil {
		b.Fatal(err)
	}
	report(b, t, perRequest)
}

func report(b *testing.B, t Throughput, perRequest int) {
	b.ReportMetric(t.RequestsPerSecond(), "req/s")
	b.ReportMetric(t.RequestsPerSecond()*float64(perRequest), "records/s")
	b.ReportMetric(float64(t.P99.Microseconds()), "p99-µs")
	b.ReportMetric(t.RequestsPerCPUSecond()*float64(perRequest), "records/cpu-s")
}

// BenchmarkGateway1 is the gateway at one record per request, as the emulator posts.
func BenchmarkGateway1(b *testing.B) { benchmarkGateway(b, 1) }

// BenchmarkGateway100 is the gateway at 100 records per request.
func BenchmarkGateway100(b *testing.B) { benchmarkGateway(b, 100) }

// BenchmarkDirect100 is franz-go producing the same records straight to the cluster.
func BenchmarkDirect100(b *testing.B) {
	res, err := benchDirectN(b, 100)
	if err != nil {
		b.Fatal(err)
	}
	report(b, res, 100)
}

func benchDirectN(b *testing.B, perCall int) (Throughput, error) {
	b.ResetTimer()
	return benchDirectStop(context.Background(), 16, perCall, stopAfter(b))
}

// BenchmarkEcho is a bare net/http handler that only echoes, the HTTP ceiling.
func BenchmarkEcho(b *testing.B) {
	b.ResetTimer()
	t, err := loadHTTP(context.Background(), echoHandler, produceBody(1), 16, stopAfter(b))
	if err != nil {
		b.Fatal(err)
	}
	report(b, t, 1)
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
