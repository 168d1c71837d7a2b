package command

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pintui/pintui/pipeline/analytics"
	"github.com/pintui/pintui/pipeline/batch"
	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/record"
)

// maxQuarantineLines bounds how many quarantined lines a message lists before summing up the rest.
const maxQuarantineLines = 20

// CleanFile is what `clean` did to one file of raw JSON lines: the cleaning report and where
// the cleaned lines went.
type CleanFile struct {
	Input  string       `json:"input"`
	Output string       `json:"output"`
	Report clean.Report `json:"report"`
}

// Analysis is what `analyze` answered over raw records, with the lines it set aside.
type Analysis struct {
	Outputs     analytics.Outputs   `json:"outputs"`
	Quarantined []clean.Quarantined `json:"quarantined"`
}

// toolCommands are the commands that work on files alone, without the running pipeline.
func (env *Env) toolCommands() []*Command {
	return []*Command{
		{
			Name: "clean", Args: "FILE", MinArgs: 1, MaxArgs: 1,
			Help: "Clean a file of raw JSON lines of one table into a file of clean JSON lines, with the rows, each rule's count and the quarantined lines.",
			Flags: []Flag{
				{Name: "table", Placeholder: "pin|geo|user", Help: "which table the lines are: pin, geo or user"},
				{Name: "out", Placeholder: "FILE", Help: "where the clean lines go (default: FILE with .clean.jsonl in place of its extension)"},
			},
			Run: env.clean,
		},
		{
			Name: "analyze",
			Help: "Answer the nine analytics over raw records (JSON-lines files or folders of landed objects), de-duplicated and cleaned as the batch job does.",
			Flags: []Flag{
				{Name: "pin", Placeholder: "PATH", Help: "raw pin records: a JSON-lines file or a folder of landed objects"},
				{Name: "geo", Placeholder: "PATH", Help: "raw geo records: a JSON-lines file or a folder of landed objects"},
				{Name: "user", Placeholder: "PATH", Help: "raw user records: a JSON-lines file or a folder of landed objects"},
				{Name: "query", Placeholder: "NAME", Help: "answer only this output (one of the nine names)"},
			},
			Run: env.analyze,
		},
	}
}

// ParseTable accepts the name of a raw table: pin, geo or user.
func ParseTable(s string) (record.Table, error) {
	switch t := record.Table(s); t {
	case record.TablePin, record.TableGeo, record.TableUser:
		return t, nil
	}
	return "", fmt.Errorf("--table %q is not valid: use pin, geo or user", s)
}

func (env *Env) clean(ctx context.Context, in *Invocation) (*Result, error) {
	table, err := ParseTable(in.Flag("table"))
	if err != nil {
		return nil, err
	}
	input := in.Args[0]
	output := in.Flag("out")
	if output == "" {
		output = strings.TrimSuffix(input, filepath.Ext(input)) + ".clean.jsonl"
	}
	if output == input {
		return nil, fmt.Errorf("--out %s is the input: name another file", output)
	}
	src, err := os.Open(input)
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	defer src.Close()
	dst, err := os.Create(output)
	if err != nil {
		return nil, fmt.Errorf("create output: %w", err)
	}
	w := bufio.NewWriterSize(dst, 1<<20)
	report, err := clean.Run(ctx, table, src, w)
	err = errors.Join(err, w.Flush(), dst.Close())
	if err != nil {
		return nil, err
	}
	var summary strings.Builder
	if err := report.WriteSummary(&summary); err != nil {
		return nil, err
	}
	res := &Result{Message: strings.TrimSuffix(summary.String(), "\n") + "\nwrote " + output, Data: cleanFile(input, output, report)}
	return res, nil
}

// cleanFile is the JSON form of a cleaning report: its rules and quarantine never null.
func cleanFile(input, output string, r clean.Report) CleanFile {
	if r.Rules == nil {
		r.Rules = map[string]int64{}
	}
	if r.Quarantined == nil {
		r.Quarantined = []clean.Quarantined{}
	}
	return CleanFile{Input: input, Output: output, Report: r}
}

func (env *Env) analyze(_ context.Context, in *Invocation) (*Result, error) {
	paths := batch.Paths{Pin: in.Flag("pin"), Geo: in.Flag("geo"), User: in.Flag("user")}
	for _, p := range []struct{ flag, path string }{{"pin", paths.Pin}, {"geo", paths.Geo}, {"user", paths.User}} {
		if p.path == "" {
			return nil, fmt.Errorf("--%s is required: give the raw %s records, a JSON-lines file or a folder of landed objects", p.flag, p.flag)
		}
	}
	query := in.Flag("query")
	if query != "" {
		if err := analytics.CheckName(query); err != nil {
			return nil, fmt.Errorf("--query: %w", err)
		}
	}
	outputs, report, err := batch.Analyze(paths)
	if err != nil {
		return nil, err
	}
	if query != "" {
		o, err := outputs.Find(query)
		if err != nil {
			return nil, err
		}
		outputs = analytics.Outputs{o}
	}
	var text strings.Builder
	if err := outputs.WriteText(&text); err != nil {
		return nil, err
	}
	text.WriteString(QuarantineText(report.Quarantined))
	quarantined := report.Quarantined
	if quarantined == nil {
		quarantined = []clean.Quarantined{}
	}
	return &Result{Message: strings.TrimSuffix(text.String(), "\n"), Data: Analysis{Outputs: outputs, Quarantined: quarantined}}, nil
}

// QuarantineText lists quarantined lines one per line, at most maxQuarantineLines of them.
func QuarantineText(qs []clean.Quarantined) string {
	var b strings.Builder
	for i, q := range qs {
		if i == maxQuarantineLines {
			fmt.Fprintf(&b, "… and %d more quarantined lines\n", len(qs)-i)
			break
		}
		fmt.Fprintf(&b, "quarantined %s: %s\n", q.Where(), q.Reason)
	}
	return b.String()
}
