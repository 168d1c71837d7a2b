package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/pipeline/bench"
	"github.com/pintui/pintui/pipeline/gateway"
	"github.com/pintui/pintui/pipeline/sink"
	"github.com/spf13/cobra"
)

func (a *app) benchCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "bench",
		Short: "Measure pipeline stages, each beside the ceiling measured in the same run",
	}
	var rows int
	var output string
	clean := &cobra.Command{
		Use:   "clean [--rows N]",
		Short: "Rows/s of decode + clean + Parquet/Delta write and of clean to JSON lines, beside their ceilings",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := command.ParseFormat(output)
			if err != nil {
				return usageError("%v", err)
			}
			if rows < 200_000 {
				return usageError("--rows %d: the benchmark needs at least 200000 rows to be meaningful", rows)
			}
			res, err := bench.Clean(cmd.Context(), rows)
			if err != nil {
				return err
			}
			if format == command.FormatJSON {
				data, err := json.Marshal(res)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(a.p.stdout, "%s\n", data)
				return err
			}
			return res.WriteTable(a.p.stdout)
		},
	}
	clean.Flags().IntVar(&rows, "rows", 200_000, "generated pin landing lines to clean")
	clean.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	root.AddCommand(clean, a.benchIngestCommand(), a.benchSinkCommand())
	return root
}

// printBench writes a benchmark result as a table, or its value as JSON.
func (a *app) printBench(output string, res *command.Result) error {
	format, err := command.ParseFormat(output)
	if err != nil {
		return usageError("%v", err)
	}
	return res.Write(a.p.stdout, format)
}

func (a *app) benchIngestCommand() *cobra.Command {
	var d time.Duration
	var conns int
	var output string
	cmd := &cobra.Command{
		Use:   "ingest [--duration D] [--connections N]",
		Short: "Gateway requests/s at 1 record per request and records/s at 100, beside a bare HTTP echo and franz-go producing straight to the embedded cluster",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := gateway.Bench(cmd.Context(), gateway.BenchOptions{Duration: d, Connections: conns})
			if err != nil {
				return err
			}
			tbl := command.Table{Columns: []string{"measurement", "requests/s", "records/s", "p50", "p99", "records/cpu-s", "target"}}
			targets := map[string]string{}
			targets[r.Single.Name] = target(r.Single.RequestsPerSecond(), 25_000, "req/s") + ", " + targetP99(r.Single.P99)
			targets[r.Batch.Name] = target(r.Batch.RecordsPerSecond(), 300_000, "records/s")
			targets[r.Echo.Name] = "ceiling of the line above"
			targets[r.Direct.Name] = "ceiling of the line above"
			for _, t := range r.Throughputs() {
				tbl.Rows = append(tbl.Rows, []string{t.Name, group(t.RequestsPerSecond()), group(t.RecordsPerSecond()),
					t.P50.Round(time.Microsecond).String(), t.P99.Round(time.Microsecond).String(), group(t.RecordsPerCPUSecond()), targets[t.Name]})
			}
			res := &command.Result{Data: command.WithTable(r, tbl)}
			res.Message = fmt.Sprintf("%d connections, %s per measurement, %d cores; records/cpu-s counts the load generator's CPU too", conns, d, runtime.NumCPU())
			return a.printBench(output, res)
		},
	}
	cmd.Flags().DurationVar(&d, "duration", 3*time.Second, "how long each measurement runs")
	cmd.Flags().IntVar(&conns, "connections", 16, "concurrent keep-alive clients")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}

func (a *app) benchSinkCommand() *cobra.Command {
	var small, large int
	var output string
	cmd := &cobra.Command{
		Use:   "sink [--records N] [--large-records N]",
		Short: "S3 sink objects/s at flush.size 1 and MB/s at 1000, beside raw puts of the same bytes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tbl := command.Table{Columns: []string{"flush.size", "records", "objects", "MB", "sink obj/s", "sink MB/s", "raw obj/s", "raw MB/s", "of ceiling", "target"}}
			var runs []sink.BenchResult
			for _, run := range []struct{ flush, records int }{{1, small}, {1000, large}} {
				r, err := sink.Bench(cmd.Context(), os.TempDir(), run.flush, run.records)
				if err != nil {
					return err
				}
				runs = append(runs, r)
				tgt := target(r.SinkObjectsPerSecond(), 3000, "objects/s")
				share := r.SinkObjectsPerSecond() / r.RawObjectsPerSecond()
				if run.flush > 1 {
					tgt = target(r.SinkMBPerSecond(), 150, "MB/s")
					share = r.SinkMBPerSecond() / r.RawMBPerSecond()
				}
				tbl.Rows = append(tbl.Rows, []string{strconv.Itoa(r.FlushSize), strconv.Itoa(r.Records), strconv.Itoa(r.Objects),
					fmt.Sprintf("%.1f", float64(r.Bytes)/1e6), group(r.SinkObjectsPerSecond()), fmt.Sprintf("%.1f", r.SinkMBPerSecond()),
					group(r.RawObjectsPerSecond()), fmt.Sprintf("%.1f", r.RawMBPerSecond()), fmt.Sprintf("%.0f%%", 100*share), tgt})
			}
			res := &command.Result{Data: command.WithTable(runs, tbl)}
			res.Message = "the sink lands from the embedded Kafka into a folder store; raw puts write the same objects into another"
			return a.printBench(output, res)
		},
	}
	cmd.Flags().IntVar(&small, "records", 20_000, "records landed at flush.size 1")
	cmd.Flags().IntVar(&large, "large-records", 300_000, "records landed at flush.size 1000")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}

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
