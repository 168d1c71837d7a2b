package command

import (
	"context"
	"slices"
	"strings"

	"github.com/pintui/pintui/pipeline/analytics"
	"github.com/pintui/pintui/pipeline/delta"
)

// Completer offers the values one positional argument can take that start with what was typed.
type Completer func(ctx context.Context, typed string) ([]string, error)

// Complete returns whole command lines that complete line: command names while the line is one
// unfinished word, then the values the command's next argument can take, asked of the live
// backends through the command's Completer. A line it cannot complete gives no candidates.
func (r *Registry) Complete(ctx context.Context, line string) ([]string, error) {
	words, err := Split(line)
	if err != nil {
		return nil, nil
	}
	ended := strings.HasSuffix(line, " ") || line == ""
	var cmd *Command
	n := 0
	for i := len(words); i > 0; i-- {
		if c, ok := r.commands[strings.Join(words[:i], " ")]; ok && (i < len(words) || ended) {
			cmd, n = c, i
			break
		}
	}
	if cmd == nil {
		var out []string
		for _, c := range r.Commands() {
			if strings.HasPrefix(c.Name, strings.TrimLeft(line, " ")) {
				out = append(out, c.Name)
			}
		}
		return out, nil
	}
	// What follows the command name is the argument being typed; help takes a command name of
	// several words, every other command completes one word.
	typed := strings.Join(words[n:], " ")
	if ended && typed != "" {
		typed += " "
	}
	if cmd.Complete == nil || strings.HasPrefix(typed, "-") || strings.Contains(typed, " -") ||
		(cmd.MaxArgs == 1 && strings.Contains(typed, " ")) {
		return nil, nil
	}
	values, err := cmd.Complete(ctx, typed)
	if err != nil {
		return nil, err
	}
	head := strings.Join(words[:n], " ") + " "
	var out []string
	for _, v := range values {
		if !strings.HasPrefix(v, typed) {
			continue
		}
		if cmd.MaxArgs == 1 {
			v = quote(v)
		}
		out = append(out, head+v)
	}
	return out, nil
}

// quote makes a word safe for Split.
func quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\#") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// completeTopics offers the Kafka topics.
func (env *Env) completeTopics(ctx context.Context, _ string) ([]string, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	list, err := b.Kafka.Topics(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range list {
		out = append(out, t.Name)
	}
	return out, nil
}

// completeTables offers the lakehouse tables.
func (env *Env) completeTables(ctx context.Context, _ string) ([]string, error) {
	return delta.ListTables(ctx, env.lakehouse(), "")
}

// completeAnalytics offers the nine analytics outputs.
func (env *Env) completeAnalytics(context.Context, string) ([]string, error) {
	return analytics.Names(), nil
}

// completeKeys offers the folders and objects one level below what was typed in the bucket.
func (env *Env) completeKeys(ctx context.Context, typed string) ([]string, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	prefix := typed[:strings.LastIndex(typed, "/")+1]
	l, err := b.S3.Ls(ctx, b.Bucket, prefix, false, 200)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(l.Prefixes)
	for _, o := range l.Objects {
		out = append(out, o.Key)
	}
	return out, nil
}

// completeCommands offers the command names, for help.
func (r *Registry) completeCommands(context.Context, string) ([]string, error) {
	var out []string
	for _, c := range r.Commands() {
		out = append(out, c.Name)
	}
	return out, nil
}
