package emulate

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/pintui/pintui/pipeline/gateway"
	"github.com/pintui/pintui/pipeline/source"
	"github.com/twmb/franz-go/pkg/kfake"
)

func benchmarkBatch(b *testing.B, workers int) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, uid+".pin", uid+".geo", uid+".user"))
	if err != nil {
		b.Fatal(err)
	}
	defer cluster.Close()
	k, err := gateway.NewKafka(cluster.ListenAddrs())
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	server := httptest.NewServer(gateway.NewHandler(k, gateway.Options{}))
	defer server.Close()
	batch, err := NewBatch(rows(source.Generate(1000, 1)), server.URL, Options{UID: uid, Count: int64(b.N), Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	if err := batch.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(batch.Stats().Sent())/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkBatch1 is the emulator posting draws one after the other, as the original did.
func BenchmarkBatch1(b *testing.B) { benchmarkBatch(b, 1) }

// BenchmarkBatch8 is the emulator with eight draws in flight.
func BenchmarkBatch8(b *testing.B) { benchmarkBatch(b, 8) }
