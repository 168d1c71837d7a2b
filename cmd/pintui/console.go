package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/command"

	console "github.com/pintui/pintui/ui/app"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/theme"
)

// console starts the interactive console on the command registry.
func (a *app) console(ctx context.Context) error {
	cfg, err := a.load()
	if err != nil {
		return err
	}
	noColor, _ := a.p.env("NO_COLOR")
	mode, err := theme.ResolveColor(cfg.Color, noColor)
	if err != nil {
		return usageError("%v", err)
	}
	if err := keys.Default().Rebind(cfg.Keys); err != nil { // before the stack starts for nothing
		return usageError("config keys: %v", err)
	}
	progress := console.NewProgress() // seed and batch run report to the status bar
	return a.withPipelineProgress(ctx, progress.Report, func(reg *command.Registry, b *backend.Backends) error {
		return console.Run(ctx, console.Deps{Runner: reg, Profile: cfg.Profile, DataDir: cfg.DataDir, Color: mode, Tailer: tailer{b.Kafka},
			StreamTailer: streamReader(b), Keys: cfg.Keys, History: filepath.Join(cfg.DataDir, "history"), Progress: progress,
			Busy: func() string { return emulatorRunning(b) }, Owner: func() (string, bool) { return ownership(b) }})
	})
}

// emulatorRunning says that quitting stops an emulator, or "" if none runs or they run in
// another process that owns the stack and outlives this console.
func emulatorRunning(b *backend.Backends) string {
	if !b.Owner().Owned {
		return ""
	}
	for _, kind := range backend.EmulatorKinds {
		if st, ok := b.Emulator(kind); ok && st.Running {
			return fmt.Sprintf("the %s is running (%d draws); quitting stops it", kind.Name(), st.Stats.Iterations)
		}
	}
	return ""
}

// ownership says, for the status bar, who owns the stack: "owner" for this process, "attached
// to pid N since T" for another, or the one line that says the owner stopped and what to do.
func ownership(b *backend.Backends) (text string, down bool) {
	if b.Stack == nil {
		return "", false
	}
	o := b.Owner()
	switch {
	case o.Err != nil:
		return o.Err.Error(), true
	case o.Owned:
		return "owns the stack", false
	}
	return fmt.Sprintf("attached to pid %d since %s", o.PID, o.Since.Local().Format("15:04")), false
}
