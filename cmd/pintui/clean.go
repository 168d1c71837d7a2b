package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/pipeline/clean"
	"github.com/spf13/cobra"
)

func (a *app) cleanCommand() *cobra.Command {
	var table string
	cmd := &cobra.Command{
		Use:   "clean --table pin|geo|user [FILE|-]",
		Short: "Clean raw JSON lines of one table to JSON lines on stdout; a summary and the quarantine go to stderr",
		Long: `Clean raw JSON lines of one table (FILE, or standard input) to JSON lines on standard output,
streaming; the per-rule summary and the quarantined lines go to standard error. The console's
clean command writes a file instead.`,
		Args: atMostArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if table == "" {
				return usageError("clean: --table is required: use pin, geo or user")
			}
			t, err := command.ParseTable(table)
			if err != nil {
				return usageError("clean: %v", err)
			}
			var in io.Reader = a.p.stdin
			if len(args) == 1 && args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return fmt.Errorf("open input: %w", err)
				}
				defer f.Close()
				in = f
			}
			out := bufio.NewWriterSize(a.p.stdout, 1<<20)
			report, err := clean.Run(cmd.Context(), t, in, out)
			if ferr := out.Flush(); err == nil {
				err = ferr
			}
			if err != nil {
				return err
			}
			return report.WriteSummary(a.p.stderr)
		},
	}
	cmd.Flags().StringVar(&table, "table", "", "which table the lines are: `pin|geo|user`")
	return cmd
}
