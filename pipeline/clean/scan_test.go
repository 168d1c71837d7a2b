package clean

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestDecodeLine(t *testing.T) {
	row, err := DecodeLine([]byte(` { "b" : "x\"y\\u00e9\u00e9\ud83d\ude00" , "a":-1.5e+3,"n":null,"t":true,` +
		`"o": { "k" : [ 1 , "s p" ] } }` + "\r"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Field{
		{Key: "b", Kind: KindString, Value: `x"y\u00e9é😀`},
		{Key: "a", Kind: KindNumber, Value: "-1.5e+3"},
		{Key: "n", Kind: KindNull},
		{Key: "t", Kind: KindBool, Value: "true"},
		{Key: "o", Kind: KindNested, Value: `{"k":[1,"s p"]}`},
	}
	if !reflect.DeepEqual(row.Fields, want) {
		t.Errorf("fields\n got: %#v\nwant: %#v", row.Fields, want)
	}
}

func TestDecodeLineSurrogatesAndBadUTF8(t *testing.T) {
	tests := map[string]string{
		`{"k":"\ud83d"}`:           "\ufffd",
		`{"k":"\ud83d\u0041"}`:     "\ufffdA",
		`{"k":"\ude00\ud83d"}`:     "\ufffd\ufffd",
		"{\"k\":\"a\xffb\"}":       "a\ufffdb",
		"{\"k\":\"\xed\xa0\x80\"}": "\ufffd\ufffd\ufffd",
	}
	for line, want := range tests {
		row, err := DecodeLine([]byte(line))
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if got := row.Fields[0].Value; got != want {
			t.Errorf("%q: value %q, want %q", line, got, want)
		}
	}
}

func TestDecodeLineErrors(t *testing.T) {
	tests := map[string]string{
		``:                    "not JSON: empty line",
		`hello`:               `not JSON: unexpected 'h' at column 1 looking for a value`,
		`[1, 2]`:              "not an object: the line holds an array",
		`"text"`:              "not an object: the line holds a string",
		`42`:                  "not an object: the line holds a number",
		`null`:                "not an object: the line holds null",
		`{"a": 1`:             "not JSON: unexpected end of line after a value",
		`{"a": 1,}`:           `not JSON: unexpected '}' at column 9 looking for a key`,
		`{"a" 1}`:             `not JSON: unexpected '1' at column 6 after a key`,
		`{"a": 01}`:           `not JSON: unexpected '1' at column 8 after a value`,
		`{"a": 1.}`:           `not JSON: unexpected '}' at column 9 in a number`,
		`{"a": tru}`:          `not JSON: unexpected '}' at column 10 in a literal`,
		`{"a": "x`:            "not JSON: string starting at column 7 never ends",
		`{"a": "\x"}`:         `not JSON: unexpected 'x' at column 9 in an escape`,
		`{"a": "\u12g4"}`:     `not JSON: bad \u escape at column 8`,
		"{\"a\": \"\t\"}":     "not JSON: unexpected byte 0x09 at column 8 in a string",
		`{"a": 1} {"b": 2}`:   `not JSON: unexpected '{' at column 10 after the object`,
		`{"a": [1, {"b": }]}`: `not JSON: unexpected '}' at column 17 looking for a value`,
		`{'a': 1}`:            `not JSON: unexpected '\'' at column 2 looking for a key`,
	}
	for line, want := range tests {
		_, err := DecodeLine([]byte(line))
		if err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %q", line, err, want)
		}
	}
}

func TestDecodeLines(t *testing.T) {
	data := []byte("{\"ind\": 1}\n\nnot json\n  \n{\"ind\": 2}\r\n{\"ind\": 3}")
	rows, bad := DecodeLines("k.json", data)
	var lines []int
	for _, r := range rows {
		lines = append(lines, r.Line)
		if r.Source != "k.json" {
			t.Errorf("row source %q", r.Source)
		}
	}
	if !reflect.DeepEqual(lines, []int{1, 5, 6}) {
		t.Errorf("row lines %v, want [1 5 6]", lines)
	}
	want := []Quarantined{{Source: "k.json", Line: 3, Reason: `not JSON: unexpected 'o' at column 2 in a literal`, Raw: "not json"}}
	if !reflect.DeepEqual(bad, want) {
		t.Errorf("quarantined %+v, want %+v", bad, want)
	}
}

func TestTruncateKeepsUTF8(t *testing.T) {
	raw := bytes.Repeat([]byte("é"), 100)
	got := truncate(raw)
	if want := string(bytes.Repeat([]byte("é"), 80)) + "…"; got != want {
		t.Errorf("truncate = %q, want %q", got, want)
	}
}

// FuzzDecodeLine holds the scanner to encoding/json: it accepts exactly the lines encoding/json
// reads as an object and gives every top-level value encoding/json gives.
func FuzzDecodeLine(f *testing.F) {
	for _, name := range []string{"raw_pin.jsonl", "raw_geo.jsonl", "raw_user.jsonl"} {
		data, err := os.ReadFile(filepath.Join(examples, name))
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range bytes.Split(data, []byte("\n")) {
			f.Add(line)
		}
	}
	for _, seed := range []string{`{}`, `{"a":{"b":[1,2,{"c":null}]}}`, `{"a":"\ud83d\ude00\u00e9\n"}`,
		`{"a":1e5,"a":-0.5E-2}`, `[1]`, `null`, "{\"a\":\"\xff\"}", `{"a":"\ud800\udc00"}`, `{"a":tru}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		row, err := DecodeLine(line)
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var want map[string]any
		oracleErr := dec.Decode(&want)
		if !json.Valid(line) {
			oracleErr = errInvalid
		}
		if err != nil {
			trimmed := bytes.TrimLeft(line, " \t\r\n")
			if oracleErr == nil && (len(trimmed) == 0 || trimmed[0] != '{') {
				return // valid JSON that is no object: encoding/json reads null into a map
			}
			if oracleErr == nil {
				t.Fatalf("%q: scanner says %v, encoding/json reads %v", line, err, want)
			}
			return
		}
		if oracleErr != nil {
			t.Fatalf("%q: scanner reads %v, encoding/json says %v", line, row.Fields, oracleErr)
		}
		got := map[string]any{}
		for _, f := range row.Fields {
			got[f.Key] = fieldValue(t, f)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nscanner:       %#v\nencoding/json: %#v", line, got, want)
		}
	})
}

var errInvalid = &syntaxError{"json.Valid says no"}

// fieldValue turns a field into the value encoding/json with UseNumber would give.
func fieldValue(t *testing.T, f Field) any {
	switch f.Kind {
	case KindString:
		return f.Value
	case KindNumber:
		return json.Number(f.Value)
	case KindBool:
		return f.Value == "true"
	case KindNested:
		dec := json.NewDecoder(bytes.NewReader([]byte(f.Value)))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("nested value %q does not read back: %v", f.Value, err)
		}
		return v
	}
	return nil
}
