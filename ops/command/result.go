package command

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Result is what a command returns: a message, a table, or both. It renders as a table for
// people and as JSON for scripts.
type Result struct {
	// Message is a sentence for people, e.g. "wrote 11001 rows to source.db".
	Message string `json:"message,omitempty"`
	// Columns and Rows are the table; every cell is already text.
	Columns []string   `json:"-"`
	Rows    [][]string `json:"-"`
	// Data is the JSON form; when nil, the table is rendered as an array of objects keyed by column.
	Data any `json:"-"`
}

// Format is an output format of --output.
type Format string

// The output formats.
const (
	FormatTable Format = "table"
	FormatJSON  Format = "json"
)

// ParseFormat accepts table or json.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case FormatTable, FormatJSON:
		return Format(s), nil
	}
	return "", fmt.Errorf("--output %q is not valid: use table or json", s)
}

// Write renders the result in the format.
func (r *Result) Write(w io.Writer, f Format) error {
	if f == FormatJSON {
		data, err := r.JSON()
		if err != nil {
			return err
		}
		_, err = w.Write(append(data, '\n'))
		return err
	}
	var b strings.Builder
	if len(r.Columns) > 0 {
		b.WriteString(Table(r.Columns, r.Rows))
	}
	if r.Message != "" {
		b.WriteString(r.Message)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// JSON returns the result's JSON form: Data if set, else the rows as objects, else the message.
func (r *Result) JSON() ([]byte, error) {
	var v any = r.Data
	if v == nil && len(r.Columns) > 0 {
		v = rowObjects(r.Columns, r.Rows)
	}
	if v == nil {
		v = map[string]string{"message": r.Message}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// rowObjects keeps column order by encoding each row as an ordered object.
func rowObjects(cols []string, rows [][]string) []json.RawMessage {
	out := make([]json.RawMessage, 0, len(rows))
	for _, row := range rows {
		cells := make([]any, len(cols))
		for i := range cols {
			cells[i] = ""
			if i < len(row) {
				cells[i] = row[i]
			}
		}
		out = append(out, objectJSON(cols, cells))
	}
	return out
}

// objectJSON encodes one row as a JSON object whose keys are the columns, in order.
func objectJSON(cols []string, cells []any) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(c)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(cells[i])
		if err != nil {
			v = []byte("null")
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// Table renders columns and rows as left-aligned text columns separated by two spaces.
func Table(cols []string, rows [][]string) string {
	width := make([]int, len(cols))
	for i, c := range cols {
		width[i] = utf8.RuneCountInString(c)
	}
	for _, row := range rows {
		for i := range cols {
			if i < len(row) {
				width[i] = max(width[i], utf8.RuneCountInString(row[i]))
			}
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		var l strings.Builder
		for i := range cols {
			cell := ""
			if i < len(cells) {
				cell = cells[i]
			}
			l.WriteString(cell)
			if i < len(cols)-1 {
				l.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell)+2))
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	line(cols)
	for _, row := range rows {
		line(row)
	}
	return b.String()
}
