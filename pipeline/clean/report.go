package clean

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/pintui/pintui/pipeline/record"
)

// Report says what cleaning did to one table: rows in and out, duplicates removed, how many
// values each rule changed and which lines were quarantined. Reports of parallel workers and of
// successive landings merge into one.
type Report struct {
	Table record.Table `json:"table"`
	// RowsIn counts the non-blank lines read, quarantined ones included.
	RowsIn int64 `json:"rows_in"`
	// RowsOut counts the cleaned rows written.
	RowsOut int64 `json:"rows_out"`
	// Duplicates counts rows dropped because an equal raw row came first.
	Duplicates int64 `json:"duplicates"`
	// Rules maps a rule name such as `pin.follower_count.k` to the values it changed.
	Rules map[string]int64 `json:"rules"`
	// Quarantined lists, in input order, the lines no row could be read from.
	Quarantined []Quarantined `json:"quarantined"`
}

// Quarantined is one input line set aside because no row could be read from it.
type Quarantined struct {
	// Source is the landing key or file the line came from; empty for standard input.
	Source string `json:"source,omitempty"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	// Raw is the start of the line as it arrived, cut at 160 bytes.
	Raw string `json:"raw"`
}

// Merge adds other's counts to r and appends its quarantine list after r's.
func (r *Report) Merge(other Report) {
	if r.Table == "" {
		r.Table = other.Table
	}
	r.RowsIn += other.RowsIn
	r.RowsOut += other.RowsOut
	r.Duplicates += other.Duplicates
	if len(other.Rules) > 0 && r.Rules == nil {
		r.Rules = make(map[string]int64, len(other.Rules))
	}
	for name, n := range other.Rules {
		r.Rules[name] += n
	}
	r.Quarantined = append(r.Quarantined, other.Quarantined...)
}

// Where names a quarantined line as `source:line`, or `line N` when it came from standard input.
func (q Quarantined) Where() string {
	if q.Source == "" {
		return "line " + strconv.Itoa(q.Line)
	}
	return q.Source + ":" + strconv.Itoa(q.Line)
}

// WriteSummary writes the report as `pintui clean` prints it on standard error: the row counts,
// one line per rule that changed something (by name), then each quarantined line.
func (r Report) WriteSummary(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "clean %s: %d rows in, %d rows out, %d duplicates removed, %d quarantined\n",
		r.Table, r.RowsIn, r.RowsOut, r.Duplicates, len(r.Quarantined))
	names := make([]string, 0, len(r.Rules))
	width := 0
	for name, n := range r.Rules {
		if n != 0 {
			names = append(names, name)
			width = max(width, len(name))
		}
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(&b, "  %-*s %d\n", width, name, r.Rules[name])
	}
	for _, q := range r.Quarantined {
		fmt.Fprintf(&b, "quarantined %s: %s\n    %s\n", q.Where(), q.Reason, q.Raw)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RuleCount is how many values one cleaning rule changed.
type RuleCount struct {
	Rule    string `json:"rule"`
	Changed int64  `json:"changed"`
}

// MarshalJSON writes the rules as a list sorted by rule name, so every key of the report is a
// field name, and an empty quarantine as [].
func (r Report) MarshalJSON() ([]byte, error) {
	rules := make([]RuleCount, 0, len(r.Rules))
	for _, name := range slices.Sorted(maps.Keys(r.Rules)) {
		rules = append(rules, RuleCount{Rule: name, Changed: r.Rules[name]})
	}
	q := r.Quarantined
	if q == nil {
		q = []Quarantined{}
	}
	type report Report
	return json.Marshal(struct {
		report
		Rules       []RuleCount   `json:"rules"`
		Quarantined []Quarantined `json:"quarantined"`
	}{report(r), rules, q})
}
