package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/command"
	"github.com/spf13/cobra"
)

// standalone lists the registry commands that run without the pipeline: they read and write
// files only, or start a fresh stack of their own, so a subcommand need not start or attach to
// the configured stack for them.
var standalone = []string{"seed", "analyze", "bench clean", "bench ingest", "bench sink", "bench landings", "bench stream"}

// addRegistryCommands gives every console command a subcommand with the same words, arguments
// and flags, so `pintui tail topic T --from -5` and the console's `:tail topic T --from -5` run
// the same code. Multi-word commands hang under a group per first word; a subcommand written by
// hand (one that streams, such as clean) keeps its place.
func (a *app) addRegistryCommands(root *cobra.Command) {
	var groups []*cobra.Command
	for _, c := range command.New(&command.Env{}).Commands() {
		if c.Name == "help" {
			continue
		}
		words := strings.Fields(c.Name)
		parent := root
		for _, w := range words[:len(words)-1] {
			next := child(parent, w)
			if next == nil {
				next = groupCommand(w)
				parent.AddCommand(next)
				groups = append(groups, next)
			}
			parent = next
		}
		if child(parent, words[len(words)-1]) == nil {
			parent.AddCommand(a.registryCommand(c))
		}
	}
	for _, g := range groups {
		names := make([]string, 0, len(g.Commands()))
		for _, sub := range g.Commands() {
			names = append(names, sub.Name())
		}
		g.Short = "The " + g.Name() + " commands: " + strings.Join(names, ", ")
	}
}

// child returns parent's subcommand named word, or nil.
func child(parent *cobra.Command, word string) *cobra.Command {
	for _, sub := range parent.Commands() {
		if sub.Name() == word {
			return sub
		}
	}
	return nil
}

// groupCommand is the command of a first word shared by several console commands, such as
// batch; on its own it prints its help.
func groupCommand(word string) *cobra.Command {
	return &cobra.Command{
		Use:  word,
		Args: unknownSubcommand,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		// cobra's default, which it applies only where it suggests by itself.
		SuggestionsMinimumDistance: 2,
	}
}

// unknownSubcommand refuses words that name no subcommand, suggesting the nearest one.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	typed := strings.TrimPrefix(cmd.CommandPath()+" "+args[0], cmd.Root().Name()+" ")
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		near := strings.TrimPrefix(cmd.CommandPath()+" "+s[0], cmd.Root().Name()+" ")
		return usageError("unknown command %q: did you mean %q?", typed, near)
	}
	return usageError("unknown command %q: run %s --help for the list of commands", typed, cmd.CommandPath())
}

// where names a subcommand at the start of an error, "tail topic: ", or "" for pintui itself.
func where(cmd *cobra.Command) string {
	if !cmd.HasParent() {
		return ""
	}
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ") + ": "
}

// atMostArgs refuses more than n positional arguments, as a usage error.
func atMostArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usageError("%sunexpected argument %q: run %s --help for its usage", where(cmd), args[n], cmd.CommandPath())
		}
		return nil
	}
}

// parseOutput reads -o, refusing a format other than table or json as a usage error.
func parseOutput(cmd *cobra.Command, output string) (command.Format, error) {
	format, err := command.ParseFormat(output)
	if err != nil {
		return "", usageError("%s%v", where(cmd), err)
	}
	return format, nil
}

// registryCommand is the subcommand of one registry command.
func (a *app) registryCommand(c *command.Command) *cobra.Command {
	var output string
	use := strings.Fields(c.Name)
	cmd := &cobra.Command{
		Use:   strings.TrimSpace(use[len(use)-1] + " " + c.Args),
		Short: c.Help,
		Args:  argCount(c),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := parseOutput(cmd, output)
			if err != nil {
				return err
			}
			line := registryLine(cmd, c, args)
			run := func(reg *command.Registry) error {
				res, err := reg.Run(cmd.Context(), line)
				if err != nil {
					return scriptError(err)
				}
				return res.Write(a.p.stdout, format)
			}
			if slices.Contains(standalone, c.Name) {
				cfg, err := a.load()
				if err != nil {
					return err
				}
				env := &command.Env{Config: cfg}
				if a.p.stderrTTY {
					env.Progress = newProgressBar(a.p.stderr).update
				}
				return run(command.New(env))
			}
			return a.withPipeline(cmd.Context(), func(reg *command.Registry, _ *backend.Backends) error { return run(reg) })
		},
	}
	for _, f := range c.Flags {
		switch {
		case f.Bool:
			cmd.Flags().Bool(f.Name, false, flagHelp(f.Help))
		case f.Repeated:
			cmd.Flags().Var(&textsFlag{name: f.ValueName()}, f.Name, flagHelp(f.Help+" (repeatable)"))
		default:
			cmd.Flags().Var(newTextFlag(f.Default, f.ValueName()), f.Name, flagHelp(f.Help))
		}
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// argCount checks the positional arguments against the command's bounds, as a usage error.
func argCount(c *command.Command) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < c.MinArgs || (c.MaxArgs >= 0 && len(args) > c.MaxArgs) {
			return usageError("%s: wrong number of arguments: usage: pintui %s", c.Name, c.Usage())
		}
		return nil
	}
}

// registryLine writes a subcommand's words, arguments and changed flags back as one console
// line, quoted so the registry splits it into the same words.
func registryLine(cmd *cobra.Command, c *command.Command, args []string) string {
	words := append(strings.Fields(c.Name), quoteAll(args)...)
	for _, f := range c.Flags {
		fl := cmd.Flags().Lookup(f.Name)
		if !fl.Changed {
			continue
		}
		if many, ok := fl.Value.(*textsFlag); ok {
			for _, v := range many.values {
				words = append(words, "--"+f.Name+"="+quote(v))
			}
			continue
		}
		words = append(words, "--"+f.Name+"="+quote(fl.Value.String()))
	}
	return strings.Join(words, " ")
}

// addOutputFlag declares -o/--output, which every subcommand that prints a result has.
func addOutputFlag(cmd *cobra.Command, output *string) {
	cmd.Flags().StringVarP(output, "output", "o", "table", "print results as `table|json`")
}

// flagHelp keeps a help text's backquoted words from becoming the flag's value name, which
// pflag takes from the first pair of backquotes.
func flagHelp(help string) string { return strings.ReplaceAll(help, "`", "'") }

// textFlag is a flag value kept as text, whose type in --help is the name of its value (N, D,
// DIR) rather than pflag's "string".
type textFlag struct {
	value, name string
}

func newTextFlag(value, name string) *textFlag { return &textFlag{value: value, name: name} }

func (f *textFlag) String() string     { return f.value }
func (f *textFlag) Set(s string) error { f.value = s; return nil }
func (f *textFlag) Type() string       { return f.name }

// textsFlag is a repeatable flag's values, each kept as given.
type textsFlag struct {
	values []string
	name   string
}

func (f *textsFlag) String() string     { return strings.Join(f.values, ",") }
func (f *textsFlag) Set(s string) error { f.values = append(f.values, s); return nil }
func (f *textsFlag) Type() string       { return f.name }

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
