// Command pintui runs the Pinterest data pipeline end to end and operates it from a
// keyboard-driven terminal console, or from scripts with --script.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/charmbracelet/x/term"
)

// process is every touch of the outside world: standard streams, environment and terminal
// detection. Tests build one with buffers and a fake environment.
type process struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            func(string) (string, bool)
	// stdoutTTY and stderrTTY say whether the streams are terminals.
	stdoutTTY, stderrTTY bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), shutdownSignals()...)
	p := &process{
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		env:       os.LookupEnv,
		stdoutTTY: term.IsTerminal(os.Stdout.Fd()),
		stderrTTY: term.IsTerminal(os.Stderr.Fd()),
	}
	code := run(ctx, p, os.Args[1:])
	stop()
	os.Exit(code)
}

// shutdownSignals end pintui cleanly, withdrawing the stack it owns. A closed terminal (SIGHUP)
// counts too, unless pintui was started with SIGHUP ignored (nohup), which must stay so.
func shutdownSignals() []os.Signal {
	signals := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		signals = append(signals, syscall.SIGHUP)
	}
	return signals
}
