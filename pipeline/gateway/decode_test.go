package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestDecodeProduce(t *testing.T) {
	cases := []struct {
		body   string
		format embeddedFormat
		want   string // records as key|value|partition, one per line
	}{
		{`{"records":[{"value":{"a" : 1 ,"b":[ 1 , 2 ]}}]}`, formatJSON, `<nil>|{"a":1,"b":[1,2]}|-1`},
		{" \n{ \"records\" : [ { \"value\" : \"  spaced  \" , \"key\" : null } ] } \n", formatJSON, `<nil>|"  spaced  "|-1`},
		{`{"records":[{"value":null,"key":[],"partition":2}]}`, formatJSON, `[]|<nil>|2`},
		{`{"records":[{"value":1}],"records":[{"value":2}]}`, formatJSON, `<nil>|2|-1`},
		{`{"value_schema":"x","records":[{"value":-0.5e+10,"extra":{"x":[true,false]}}]}`, formatJSON, `<nil>|-0.5e+10|-1`},
		{`{"\u0072ecords":[{"valu\u0065":"\ud83d\ude00"}]}`, formatJSON, `<nil>|"\ud83d\ude00"|-1`},
		{`{"records":[{"value":"aGk=","key":"AA=="},{"value":null,"partition":0}]}`, formatBinary, "\x00|hi|-1\n<nil>|<nil>|0"},
	}
	for _, c := range cases {
		records, _, err := decodeProduce([]byte(c.body), c.format, nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		var lines []string
		for _, r := range records {
			lines = append(lines, fmt.Sprintf("%s|%s|%d", show(r.Key), show(r.Value), r.Partition))
		}
		if got := strings.Join(lines, "\n"); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.body, got, c.want)
		}
	}
}

func show(b []byte) string {
	if b == nil {
		return "<nil>"
	}
	return string(b)
}

func TestDecodeRejects(t *testing.T) {
	cases := map[string]string{
		`[]`:                         "Unexpected character '[' (code 91): expected '{' starting the request object at line 1 column 1",
		`{"records":[{"value":01}]}`: "Unexpected character '1' (code 49): expected ',' or '}' in an object at line 1 column 23",
		`{"records":[{"value":"a` + "\t" + `"}]}`:                        "Illegal unquoted character (code 9): control characters must be escaped in strings at line 1 column 24",
		`{"records":[{"value":"\x"}]}`:                                   `Unexpected character 'x' (code 120): expected a valid escape (\" \\ \/ \b \f \n \r \t \uHHHH) at line 1 column 24`,
		`{"records":[{"value":"\u12g4"}]}`:                               `Unexpected character 'g' (code 103): expected four hex digits after \u at line 1 column 27`,
		"{\"records\":[{\"value\":\"\xff\"}]}":                           "Invalid UTF-8 byte 0xff in a string at line 1 column 23",
		`{"records":[{"value":1.}]}`:                                     "Unexpected character '}' (code 125): expected a digit after the decimal point at line 1 column 24",
		`{"records":[{"value":-}]}`:                                      "Unexpected character '}' (code 125): expected a digit in a number at line 1 column 23",
		`{"records":[{"value":[1,]}]}`:                                   "Unexpected character ']' (code 93): expected a value (object, array, string, number, true, false or null) at line 1 column 25",
		`{"records":[{"value":1},]}`:                                     "Unexpected character ']' (code 93): expected '{' starting records[1] at line 1 column 25",
		`{"records":[{"value":1}`:                                        "Unexpected end of input (the body is truncated): expected ',' or ']' in the records array at line 1 column 24",
		`{"records":[{value:1}]}`:                                        "Unexpected character 'v' (code 118): expected a field name in double quotes at line 1 column 14",
		`{"records":[{"value":1,"partition":-1}]}`:                       "records[0].partition: -1 is not a partition number",
		`{"records":[{"value":1,"partition":"0"}]}`:                      "Unexpected character '\"' (code 34): expected an integer or null for records[0].partition at line 1 column 36",
		`{"records":[{"value":` + strings.Repeat("[", maxDepth) + `]}]}`: fmt.Sprintf("Value nested deeper than %d levels at line 1 column %d", maxDepth, 22+maxDepth-3),
	}
	for body, want := range cases {
		_, _, err := decodeProduce([]byte(body), formatJSON, nil, nil)
		if err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", body, err, want)
		}
	}
}

// FuzzDecodeProduce checks that no body panics the decoder, that only valid JSON is
// accepted, and that accepted records survive being encoded again and decoded.
func FuzzDecodeProduce(f *testing.F) {
	seeds := []string{
		`{"records":[{"value":{"index":7528,"title":"No Title Data Available","downloaded":0}}]}`,
		`{"records":[{"key":"k","value":[1,2,{"a":null}],"partition":0},{"value":"x"}]}`,
		`{"records":[{"value":"aGVsbG8=","key":"a2V5"}]}`,
		` { "records" : [ { "value" : 1.5e-3 } ] } `,
		`{"records":[]}`,
		`{"records":[{"value":"\u00e9\n"}]`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, binary bool) {
		format := formatJSON
		if binary {
			format = formatBinary
		}
		records, _, err := decodeProduce(body, format, nil, nil)
		if err != nil {
			var se *syntaxError
			var re *requestError
			if !errors.As(err, &se) && !errors.As(err, &re) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		again, _, err := decodeProduce(encode(t, records, format), format, nil, nil)
		if err != nil {
			t.Fatalf("re-encoded records rejected: %v", err)
		}
		if len(again) != len(records) {
			t.Fatalf("%d records became %d", len(records), len(again))
		}
		for i := range records {
			a, b := records[i], again[i]
			if !bytes.Equal(a.Key, b.Key) || !bytes.Equal(a.Value, b.Value) || (a.Key == nil) != (b.Key == nil) ||
				(a.Value == nil) != (b.Value == nil) || a.Partition != b.Partition {
				t.Fatalf("record %d changed: %+v became %+v", i, a, b)
			}
			if format == formatJSON && a.Value != nil {
				var compact bytes.Buffer
				if err := json.Compact(&compact, a.Value); err != nil || !bytes.Equal(compact.Bytes(), a.Value) {
					t.Fatalf("value %q is not compact JSON: %v", a.Value, err)
				}
			}
		}
	})
}

// encode writes records back as a produce body in format.
func encode(t *testing.T, records []Record, format embeddedFormat) []byte {
	t.Helper()
	field := func(b []byte) string {
		switch {
		case b == nil:
			return "null"
		case format == formatJSON:
			return string(b)
		}
		return `"` + base64.StdEncoding.EncodeToString(b) + `"`
	}
	var sb strings.Builder
	sb.WriteString(`{"records":[`)
	for i, r := range records {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"key":%s,"value":%s`, field(r.Key), field(r.Value))
		if r.Partition >= 0 {
			fmt.Fprintf(&sb, `,"partition":%d`, r.Partition)
		}
		sb.WriteByte('}')
	}
	sb.WriteString(`]}`)
	return []byte(sb.String())
}

func TestPlainWordMatchesPlainBytes(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var b [8]byte
		for i := range b {
			// Mostly printable ASCII, so both answers occur often.
			b[i] = byte(0x20 + rnd.IntN(0x60))
			if rnd.IntN(16) == 0 {
				b[i] = byte(rnd.IntN(256))
			}
		}
		want := true
		for _, c := range b {
			want = want && plain[c]
		}
		if got := plainWord(binary.LittleEndian.Uint64(b[:])); got != want {
			t.Fatalf("plainWord(%q) = %v, want %v", b, got, want)
		}
	}
}
