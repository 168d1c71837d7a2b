// Package command is the one registry of console commands. The `:` palette and `pintui --script`
// both parse a line with Parse and run it through the same Registry, so every screen action is
// scriptable and every scripted step is what a person could type.
package command

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/pintui/pintui/config"
)

// Flag declares one --flag of a command.
type Flag struct {
	Name    string
	Default string
	Help    string
	// Bool makes the flag a switch that takes no value, such as --faithful.
	Bool bool
	// Placeholder names the value in usage lines, e.g. COL=VALUE; when empty, ValueName derives it.
	Placeholder string
	// Repeated lets the flag be given more than once, as --param a=1 --param b=2, each value kept
	// in order for Values.
	Repeated bool
}

// ValueName names the flag's value in usage lines and --help: the placeholder if declared, else
// N for a whole-number default, D for a duration default, else the flag's name in capitals.
func (f Flag) ValueName() string {
	if f.Placeholder != "" {
		return f.Placeholder
	}
	if _, err := strconv.Atoi(f.Default); err == nil {
		return "N"
	}
	if _, err := time.ParseDuration(f.Default); err == nil {
		return "D"
	}
	return strings.ToUpper(f.Name)
}

// Command is one console command.
type Command struct {
	// Name is one or more words, e.g. "tables" or "batch run".
	Name string
	// Args describes the positional arguments for usage lines, e.g. "TABLE".
	Args string
	// MinArgs and MaxArgs bound the positional arguments; MaxArgs < 0 means any number.
	MinArgs, MaxArgs int
	// Flags are the command's flags.
	Flags []Flag
	// Help is one sentence saying what the command does.
	Help string
	// Run does the work.
	Run func(ctx context.Context, in *Invocation) (*Result, error)
	// Complete, when set, offers the values of the first positional argument for the palette.
	Complete Completer
	// Asks, when set, returns what the invocation would do that must be asked first (it starts
	// cloud work or deletes data), or "" when it needs no asking, e.g. in the local profile. A
	// command with Asks declares YesFlag.
	Asks func(in *Invocation) string
}

// Usage returns the command's usage line.
func (c *Command) Usage() string {
	parts := []string{c.Name}
	if c.Args != "" {
		parts = append(parts, c.Args)
	}
	for _, f := range c.Flags {
		if f.Bool {
			parts = append(parts, "[--"+f.Name+"]")
			continue
		}
		if f.Repeated {
			parts = append(parts, "[--"+f.Name+" "+f.ValueName()+"]…")
			continue
		}
		parts = append(parts, "[--"+f.Name+" "+f.ValueName()+"]")
	}
	return strings.Join(parts, " ")
}

// Invocation is a parsed command line ready to run.
type Invocation struct {
	Command *Command
	Args    []string
	flags   *pflag.FlagSet
}

// Flag returns the value of a declared flag as text ("true" or "false" for a switch).
func (in *Invocation) Flag(name string) string {
	if f := in.flags.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// Values returns every value given for a Repeated flag, in order, and none when it was not
// given; for another flag, its one value.
func (in *Invocation) Values(name string) []string {
	if vs, err := in.flags.GetStringArray(name); err == nil {
		return vs
	}
	return []string{in.Flag(name)}
}

// Changed reports whether the flag was given on the line.
func (in *Invocation) Changed(name string) bool { return in.flags.Changed(name) }

// Int returns a flag as an integer, with an error that names the flag.
func (in *Invocation) Int(name string) (int, error) {
	v := in.Flag(name)
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, usage(fmt.Errorf("--%s %q is not a whole number", name, v))
	}
	return n, nil
}

// Duration returns a flag as a duration such as 60s or 2m.
func (in *Invocation) Duration(name string) (time.Duration, error) {
	v := in.Flag(name)
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, usage(fmt.Errorf("--%s %q is not a duration: use a form like 60s or 2m", name, v))
	}
	return d, nil
}

// Registry holds the commands by name.
type Registry struct {
	commands map[string]*Command
	// readOnly names the profile when it is read-only; "" when it is not.
	readOnly string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{commands: map[string]*Command{}} }

// Add registers commands; a name registered twice is a programming error.
func (r *Registry) Add(cmds ...*Command) {
	for _, c := range cmds {
		if _, dup := r.commands[c.Name]; dup {
			panic("command registered twice: " + c.Name)
		}
		if c.Asks != nil && !c.hasYes() {
			panic("command asks first but has no --yes: " + c.Name)
		}
		r.commands[c.Name] = c
	}
}

