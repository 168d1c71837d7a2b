package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/pipeline/bench"
	"github.com/pintui/pintui/pipeline/gateway"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/sink"
)

// IngestBench is what `bench ingest` measured: each gateway measurement beside its ceiling.
type IngestBench struct {
	Connections  int                `json:"connections"`
	DurationMS   int64              `json:"duration_ms"`
	Cores        int                `json:"cores"`
	Measurements []IngestThroughput `json:"measurements"`
}

// IngestThroughput is one measurement of `bench ingest`.
type IngestThroughput struct {
	Name                string  `json:"name"`
	Requests            int64   `json:"requests"`
	Records             int64   `json:"records"`
	Bytes               int64   `json:"bytes"`
	ElapsedMS           float64 `json:"elapsed_ms"`
	P50MS               float64 `json:"p50_ms"`
	P99MS               float64 `json:"p99_ms"`
	CPUMS               float64 `json:"cpu_ms"`
	RequestsPerSecond   float64 `json:"requests_per_second"`
	RecordsPerSecond    float64 `json:"records_per_second"`
	RecordsPerCPUSecond float64 `json:"records_per_cpu_second"`
	// OfCeiling is the gateway's rate as a share of its ceiling's, measured in the same run:
	// requests/s of the echo's at 1 record, records/s of franz-go's at 100; null for a ceiling.
	OfCeiling *float64 `json:"of_ceiling"`
	Target    string   `json:"target"`
}

// SinkBench is what `bench sink` measured: one run per flush size.
type SinkBench struct {
	Runs []SinkRun `json:"runs"`
}

// SinkRun is the S3 sink at one flush size beside raw puts of the same objects.
type SinkRun struct {
	FlushSize            int     `json:"flush_size"`
	Records              int     `json:"records"`
	Objects              int     `json:"objects"`
	Bytes                int64   `json:"bytes"`
	SinkMS               float64 `json:"sink_ms"`
	RawMS                float64 `json:"raw_ms"`
	SinkObjectsPerSecond float64 `json:"sink_objects_per_second"`
	RawObjectsPerSecond  float64 `json:"raw_objects_per_second"`
	Target               string  `json:"target"`
}

// benchCommands measure pipeline stages, each beside the ceiling measured in the same run.
func (env *Env) benchCommands() []*Command {
	return []*Command{
		{
			Name:  "bench clean",
			Help:  "Measure rows/s of decode + clean + Parquet/Delta write and of clean to JSON lines, beside their ceilings.",
			Flags: []Flag{{Name: "rows", Default: "200000", Help: "generated pin landing lines to clean; below the default the figures are noisy"}},
			Run:   env.benchClean,
		},
		{
			Name: "bench ingest",
			Help: "Measure gateway requests/s at 1 record per request and records/s at 100, beside a bare HTTP echo and franz-go producing straight to an embedded cluster.",
			Flags: []Flag{
				{Name: "duration", Default: "3s", Help: "how long each measurement runs"},
				{Name: "connections", Default: "16", Help: "concurrent keep-alive clients"},
			},
			Run: env.benchIngest,
		},
		{
			Name: "bench sink",
			Help: "Measure S3 sink objects/s at flush.size 1 and MB/s at 1000, beside raw puts of the same bytes.",
			Flags: []Flag{
				{Name: "records", Default: "20000", Help: "records landed at flush.size 1"},
				{Name: "large-records", Default: "300000", Help: "records landed at flush.size 1000"},
			},
			Run: env.benchSink,
		},
		{
			Name: "bench stream",
			Help: "Measure the latency from the 200 of a put through the gateway to the row in its stream table's Delta snapshot, p50/p95/p99, beside the latency to GetRecords, on a fresh stack and again with AWS's Kinesis limits.",
			Flags: []Flag{
				{Name: "rate", Default: "1000", Help: "records put per second over the three streams"},
				{Name: "duration", Default: "30s", Help: "how long records are put in each run"},
			},
			Run: env.benchStream,
		},
		{
			Name: "bench landings",
			Help: "On a fresh stack, land N objects and measure a listing of 3 entries, GETs alone and under a full listing, a wait landings check and batch run's time per object and peak memory, beside their ceilings and targets.",
			Flags: []Flag{
				{Name: "objects", Default: "60000", Help: "objects landed, a third per topic, one record each"},
				{Name: "puts", Default: "16", Help: "PUTs at once while landing"},
				{Name: "dir", Default: "", Help: "folder the fresh stack's data dir is made in (default: the home folder)"},
			},
			Run: env.benchLandings,
		},
	}
}

