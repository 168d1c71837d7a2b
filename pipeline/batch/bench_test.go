package batch

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pintui/pintui/pipeline/bench/peak"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

// BenchmarkRun runs the job over landings as the S3 sink writes them by default, one record per
// object in a folder store, 2,000 draws per table with every fourth one a re-draw.
func BenchmarkRun(b *testing.B) {
	const draws = 2000
	dir := b.TempDir()
	j := &Job{UID: uid, Landings: objstore.NewDir(filepath.Join(dir, "bucket")),
		Lakehouse: objstore.NewDir(filepath.Join(dir, "lakehouse"))}
	idKeys := map[record.Table]string{record.TablePin: `"index": `, record.TableGeo: `"ind": `, record.TableUser: `"ind": `}
	for table, idKey := range idKeys {
		template := exampleLines(b, "raw_"+string(table)+".jsonl")[1]
		for i := range draws {
			id := i
			if i%4 == 3 {
				id = i - 1
			}
			line := strings.Replace(template, idKey+"10794", idKey+strconv.Itoa(id), 1)
			if err := j.Landings.Put(context.Background(), landingKey(table, i), []byte(line)); err != nil {
				b.Fatal(err)
			}
		}
	}
	for b.Loop() {
		if _, err := j.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(3*draws*b.N)/b.Elapsed().Seconds(), "landings/s")
}

// BenchmarkRunFolder runs the job over the folder of landings PINTUI_BENCH_LANDINGS names (as
// `pintui seed --landings DIR --draws N` writes it), so the cost per object and the peak heap can
// be compared at 60,000 and 1,000,000 landings; it is skipped without it.
func BenchmarkRunFolder(b *testing.B) {
	dir := os.Getenv("PINTUI_BENCH_LANDINGS")
	if dir == "" {
		b.Skip("set PINTUI_BENCH_LANDINGS to a folder of landings")
	}
	landings := objstore.NewDir(dir)
	objs, err := landings.List(context.Background(), "topics/")
	if err != nil {
		b.Fatal(err)
	}
	j := &Job{UID: uid, Landings: landings, Lakehouse: objstore.NewDir(b.TempDir())}
	stop, most := make(chan struct{}), make(chan uint64)
	go func() { most <- peak.Heap(stop) }()
	for b.Loop() {
		if _, err := j.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	close(stop)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(len(objs)*b.N), "ns/landing")
	b.ReportMetric(float64(<-most)/(1<<20), "peak-heap-MiB")
}
