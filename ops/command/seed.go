package command

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/source"
)

func (env *Env) seedCommand() *Command {
	return &Command{
		Name: "seed",
		Help: "Write the synthetic source database (pinterest_data, geolocation_data, user_data); with --landings, also write emulator draws as landed objects.",
		Flags: []Flag{
			{Name: "rows", Default: strconv.Itoa(source.DefaultRows), Help: "rows per table (ids 0…rows-1)"},
			{Name: "seed", Default: strconv.FormatInt(source.DefaultSeed, 10), Help: "random seed; the same seed gives byte-identical tables"},
			{Name: "out", Help: "SQLite file or mysql://user:pass@host:3306/db (default: the configured source)"},
			{Name: "landings", Help: "also write emulator draws as landed objects into this folder, laid out as the S3 sink lands them"},
			{Name: "draws", Default: "1000", Help: "how many draws --landings writes (three records each)"},
		},
		Run: env.seed,
	}
}

func (env *Env) seed(ctx context.Context, in *Invocation) (*Result, error) {
	rows, err := in.Int("rows")
	if err != nil {
		return nil, err
	}
	if rows < 1 {
		return nil, fmt.Errorf("--rows %d: need at least 1 row (the emulator draws ids 0…11000, so 11001 is the default)", rows)
	}
	seed, err := strconv.ParseInt(in.Flag("seed"), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("--seed %q is not a whole number", in.Flag("seed"))
	}
	out := in.Flag("out")
	if out == "" {
		out = env.Config.SourceURL()
	}
	if err := source.Seed(ctx, out, rows, seed, env.progress("seed", rows)); err != nil {
		return nil, err
	}
	shown := out
	if source.IsMySQLURL(out) {
		shown = config.Mask(out)
	}
	res := &Result{
		Message: fmt.Sprintf("wrote %d rows to each of pinterest_data, geolocation_data and user_data in %s (seed %d)", rows, shown, seed),
		Data:    map[string]any{"target": shown, "rows": rows, "seed": seed},
	}
	if dir := in.Flag("landings"); dir != "" {
		draws, err := in.Int("draws")
		if err != nil {
			return nil, err
		}
		if draws < 0 {
			return nil, fmt.Errorf("--draws %d: use 0 or more", draws)
		}
		if err := env.writeLandings(ctx, out, dir, draws, seed); err != nil {
			return nil, err
		}
		abs, _ := filepath.Abs(dir)
		res.Message += fmt.Sprintf("\nwrote %d draws (%d landed objects) under %s", draws, 3*draws, abs)
		res.Data = map[string]any{"target": shown, "rows": rows, "seed": seed, "landings": abs, "draws": draws}
	}
	return res, nil
}

func (env *Env) writeLandings(ctx context.Context, target, dir string, draws int, seed int64) error {
	src, err := source.Open(ctx, target)
	if err != nil {
		return err
	}
	defer src.Close()
	return source.WriteLandings(ctx, objstore.NewDir(dir), src, env.Config.UID, draws, seed)
}

// progress returns a source.Progress that forwards to env.Progress, or nil.
func (env *Env) progress(label string, total int) source.Progress {
	if env.Progress == nil {
		return nil
	}
	return func(done, _ int) { env.Progress(label, done, total) }
}
