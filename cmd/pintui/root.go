package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/command"
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// exitError carries an exit code other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// app holds what every subcommand shares: the process, the parsed global flags and, once loaded,
// the configuration.
type app struct {
	p       *process
	cfg     *config.Loaded
	cfgFile string
	// flags maps config keys to values given on the command line.
	flags  map[string]string
	script string
	output string
}

func run(ctx context.Context, p *process, args []string) int {
	a := &app{p: p, flags: map[string]string{}}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(p.stdin)
	root.SetOut(p.stdout)
	root.SetErr(p.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(p.stderr, "pintui:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "pintui",
		Short: "Run the Pinterest data pipeline and operate it from a terminal console",
		Long: `pintui runs the Pinterest data pipeline end to end — source database, emulators, gateway,
Kafka, S3 sink, batch job, Delta tables and analytics — and operates it from a keyboard-driven
console. Without a subcommand it opens the console; with --script it runs console commands
without a terminal; every console command is also a subcommand, such as pintui tables.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          unknownSubcommand,

		SuggestionsMinimumDistance: 2,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.script != "" {
				return a.runScript(cmd.Context())
			}
			return a.launch(cmd.Context())
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	pf := root.PersistentFlags()
	pf.StringVar(&a.cfgFile, "config", "", "read settings from `FILE` (default $XDG_CONFIG_HOME/pintui/config.yaml)")
	for _, f := range config.Fields() {
		if f.Flag != "" {
			pf.Var(newTextFlag("", f.Placeholder), f.Flag, flagHelp(f.Help))
		}
	}
	root.Flags().StringVar(&a.script, "script", "", "run console commands from `FILE` (or - for stdin) without a terminal")
	addOutputFlag(root, &a.output)
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		for _, f := range config.Fields() {
			if fl := cmd.Flags().Lookup(f.Flag); f.Flag != "" && fl != nil && fl.Changed {
				a.flags[f.Key] = fl.Value.String()
			}
		}
		return nil
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError("%s%v: run %s --help for the flags", where(cmd), err, cmd.CommandPath())
	})
	root.AddCommand(
		a.launchCommand(),
		a.versionCommand(),
		a.configCommand(),
		a.cleanCommand(),
		a.serveCommand(),
	)
	a.addRegistryCommands(root)
	return root
}

// load reads the configuration once, on first use.
func (a *app) load() (*config.Loaded, error) {
	if a.cfg != nil {
		return a.cfg, nil
	}
	cfg, err := config.Load(config.Options{File: a.cfgFile, Env: a.p.env, Flags: a.flags})
	if err != nil {
		return nil, err
	}
	a.cfg = cfg
	return cfg, nil
}

func (a *app) launchCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "launch",
		Short: "Open the console (the same as pintui with no subcommand)",
		Args:  atMostArgs(0),
		RunE:  func(cmd *cobra.Command, _ []string) error { return a.launch(cmd.Context()) },
	}
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  atMostArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(a.p.stdout, "pintui", version)
			return nil
		},
	}
}

func (a *app) configCommand() *cobra.Command {
	cfg := &cobra.Command{
		Use:   "config",
		Short: "Show and check the configuration",
		Args:  unknownSubcommand,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },

		SuggestionsMinimumDistance: 2,
	}
	var output string
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the merged configuration and where each value came from (secrets masked)",
		Args:  atMostArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.load()
			if err != nil {
				return err
			}
			format, err := parseOutput(cmd, output)
			if err != nil {
				return err
			}
			tbl := command.Table{Columns: []string{"key", "value", "source"}}
			for _, s := range c.Settings() {
				tbl.Rows = append(tbl.Rows, []string{s.Key, s.Value, s.Origin})
			}
			res := &command.Result{Data: command.WithTable(c.Settings(), tbl)}
			if c.File != "" {
				res.Message = "config file: " + c.File
			} else {
				res.Message = "no config file; defaults apply (create $XDG_CONFIG_HOME/pintui/config.yaml to change them)"
			}
			return res.Write(a.p.stdout, format)
		},
	}
	addOutputFlag(show, &output)
	var checkOutput string
	check := &cobra.Command{
		Use:   "check",
		Short: "Try each endpoint of the selected profile and say what failed and what to do",
		Args:  atMostArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.load()
			if err != nil {
				return err
			}
			format, err := parseOutput(cmd, checkOutput)
			if err != nil {
				return err
			}
			checks := backend.CheckConfig(cmd.Context(), c)
			tbl := command.Table{Columns: []string{"check", "result", "detail", "fix"}}
			failed := 0
			for _, ch := range checks {
				result := "ok"
				if !ch.OK {
					result, failed = "FAILED", failed+1
				}
				tbl.Rows = append(tbl.Rows, []string{ch.Name, result, ch.Detail, ch.Fix})
			}
			res := &command.Result{Data: command.WithTable(checks, tbl)}
			if err := res.Write(a.p.stdout, format); err != nil {
				return err
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d checks failed for profile %s", failed, len(checks), c.Profile)
			}
			return nil
		},
	}
	addOutputFlag(check, &checkOutput)
	cfg.AddCommand(show, check)
	return cfg
}

// usageError is an error in how pintui was called, with what to do instead.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}
