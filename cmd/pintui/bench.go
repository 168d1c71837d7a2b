package main

import (
	"encoding/json"
	"fmt"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/pipeline/bench"
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
	root.AddCommand(clean)
	return root
}
