package command

import (
	"context"
	"strings"
	"testing"

	"github.com/pintui/pintui/config"
)

// TestBenchStreamSeesEveryAcknowledgedRecord runs `bench stream` briefly: in both runs, without
// Kinesis limits and with AWS's, every acknowledged record is seen in its stream table and with
// GetRecords, and the table puts each Delta figure beside its ceiling and target.
func TestBenchStreamSeesEveryAcknowledgedRecord(t *testing.T) {
	cfg, err := config.Load(config.Options{Env: func(string) (string, bool) { return "", false }, Flags: map[string]string{"data_dir": t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := New(&Env{Config: cfg}).Run(context.Background(), "bench stream --rate 90 --duration 1s")
	if err != nil {
		t.Fatal(err)
	}
	got := res.Data.(StreamBench)
	if len(got.Runs) != 2 || got.Runs[0].KinesisLimits != "off" || got.Runs[1].KinesisLimits != "aws" {
		t.Fatalf("runs %+v, want one without limits and one with AWS's", got.Runs)
	}
	for _, r := range got.Runs {
		if r.Acked != 90 || r.Failed != 0 || r.Delta.Seen != 90 || r.Delta.Missing != 0 || r.GetRecords.Seen != 90 || r.GetRecords.Missing != 0 {
			t.Errorf("%s: %+v, want the 90 records put, each seen in Delta and with GetRecords", r.KinesisLimits, r)
		}
		if r.Delta.P50MS > r.Delta.P99MS || r.Delta.P99MS > r.Delta.MaxMS {
			t.Errorf("%s: percentiles out of order: %+v", r.KinesisLimits, r.Delta)
		}
	}
	table := got.TextTable()
	if len(table.Rows) != 4 || table.Rows[0][1] != "put → Delta snapshot" || table.Rows[1][8] != "ceiling of the line above" ||
		!strings.HasPrefix(table.Rows[0][8], "p99 ≤ 150ms ") || !strings.HasPrefix(table.Rows[2][8], "p99 ≤ 400ms ") {
		t.Errorf("table %v", table.Rows)
	}
}