func (env *Env) benchClean(ctx context.Context, in *Invocation) (*Result, error) {
	rows, err := in.Int("rows")
	if err != nil {
		return nil, err
	}
	if rows < 1000 {
		return nil, fmt.Errorf("--rows %d: clean at least 1000 rows (200000 for steady figures)", rows)
	}
	r, err := bench.Clean(ctx, rows)
	if err != nil {
		return nil, err
	}
	tbl := Table{Columns: []string{"stage", "rows/s", "rows/cpu-s", "ceiling", "ceiling rows/s", "ceiling rows/cpu-s", "of ceiling", "target"}}
	for _, s := range r.Stages {
		share := "-"
		if s.CeilingRowsPerSecond > 0 {
			share = strconv.Itoa(int(100*s.RowsPerSecond/s.CeilingRowsPerSecond+0.5)) + "%"
		}
		tbl.Rows = append(tbl.Rows, []string{s.Name, group(s.RowsPerSecond), group(s.RowsPerCPUSecond), s.Ceiling,
			group(s.CeilingRowsPerSecond), group(s.CeilingRowsPerCPUSecond), share, target(s.RowsPerSecond, s.Target, "rows/s")})
	}
	res := &Result{Data: WithTable(r, tbl)}
	res.Message = fmt.Sprintf("bench %s: %s pin rows, %d cores", r.Name, group(float64(r.Rows)), r.Cores)
	if rows < bench.DefaultCleanRows {
		res.Message += fmt.Sprintf("; fewer than %s rows, so the figures are noisy", group(bench.DefaultCleanRows))
	}
	return res, nil
}

func (env *Env) benchIngest(ctx context.Context, in *Invocation) (*Result, error) {
	d, err := in.Duration("duration")
	if err != nil {
		return nil, err
	}
	conns, err := in.Int("connections")
	if err != nil {
		return nil, err
	}
	if d <= 0 || conns < 1 {
		return nil, fmt.Errorf("--duration %s --connections %d: use a positive duration and at least 1 connection", d, conns)
	}
	r, err := gateway.Bench(ctx, gateway.BenchOptions{Duration: d, Connections: conns})
	if err != nil {
		return nil, err
	}
	single := r.Single.RequestsPerSecond() / r.Echo.RequestsPerSecond()
	batch := r.Batch.RecordsPerSecond() / r.Direct.RecordsPerSecond()
	shares := map[string]*float64{r.Single.Name: &single, r.Batch.Name: &batch}
	targets := map[string]string{
		r.Single.Name: targetShare(single, 0.8) + ", " + targetP99(r.Single.P99),
		r.Batch.Name:  targetShare(batch, 0.6),
		r.Echo.Name:   "ceiling of the line above",
		r.Direct.Name: "ceiling of the line above",
	}
	data := IngestBench{Connections: conns, DurationMS: d.Milliseconds(), Cores: runtime.NumCPU(), Measurements: []IngestThroughput{}}
	tbl := Table{Columns: []string{"measurement", "requests/s", "records/s", "p50", "p99", "records/cpu-s", "of ceiling", "target"}}
	for _, t := range r.Throughputs() {
		data.Measurements = append(data.Measurements, IngestThroughput{Name: t.Name, Requests: t.Requests, Records: t.Records, Bytes: t.Bytes,
			ElapsedMS: ms(t.Elapsed), P50MS: ms(t.P50), P99MS: ms(t.P99), CPUMS: ms(t.CPU), RequestsPerSecond: t.RequestsPerSecond(),
			RecordsPerSecond: t.RecordsPerSecond(), RecordsPerCPUSecond: t.RecordsPerCPUSecond(), OfCeiling: shares[t.Name], Target: targets[t.Name]})
		share := "-"
		if s := shares[t.Name]; s != nil {
			share = fmt.Sprintf("%.0f%%", 100**s)
		}
		tbl.Rows = append(tbl.Rows, []string{t.Name, group(t.RequestsPerSecond()), group(t.RecordsPerSecond()),
			t.P50.Round(time.Microsecond).String(), t.P99.Round(time.Microsecond).String(), group(t.RecordsPerCPUSecond()), share, targets[t.Name]})
	}
	res := &Result{Data: WithTable(data, tbl)}
	res.Message = fmt.Sprintf("%d connections, %s per measurement, %d cores; the four measurements take turns in slices of %s so load from other processes falls on all alike; records/cpu-s counts the load generator's CPU too", conns, d, runtime.NumCPU(), gateway.BenchSlice)
	return res, nil
}

