package command

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/pipeline/bench"
	"github.com/pintui/pintui/pipeline/objstore"
)

// The targets of `bench landings`, from issue 10.
const (
	targetLs        = 100 * time.Millisecond
	targetCheck     = time.Second
	targetBatchMem  = 300 << 20
	targetPerObject = 1.10
	// A GET waits on no listing when its p99 under a full listing stays within this many times
	// its p99 alone.
	targetGetUnderListing = 3
)

// LandingsBench is what `bench landings` measured on a fresh stack holding Objects landings.
type LandingsBench struct {
	Objects int   `json:"objects"`
	Bytes   int64 `json:"bytes"`
	Puts    int   `json:"puts"`
	SeedMS  int64 `json:"seed_ms"`
	// LsMS is `s3 ls --limit 3`, the fastest of three; LsPartitionMS the same under the pin
	// topic's partition 0.
	LsMS          float64 `json:"ls_ms"`
	LsPartitionMS float64 `json:"ls_partition_ms"`
	// FirstCheckMS is the first `wait landings` check of a process, which counts FirstCounted
	// landings within its budget; WholeMS how long `wait landings >= objects` took after it;
	// CheckMS a later check.
	FirstCheckMS float64    `json:"first_check_ms"`
	FirstCounted int        `json:"first_counted"`
	WholeMS      float64    `json:"whole_count_ms"`
	CheckMS      float64    `json:"check_ms"`
	GetAlone     GetLatency `json:"get_alone"`
	GetListing   GetLatency `json:"get_under_listing"`
	ListingMS    float64    `json:"listing_ms"`
	Listed       int        `json:"listed"`
	// RawGetsPerSecond is landings fetched per second with batch run's concurrency, the ceiling
	// of its fetching.
	RawGetsPerSecond float64          `json:"raw_gets_per_second"`
	Batch            LandingsBatchRun `json:"batch"`
	// Reference is batch run over 60,000 landings in the same run, when Objects is more.
	Reference LandingsBatchRun `json:"reference"`
}

// GetLatency is the latency of GETs of random landings.
type GetLatency struct {
	Gets  int     `json:"gets"`
	P50MS float64 `json:"p50_ms"`
	P99MS float64 `json:"p99_ms"`
	MaxMS float64 `json:"max_ms"`
}

// LandingsBatchRun is one batch run of `bench landings` and its peak memory.
type LandingsBatchRun struct {
	Objects       int     `json:"objects"`
	ElapsedMS     float64 `json:"elapsed_ms"`
	PerObjectUS   float64 `json:"per_object_us"`
	PeakHeapBytes uint64  `json:"peak_heap_bytes"`
	// BaseHeapBytes is the heap the process held live before the run: the local stack's and
	// the benchmark's own; the run's own peak is the difference.
	BaseHeapBytes uint64 `json:"base_heap_bytes"`
	PeakRSSBytes  uint64 `json:"peak_rss_bytes"`
}

func getLatency(l bench.Latency) GetLatency {
	return GetLatency{Gets: l.Seen, P50MS: ms(l.P50), P99MS: ms(l.P99), MaxMS: ms(l.Max)}
}

func landingsBatchRun(r bench.BatchRun) LandingsBatchRun {
	return LandingsBatchRun{Objects: r.Objects, ElapsedMS: ms(r.Elapsed), PerObjectUS: float64(r.PerObject().Nanoseconds()) / 1000,
		PeakHeapBytes: r.PeakHeap, BaseHeapBytes: r.BaseHeap, PeakRSSBytes: r.PeakRSS}
}

func (env *Env) benchLandings(ctx context.Context, in *Invocation) (*Result, error) {
	objects, err := in.Int("objects")
	if err != nil || objects < 300 {
		return nil, fmt.Errorf("--objects %q: land at least 300 objects (60000 and 1000000 are the figures of issue 10)", in.Flag("objects"))
	}
	puts, err := in.Int("puts")
	if err != nil || puts < 1 {
		return nil, fmt.Errorf("--puts %q: run at least 1 PUT at once", in.Flag("puts"))
	}
	parent := in.Flag("dir")
	if parent == "" {
		if parent, err = os.UserHomeDir(); err != nil {
			return nil, fmt.Errorf("bench landings: %w: give --dir", err)
		}
	}
	dir, err := os.MkdirTemp(parent, "pintui-bench-landings-")
	if err != nil {
		return nil, fmt.Errorf("bench landings: make a data dir under %s: %w: give --dir a folder you can write", parent, err)
	}
	defer os.RemoveAll(dir)
	fresh := map[string]string{"XDG_CONFIG_HOME": dir}
	cfg, err := config.Load(config.Options{
		Env: func(k string) (string, bool) { v, ok := fresh[k]; return v, ok },
		Flags: map[string]string{"data_dir": dir, "uid": env.Config.UID,
			"local.kafka_addr": "127.0.0.1:0", "local.s3_addr": "127.0.0.1:0", "local.gateway_addr": "127.0.0.1:0", "local.kinesis_addr": "127.0.0.1:0",
			"local.airflow_addr": "127.0.0.1:0", "local.workspace_addr": "127.0.0.1:0"},
	})
	if err != nil {
		return nil, fmt.Errorf("bench landings: %w", err)
	}
	b, err := backend.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("bench landings: %w", err)
	}
	defer b.Close(context.Background())
	// The measured commands run on the fresh stack through their own code, as a user types them.
	reg := New(&Env{Config: cfg, Backends: b})
	r, err := bench.Landings(ctx, bench.LandingsOptions{Landings: b.Landings(), Lakehouse: objstore.NewDir(cfg.LakehouseDir()),
		UID: cfg.UID, RefUID: "ref" + cfg.UID, Objects: objects, Puts: puts,
		Ls: func(ctx context.Context, prefix string) error {
			_, err := reg.Run(ctx, strings.TrimSpace("s3 ls "+prefix+" --limit 3"))
			return err
		},
		Wait: func(ctx context.Context, want int) (int, error) {
			res, err := reg.Run(ctx, fmt.Sprintf("wait landings >= %d --timeout 10m", want))
			if err != nil {
				return 0, err
			}
			return res.Data.(LandingsWait).Landings, nil
		},
	})
	if err != nil {
		return nil, err
	}
	data := LandingsBench{Objects: r.Objects, Bytes: r.Bytes, Puts: puts, SeedMS: r.Seed.Milliseconds(), LsMS: ms(r.Ls), LsPartitionMS: ms(r.LsPartition),
		FirstCheckMS: ms(r.FirstCheck), FirstCounted: r.FirstCounted, WholeMS: ms(r.Whole), CheckMS: ms(r.Check), GetAlone: getLatency(r.GetAlone),
		GetListing: getLatency(r.GetListing), ListingMS: ms(r.Listing), Listed: r.Listed, RawGetsPerSecond: r.RawGetsPerSecond(),
		Batch: landingsBatchRun(r.Batch), Reference: landingsBatchRun(r.Reference)}
	res := &Result{Data: WithTable(data, data.TextTable())}
	res.Message = fmt.Sprintf("bench landings: %s objects (%.1f MB) landed in %s by %d PUTs at once on a fresh stack; RSS is the process's, which serves the local S3 too",
		group(float64(r.Objects)), float64(r.Bytes)/1e6, r.Seed.Round(time.Millisecond), puts)
	return res, nil
}

