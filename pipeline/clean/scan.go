package clean

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth matches encoding/json's nesting limit, so both accept the same documents.
const maxDepth = 10000

// decoder splits landed lines into fields. Keys and values written without escapes are located
// in the line itself, so a row costs one string (the line) however many fields it has; only
// escaped strings and nested values are rewritten, into buf. It reuses its buffers from row to
// row and is not safe for concurrent use.
type decoder struct {
	// borrow makes fields alias the line instead of copying it; see fields.
	borrow bool
	line   []byte
	buf    []byte
	spans  []span
}

// span locates one field's key and value, each in decoder.line or, when marked, decoder.buf.
type span struct {
	k0, k1, v0, v1 int32
	kind           Kind
	keyInBuf       bool
	valueInBuf     bool
}

// syntaxError says why a line is not a JSON object, in words fit for a quarantine listing.
type syntaxError struct {
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// plain marks the bytes a string can hold without the slow path: printable ASCII except the
// quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(line []byte, i int) int {
	for i < len(line) && isSpace(line[i]) {
		i++
	}
	return i
}

// blank reports whether a line holds nothing but JSON whitespace.
func blank(line []byte) bool { return skipSpace(line, 0) == len(line) }

func unexpected(line []byte, i int, looking string) error {
	if i >= len(line) {
		return &syntaxError{"not JSON: unexpected end of line " + looking}
	}
	c := line[i]
	what := fmt.Sprintf("byte 0x%02x", c)
	if c >= 0x20 && c < 0x7f {
		what = fmt.Sprintf("%q", rune(c))
	}
	return &syntaxError{fmt.Sprintf("not JSON: unexpected %s at column %d %s", what, i+1, looking)}
}

// scan splits one line holding a flat JSON object into d.spans.
func (d *decoder) scan(line []byte) error {
	d.line = line
	d.buf = d.buf[:0]
	d.spans = d.spans[:0]
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return d.notObject(line, i)
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		return trailing(line, i+1)
	}
	for {
		if i >= len(line) || line[i] != '"' {
			return unexpected(line, i, "looking for a key")
		}
		var sp span
		var err error
		if sp.k0, sp.k1, sp.keyInBuf, i, err = d.locateString(line, i); err != nil {
			return err
		}
		i = skipSpace(line, i)
		if i >= len(line) || line[i] != ':' {
			return unexpected(line, i, "after a key")
		}
		i = skipSpace(line, i+1)
		if i >= len(line) {
			return unexpected(line, i, "looking for a value")
		}
		switch c := line[i]; {
		case c == '"':
			sp.kind = KindString
			sp.v0, sp.v1, sp.valueInBuf, i, err = d.locateString(line, i)
		case c == '{' || c == '[':
			sp.kind, sp.valueInBuf, sp.v0 = KindNested, true, int32(len(d.buf))
			i, err = d.appendNested(line, i, 1)
			sp.v1 = int32(len(d.buf))
		default:
			start := i
			i, sp.kind, err = d.scalarEnd(line, i)
			if sp.kind != KindNull {
				sp.v0, sp.v1 = int32(start), int32(i)
			}
		}
		if err != nil {
			return err
		}
		d.spans = append(d.spans, sp)
		i = skipSpace(line, i)
		if i < len(line) && line[i] == ',' {
			i = skipSpace(line, i+1)
			continue
		}
		if i < len(line) && line[i] == '}' {
			return trailing(line, i+1)
		}
		return unexpected(line, i, "after a value")
	}
}

// located returns the bytes a span locates in the line or in the rewritten buffer.
func (d *decoder) located(inBuf bool, from, to int32) []byte {
	if inBuf {
		return d.buf[from:to]
	}
	return d.line[from:to]
}

