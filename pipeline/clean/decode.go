package clean

import (
	"bytes"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// rawLimit bounds the raw text a quarantine entry keeps: enough to recognise the line.
const rawLimit = 160

// fields appends the Fields of the row just scanned. They slice one copy of the line, plus one
// string of the rewritten values when the row has escapes or nested values. A borrowing decoder
// copies nothing: its fields alias the line and its buffer, and are valid only until the next
// scan or until the line's bytes change.
func (d *decoder) fields(dst []Field) []Field {
	var text, rewritten string
	if d.borrow {
		text, rewritten = alias(d.line), alias(d.buf)
	} else {
		text = string(d.line)
		if len(d.buf) > 0 {
			rewritten = string(d.buf)
		}
	}
	for _, sp := range d.spans {
		f := Field{Kind: sp.kind}
		if sp.keyInBuf {
			f.Key = rewritten[sp.k0:sp.k1]
		} else {
			f.Key = text[sp.k0:sp.k1]
		}
		if sp.valueInBuf {
			f.Value = rewritten[sp.v0:sp.v1]
		} else {
			f.Value = text[sp.v0:sp.v1]
		}
		dst = append(dst, f)
	}
	return dst
}

// DecodeLine splits one landed line holding a flat JSON object into a Row. The error says, in
// words fit for a quarantine listing, why the line is not a JSON object.
func DecodeLine(line []byte) (Row, error) {
	var d decoder
	if err := d.scan(line); err != nil {
		return Row{}, err
	}
	return Row{Line: 1, Fields: d.fields(nil)}, nil
}

// DecodeLines splits newline-separated landed rows into Rows, numbering lines from 1 within
// source. Lines that are not JSON objects come back quarantined, in line order; blank lines hold
// no row and are skipped.
func DecodeLines(source string, data []byte) ([]Row, []Quarantined) {
	var (
		d    decoder
		rows []Row
		bad  []Quarantined
		slab []Field
	)
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if blank(line) {
			continue
		}
		if err := d.scan(line); err != nil {
			bad = append(bad, quarantine(source, n, err.Error(), line))
			continue
		}
		if cap(slab)-len(slab) < len(d.spans) {
			slab = make([]Field, 0, max(256, len(d.spans)))
		}
		start := len(slab)
		slab = d.fields(slab)
		rows = append(rows, Row{Source: source, Line: n, Fields: slab[start:len(slab):len(slab)]})
	}
	return rows, bad
}

// alias returns b's bytes as a string without copying them; the string is valid only while
// b's bytes do not change.
func alias(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func quarantine(source string, line int, reason string, raw []byte) Quarantined {
	return Quarantined{Source: source, Line: line, Reason: reason, Raw: truncate(raw)}
}

// truncate keeps the start of a raw line as valid UTF-8, marking a cut with an ellipsis.
func truncate(raw []byte) string {
	raw = bytes.TrimRight(raw, "\r")
	if len(raw) <= rawLimit {
		return strings.ToValidUTF8(string(raw), "\ufffd")
	}
	cut := rawLimit
	for cut > 0 && !utf8.RuneStart(raw[cut]) {
		cut--
	}
	return strings.ToValidUTF8(string(raw[:cut]), "\ufffd") + "…"
}
