package record

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fixtures holds the documented raw draws of the original emulator (pin 7528, 2863, …).
const fixtures = "testdata/"

// fixtureLines returns the JSON lines of one fixture file.
func fixtureLines(t *testing.T, name string) [][]byte {
	t.Helper()
	f, err := os.Open(fixtures + name)
	if err != nil {
		t.Fatalf("open fixture: %v", err)
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// object decodes one JSON object into a map, keeping numbers as json.Number and writing
// datetimes in their space form so both accepted forms compare equal.
func object(t *testing.T, line []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", line, err)
	}
	for _, k := range []string{"timestamp", "date_joined"} {
		if s, ok := m[k].(string); ok {
			m[k] = strings.Replace(s, "T", " ", 1)
		}
	}
	return m
}

// keys returns the keys of a JSON object in the order they appear.
func keys(t *testing.T, line []byte) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(line))
	var out []string
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			if depth == 1 && d.More() {
				out = append(out, v)
				if _, err := d.Token(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return out
}

func parseDateTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(DateTimeLayout, strings.Replace(s, "T", " ", 1))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func number(t *testing.T, v any) json.Number {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v is not a number", v)
	}
	return n
}

func integer(t *testing.T, v any) int64 {
	n, err := number(t, v).Int64()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func float(t *testing.T, v any) float64 {
	f, err := number(t, v).Float64()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func pinFrom(t *testing.T, m map[string]any) RawPin {
	return RawPin{Index: integer(t, m["index"]), UniqueID: m["unique_id"].(string),
		Title: m["title"].(string), Description: m["description"].(string),
		PosterName: m["poster_name"].(string), FollowerCount: m["follower_count"].(string),
		TagList: m["tag_list"].(string), IsImageOrVideo: m["is_image_or_video"].(string),
		ImageSrc: m["image_src"].(string), Downloaded: integer(t, m["downloaded"]),
		SaveLocation: m["save_location"].(string), Category: m["category"].(string)}
}

func geoFrom(t *testing.T, m map[string]any) RawGeo {
	return RawGeo{Ind: integer(t, m["ind"]), Timestamp: parseDateTime(t, m["timestamp"].(string)),
		Latitude: float(t, m["latitude"]), Longitude: float(t, m["longitude"]),
		Country: m["country"].(string)}
}

func userFrom(t *testing.T, m map[string]any) RawUser {
	return RawUser{Ind: integer(t, m["ind"]), FirstName: m["first_name"].(string),
		LastName: m["last_name"].(string), Age: integer(t, m["age"]),
		DateJoined: parseDateTime(t, m["date_joined"].(string))}
}

// TestRawJSONFixtures checks the encoders against the documented draws: the first line of each
// fixture is in `SELECT *` order and space datetimes, so its compact form must match byte for
// byte; every line must match semantically.
func TestRawJSONFixtures(t *testing.T) {
	cases := []struct {
		file    string
		columns []string
		encode  func(map[string]any) []byte
	}{
		{"raw_pin.jsonl", RawPinColumns, func(m map[string]any) []byte { return pinFrom(t, m).AppendJSON(nil) }},
		{"raw_geo.jsonl", RawGeoColumns, func(m map[string]any) []byte { return geoFrom(t, m).AppendJSON(nil) }},
		{"raw_user.jsonl", RawUserColumns, func(m map[string]any) []byte { return userFrom(t, m).AppendJSON(nil) }},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			lines := fixtureLines(t, c.file)
			if len(lines) == 0 {
				t.Fatal("empty fixture")
			}
			for i, line := range lines {
				want := object(t, line)
				got := c.encode(want)
				if !reflect.DeepEqual(object(t, got), want) {
					t.Errorf("line %d: encoded %s\nwant the values of %s", i+1, got, line)
				}
				if k := keys(t, got); !reflect.DeepEqual(k, c.columns) {
					t.Errorf("line %d: keys %v, want %v", i+1, k, c.columns)
				}
				if i == 0 {
					var compact bytes.Buffer
					if err := json.Compact(&compact, line); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, compact.Bytes()) {
						t.Errorf("line 1:\n got %s\nwant %s", got, compact.Bytes())
					}
				}
			}
		})
	}
}

func TestAppendPythonFloat(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{
		{-89.9787, "-89.9787"},
		{-173.293, "-173.293"},
		{5.69245, "5.69245"},
		{-50.11, "-50.11"},
		{-50, "-50.0"},
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{0.0001, "0.0001"},
		{0.00001, "1e-05"},
		{1e15, "1000000000000000.0"},
		{1e16, "1e+16"},
		{1.5e300, "1.5e+300"},
		{0.30000000000000004, "0.30000000000000004"},
		{math.NaN(), "null"},
		{math.Inf(-1), "null"},
	}
	for _, c := range cases {
		if got := string(AppendPythonFloat(nil, c.in)); got != c.want {
			t.Errorf("AppendPythonFloat(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"plain", `"plain"`},
		{"cut here…\u00a0", "\"cut here…\u00a0\""},
		{`say "hi" \o/`, `"say \"hi\" \\o/"`},
		{"a\nb\r\tc\b\f", `"a\nb\r\tc\b\f"`},
		{"\x01\x1f", `"\u0001\u001f"`},
		{"bad \xff byte", "\"bad \ufffd byte\""},
		{"Café & <Déco>", `"Café & <Déco>"`},
	}
	for _, c := range cases {
		got := AppendJSONString(nil, c.in)
		if string(got) != c.want {
			t.Errorf("AppendJSONString(%q) = %s, want %s", c.in, got, c.want)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("AppendJSONString(%q) is not valid JSON: %v", c.in, err)
		}
	}
}

// TestMarshalJSONInEnvelope checks that a raw record embeds as an object, never as a string, in
// the REST Proxy body the batch emulator posts.
func TestMarshalJSONInEnvelope(t *testing.T) {
	u := RawUser{Ind: 7528, FirstName: "Abigail", LastName: "Ali", Age: 20,
		DateJoined: time.Date(2015, 10, 24, 11, 23, 51, 0, time.UTC)}
	body, err := json.Marshal(map[string]any{"records": []any{map[string]any{"value": u}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"records":[{"value":{"ind":7528,"first_name":"Abigail","last_name":"Ali","age":20,"date_joined":"2015-10-24 11:23:51"}}]}`
	if string(body) != want {
		t.Errorf("got %s\nwant %s", body, want)
	}
}
