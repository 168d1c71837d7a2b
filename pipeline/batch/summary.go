package batch

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pintui/pintui/pipeline/analytics"
)

// WriteSummary prints what a run did, as `pintui batch run` shows it: the run id its commits
// record, one line per batch table, one per analytics output, then every quarantined line with
// where it was found.
func (r *Result) WriteSummary(w io.Writer) error {
	tables := analytics.Table{Columns: []string{"table", "landings", "read", "duplicates", "quarantined", "written", "version"}}
	for _, t := range r.Tables {
		tables.Rows = append(tables.Rows, []string{t.Name, strconv.Itoa(t.Landings), itoa(t.Read),
			itoa(t.Duplicates), strconv.Itoa(t.Quarantined), itoa(t.Written), itoa(t.Version)})
	}
	outputs := analytics.Table{Columns: []string{"analytics", "rows", "version"}}
	for _, o := range r.Outputs {
		outputs.Rows = append(outputs.Rows, []string{o.Name, itoa(o.Written), itoa(o.Version)})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "run %s\n", r.RunID)
	b.WriteString(tables.String())
	b.WriteString("\n")
	b.WriteString(outputs.String())
	for _, q := range r.Report.Quarantined {
		fmt.Fprintf(&b, "quarantined %s: %s\n    %s\n", q.Where(), q.Reason, q.Raw)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write batch summary: %w", err)
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
