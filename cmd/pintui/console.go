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
	return a.withPipeline(ctx, func(reg *command.Registry, b *backend.Backends) error {
		return console.Run(ctx, console.Deps{Runner: reg, Profile: cfg.Profile, DataDir: cfg.DataDir, Color: mode, Tailer: tailer{b.Kafka},
			Keys: cfg.Keys, History: filepath.Join(cfg.DataDir, "history"),
			Busy: func() string { return emulatorRunning(b) }})
	})
}

// emulatorRunning says that quitting stops the emulator this process runs, or "" if none runs.
func emulatorRunning(b *backend.Backends) string {
	if st, ok := b.Emulator(); ok && st.Running {
		return fmt.Sprintf("the emulator is running (%d draws); quitting stops it", st.Stats.Iterations)
	}
	return ""
}
