package batch

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
