package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/command"
)

// withPipeline opens the running pipeline (the local stack, or the cloud clients), runs fn with
// the command registry bound to it, and closes the pipeline again, also on SIGINT or SIGTERM.
func (a *app) withPipeline(ctx context.Context, fn func(*command.Registry, *backend.Backends) error) error {
	var progress func(label string, done, total int)
	if a.script != "" && a.p.stderrTTY {
		// A script on a terminal shows long commands such as seed and batch run progressing.
		progress = newProgressBar(a.p.stderr).update
	}
	return a.withPipelineProgress(ctx, progress, fn)
}

// withPipelineProgress is withPipeline with long commands reporting to progress, which may be nil.
func (a *app) withPipelineProgress(ctx context.Context, progress func(label string, done, total int), fn func(*command.Registry, *backend.Backends) error) error {
	cfg, err := a.load()
	if err != nil {
		return err
	}
	b, err := backend.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := b.Close(closeCtx); err != nil {
			fmt.Fprintln(a.p.stderr, "pintui: stop the pipeline:", err)
		}
	}()
	env := &command.Env{Config: cfg, Backends: b, Progress: progress}
	return fn(command.New(env), b)
}

// runScript runs console commands line by line, printing each result; the first failing command
// stops the script and its error becomes the exit status.
func (a *app) runScript(ctx context.Context) error {
	format, err := command.ParseFormat(a.output)
	if err != nil {
		return usageError("%v", err)
	}
	var in io.Reader = a.p.stdin
	name := "stdin"
	if a.script != "-" {
		f, err := os.Open(a.script)
		if err != nil {
			return fmt.Errorf("open script: %w", err)
		}
		defer f.Close()
		in, name = f, a.script
	}
	return a.withPipeline(ctx, func(reg *command.Registry, _ *backend.Backends) error {
		return a.runLines(ctx, reg, in, name, format)
	})
}

// scriptError gives a failed command line its exit status: 2 when the line did not say a command
// rightly, 1 when the command ran and failed.
func scriptError(err error) error {
	if command.IsUsage(err) {
		return &exitError{code: 2, err: err}
	}
	return err
}

// runLines runs each line of in through the registry, printing results in format.
func (a *app) runLines(ctx context.Context, reg *command.Registry, in io.Reader, name string, format command.Format) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	first := true
	for n := 1; sc.Scan(); n++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s:%d: interrupted", name, n)
		}
		res, err := reg.Run(ctx, sc.Text())
		if errors.Is(err, command.ErrEmpty) {
			continue
		}
		if err != nil {
			return scriptError(fmt.Errorf("%s:%d: %w", name, n, err))
		}
		if !first && format == command.FormatTable {
			fmt.Fprintln(a.p.stdout)
		}
		first = false
		if err := res.Write(a.p.stdout, format); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

// launch opens the console, or explains how to run without a terminal.
func (a *app) launch(ctx context.Context) error {
	if !a.p.stdoutTTY {
		return usageError("standard output is not a terminal: use pintui --script FILE (or - for stdin) to run console commands without one")
	}
	return a.console(ctx)
}