// Commands returns every command sorted by name.
func (r *Registry) Commands() []*Command {
	out := make([]*Command, 0, len(r.commands))
	for _, c := range r.commands {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the command with exactly this name.
func (r *Registry) Lookup(name string) (*Command, bool) {
	c, ok := r.commands[name]
	return c, ok
}

// UsageError is a line that does not say a command rightly: an unknown command or flag, the wrong
// number of arguments, or a flag value of the wrong kind. Scripts and subcommands exit 2 on it.
type UsageError struct{ err error }

func (e *UsageError) Error() string { return e.err.Error() }

// Unwrap returns the error underneath.
func (e *UsageError) Unwrap() error { return e.err }

// usage marks err as a usage error.
func usage(err error) error { return &UsageError{err: err} }

// IsUsage reports whether err is, or wraps, a usage error.
func IsUsage(err error) bool {
	var u *UsageError
	return errors.As(err, &u)
}

// maskedError is an error whose text has every secret in a URL it quotes masked, as everything
// pintui prints has; the error underneath stays reachable for errors.Is and errors.As.
type maskedError struct {
	err  error
	text string
}

func (e *maskedError) Error() string { return e.text }

func (e *maskedError) Unwrap() error { return e.err }

// masked hides the secrets a command's error quotes, such as a URL an HTTP client or SDK repeats.
func masked(err error) error {
	if text := config.MaskText(err.Error()); text != err.Error() {
		return &maskedError{err: err, text: text}
	}
	return err
}

// ErrEmpty reports a blank line or a comment.
var ErrEmpty = errors.New("empty command line")

// Parse splits a line into words and binds them to a command, its arguments and flags.
func (r *Registry) Parse(line string) (*Invocation, error) {
	words, err := Split(line)
	if err != nil {
		return nil, usage(err)
	}
	if len(words) == 0 || strings.HasPrefix(words[0], "#") {
		return nil, ErrEmpty
	}
	var cmd *Command
	n := 0
	for i := len(words); i > 0; i-- {
		if c, ok := r.commands[strings.Join(words[:i], " ")]; ok {
			cmd, n = c, i
			break
		}
	}
	if cmd == nil {
		return nil, usage(r.unknown(words))
	}
	fs := pflag.NewFlagSet(cmd.Name, pflag.ContinueOnError)
	fs.SetOutput(discard{})
	fs.SetInterspersed(true)
	for _, f := range cmd.Flags {
		switch {
		case f.Bool:
			fs.Bool(f.Name, false, f.Help)
		case f.Repeated:
			fs.StringArray(f.Name, nil, f.Help)
		default:
			fs.String(f.Name, f.Default, f.Help)
		}
	}
	if err := fs.Parse(words[n:]); err != nil {
		return nil, usage(fmt.Errorf("%s: %v (usage: %s)", cmd.Name, err, cmd.Usage()))
	}
	args := fs.Args()
	if len(args) < cmd.MinArgs || (cmd.MaxArgs >= 0 && len(args) > cmd.MaxArgs) {
		return nil, usage(fmt.Errorf("%s: wrong number of arguments (usage: %s)", cmd.Name, cmd.Usage()))
	}
	return &Invocation{Command: cmd, Args: args, flags: fs}, nil
}

// Run parses and runs one line.
func (r *Registry) Run(ctx context.Context, line string) (*Result, error) {
	in, err := r.Parse(line)
	if err != nil {
		return nil, err
	}
	if err := r.ask(line, in); err != nil {
		return nil, err
	}
	res, err := in.Command.Run(ctx, in)
	if err != nil {
		if !strings.HasPrefix(err.Error(), in.Command.Name+": ") { // the pipeline's own runs name it
			err = fmt.Errorf("%s: %w", in.Command.Name, err)
		}
		return nil, masked(err)
	}
	res.Message = config.MaskText(res.Message)
	return res, nil
}

func (r *Registry) unknown(words []string) error {
	typed := words[0]
	if len(words) > 1 {
		if _, ok := r.groups()[words[0]]; ok {
			typed = words[0] + " " + words[1]
		}
	}
	best, dist := "", 1<<30
	for name := range r.commands {
		for _, cand := range []string{name, strings.Fields(name)[0]} {
			if d := distance(typed, cand); d < dist || (d == dist && cand < best) {
				best, dist = cand, d
			}
		}
	}
	if dist <= max(2, len(typed)/3) {
		return fmt.Errorf("unknown command %q: did you mean %q? (type help for the list)", typed, best)
	}
	return fmt.Errorf("unknown command %q: type help for the list of commands", typed)
}

// groups returns the first words of multi-word commands, such as "batch" of "batch run".
func (r *Registry) groups() map[string]bool {
	g := map[string]bool{}
	for name := range r.commands {
		if w := strings.Fields(name); len(w) > 1 {
			g[w[0]] = true
		}
	}
	return g
}

// distance is the Levenshtein edit distance between two words.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Split breaks a line into words as a POSIX shell does, honouring single and double quotes and
// backslash escapes. A word that starts with # begins a comment running to the end of the line;
// a # inside a word, quoted or escaped is part of the word.
func Split(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	escaped := false
scan:
	for _, c := range line {
		switch {
		case c == '#' && !inWord && !escaped && quote == 0:
			break scan
		case escaped:
			cur.WriteRune(c)
			escaped = false
		case c == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteRune(c)
			}
		case c == '"' || c == '\'':
			quote, inWord = c, true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote in %q", quote, line)
	}
	if escaped {
		return nil, fmt.Errorf("trailing backslash in %q", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