// scalarEnd checks the number, bool or null at line[i] and returns the index after it.
func (d *decoder) scalarEnd(line []byte, i int) (int, Kind, error) {
	switch c := line[i]; {
	case c == '-' || (c >= '0' && c <= '9'):
		end, err := numberEnd(line, i)
		return end, KindNumber, err
	case c == 't':
		end, err := literalEnd(line, i, "true")
		return end, KindBool, err
	case c == 'f':
		end, err := literalEnd(line, i, "false")
		return end, KindBool, err
	case c == 'n':
		end, err := literalEnd(line, i, "null")
		return end, KindNull, err
	}
	return i, 0, unexpected(line, i, "looking for a value")
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special flags (in the high bit of each byte) the bytes of w that end the fast path of a
// string: control characters, the quote and the backslash. Bytes above 0x7f are not flagged.
func special(w uint64) uint64 {
	q := w ^ (lsb * '"')
	bs := w ^ (lsb * '\\')
	return ((w-lsb*0x20) & ^w | (q-lsb) & ^q | (bs-lsb) & ^bs) & msb
}

// locateString finds the string starting at the quote line[i]. A string without escapes and
// with valid UTF-8 is located in the line; any other is unescaped into d.buf. It returns the
// location and the index after the closing quote.
func (d *decoder) locateString(line []byte, i int) (int32, int32, bool, int, error) {
	start := i + 1
	j := start
	var high uint64
	for j+8 <= len(line) {
		w := binary.LittleEndian.Uint64(line[j:])
		if s := special(w); s != 0 {
			// The lowest flag is exact (a false one only follows a true one), so the word's
			// bytes below it are plain and the loop below stops at once.
			k := bits.TrailingZeros64(s) / 8
			high |= w & (1<<(8*k) - 1)
			j += k
			break
		}
		high |= w
		j += 8
	}
	for j < len(line) && line[j] >= 0x20 && line[j] != '"' && line[j] != '\\' {
		high |= uint64(line[j])
		j++
	}
	if j < len(line) && line[j] == '"' && (high&msb == 0 || utf8.Valid(line[start:j])) {
		return int32(start), int32(j), false, j + 1, nil
	}
	b0 := len(d.buf)
	end, err := d.appendString(line, i)
	return int32(b0), int32(len(d.buf)), true, end, err
}

func trailing(line []byte, i int) error {
	i = skipSpace(line, i)
	if i < len(line) {
		return unexpected(line, i, "after the object")
	}
	return nil
}

// notObject tells a line that is valid JSON of another type from one that is not JSON at all.
func (d *decoder) notObject(line []byte, i int) error {
	if i >= len(line) {
		return &syntaxError{"not JSON: empty line"}
	}
	end, kind, err := d.appendValue(line, i)
	if err != nil {
		return err
	}
	if err := trailing(line, end); err != nil {
		return err
	}
	names := map[Kind]string{KindNull: "null", KindString: "a string", KindNumber: "a number",
		KindBool: "a bool", KindNested: "an array"}
	return &syntaxError{"not an object: the line holds " + names[kind]}
}

// appendValue appends the value starting at line[i] and reports its kind.
func (d *decoder) appendValue(line []byte, i int) (int, Kind, error) {
	if i >= len(line) {
		return i, 0, unexpected(line, i, "looking for a value")
	}
	switch c := line[i]; {
	case c == '"':
		end, err := d.appendString(line, i)
		return end, KindString, err
	case c == '-' || (c >= '0' && c <= '9'):
		end, err := numberEnd(line, i)
		d.buf = append(d.buf, line[i:end]...)
		return end, KindNumber, err
	case c == 't':
		end, err := literalEnd(line, i, "true")
		d.buf = append(d.buf, line[i:end]...)
		return end, KindBool, err
	case c == 'f':
		end, err := literalEnd(line, i, "false")
		d.buf = append(d.buf, line[i:end]...)
		return end, KindBool, err
	case c == 'n':
		end, err := literalEnd(line, i, "null")
		return end, KindNull, err
	case c == '{' || c == '[':
		end, err := d.appendNested(line, i, 1)
		return end, KindNested, err
	}
	return i, 0, unexpected(line, i, "looking for a value")
}

func literalEnd(line []byte, i int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if i+k >= len(line) || line[i+k] != lit[k] {
			return i, unexpected(line, i+k, "in a literal")
		}
	}
	return i + len(lit), nil
}

// numberEnd checks the JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func numberEnd(line []byte, i int) (int, error) {
	if line[i] == '-' {
		i++
	}
	switch {
	case i < len(line) && line[i] == '0':
		i++
	case i < len(line) && line[i] >= '1' && line[i] <= '9':
		i = digitsEnd(line, i)
	default:
		return i, unexpected(line, i, "in a number")
	}
	if i < len(line) && line[i] == '.' {
		j := digitsEnd(line, i+1)
		if j == i+1 {
			return j, unexpected(line, j, "in a number")
		}
		i = j
	}
	if i < len(line) && (line[i] == 'e' || line[i] == 'E') {
		i++
		if i < len(line) && (line[i] == '+' || line[i] == '-') {
			i++
		}
		j := digitsEnd(line, i)
		if j == i {
			return j, unexpected(line, j, "in a number")
		}
		i = j
	}
	return i, nil
}

func digitsEnd(line []byte, i int) int {
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	return i
}

// appendString appends the unescaped string starting at the quote line[i] and returns the index
// after the closing quote. Like encoding/json, invalid UTF-8 and lone surrogates become U+FFFD.
func (d *decoder) appendString(line []byte, i int) (int, error) {
	start := i + 1
	j := start
	for j < len(line) && plain[line[j]] {
		j++
	}
	if j < len(line) && line[j] == '"' {
		d.buf = append(d.buf, line[start:j]...)
		return j + 1, nil
	}
	d.buf = append(d.buf, line[start:j]...)
	for j < len(line) {
		c := line[j]
		switch {
		case c == '"':
			return j + 1, nil
		case c == '\\':
			var err error
			if j, err = d.appendEscape(line, j); err != nil {
				return j, err
			}
		case c < 0x20:
			return j, unexpected(line, j, "in a string")
		case c < utf8.RuneSelf:
			d.buf = append(d.buf, c)
			j++
		default:
			r, size := utf8.DecodeRune(line[j:])
			if r == utf8.RuneError && size == 1 {
				d.buf = utf8.AppendRune(d.buf, utf8.RuneError)
			} else {
				d.buf = append(d.buf, line[j:j+size]...)
			}
			j += size
		}
	}
	return j, &syntaxError{fmt.Sprintf("not JSON: string starting at column %d never ends", i+1)}
}

