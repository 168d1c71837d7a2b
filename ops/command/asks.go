package command

import (
	"fmt"
	"slices"
)

// Asking first (SPEC §7): a command whose Asks returns a question starts cloud work or deletes
// data. The console asks the question and, on yes, runs the line again with --yes; a script or a
// subcommand must say --yes itself; a profile with read_only: true refuses it either way.

// YesFlag is the switch every command that asks first declares.
var YesFlag = Flag{Name: "yes", Bool: true, Help: "do it without asking; scripts and subcommands need it for work that starts in the cloud or deletes data"}

// ConfirmError is the error of a command that asks first, run without --yes.
type ConfirmError struct {
	// Line is the command line as run; the console runs Line + " --yes" once the user agrees.
	Line string
	// Command is the command's name, Question what it asks, e.g. "trigger a run of 0a1b2c3d4e5f_dag on MWAA environment prod?".
	Command, Question string
}

// Error says what the command would do and how to let it.
func (e *ConfirmError) Error() string {
	return fmt.Sprintf("%s: this would %s: answer yes in the console, or add --yes to run it from a script", e.Command, e.Question)
}

// ReadOnlyError is the error of a command that asks first, run in a read-only profile.
type ReadOnlyError struct {
	Command, Profile, Question string
}

// Error says which profile refused what, and how to do it anyway.
func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("%s: profile %s is read-only (read_only: true), so it does not %s: use a profile without read_only for that", e.Command, e.Profile, e.Question)
}

// hasYes reports whether the command declares YesFlag.
func (c *Command) hasYes() bool {
	return slices.ContainsFunc(c.Flags, func(f Flag) bool { return f.Name == YesFlag.Name && f.Bool })
}

// ask returns the error that stops an invocation that must ask first, or nil when it may run.
func (r *Registry) ask(line string, in *Invocation) error {
	if in.Command.Asks == nil {
		return nil
	}
	q := in.Command.Asks(in)
	switch {
	case q == "":
		return nil
	case r.readOnly != "":
		return &ReadOnlyError{Command: in.Command.Name, Profile: r.readOnly, Question: q}
	case in.Flag(YesFlag.Name) != "true":
		return &ConfirmError{Line: line, Command: in.Command.Name, Question: q}
	}
	return nil
}
