package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/spf13/cobra"
)

func (a *app) cleanCommand() *cobra.Command {
	var table string
	cmd := &cobra.Command{
		Use:   "clean --table pin|geo|user [FILE|-]",
		Short: "Clean raw JSON lines of one table to JSON lines on stdout; a summary and the quarantine go to stderr",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t := record.Table(table)
			switch t {
			case record.TablePin, record.TableGeo, record.TableUser:
			default:
				return usageError("--table %q is not valid: use pin, geo or user", table)
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
	cmd.Flags().StringVar(&table, "table", "", "which table the lines are: pin, geo or user")
	_ = cmd.MarkFlagRequired("table")
	return cmd
}
