package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Record is one record of a produce request on its way to Kafka.
type Record struct {
	// Key is nil when the record has no key.
	Key []byte
	// Value is nil for a null value.
	Value []byte
	// Partition is -1 when the producer chooses (murmur2 of the key, else sticky).
	Partition int32
}

// embeddedFormat is how keys and values are written inside a produce body.
type embeddedFormat uint8

const (
	// formatBinary carries keys and values as base64 strings.
	formatBinary embeddedFormat = iota
	// formatJSON carries keys and values as any JSON; Kafka receives their compact text.
	formatJSON
)

// requestError is a produce body the gateway refuses: a 422 whose message says what is wrong.
type requestError struct{ msg string }

func (e *requestError) Error() string { return e.msg }

func invalid(format string, args ...any) error {
	return &requestError{msg: fmt.Sprintf(format, args...)}
}

// decoder turns a REST Proxy v2 produce body into records without building a document tree:
// it finds `records` and slices each key, value and partition out of the body in one pass.
type decoder struct {
	scanner
	format  embeddedFormat
	records []Record
}

// decodeProduce parses body; the returned records' keys and values are slices of body or of out
// (grown as needed), so the caller may reuse both only once the records are produced.
func decodeProduce(body []byte, format embeddedFormat, out []byte, records []Record) ([]Record, []byte, error) {
	d := decoder{scanner: scanner{in: body, out: out[:0]}, format: format, records: records[:0]}
	err := d.body()
	return d.records, d.out, err
}

func (d *decoder) body() error {
	d.ws()
	if d.pos >= len(d.in) {
		return invalid("Request body is empty: send {\"records\":[{\"value\":…}]}")
	}
	if d.in[d.pos] != '{' {
		return d.unexpected("'{' starting the request object")
	}
	seen := false
	err := d.fields(func(name []byte) error {
		if string(name) != "records" {
			return d.value()
		}
		seen = true
		d.records = d.records[:0]
		return d.recordList()
	})
	if err != nil {
		return err
	}
	d.ws()
	if d.pos < len(d.in) {
		return d.unexpected("end of input after the request object")
	}
	if !seen || len(d.records) == 0 {
		return invalid("records may not be empty")
	}
	return nil
}

// fields walks the object at the current position, calling field with each name (unescaped)
// with the position on the field's value.
func (d *decoder) fields(field func(name []byte) error) error {
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++ // '{'
	d.ws()
	if d.pos < len(d.in) && d.in[d.pos] == '}' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		if d.pos >= len(d.in) || d.in[d.pos] != '"' {
			return d.unexpected("a field name in double quotes")
		}
		start := d.pos
		raw, err := d.str()
		if err != nil {
			return err
		}
		name := unescape(raw, d.in[start:d.pos])
		d.ws()
		if d.pos >= len(d.in) || d.in[d.pos] != ':' {
			return d.unexpected("':' after a field name")
		}
		d.pos++
		d.ws()
		if err := field(name); err != nil {
			return err
		}
		d.ws()
		if d.pos < len(d.in) && d.in[d.pos] == ',' {
			d.pos++
			d.ws()
			continue
		}
		if d.pos < len(d.in) && d.in[d.pos] == '}' {
			d.pos++
			d.depth--
			return nil
		}
		return d.unexpected("',' or '}' in an object")
	}
}

// unescape returns the text of a validated string: raw itself unless it holds escapes.
func unescape(raw, quoted []byte) []byte {
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw
	}
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return raw
	}
	return []byte(s)
}

func (d *decoder) recordList() error {
	if d.pos < len(d.in) && d.in[d.pos] == 'n' {
		if err := d.literal("null"); err != nil {
			return err
		}
		return invalid("records may not be empty")
	}
	if d.pos >= len(d.in) || d.in[d.pos] != '[' {
		return d.unexpected("'[' starting the records array")
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++
	d.ws()
	if d.pos < len(d.in) && d.in[d.pos] == ']' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		if err := d.record(); err != nil {
			return err
		}
		d.ws()
		if d.pos < len(d.in) && d.in[d.pos] == ',' {
			d.pos++
			d.ws()
			continue
		}
		if d.pos < len(d.in) && d.in[d.pos] == ']' {
			d.pos++
			d.depth--
			return nil
		}
		return d.unexpected("',' or ']' in the records array")
	}
}

func (d *decoder) record() error {
	i := len(d.records)
	if d.pos >= len(d.in) || d.in[d.pos] != '{' {
		return d.unexpected(fmt.Sprintf("'{' starting records[%d]", i))
	}
	rec := Record{Partition: -1}
	hasValue := false
	err := d.fields(func(name []byte) error {
		var err error
		switch string(name) {
		case "value":
			hasValue = true
			rec.Value, err = d.payload(i, "value")
		case "key":
			rec.Key, err = d.payload(i, "key")
		case "partition":
			rec.Partition, err = d.partition(i)
		default:
			err = d.value()
		}
		return err
	})
	if err != nil {
		return err
	}
	if !hasValue {
		return invalid("records[%d]: value is required", i)
	}
	d.records = append(d.records, rec)
	return nil
}

// payload reads a key or value in the request's embedded format; null gives nil.
func (d *decoder) payload(i int, field string) ([]byte, error) {
	if d.pos < len(d.in) && d.in[d.pos] == 'n' {
		return nil, d.literal("null")
	}
	if d.format == formatJSON {
		return d.copyValue()
	}
	if d.pos >= len(d.in) || d.in[d.pos] != '"' {
		return nil, d.unexpected(fmt.Sprintf("a base64 string or null for records[%d].%s (binary embedded format)", i, field))
	}
	start := d.pos
	raw, err := d.str()
	if err != nil {
		return nil, err
	}
	text := unescape(raw, d.in[start:d.pos])
	at := len(d.out)
	d.out = append(d.out, make([]byte, base64.StdEncoding.DecodedLen(len(text)))...)
	n, err := base64.StdEncoding.Decode(d.out[at:], text)
	if err != nil {
		d.out = d.out[:at]
		var bad base64.CorruptInputError
		if errors.As(err, &bad) {
			return nil, invalid("records[%d].%s: illegal base64 data at byte %d of the string (binary embedded format expects standard base64)", i, field, int64(bad))
		}
		return nil, invalid("records[%d].%s: %v", i, field, err)
	}
	d.out = d.out[:at+n]
	if n == 0 {
		return []byte{}, nil // an empty key or value, not a null one
	}
	return d.out[at : at+n : at+n], nil
}

func (d *decoder) partition(i int) (int32, error) {
	if d.pos < len(d.in) && d.in[d.pos] == 'n' {
		return -1, d.literal("null")
	}
	start := d.pos
	if d.pos >= len(d.in) || (d.in[d.pos] != '-' && !isDigit(d.in[d.pos])) {
		return 0, d.unexpected(fmt.Sprintf("an integer or null for records[%d].partition", i))
	}
	if err := d.number(); err != nil {
		return 0, err
	}
	text := string(d.in[start:d.pos])
	p, err := strconv.ParseInt(text, 10, 32)
	if err != nil || p < 0 || p > math.MaxInt32 {
		return 0, invalid("records[%d].partition: %s is not a partition number", i, text)
	}
	return int32(p), nil
}