// TextTable puts each figure beside its ceiling or target.
func (l LandingsBench) TextTable() Table {
	t := Table{Columns: []string{"measurement", "value", "ceiling", "of ceiling", "target"}}
	row := func(cells ...string) { t.Rows = append(t.Rows, cells) }
	row("land (PUTs at once: "+strconv.Itoa(l.Puts)+")", fmt.Sprintf("%s objects/s", group(float64(l.Objects)/(float64(l.SeedMS)/1000))), "-", "-", "-")
	row("s3 ls --limit 3", msCell(l.LsMS), "-", "-", verdict(l.LsMS <= ms(targetLs), "≤ "+targetLs.String()))
	row("s3 ls topics/…pin/partition=0/ --limit 3", msCell(l.LsPartitionMS), "-", "-", verdict(l.LsPartitionMS <= ms(targetLs), "≤ "+targetLs.String()))
	row("wait landings, first check", msCell(l.FirstCheckMS)+", "+group(float64(l.FirstCounted))+" counted", "-", "-", verdict(l.FirstCheckMS <= ms(targetCheck), "≤ "+targetCheck.String()))
	row("wait landings >= all, after it", msCell(l.WholeMS), "full listing", fmt.Sprintf("%.2f×", l.WholeMS/l.ListingMS), "-")
	row("wait landings, later check", msCell(l.CheckMS), "-", "-", verdict(l.CheckMS <= ms(targetCheck), "≤ "+targetCheck.String()))
	row("GET alone", "p50 "+msCell(l.GetAlone.P50MS)+", p99 "+msCell(l.GetAlone.P99MS), "-", "-", "ceiling of the line below")
	under := "-"
	if l.GetAlone.P99MS > 0 {
		under = fmt.Sprintf("%.1f× p99", l.GetListing.P99MS/l.GetAlone.P99MS)
	}
	row("GET under a full listing", "p50 "+msCell(l.GetListing.P50MS)+", p99 "+msCell(l.GetListing.P99MS), "GET alone", under,
		verdict(l.GetListing.P99MS <= targetGetUnderListing*l.GetAlone.P99MS, fmt.Sprintf("p99 ≤ %d× alone", targetGetUnderListing)))
	row("full listing", group(float64(l.Listed))+" keys in "+msCell(l.ListingMS), "-", "-", "-")
	row("raw GETs (ceiling)", group(l.RawGetsPerSecond)+" objects/s", "-", "-", "ceiling of batch run's fetching")
	batchRate := float64(l.Batch.Objects) / (l.Batch.ElapsedMS / 1000)
	row("batch run", fmt.Sprintf("%s, %.1fµs/object, %s objects/s", msCell(l.Batch.ElapsedMS), l.Batch.PerObjectUS, group(batchRate)),
		"raw GETs", fmt.Sprintf("%.0f%%", 100*batchRate/l.RawGetsPerSecond), "-")
	if l.Reference.Objects > 0 {
		row("batch run at "+group(float64(l.Reference.Objects))+" (same run)", fmt.Sprintf("%.1fµs/object", l.Reference.PerObjectUS), "-", "-", "-")
		row("batch run per object", fmt.Sprintf("%.2f× of %s", l.Batch.PerObjectUS/l.Reference.PerObjectUS, group(float64(l.Reference.Objects))), "-", "-",
			verdict(l.Batch.PerObjectUS <= targetPerObject*l.Reference.PerObjectUS, "within 10%"))
	}
	own := l.Batch.PeakHeapBytes - min(l.Batch.BaseHeapBytes, l.Batch.PeakHeapBytes)
	row("batch run peak memory", fmt.Sprintf("heap %s, %s of it held before the run; process RSS %s", mib(l.Batch.PeakHeapBytes),
		mib(l.Batch.BaseHeapBytes), mib(l.Batch.PeakRSSBytes)), "-", "-", verdict(own <= targetBatchMem, "the run's heap ≤ 300 MiB"))
	return t
}

// verdict says whether a target is met.
func verdict(met bool, target string) string {
	if met {
		return target + " met"
	}
	return target + " missed"
}

// mib prints a size in MiB, or - when it is unknown.
func mib(n uint64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}
