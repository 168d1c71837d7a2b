package gateway

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// maxDepth bounds the nesting of a record value so a hostile body cannot exhaust the stack.
const maxDepth = 512

// scanner walks a request body once, validating JSON as it goes. While copying is set, the
// whitespace between the tokens of the value being scanned is cut out (the value is rebuilt in
// out), so a record value lands in Kafka as one compact line of the text the client sent.
type scanner struct {
	in      []byte
	pos     int
	out     []byte
	copying bool
	mark    int // start of the input not yet appended to out while copying
	depth   int
}

// syntaxError is a malformed body, located the way Jackson reports it so clients of the real
// REST Proxy recognise it.
type syntaxError struct {
	msg    string
	line   int
	column int
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("%s at line %d column %d", e.msg, e.line, e.column)
}

// fail builds a syntax error at the current position.
func (s *scanner) fail(format string, args ...any) error {
	return s.failAt(s.pos, format, args...)
}

func (s *scanner) failAt(pos int, format string, args ...any) error {
	if pos > len(s.in) {
		pos = len(s.in)
	}
	line := 1 + bytes.Count(s.in[:pos], []byte{'\n'})
	column := pos + 1
	if nl := bytes.LastIndexByte(s.in[:pos], '\n'); nl >= 0 {
		column = pos - nl
	}
	return &syntaxError{msg: fmt.Sprintf(format, args...), line: line, column: column}
}

// unexpected reports the byte at the current position, or the end of the body.
func (s *scanner) unexpected(want string) error {
	if s.pos >= len(s.in) {
		return s.fail("Unexpected end of input (the body is truncated): expected %s", want)
	}
	c := s.in[s.pos]
	if c >= 0x20 && c < 0x7f {
		return s.fail("Unexpected character '%c' (code %d): expected %s", c, c, want)
	}
	return s.fail("Unexpected character (code %d): expected %s", c, want)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// ws skips whitespace; inside a copied value the skipped run is cut out of the copy.
func (s *scanner) ws() {
	if s.pos >= len(s.in) || !isSpace(s.in[s.pos]) {
		return
	}
	if s.copying {
		s.out = append(s.out, s.in[s.mark:s.pos]...)
	}
	for s.pos < len(s.in) && isSpace(s.in[s.pos]) {
		s.pos++
	}
	s.mark = s.pos
}

// copyValue validates the value at the current position and returns its compact text.
// A value that holds no whitespace is returned as a slice of the input, not copied.
func (s *scanner) copyValue() ([]byte, error) {
	start, from := len(s.out), s.pos
	s.copying, s.mark = true, s.pos
	err := s.value()
	s.copying = false
	if err != nil {
		return nil, err
	}
	if len(s.out) == start {
		return s.in[from:s.pos:s.pos], nil
	}
	s.out = append(s.out, s.in[s.mark:s.pos]...)
	return s.out[start:len(s.out):len(s.out)], nil
}

// value validates one JSON value starting at the current position (no leading whitespace).
func (s *scanner) value() error {
	if s.pos >= len(s.in) {
		return s.unexpected("a value")
	}
	switch c := s.in[s.pos]; {
	case c == '{':
		return s.object()
	case c == '[':
		return s.array()
	case c == '"':
		_, err := s.str()
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.unexpected("a value (object, array, string, number, true, false or null)")
}

func (s *scanner) literal(word string) error {
	if len(s.in)-s.pos >= len(word) && string(s.in[s.pos:s.pos+len(word)]) == word {
		s.pos += len(word)
		return nil
	}
	for i := 0; i < len(word); i++ {
		if s.pos+i >= len(s.in) || s.in[s.pos+i] != word[i] {
			s.pos += i
			return s.unexpected(fmt.Sprintf("'%s'", word))
		}
	}
	return nil
}

func (s *scanner) enter() error {
	s.depth++
	if s.depth > maxDepth {
		return s.fail("Value nested deeper than %d levels", maxDepth)
	}
	return nil
}

func (s *scanner) object() error {
	if err := s.enter(); err != nil {
		return err
	}
	s.pos++ // '{'
	s.ws()
	if s.pos < len(s.in) && s.in[s.pos] == '}' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if s.pos >= len(s.in) || s.in[s.pos] != '"' {
			return s.unexpected("a field name in double quotes")
		}
		if _, err := s.str(); err != nil {
			return err
		}
		s.ws()
		if s.pos >= len(s.in) || s.in[s.pos] != ':' {
			return s.unexpected("':' after a field name")
		}
		s.pos++
		s.ws()
		if err := s.value(); err != nil {
			return err
		}
		s.ws()
		if s.pos < len(s.in) && s.in[s.pos] == ',' {
			s.pos++
			s.ws()
			continue
		}
		if s.pos < len(s.in) && s.in[s.pos] == '}' {
			s.pos++
			s.depth--
			return nil
		}
		return s.unexpected("',' or '}' in an object")
	}
}

func (s *scanner) array() error {
	if err := s.enter(); err != nil {
		return err
	}
	s.pos++ // '['
	s.ws()
	if s.pos < len(s.in) && s.in[s.pos] == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if err := s.value(); err != nil {
			return err
		}
		s.ws()
		if s.pos < len(s.in) && s.in[s.pos] == ',' {
			s.pos++
			s.ws()
			continue
		}
		if s.pos < len(s.in) && s.in[s.pos] == ']' {
			s.pos++
			s.depth--
			return nil
		}
		return s.unexpected("',' or ']' in an array")
	}
}

