package clean

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// rawLimit bounds the raw text a quarantine entry keeps: enough to recognise the line.
const rawLimit = 160

// fields appends the Fields of the row just scanned; they all slice one string.
func (d *decoder) fields(dst []Field) []Field {
	text := string(d.buf)
	for _, sp := range d.spans {
		dst = append(dst, Field{Key: text[sp.k0:sp.k1], Kind: sp.kind, Value: text[sp.v0:sp.v1]})
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
