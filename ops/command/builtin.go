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

	bucket bucketCache
}

// New returns the registry of every built-in command bound to env.
func New(env *Env) *Registry {
	r := NewRegistry()
	r.Add(helpCommand(r))
	r.Add(env.commands()...)
	return r
}

func helpCommand(r *Registry) *Command {
	return &Command{
		Name:    "help",
		Args:    "[COMMAND]",
		MaxArgs: -1,
		Help:    "List the commands, or show one command's usage and flags.",
		Run: func(_ context.Context, in *Invocation) (*Result, error) {
			if len(in.Args) == 0 {
				res := &Result{Columns: []string{"command", "usage", "help"}}
				for _, c := range r.Commands() {
					res.Rows = append(res.Rows, []string{c.Name, c.Usage(), c.Help})
				}
				return res, nil
			}
			name := strings.Join(in.Args, " ")
			c, ok := r.Lookup(name)
			if !ok {
				return nil, r.unknown(in.Args)
			}
			res := &Result{Message: fmt.Sprintf("usage: %s\n%s", c.Usage(), c.Help)}
			if len(c.Flags) > 0 {
				res.Columns = []string{"flag", "default", "help"}
				for _, f := range c.Flags {
					res.Rows = append(res.Rows, []string{"--" + f.Name, f.Default, f.Help})
				}
			}
			return res, nil
		},
	}
}