// appendEscape decodes the escape at line[j] == '\\' and returns the index after it.
func (d *decoder) appendEscape(line []byte, j int) (int, error) {
	if j+1 >= len(line) {
		return j + 1, unexpected(line, j+1, "in an escape")
	}
	switch c := line[j+1]; c {
	case '"', '\\', '/':
		d.buf = append(d.buf, c)
	case 'b':
		d.buf = append(d.buf, '\b')
	case 'f':
		d.buf = append(d.buf, '\f')
	case 'n':
		d.buf = append(d.buf, '\n')
	case 'r':
		d.buf = append(d.buf, '\r')
	case 't':
		d.buf = append(d.buf, '\t')
	case 'u':
		r, ok := hex4(line, j+2)
		if !ok {
			return j, &syntaxError{fmt.Sprintf("not JSON: bad \\u escape at column %d", j+1)}
		}
		if utf16.IsSurrogate(r) {
			if j+7 < len(line) && line[j+6] == '\\' && line[j+7] == 'u' {
				if r2, ok := hex4(line, j+8); ok {
					if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
						d.buf = utf8.AppendRune(d.buf, pair)
						return j + 12, nil
					}
				}
			}
			r = utf8.RuneError
		}
		d.buf = utf8.AppendRune(d.buf, r)
		return j + 6, nil
	default:
		return j + 1, unexpected(line, j+1, "in an escape")
	}
	return j + 2, nil
}

func hex4(line []byte, i int) (rune, bool) {
	if i+4 > len(line) {
		return 0, false
	}
	var r rune
	for _, c := range line[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// stringEnd checks the string starting at the quote line[i] without unescaping it.
func stringEnd(line []byte, i int) (int, error) {
	for j := i + 1; j < len(line); j++ {
		switch c := line[j]; {
		case c == '"':
			return j + 1, nil
		case c < 0x20:
			return j, unexpected(line, j, "in a string")
		case c == '\\':
			if j+1 >= len(line) {
				return j + 1, unexpected(line, j+1, "in an escape")
			}
			switch line[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if _, ok := hex4(line, j+2); !ok {
					return j, &syntaxError{fmt.Sprintf("not JSON: bad \\u escape at column %d", j+1)}
				}
				j += 5
			default:
				return j + 1, unexpected(line, j+1, "in an escape")
			}
		}
	}
	return len(line), &syntaxError{fmt.Sprintf("not JSON: string starting at column %d never ends", i+1)}
}

// appendNested appends the object or array at line[i] as compact JSON: whitespace between
// tokens is dropped so that two landings of one row compare equal, strings are kept as written.
func (d *decoder) appendNested(line []byte, i, depth int) (int, error) {
	if depth > maxDepth {
		return i, &syntaxError{fmt.Sprintf("not JSON: nested deeper than %d levels at column %d", maxDepth, i+1)}
	}
	closer := byte(']')
	if line[i] == '{' {
		closer = '}'
	}
	d.buf = append(d.buf, line[i])
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == closer {
		d.buf = append(d.buf, closer)
		return i + 1, nil
	}
	for {
		var err error
		if closer == '}' {
			if i >= len(line) || line[i] != '"' {
				return i, unexpected(line, i, "looking for a key")
			}
			end, err := stringEnd(line, i)
			if err != nil {
				return end, err
			}
			d.buf = append(d.buf, line[i:end]...)
			i = skipSpace(line, end)
			if i >= len(line) || line[i] != ':' {
				return i, unexpected(line, i, "after a key")
			}
			d.buf = append(d.buf, ':')
			i = skipSpace(line, i+1)
		}
		if i, err = d.appendRaw(line, i, depth); err != nil {
			return i, err
		}
		i = skipSpace(line, i)
		if i < len(line) && line[i] == ',' {
			d.buf = append(d.buf, ',')
			i = skipSpace(line, i+1)
			continue
		}
		if i < len(line) && line[i] == closer {
			d.buf = append(d.buf, closer)
			return i + 1, nil
		}
		return i, unexpected(line, i, "after a value")
	}
}

// appendRaw appends a value inside a nested one as written.
func (d *decoder) appendRaw(line []byte, i, depth int) (int, error) {
	if i < len(line) && line[i] == '"' {
		end, err := stringEnd(line, i)
		d.buf = append(d.buf, line[i:min(end, len(line))]...)
		return end, err
	}
	if i < len(line) && (line[i] == '{' || line[i] == '[') {
		return d.appendNested(line, i, depth+1)
	}
	if i < len(line) && line[i] == 'n' {
		end, err := literalEnd(line, i, "null")
		d.buf = append(d.buf, "null"...)
		return end, err
	}
	end, _, err := d.appendValue(line, i)
	return end, err
}
