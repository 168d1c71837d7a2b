package analytics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Null is how a null cell reads in a Table.
const Null = "null"

// Table is an output as text cells, for printing and for the console's table widget.
type Table struct {
	Columns []string
	Rows    [][]string
}

// Table returns the output's cells as text.
func (o Output) Table() Table {
	t := Table{Columns: o.Columns(), Rows: make([][]string, len(o.Rows))}
	for i, row := range o.Rows {
		t.Rows[i] = make([]string, len(row))
		for j, cell := range row {
			t.Rows[i][j] = FormatCell(cell)
		}
	}
	return t
}

// FormatCell returns a cell as text: numbers in decimal, strings as they are, nulls as Null.
func FormatCell(cell any) string {
	switch v := cell.(type) {
	case nil:
		return Null
	case string:
		return v
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int64:
		return strconv.FormatInt(v, 10)
	default:
		return fmt.Sprint(v)
	}
}

// String lays the table out in aligned columns under a header and a rule, two spaces apart.
func (t Table) String() string {
	widths := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, row := range t.Rows {
		for i, cell := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], utf8.RuneCountInString(cell))
			}
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		var l strings.Builder
		for i, cell := range cells {
			if i > 0 {
				l.WriteString("  ")
			}
			l.WriteString(cell)
			if i < len(widths) {
				l.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell)))
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	line(t.Columns)
	rule := make([]string, len(widths))
	for i, w := range widths {
		rule[i] = strings.Repeat("-", w)
	}
	line(rule)
	for _, row := range t.Rows {
		line(row)
	}
	return b.String()
}

// WriteText prints every output as its name followed by its table, outputs separated by a
// blank line: the `--output table` form of `pintui analyze`.
func (os Outputs) WriteText(w io.Writer) error {
	for i, o := range os {
		sep := ""
		if i > 0 {
			sep = "\n"
		}
		if _, err := fmt.Fprintf(w, "%s%s\n%s", sep, o.Name, o.Table()); err != nil {
			return fmt.Errorf("write analytics output %s: %w", o.Name, err)
		}
	}
	return nil
}

// MarshalJSON encodes the output as an array of row objects whose keys are the column names in
// column order.
func (o Output) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, row := range o.Rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for j, f := range o.Fields {
			if j > 0 {
				b.WriteByte(',')
			}
			var cell any
			if j < len(row) {
				cell = row[j]
			}
			if err := writeJSON(&b, f.Name); err != nil {
				return nil, err
			}
			b.WriteByte(':')
			if err := writeJSON(&b, cell); err != nil {
				return nil, fmt.Errorf("encode %s row %d column %s: %w", o.Name, i, f.Name, err)
			}
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

// MarshalJSON encodes the outputs as one object keyed by output name, in the outputs' order:
// the `--output json` form of `pintui analyze`.
func (os Outputs) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, o := range os {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := writeJSON(&b, o.Name); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		rows, err := o.MarshalJSON()
		if err != nil {
			return nil, err
		}
		b.Write(rows)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeJSON appends v's JSON encoding without the trailing newline an Encoder adds; HTML
// characters stay as they are so country names read naturally.
func writeJSON(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1)
	return nil
}
