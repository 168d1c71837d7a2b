// Package clean applies the cleaning rules to landed rows. It sits between the landing
// zone and the tables: the batch job, the stream job and `pintui clean` all decode raw JSON lines
// here, drop duplicates (batch only), clean them into record.CleanPin, CleanGeo and CleanUser, and
// get back a per-rule Report that says what was changed and which lines were quarantined.
//
// Landed JSON is read by a small scanner for flat objects instead of encoding/json: cleaning is
// the hot loop of every job, and the scanner keeps one string per row that every field of the
// cleaned row slices.
package clean

import (
	"github.com/pintui/pintui/pipeline/record"
)

// Kind is the JSON type of a field's value as it arrived.
type Kind uint8

// The JSON types a top-level field can hold.
const (
	KindNull Kind = iota
	KindString
	KindNumber
	KindBool
	// KindNested is an object or array; its Value is the compacted JSON text.
	KindNested
)

// Field is one top-level key of a landed object with its value as it arrived.
type Field struct {
	Key  string
	Kind Kind
	// Value is the unescaped text of a string, the literal of a number, `true` or `false` for a
	// bool, empty for null and the compacted JSON text of a nested value.
	Value string
}

// Row is one landed JSON object split into its top-level fields, before any cleaning rule.
type Row struct {
	// Source names where the row was read (a landing key or a file); empty for standard input.
	Source string
	// Line is the row's 1-based line number within its source.
	Line int
	// Fields are in arrival order; a repeated key appears twice and the last one counts.
	Fields []Field
}

// Lookup returns the last value given for key, as encoding/json would keep it.
func (r Row) Lookup(key string) (Field, bool) {
	for i := len(r.Fields) - 1; i >= 0; i-- {
		if r.Fields[i].Key == key {
			return r.Fields[i], true
		}
	}
	return Field{}, false
}

// String writes the row back as compact JSON, for quarantine listings and messages.
func (r Row) String() string {
	b := []byte{'{'}
	for i, f := range r.Fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = record.AppendJSONString(b, f.Key)
		b = append(b, ':')
		switch f.Kind {
		case KindNull:
			b = append(b, "null"...)
		case KindString:
			b = record.AppendJSONString(b, f.Value)
		default:
			b = append(b, f.Value...)
		}
	}
	return string(append(b, '}'))
}