func (env *Env) benchSink(ctx context.Context, in *Invocation) (*Result, error) {
	small, err := in.Int("records")
	if err != nil {
		return nil, err
	}
	large, err := in.Int("large-records")
	if err != nil {
		return nil, err
	}
	if small < 1 || large < 1 {
		return nil, fmt.Errorf("--records %d --large-records %d: land at least 1 record in each run", small, large)
	}
	tbl := Table{Columns: []string{"flush.size", "records", "objects", "MB", "sink obj/s", "sink MB/s", "raw obj/s", "raw MB/s", "of ceiling", "target"}}
	data := SinkBench{Runs: []SinkRun{}}
	for _, run := range []struct{ flush, records int }{{1, small}, {1000, large}} {
		r, err := sink.Bench(ctx, os.TempDir(), run.flush, run.records)
		if err != nil {
			return nil, err
		}
		tgt := target(r.SinkObjectsPerSecond(), 3000, "objects/s")
		share := r.SinkObjectsPerSecond() / r.RawObjectsPerSecond()
		if run.flush > 1 {
			tgt = target(r.SinkMBPerSecond(), 150, "MB/s")
			share = r.SinkMBPerSecond() / r.RawMBPerSecond()
		}
		data.Runs = append(data.Runs, SinkRun{FlushSize: r.FlushSize, Records: r.Records, Objects: r.Objects, Bytes: r.Bytes,
			SinkMS: ms(r.Sink), RawMS: ms(r.Raw), SinkObjectsPerSecond: r.SinkObjectsPerSecond(), RawObjectsPerSecond: r.RawObjectsPerSecond(), Target: tgt})
		tbl.Rows = append(tbl.Rows, []string{strconv.Itoa(r.FlushSize), strconv.Itoa(r.Records), strconv.Itoa(r.Objects),
			fmt.Sprintf("%.1f", float64(r.Bytes)/1e6), group(r.SinkObjectsPerSecond()), fmt.Sprintf("%.1f", r.SinkMBPerSecond()),
			group(r.RawObjectsPerSecond()), fmt.Sprintf("%.1f", r.RawMBPerSecond()), fmt.Sprintf("%.0f%%", 100*share), tgt})
	}
	res := &Result{Data: WithTable(data, tbl)}
	res.Message = "the sink lands from an embedded Kafka into a folder store; raw puts write the same objects into another"
	return res, nil
}

// ms is a duration in milliseconds, for keys ending _ms.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// target says whether a measured rate meets its target.
func target(got, want float64, unit string) string {
	verdict := "met"
	if got < want {
		verdict = "missed"
	}
	return fmt.Sprintf("≥ %s %s %s", group(want), unit, verdict)
}