// plain marks the ASCII bytes a string may hold unescaped: all but controls, quote and backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainWord reports whether none of 8 bytes is a quote, a backslash, a control character or
// non-ASCII, so a string's common case is skipped a word at a time.
func plainWord(w uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	quote, backslash := w^(0x22*lo), w^(0x5c*lo)
	special := (w - 0x20*lo) | w | (quote-lo)&^quote | (backslash-lo)&^backslash
	return special&hi == 0
}

// str validates a string and returns its raw content between the quotes, escapes untouched.
func (s *scanner) str() (raw []byte, err error) {
	s.pos++ // opening quote
	start := s.pos
	for s.pos < len(s.in) {
		for s.pos+8 <= len(s.in) && plainWord(binary.LittleEndian.Uint64(s.in[s.pos:])) {
			s.pos += 8
		}
		for s.pos < len(s.in) && plain[s.in[s.pos]] {
			s.pos++
		}
		if s.pos >= len(s.in) {
			break
		}
		c := s.in[s.pos]
		switch {
		case c == '"':
			raw = s.in[start:s.pos]
			s.pos++
			return raw, nil
		case c == '\\':
			if err := s.escape(); err != nil {
				return nil, err
			}
		case c < 0x20:
			return nil, s.fail("Illegal unquoted character (code %d): control characters must be escaped in strings", c)
		case c < utf8.RuneSelf:
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.in[s.pos:])
			if r == utf8.RuneError && size == 1 {
				return nil, s.fail("Invalid UTF-8 byte 0x%02x in a string", c)
			}
			s.pos += size
		}
	}
	return nil, s.unexpected("'\"' closing a string")
}

func (s *scanner) escape() error {
	s.pos++ // backslash
	if s.pos >= len(s.in) {
		return s.unexpected("an escape character")
	}
	switch s.in[s.pos] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos++
		return nil
	case 'u':
		s.pos++
		for i := 0; i < 4; i++ {
			if s.pos >= len(s.in) || !isHex(s.in[s.pos]) {
				return s.unexpected("four hex digits after \\u")
			}
			s.pos++
		}
		return nil
	}
	return s.unexpected("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uHHHH)")
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number validates the JSON number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	if s.in[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.in) && s.in[s.pos] == '0':
		s.pos++
	case s.pos < len(s.in) && isDigit(s.in[s.pos]):
		for s.pos < len(s.in) && isDigit(s.in[s.pos]) {
			s.pos++
		}
	default:
		return s.unexpected("a digit in a number")
	}
	if s.pos < len(s.in) && s.in[s.pos] == '.' {
		s.pos++
		if s.pos >= len(s.in) || !isDigit(s.in[s.pos]) {
			return s.unexpected("a digit after the decimal point")
		}
		for s.pos < len(s.in) && isDigit(s.in[s.pos]) {
			s.pos++
		}
	}
	if s.pos < len(s.in) && (s.in[s.pos] == 'e' || s.in[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.in) && (s.in[s.pos] == '+' || s.in[s.pos] == '-') {
			s.pos++
		}
		if s.pos >= len(s.in) || !isDigit(s.in[s.pos]) {
			return s.unexpected("a digit in an exponent")
		}
		for s.pos < len(s.in) && isDigit(s.in[s.pos]) {
			s.pos++
		}
	}
	return nil
}
