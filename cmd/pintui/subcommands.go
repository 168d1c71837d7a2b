package main

import (
	"fmt"
	"strings"

	"github.com/pintui/pintui/ops/command"
	"github.com/spf13/cobra"
)

// registryCommand exposes a registry command as a subcommand with the same flags, so
// `pintui seed --rows 5` and the console's `:seed --rows 5` run the same code.
func (a *app) registryCommand(name, use string) *cobra.Command {
	probe := command.New(&command.Env{})
	c, _ := probe.Lookup(name)
	var output string
	cmd := &cobra.Command{
		Use:   use,
		Short: c.Help,
		Args:  cobra.RangeArgs(c.MinArgs, max(c.MaxArgs, c.MinArgs)),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := command.ParseFormat(output)
			if err != nil {
				return usageError("%v", err)
			}
			cfg, err := a.load()
			if err != nil {
				return err
			}
			env := &command.Env{Config: cfg}
			if a.p.stderrTTY {
				env.Progress = newProgressBar(a.p.stderr).update
			}
			words := append(strings.Fields(name), quoteAll(args)...)
			for _, f := range c.Flags {
				if fl := cmd.Flags().Lookup(f.Name); fl.Changed {
					words = append(words, "--"+f.Name+"="+quote(fl.Value.String()))
				}
			}
			res, err := command.New(env).Run(cmd.Context(), strings.Join(words, " "))
			if err != nil {
				return err
			}
			return res.Write(a.p.stdout, format)
		},
	}
	if c.MaxArgs < 0 {
		cmd.Args = cobra.MinimumNArgs(c.MinArgs)
	}
	for _, f := range c.Flags {
		cmd.Flags().String(f.Name, f.Default, f.Help)
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}

func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = quote(a)
	}
	return out
}

// progressBar draws one self-overwriting line on a terminal.
type progressBar struct {
	w    interface{ Write([]byte) (int, error) }
	last int
}

func newProgressBar(w interface{ Write([]byte) (int, error) }) *progressBar {
	return &progressBar{w: w, last: -1}
}

func (b *progressBar) update(label string, done, total int) {
	if total <= 0 {
		return
	}
	pct := done * 100 / total
	if pct == b.last && done != total {
		return
	}
	b.last = pct
	const width = 30
	fill := width * done / total
	fmt.Fprintf(b.w, "\r%-6s [%s%s] %3d%%  %d/%d", label, strings.Repeat("█", fill), strings.Repeat("░", width-fill), pct, done, total)
	if done >= total {
		fmt.Fprintln(b.w)
	}
}
