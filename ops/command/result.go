package command

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Result is what a command returns: a typed value and a sentence for people. The table a person
// reads and the JSON a script reads are both rendered from Data; screens read Data and never the
// message or the table.
type Result struct {
	// Data is the command's typed value, such as EmulatorStatus or []TopicSummary. It renders as
	// JSON for scripts and, when it is a Tabular or a slice of structs, as a table for people.
	Data any
	// Message is a sentence for people, e.g. "wrote 11001 rows to source.db". It is printed after
	// the table and, when Data is nil, is the whole JSON document.
	Message string
}

// Tabular is a typed value that says how a person reads it as a table.
type Tabular interface {
	TextTable() Table
}

// Table is a value laid out as text columns; every cell is already text.
type Table struct {
	Columns []string
	Rows    [][]string
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
	if t, ok := r.Table(); ok && len(t.Columns) > 0 {
		b.WriteString(t.String())
	}
	if r.Message != "" {
		b.WriteString(r.Message)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Table returns the table a person reads: Data's own if it is Tabular, else one column per JSON
// field when Data is a slice of structs; false when Data is neither.
func (r *Result) Table() (Table, bool) {
	if t, ok := r.Data.(Tabular); ok {
		return t.TextTable(), true
	}
	return structTable(r.Data)
}

// JSON returns the result's JSON form: Data, or the message when there is no Data.
func (r *Result) JSON() ([]byte, error) {
	var v any = r.Data
	if v == nil {
		v = struct {
			Message string `json:"message"`
		}{r.Message}
	}
	return encodeJSON(v)
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// structTable lays out a slice of structs with one column per JSON field, in declaration order.
// Fields that hold lists or objects are left out: a person reads those through a Tabular.
func structTable(data any) (Table, bool) {
	v := reflect.ValueOf(data)
	if v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.Struct {
		return Table{}, false
	}
	et := v.Type().Elem()
	var cols []string
	var fields []int
	for i := range et.NumField() {
		f := et.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || name == "" || !scalar(f.Type) {
			continue
		}
		cols = append(cols, name)
		fields = append(fields, i)
	}
	t := Table{Columns: cols}
	for i := range v.Len() {
		row := make([]string, len(fields))
		for j, fi := range fields {
			row[j] = Cell(v.Index(i).Field(fi).Interface())
		}
		t.Rows = append(t.Rows, row)
	}
	return t, true
}

// scalar reports whether a field prints in one cell.
func scalar(t reflect.Type) bool {
	if t == reflect.TypeFor[Time]() || t == reflect.TypeFor[time.Time]() {
		return true
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// Cell renders one value as table text: times in UTC to the second, nil as empty.
func Cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case Time:
		if x.IsZero() {
			return ""
		}
		return x.UTC().Format(time.RFC3339)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.UTC().Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		return Cell(rv.Elem().Interface())
	}
	return fmt.Sprint(v)
}

// String renders the table as left-aligned text columns separated by two spaces.
func (t Table) String() string {
	width := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		width[i] = utf8.RuneCountInString(c)
	}
	for _, row := range t.Rows {
		for i := range t.Columns {
			if i < len(row) {
				width[i] = max(width[i], utf8.RuneCountInString(row[i]))
			}
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		var l strings.Builder
		for i := range t.Columns {
			cell := ""
			if i < len(cells) {
				cell = cells[i]
			}
			l.WriteString(cell)
			if i < len(t.Columns)-1 {
				l.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell)+2))
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	line(t.Columns)
	for _, row := range t.Rows {
		line(row)
	}
	return b.String()
}

// Time is a moment in a command's typed value. It marshals as RFC 3339 in UTC with milliseconds,
// as every JSON time of pintui does.
type Time struct{ time.Time }

// TimeLayout is the layout of every time in pintui's JSON.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// At wraps t, or returns the zero Time for the zero time.
func At(t time.Time) Time { return Time{t} }

// MarshalJSON writes the time in UTC with milliseconds, or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(TimeLayout) + `"`), nil
}

// UnmarshalJSON reads an RFC 3339 time or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	*t = Time{v}
	return nil
}

// orderedObject encodes cells as one JSON object whose keys are the columns, in order.
func orderedObject(cols []string, cells []any) (json.RawMessage, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := encodeJSON(cells[i])
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// WithTable pairs a typed value with a table laid out by hand: the JSON is the value's, the
// table the one given. It serves values such as benchmark reports whose table says more than
// their fields.
func WithTable(data any, t Table) any { return tabled{data: data, table: t} }

type tabled struct {
	data  any
	table Table
}

func (t tabled) TextTable() Table { return t.table }

func (t tabled) MarshalJSON() ([]byte, error) { return encodeJSON(t.data) }