// targetShare says whether a share of the ceiling meets its target.
func targetShare(got, want float64) string {
	verdict := "met"
	if got < want {
		verdict = "missed"
	}
	return fmt.Sprintf("≥ %.0f%% of ceiling %s", 100*want, verdict)
}

func targetP99(p99 time.Duration) string {
	verdict := "met"
	if p99 > 5*time.Millisecond {
		verdict = "missed"
	}
	return "p99 ≤ 5ms " + verdict
}

// group prints a rate as a whole number with thousands separators.
func group(x float64) string {
	s := strconv.FormatInt(int64(x+0.5), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// StreamBench is what `bench stream` measured: a run without Kinesis limits and one with
// AWS's, each the latency to Delta beside the latency to GetRecords.
type StreamBench struct {
	Rate       int              `json:"rate"`
	DurationMS int64            `json:"duration_ms"`
	Cores      int              `json:"cores"`
	Runs       []StreamBenchRun `json:"runs"`
}

// StreamBenchRun is one run of `bench stream` on a fresh stack.
type StreamBenchRun struct {
	// KinesisLimits is off or aws, as local.kinesis_limits.
	KinesisLimits string `json:"kinesis_limits"`
	// Acked counts the puts answered 200, Failed the others; MeasuredRate is the acknowledged
	// records per second reached.
	Acked        int     `json:"acked"`
	Failed       int     `json:"failed"`
	MeasuredRate float64 `json:"measured_rate"`
	// Delta is put → row in the stream table's snapshot; GetRecords put → readable from the
	// shard, its ceiling.
	Delta      StreamLatency `json:"delta"`
	GetRecords StreamLatency `json:"get_records"`
	Target     string        `json:"target"`
}

// StreamLatency is one path's latency percentiles from the 200 of the put.
type StreamLatency struct {
	Seen    int     `json:"seen"`
	Missing int     `json:"missing"`
	P50MS   float64 `json:"p50_ms"`
	P95MS   float64 `json:"p95_ms"`
	P99MS   float64 `json:"p99_ms"`
	MaxMS   float64 `json:"max_ms"`
}

func streamLatency(l bench.Latency) StreamLatency {
	return StreamLatency{Seen: l.Seen, Missing: l.Missing, P50MS: ms(l.P50), P95MS: ms(l.P95), P99MS: ms(l.P99), MaxMS: ms(l.Max)}
}

// The p99 targets of put → row in Delta, locally and with AWS's Kinesis limits.
var streamTargets = map[string]time.Duration{"off": 150 * time.Millisecond, "aws": 400 * time.Millisecond}

// TextTable puts each run's Delta latency beside its GetRecords ceiling.
func (s StreamBench) TextTable() Table {
	t := Table{Columns: []string{"limits", "path", "records/s", "p50", "p95", "p99", "max", "missing", "target"}}
	for _, r := range s.Runs {
		for _, p := range []struct {
			name, target string
			l            StreamLatency
		}{{"put → Delta snapshot", r.Target, r.Delta}, {"put → GetRecords (ceiling)", "ceiling of the line above", r.GetRecords}} {
			t.Rows = append(t.Rows, []string{r.KinesisLimits, p.name, group(r.MeasuredRate), msCell(p.l.P50MS), msCell(p.l.P95MS),
				msCell(p.l.P99MS), msCell(p.l.MaxMS), strconv.Itoa(p.l.Missing), p.target})
		}
	}
	return t
}

func msCell(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + "ms" }

func (env *Env) benchStream(ctx context.Context, in *Invocation) (*Result, error) {
	rate, err := in.Int("rate")
	if err != nil {
		return nil, err
	}
	d, err := in.Duration("duration")
	if err != nil {
		return nil, err
	}
	if rate < 1 || d <= 0 {
		return nil, fmt.Errorf("--rate %d --duration %s: put at least 1 record a second for a positive duration", rate, d)
	}
	data := StreamBench{Rate: rate, DurationMS: d.Milliseconds(), Cores: runtime.NumCPU(), Runs: []StreamBenchRun{}}
	for _, limits := range []string{"off", "aws"} {
		run, err := env.benchStreamRun(ctx, limits, rate, d)
		if err != nil {
			return nil, err
		}
		data.Runs = append(data.Runs, run)
	}
	return &Result{Data: data, Message: fmt.Sprintf("%d records/s for %s per run through a fresh stack's gateway, %d cores; the stream job's trigger is %s",
		rate, d, runtime.NumCPU(), env.Config.StreamTrigger())}, nil
}

// benchStreamRun measures one run on a fresh local stack in a folder under the home folder (the
// local Kinesis fsyncs every put, which is slow under /tmp on some machines), removed afterwards.
func (env *Env) benchStreamRun(ctx context.Context, limits string, rate int, d time.Duration) (StreamBenchRun, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return StreamBenchRun{}, fmt.Errorf("bench stream: %w", err)
	}
	dir, err := os.MkdirTemp(home, "pintui-bench-stream-")
	if err != nil {
		return StreamBenchRun{}, fmt.Errorf("bench stream: make a data dir: %w", err)
	}
	defer os.RemoveAll(dir)
	// The stack keeps this process's trigger interval and nothing else of its configuration.
	fresh := map[string]string{"XDG_CONFIG_HOME": dir, "PINTUI_STREAM_TRIGGER_INTERVAL": env.Config.Stream.TriggerInterval}
	cfg, err := config.Load(config.Options{
		Env: func(k string) (string, bool) { v, ok := fresh[k]; return v, ok },
		Flags: map[string]string{"data_dir": dir, "uid": env.Config.UID,
			"local.kafka_addr": "127.0.0.1:0", "local.s3_addr": "127.0.0.1:0", "local.gateway_addr": "127.0.0.1:0", "local.kinesis_addr": "127.0.0.1:0",
			"local.airflow_addr": "127.0.0.1:0", "local.workspace_addr": "127.0.0.1:0",
			"local.kinesis_limits": limits},
	})
	if err != nil {
		return StreamBenchRun{}, fmt.Errorf("bench stream: %w", err)
	}
	b, err := backend.Open(ctx, cfg)
	if err != nil {
		return StreamBenchRun{}, fmt.Errorf("bench stream: %w", err)
	}
	defer b.Close(context.Background())
	if b.Kinesis == nil {
		return StreamBenchRun{}, errors.New("bench stream: the stack serves no Kinesis")
	}
	// With AWS's limits a shard takes 5 GetRecords calls a second, shared by the stream job and
	// the ceiling's reader: the job keeps to 4, the reader to one every 2 s, so their calls
	// together stay under the limit with room for a call late by a few milliseconds.
	poll := 5 * time.Millisecond
	if limits == "aws" {
		poll = 2 * time.Second
	}
	r, err := bench.Stream(ctx, bench.StreamOptions{Gateway: b.GatewayURL, UID: cfg.UID, Lakehouse: objstore.NewDir(cfg.LakehouseDir()),
		Reader: b.Kinesis, Rate: rate, Duration: d, Poll: poll, DeltaPoll: 5 * time.Millisecond, Grace: 10 * time.Second})
	if err != nil {
		return StreamBenchRun{}, err
	}
	want := streamTargets[limits]
	verdict := "met"
	if r.Delta.P99 > want || r.Delta.Missing > 0 {
		verdict = "missed"
	}
	return StreamBenchRun{KinesisLimits: limits, Acked: r.Acked, Failed: r.Failed, MeasuredRate: r.Rate(),
		Delta: streamLatency(r.Delta), GetRecords: streamLatency(r.GetRecords), Target: fmt.Sprintf("p99 ≤ %s %s", want, verdict)}, nil
}
