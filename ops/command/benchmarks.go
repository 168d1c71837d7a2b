package command

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/pintui/pintui/pipeline/bench"
	"github.com/pintui/pintui/pipeline/gateway"
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
	Target              string  `json:"target"`
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
	targets := map[string]string{
		r.Single.Name: target(r.Single.RequestsPerSecond(), 25_000, "req/s") + ", " + targetP99(r.Single.P99),
		r.Batch.Name:  target(r.Batch.RecordsPerSecond(), 300_000, "records/s"),
		r.Echo.Name:   "ceiling of the line above",
		r.Direct.Name: "ceiling of the line above",
	}
	data := IngestBench{Connections: conns, DurationMS: d.Milliseconds(), Cores: runtime.NumCPU(), Measurements: []IngestThroughput{}}
	tbl := Table{Columns: []string{"measurement", "requests/s", "records/s", "p50", "p99", "records/cpu-s", "target"}}
	for _, t := range r.Throughputs() {
		data.Measurements = append(data.Measurements, IngestThroughput{Name: t.Name, Requests: t.Requests, Records: t.Records, Bytes: t.Bytes,
			ElapsedMS: ms(t.Elapsed), P50MS: ms(t.P50), P99MS: ms(t.P99), CPUMS: ms(t.CPU), RequestsPerSecond: t.RequestsPerSecond(),
			RecordsPerSecond: t.RecordsPerSecond(), RecordsPerCPUSecond: t.RecordsPerCPUSecond(), Target: targets[t.Name]})
		tbl.Rows = append(tbl.Rows, []string{t.Name, group(t.RequestsPerSecond()), group(t.RecordsPerSecond()),
			t.P50.Round(time.Microsecond).String(), t.P99.Round(time.Microsecond).String(), group(t.RecordsPerCPUSecond()), targets[t.Name]})
	}
	res := &Result{Data: WithTable(data, tbl)}
	res.Message = fmt.Sprintf("%d connections, %s per measurement, %d cores; records/cpu-s counts the load generator's CPU too", conns, d, runtime.NumCPU())
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
