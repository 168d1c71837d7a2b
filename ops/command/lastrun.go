package command

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// `--last` (SPEC §7) names the run most recently started from the data dir, so a script can
// `dag trigger` and then `dag wait --last`. The ids live in <data-dir>/last_runs.json, one per kind
// of run, replaced whole by a rename so a reader never sees half a file.

// The kinds of run --last remembers.
const (
	LastDAGRun = "dag"
	LastJobRun = "job"
)

// LastFlag is the switch of every command that takes a RUN_ID.
var LastFlag = Flag{Name: "last", Bool: true, Help: "the run most recently started from this data dir, instead of RUN_ID"}

func (env *Env) lastRunsFile() string { return filepath.Join(env.Config.DataDir, "last_runs.json") }

// rememberRun records id as the run of kind most recently started from the data dir.
func (env *Env) rememberRun(kind, id string) error {
	runs, err := env.lastRuns()
	if err != nil {
		return err
	}
	runs[kind] = id
	data, err := json.MarshalIndent(runs, "", "  ")
	if err != nil {
		return err
	}
	file := env.lastRunsFile()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return fmt.Errorf("remember the last %s run: %w", kind, err)
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("remember the last %s run: %w", kind, err)
	}
	if err := os.Rename(tmp, file); err != nil {
		return fmt.Errorf("remember the last %s run: %w", kind, err)
	}
	return nil
}

func (env *Env) lastRuns() (map[string]string, error) {
	runs := map[string]string{}
	data, err := os.ReadFile(env.lastRunsFile())
	if errors.Is(err, fs.ErrNotExist) {
		return runs, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the last runs: %w", err)
	}
	if err := json.Unmarshal(data, &runs); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON (%v): delete it, and give the RUN_ID instead of --last", env.lastRunsFile(), err)
	}
	return runs, nil
}

// runArg returns the RUN_ID an invocation names: its first argument, or with --last the run of
// kind most recently started from the data dir. Both, or neither, is a usage error.
func (env *Env) runArg(in *Invocation, kind string) (string, error) {
	last := in.Flag(LastFlag.Name) == "true"
	switch {
	case last && len(in.Args) > 0:
		return "", usage(fmt.Errorf("%s: give a RUN_ID or --last, not both (usage: %s)", in.Command.Name, in.Command.Usage()))
	case !last && len(in.Args) == 0:
		return "", usage(fmt.Errorf("%s: give a RUN_ID, or --last for the run most recently started here (usage: %s)", in.Command.Name, in.Command.Usage()))
	case !last:
		return in.Args[0], nil
	}
	runs, err := env.lastRuns()
	if err != nil {
		return "", err
	}
	id, ok := runs[kind]
	if !ok {
		return "", fmt.Errorf("no %s run has been started from %s yet: start one first, or give its RUN_ID", kind, env.Config.DataDir)
	}
	return id, nil
}
