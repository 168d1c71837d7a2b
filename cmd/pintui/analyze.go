package main

import (
	"encoding/json"
	"fmt"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/pipeline/analytics"
	"github.com/pintui/pintui/pipeline/batch"
	"github.com/pintui/pintui/pipeline/clean"
	"github.com/spf13/cobra"
)

func (a *app) analyzeCommand() *cobra.Command {
	var paths batch.Paths
	var query, output string
	cmd := &cobra.Command{
		Use:   "analyze --pin F --geo F --user F [--query NAME] [--output table|json]",
		Short: "Print the nine analytics of raw records (JSON-lines files or folders of landed objects), de-duplicated and cleaned as the batch job does",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := command.ParseFormat(output)
			if err != nil {
				return usageError("%v", err)
			}
			if query != "" {
				if err := analytics.CheckName(query); err != nil {
					return usageError("--query: %v", err)
				}
			}
			outputs, report, err := batch.Analyze(paths)
			if err != nil {
				return err
			}
			if query != "" {
				o, err := outputs.Find(query)
				if err != nil {
					return err
				}
				outputs = analytics.Outputs{o}
			}
			a.printQuarantine(report.Quarantined)
			if format == command.FormatJSON {
				data, err := json.MarshalIndent(outputs, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(a.p.stdout, "%s\n", data)
				return err
			}
			return outputs.WriteText(a.p.stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&paths.Pin, "pin", "", "raw pin records: a JSON-lines file or a folder of landed objects")
	f.StringVar(&paths.Geo, "geo", "", "raw geo records: a JSON-lines file or a folder of landed objects")
	f.StringVar(&paths.User, "user", "", "raw user records: a JSON-lines file or a folder of landed objects")
	f.StringVar(&query, "query", "", "print only this output (one of the nine names)")
	f.StringVarP(&output, "output", "o", "table", "table or json")
	for _, name := range []string{"pin", "geo", "user"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// maxQuarantineLines bounds how many quarantined lines a command lists before summing up the rest.
const maxQuarantineLines = 20

// printQuarantine lists quarantined lines on stderr, at most maxQuarantineLines of them.
func (a *app) printQuarantine(qs []clean.Quarantined) {
	for i, q := range qs {
		if i == maxQuarantineLines {
			fmt.Fprintf(a.p.stderr, "… and %d more quarantined lines\n", len(qs)-i)
			return
		}
		fmt.Fprintf(a.p.stderr, "quarantined %s: %s\n", q.Where(), q.Reason)
	}
}
