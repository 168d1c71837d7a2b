package command

import (
	"context"
	"fmt"
	"strings"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/ops/backend"
)

// Env is what the built-in commands work on: the configuration and the backends it selects.
type Env struct {
	Config *config.Loaded
	// Progress, when set, reports the progress of long commands such as seed.
	Progress func(label string, done, total int)
	// Backends are the running pipeline (local stack or cloud clients); nil for commands that
	// run without it, such as `pintui seed`.
	Backends *backend.Backends

	bucket  bucketCache
	counter landingCounter
	source  sourceCache
}

// New returns the registry of every built-in command bound to env.
func New(env *Env) *Registry {
	r := NewRegistry()
	if env.Config != nil && env.Config.ReadOnly {
		r.readOnly = env.Config.Profile
	}
	r.Add(HelpCommand(r))
	r.Add(env.commands()...)
	return r
}

// CommandHelp is one command as `help` describes it.
type CommandHelp struct {
	Command string     `json:"command"`
	Usage   string     `json:"usage"`
	Help    string     `json:"help"`
	Flags   []FlagHelp `json:"flags"`
}

// FlagHelp is one flag of a command.
type FlagHelp struct {
	Flag    string `json:"flag"`
	Default string `json:"default"`
	Help    string `json:"help"`
}

// TextTable lists the command's flags.
func (c CommandHelp) TextTable() Table {
	t := Table{Columns: []string{"flag", "default", "help"}}
	if len(c.Flags) == 0 {
		t.Columns = nil
	}
	for _, f := range c.Flags {
		t.Rows = append(t.Rows, []string{f.Flag, f.Default, f.Help})
	}
	return t
}

// CommandList is what `help` without arguments returns: every command.
type CommandList []CommandHelp

// TextTable lists the commands with their usage and help.
func (l CommandList) TextTable() Table {
	t := Table{Columns: []string{"command", "usage", "help"}}
	for _, c := range l {
		t.Rows = append(t.Rows, []string{c.Command, c.Usage, c.Help})
	}
	return t
}

func describe(c *Command) CommandHelp {
	h := CommandHelp{Command: c.Name, Usage: c.Usage(), Help: c.Help, Flags: []FlagHelp{}}
	for _, f := range c.Flags {
		h.Flags = append(h.Flags, FlagHelp{Flag: "--" + f.Name, Default: f.Default, Help: f.Help})
	}
	return h
}

// HelpCommand returns the `help` command, which describes the commands of r.
func HelpCommand(r *Registry) *Command {
	return &Command{
		Name:     "help",
		Complete: r.completeCommands,
		Args:     "[COMMAND]",
		MaxArgs:  -1,
		Help:     "List the commands, or show one command's usage and flags.",
		Run: func(_ context.Context, in *Invocation) (*Result, error) {
			if len(in.Args) == 0 {
				list := CommandList{}
				for _, c := range r.Commands() {
					list = append(list, describe(c))
				}
				return &Result{Data: list}, nil
			}
			name := strings.Join(in.Args, " ")
			c, ok := r.Lookup(name)
			if !ok {
				return nil, r.unknown(in.Args)
			}
			return &Result{Data: describe(c), Message: fmt.Sprintf("usage: %s\n%s", c.Usage(), c.Help)}, nil
		},
	}
}
