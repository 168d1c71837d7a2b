package analytics

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// cleanTime reads the `YYYY-MM-DD HH:MM:SS` datetimes of the documented clean examples.
type cleanTime struct{ t *time.Time }

func (c *cleanTime) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil || s == nil {
		return err
	}
	t, err := time.Parse(record.DateTimeLayout, *s)
	c.t = &t
	return err
}

// readLines decodes one JSON object per line of a testdata file.
func readLines[T any](t *testing.T, name string) []T {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []T
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		var row T
		if err := json.Unmarshal(lines.Bytes(), &row); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rows = append(rows, row)
	}
	return rows
}

// documentedExamples returns the cleaned forms of the documented draws 7528 and 10794.
func documentedExamples(t *testing.T) ([]record.CleanPin, []record.CleanGeo, []record.CleanUser) {
	t.Helper()
	pins := readLines[record.CleanPin](t, "clean_pin.jsonl")
	type geoLine struct {
		record.CleanGeo
		Timestamp cleanTime `json:"timestamp"`
	}
	type userLine struct {
		record.CleanUser
		DateJoined cleanTime `json:"date_joined"`
	}
	var geos []record.CleanGeo
	for _, g := range readLines[geoLine](t, "clean_geo.jsonl") {
		g.CleanGeo.Timestamp = g.Timestamp.t
		geos = append(geos, g.CleanGeo)
	}
	var users []record.CleanUser
	for _, u := range readLines[userLine](t, "clean_user.jsonl") {
		u.CleanUser.DateJoined = u.DateJoined.t
		users = append(users, u.CleanUser)
	}
	return pins, geos, users
}

func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output:\n%s", path, got)
	}
}

func TestDocumentedExamples(t *testing.T) {
	outputs := Compute(documentedExamples(t))
	want := map[string][][]any{
		CategoryByCountry: {
			{"Albania", "mens-fashion", int64(1)},
			{"Cocos (Keeling) Islands", "vehicles", int64(1)},
		},
		CategoryByYear: {
			{int32(2020), "mens-fashion", int64(1)},
			{int32(2022), "vehicles", int64(1)},
		},
		TopUserByCountry:          {{"Cocos (Keeling) Islands", "Ray Uyemura", int32(437)}},
		TopCountry:                {{"Cocos (Keeling) Islands", int32(437)}},
		CategoryByAgeGroup:        {{"18-24", "mens-fashion", int64(1)}, {"25-35", "vehicles", int64(1)}},
		MedianFollowersByAgeGroup: {{"18-24", nil}, {"25-35", int32(437)}},
		UsersJoinedByYear:         {{int32(2015), int64(1)}, {int32(2016), int64(1)}},
		MedianFollowersByJoinYear: {{int32(2015), nil}, {int32(2016), int32(437)}},
		MedianFollowersByAgeGroupAndJoinYear: {
			{"18-24", int32(2015), nil},
			{"25-35", int32(2016), int32(437)},
		},
	}
	for _, o := range outputs {
		if !reflect.DeepEqual(o.Rows, want[o.Name]) {
			t.Errorf("%s rows:\n got %v\nwant %v", o.Name, o.Rows, want[o.Name])
		}
	}
}

func TestDocumentedExamplesJSON(t *testing.T) {
	got, err := json.MarshalIndent(Compute(documentedExamples(t)), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "examples.json.golden", append(got, '\n'))

	// Keys must come in the documented column order, which a map-based decode cannot show.
	compact, err := json.Marshal(Compute(documentedExamples(t))[:1])
	if err != nil {
		t.Fatal(err)
	}
	const first = `{"category_by_country":[{"country":"Albania","category":"mens-fashion","category_count":1},` +
		`{"country":"Cocos (Keeling) Islands","category":"vehicles","category_count":1}]}`
	if string(compact) != first {
		t.Errorf("compact JSON = %s\nwant %s", compact, first)
	}
}

func TestDocumentedExamplesTable(t *testing.T) {
	var b strings.Builder
	if err := Compute(documentedExamples(t)).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "examples.txt.golden", []byte(b.String()))
}

func TestEmptyOutputRendersAsEmptyArrayAndHeader(t *testing.T) {
	o := Compute(nil, nil, nil)[3]
	got, err := json.Marshal(o)
	if err != nil || string(got) != "[]" {
		t.Errorf("json = %s, %v", got, err)
	}
	const want = "country  follower_count\n-------  --------------\n"
	if s := o.Table().String(); s != want {
		t.Errorf("table = %q, want %q", s, want)
	}
}

func TestJSONKeepsHTMLCharactersAndNulls(t *testing.T) {
	o := Output{
		Name:   TopCountry,
		Fields: []record.Field{{Name: "country", Type: "string"}, {Name: "follower_count", Type: "integer"}},
		Rows:   [][]any{{"Trinidad & Tobago", nil}},
	}
	got, err := o.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"country":"Trinidad & Tobago","follower_count":null}]`; string(got) != want {
		t.Errorf("json = %s, want %s", got, want)
	}
}
