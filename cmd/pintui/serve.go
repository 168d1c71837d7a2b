package main

import (
	"encoding/json"
	"fmt"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/command"
	"github.com/spf13/cobra"
)

func (a *app) serveCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "serve [--output table|json]",
		Short: "Run the local stack headless (Kafka, S3, the gateway and the S3 sink) and print its endpoints",
		Long: `serve runs the embedded local stack without a console, for external clients (kcat, the AWS
CLI, curl) and for a console or script started later on the same data dir, which attach to it.
It prints the endpoints as name=address lines, or one JSON object with --output json, then serves
until interrupted, terminated or its terminal closes (SIGINT, SIGTERM, SIGHUP), and withdraws
stack.json as it stops. Emulators started from the console or scripts on the same data dir run
here and outlive them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := command.ParseFormat(output)
			if err != nil {
				return usageError("%v", err)
			}
			cfg, err := a.load()
			if err != nil {
				return err
			}
			if !cfg.IsLocal() {
				return usageError("serve runs the local stack: use --profile local")
			}
			ctx := cmd.Context()
			return a.withPipeline(ctx, func(_ *command.Registry, b *backend.Backends) error {
				e := b.Stack.Endpoints()
				if format == command.FormatJSON {
					data, err := json.Marshal(e)
					if err != nil {
						return err
					}
					fmt.Fprintf(a.p.stdout, "%s\n", data)
				} else {
					fmt.Fprint(a.p.stdout, e.String())
				}
				if !b.Owned() {
					fmt.Fprintf(a.p.stderr, "pintui: the stack in %s is already served by pid %d; these are its endpoints\n", cfg.DataDir, b.Stack.OwnerPID())
					return nil
				}
				if f, ok := a.p.stdout.(interface{ Sync() error }); ok {
					_ = f.Sync()
				}
				<-ctx.Done()
				return nil
			})
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}
