package clean

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/pintui/pintui/pipeline/record"
)

// cleanLine decodes and cleans one raw line of table and returns its clean JSON (empty when
// the row was quarantined) with the report.
func cleanLine(t *testing.T, table record.Table, line string) (string, Report) {
	t.Helper()
	c := NewCleaner(table)
	row, err := DecodeLine([]byte(line))
	if err != nil {
		t.Fatalf("decode %s: %v", line, err)
	}
	var out []byte
	switch table {
	case record.TablePin:
		p, err := c.Pin(row)
		if err == nil {
			out = AppendPin(out, p)
		}
	case record.TableGeo:
		g, err := c.Geo(row)
		if err == nil {
			out = AppendGeo(out, g)
		}
	case record.TableUser:
		u, err := c.User(row)
		if err == nil {
			out = AppendUser(out, u)
		}
	}
	return string(out), c.Report()
}

const pin10794 = `{"index": 10794, "unique_id": "c4bd2577-a7bb-4409-bb7a-17d5ed7e1cf1", "title": "TireBuyer", "description": "Nissan GT-R. Sick.", "poster_name": "Ray Uyemura", "follower_count": "437", "tag_list": "Lowrider,Old Vintage Cars", "is_image_or_video": "image", "image_src": "https://i.pinimg.com/originals/0d/29/9f/0d299f3df020395aa7ce8387f40fbeed.jpg", "downloaded": 1, "save_location": "Local save in /data/vehicles", "category": "vehicles"}`

// pinWith returns a minimal pin row with the given fields after the index.
func pinWith(fields string) string {
	return `{"index": 1, ` + fields + `}`
}

func TestPinRules(t *testing.T) {
	nulls := `"unique_id": null, "title": null, "description": null, "follower_count": null, "poster_name": null, "tag_list": null, "is_image_or_video": null, "image_src": null, "save_location": null, "category": null`
	allNull := func(fields string) string {
		return `{"ind": 1, ` + fields + `}`
	}
	tests := []struct {
		name  string
		line  string
		want  string
		rules map[string]int64
	}{
		{
			name:  "every column as posted",
			line:  pin10794,
			want:  `{"ind": 10794, "unique_id": "c4bd2577-a7bb-4409-bb7a-17d5ed7e1cf1", "title": "TireBuyer", "description": "Nissan GT-R. Sick.", "follower_count": 437, "poster_name": "Ray Uyemura", "tag_list": "Lowrider,Old Vintage Cars", "is_image_or_video": "image", "image_src": "https://i.pinimg.com/originals/0d/29/9f/0d299f3df020395aa7ce8387f40fbeed.jpg", "save_location": "/data/vehicles", "category": "vehicles"}`,
			rules: map[string]int64{"pin.save_location.prefix": 1},
		},
		{
			name:  "follower_count k",
			line:  pinWith(`"follower_count": "892k"`),
			want:  `"follower_count": 892000`,
			rules: map[string]int64{"pin.follower_count.k": 1},
		},
		{
			name:  "follower_count M",
			line:  pinWith(`"follower_count": "1M"`),
			want:  `"follower_count": 1000000`,
			rules: map[string]int64{"pin.follower_count.M": 1},
		},
		{
			name: "follower_count digits",
			line: pinWith(`"follower_count": "437"`),
			want: `"follower_count": 437`,
		},
		{
			name: "follower_count zero",
			line: pinWith(`"follower_count": "0"`),
			want: `"follower_count": 0`,
		},
		{
			name:  "follower_count placeholder",
			line:  pinWith(`"follower_count": "User Info Error"`),
			want:  `"follower_count": null`,
			rules: map[string]int64{"pin.follower_count.placeholder": 1},
		},
		{
			name:  "follower_count decimal is no shape of a follower count",
			line:  pinWith(`"follower_count": "1.5k"`),
			want:  `"follower_count": null`,
			rules: map[string]int64{"pin.follower_count.invalid": 1},
		},
		{
			name:  "follower_count lower-case m",
			line:  pinWith(`"follower_count": "5m"`),
			want:  `"follower_count": null`,
			rules: map[string]int64{"pin.follower_count.invalid": 1},
		},
		{
			name:  "follower_count bare suffix",
			line:  pinWith(`"follower_count": "k"`),
			want:  `"follower_count": null`,
			rules: map[string]int64{"pin.follower_count.invalid": 1},
		},
		{
			name:  "follower_count beyond 32 bits",
			line:  pinWith(`"follower_count": "3000M"`),
			want:  `"follower_count": null`,
			rules: map[string]int64{"pin.follower_count.invalid": 1},
		},
		{
			name: "follower_count at the 32-bit limit",
			line: pinWith(`"follower_count": "2147483647"`),
			want: `"follower_count": 2147483647`,
		},
		{
			name:  "follower_count as a number",
			line:  pinWith(`"follower_count": 437`),
			want:  `"follower_count": 437`,
			rules: map[string]int64{"pin.follower_count.from_number": 1},
		},
		{
			name:  "description placeholder",
			line:  pinWith(`"description": "No description available Story format"`),
			want:  `"description": null`,
			rules: map[string]int64{"pin.description.placeholder": 1},
		},
		{
			name: "Untitled is a real description",
			line: pinWith(`"description": "Untitled"`),
			want: `"description": "Untitled"`,
		},
		{
			name: "a placeholder of another column stays",
			line: pinWith(`"description": "User Info Error"`),
			want: `"description": "User Info Error"`,
		},
		{
			name: "placeholders match whole values only",
			line: pinWith(`"description": "No description available Story format."`),
			want: `"description": "No description available Story format."`,
		},
		{
			name:  "title placeholder",
			line:  pinWith(`"title": "No Title Data Available"`),
			want:  `"title": null`,
			rules: map[string]int64{"pin.title.placeholder": 1},
		},
		{
			name:  "poster_name placeholder",
			line:  pinWith(`"poster_name": "User Info Error"`),
			want:  `"poster_name": null`,
			rules: map[string]int64{"pin.poster_name.placeholder": 1},
		},
		{
			name:  "tag_list placeholder",
			line:  pinWith(`"tag_list": "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e"`),
			want:  `"tag_list": null`,
			rules: map[string]int64{"pin.tag_list.placeholder": 1},
		},
		{
			name:  "image_src placeholder with its period",
			line:  pinWith(`"image_src": "Image src error."`),
			want:  `"image_src": null`,
			rules: map[string]int64{"pin.image_src.placeholder": 1},
		},
		{
			name: "image_src without the period is a value",
			line: pinWith(`"image_src": "Image src error"`),
			want: `"image_src": "Image src error"`,
		},
		{
			name: "multi-video is kept",
			line: pinWith(`"is_image_or_video": "multi-video(story page format)"`),
			want: `"is_image_or_video": "multi-video(story page format)"`,
		},
		{
			name: "save_location without the prefix",
			line: pinWith(`"save_location": "/data/art"`),
			want: `"save_location": "/data/art"`,
		},
		{
			name: "save_location prefix without its space is no prefix",
			line: pinWith(`"save_location": "Local save in/data/art"`),
			want: `"save_location": "Local save in/data/art"`,
		},
		{
			name:  "index given as a string",
			line:  `{"index": "42", "category": "art"}`,
			want:  `{"ind": 42, `,
			rules: map[string]int64{"pin.index.from_string": 1},
		},
		{
			name:  "index with a zero fraction",
			line:  `{"index": 42.0}`,
			want:  `{"ind": 42, `,
			rules: map[string]int64{"pin.index.from_float": 1},
		},
		{
			name:  "id already renamed to ind",
			line:  allNull(nulls),
			want:  `{"ind": 1, "unique_id": null, "title": null, "description": null, "follower_count": null, "poster_name": null, "tag_list": null, "is_image_or_video": null, "image_src": null, "save_location": null, "category": null}`,
			rules: map[string]int64{"pin.index.from_ind": 1},
		},
		{
			name:  "a number in a text column keeps its text",
			line:  pinWith(`"title": 1984`),
			want:  `"title": "1984"`,
			rules: map[string]int64{"pin.title.from_number": 1},
		},
		{
			name:  "a bool in a text column keeps its text",
			line:  pinWith(`"title": true`),
			want:  `"title": "true"`,
			rules: map[string]int64{"pin.title.from_bool": 1},
		},
		{
			name:  "a nested value in a text column is null",
			line:  pinWith(`"title": {"en": "x"}`),
			want:  `"title": null`,
			rules: map[string]int64{"pin.title.invalid": 1},
		},
		{
			name:  "extra keys are ignored and counted",
			line:  pinWith(`"title": "a", "likes": [1, 2], "source": "web"`),
			want:  `"title": "a"`,
			rules: map[string]int64{"pin.extra_key": 2},
		},
		{
			name:  "a repeated key keeps the last value",
			line:  pinWith(`"title": "first", "title": "last"`),
			want:  `"title": "last"`,
			rules: map[string]int64{"pin.duplicate_key": 1},
		},
		{
			name: "unicode and escapes survive",
			line: pinWith(`"title": "caf\u00e9 \ud83d\ude00 \"q\" tab\t", "description": "Nice…\u00a0"`),
			want: `"title": "café 😀 \"q\" tab\t", "description": "Nice…` + "\u00a0" + `"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, report := cleanLine(t, record.TablePin, tt.line)
			if !strings.Contains(got, tt.want) {
				t.Errorf("clean %s\n got: %s\nwant it to contain: %s", tt.line, got, tt.want)
			}
			rules := withoutMissing(report.Rules)
			if tt.rules == nil {
				tt.rules = map[string]int64{}
			}
			if !maps.Equal(rules, tt.rules) {
				t.Errorf("rules = %v, want %v", rules, tt.rules)
			}
		})
	}
}

// TestPin7528 is the documented example: the all-error row keeps only its id, kind, location and
// category.
func TestPin7528(t *testing.T) {
	line := `{"index": 7528, "unique_id": "fbe53c66-3442-4773-b19e-d3ec6f54dddf", "title": "No Title Data Available", "description": "No description available Story format", "poster_name": "User Info Error", "follower_count": "User Info Error", "tag_list": "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e", "is_image_or_video": "multi-video(story page format)", "image_src": "Image src error.", "downloaded": 0, "save_location": "Local save in /data/mens-fashion", "category": "mens-fashion"}`
	row, err := DecodeLine([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewCleaner(record.TablePin).Pin(row)
	if err != nil {
		t.Fatal(err)
	}
	if p.Ind != 7528 || *p.UniqueID != "fbe53c66-3442-4773-b19e-d3ec6f54dddf" ||
		p.Title != nil || p.Description != nil || p.FollowerCount != nil || p.PosterName != nil ||
		p.TagList != nil || p.ImageSrc != nil || *p.IsImageOrVideo != "multi-video(story page format)" ||
		*p.SaveLocation != "/data/mens-fashion" || *p.Category != "mens-fashion" {
		t.Errorf("pin 7528 cleaned to %s", AppendPin(nil, p))
	}
}

func TestQuarantinedIDs(t *testing.T) {
	const notAPin = "missing index: the row has ind but no pin column, as a geo or user record does"
	tests := []struct {
		table  record.Table
		line   string
		reason string
	}{
		{record.TablePin, `{"title": "x"}`, "missing index"},
		{record.TablePin, `{"ind": 7528, "timestamp": "2020-08-28 03:52:47", "latitude": -89.9787, "longitude": -173.293, "country": "Albania"}`, notAPin},
		{record.TablePin, `{"ind": 2863, "first_name": "Abigail", "last_name": "Ali", "age": 20, "date_joined": "2015-10-24 11:23:51"}`, notAPin},
		{record.TablePin, `{"ind": 5}`, notAPin},
		{record.TablePin, `{"index": null}`, "index is null"},
		{record.TablePin, `{"index": "abc"}`, `invalid index "abc": want an integer`},
		{record.TablePin, `{"index": 1.5}`, `invalid index 1.5: want an integer`},
		{record.TablePin, `{"index": "0x10"}`, `invalid index "0x10": want an integer`},
		{record.TableGeo, `{"index": 3}`, "missing ind"},
		{record.TableUser, `{"ind": [1]}`, "invalid ind [1]: want an integer"},
	}
	for _, tt := range tests {
		c := NewCleaner(tt.table)
		row, err := DecodeLine([]byte(tt.line))
		if err != nil {
			t.Fatal(err)
		}
		row.Source, row.Line = "landing.json", 7
		switch tt.table {
		case record.TablePin:
			_, err = c.Pin(row)
		case record.TableGeo:
			_, err = c.Geo(row)
		case record.TableUser:
			_, err = c.User(row)
		}
		if !errors.Is(err, errQuarantined) {
			t.Errorf("%s %s: error %v, want it quarantined", tt.table, tt.line, err)
		}
		r := c.Report()
		want := Quarantined{Source: "landing.json", Line: 7, Reason: tt.reason, Raw: row.String()}
		if len(r.Quarantined) != 1 || r.Quarantined[0] != want {
			t.Errorf("%s %s: quarantined %+v, want %+v", tt.table, tt.line, r.Quarantined, want)
		}
		if r.RowsIn != 1 || r.RowsOut != 0 {
			t.Errorf("%s %s: rows in %d out %d, want 1 and 0", tt.table, tt.line, r.RowsIn, r.RowsOut)
		}
	}
}

func TestGeoRules(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		want  string
		rules map[string]int64
	}{
		{
			name: "as posted",
			line: `{"ind": 7528, "timestamp": "2020-08-28 03:52:47", "latitude": -89.9787, "longitude": -173.293, "country": "Albania"}`,
			want: `{"ind": 7528, "country": "Albania", "coordinates": [-89.9787, -173.293], "timestamp": "2020-08-28 03:52:47"}`,
		},
		{
			name:  "ISO T timestamp",
			line:  `{"ind": 1, "timestamp": "2022-01-01T02:26:50", "latitude": 1, "longitude": 2}`,
			want:  `{"ind": 1, "country": null, "coordinates": [1.0, 2.0], "timestamp": "2022-01-01 02:26:50"}`,
			rules: map[string]int64{"geo.timestamp.iso_t": 1},
		},
		{
			name:  "zone converted to UTC",
			line:  `{"ind": 1, "timestamp": "2022-01-01T02:26:50+02:00"}`,
			want:  `"timestamp": "2022-01-01 00:26:50"`,
			rules: map[string]int64{"geo.timestamp.iso_t": 1, "geo.timestamp.zone": 1},
		},
		{
			name:  "Z zone",
			line:  `{"ind": 1, "timestamp": "2022-01-01T02:26:50.250Z"}`,
			want:  `"timestamp": "2022-01-01 02:26:50.25"`,
			rules: map[string]int64{"geo.timestamp.iso_t": 1, "geo.timestamp.zone": 1},
		},
		{
			name:  "date only",
			line:  `{"ind": 1, "timestamp": "2019-02-28"}`,
			want:  `"timestamp": "2019-02-28 00:00:00"`,
			rules: map[string]int64{"geo.timestamp.date_only": 1},
		},
		{
			name:  "impossible date",
			line:  `{"ind": 1, "timestamp": "2019-02-29 00:00:00"}`,
			want:  `"timestamp": null`,
			rules: map[string]int64{"geo.timestamp.invalid": 1},
		},
		{
			name:  "colons in the date",
			line:  `{"ind": 1, "timestamp": "2019:02:28 00:00:00"}`,
			want:  `"timestamp": null`,
			rules: map[string]int64{"geo.timestamp.invalid": 1},
		},
		{
			name:  "epoch number",
			line:  `{"ind": 1, "timestamp": 1598586767}`,
			want:  `"timestamp": null`,
			rules: map[string]int64{"geo.timestamp.invalid": 1},
		},
		{
			name:  "coordinates given as strings",
			line:  `{"ind": 1, "latitude": "-2.01499", "longitude": "5.69245"}`,
			want:  `"coordinates": [-2.01499, 5.69245]`,
			rules: map[string]int64{"geo.latitude.from_string": 1, "geo.longitude.from_string": 1},
		},
		{
			name:  "one coordinate null",
			line:  `{"ind": 1, "latitude": 13.4683, "longitude": null}`,
			want:  `"coordinates": null`,
			rules: map[string]int64{"geo.coordinates.incomplete": 1},
		},
		{
			name:  "coordinate not a number",
			line:  `{"ind": 1, "latitude": "north", "longitude": 1}`,
			want:  `"coordinates": null`,
			rules: map[string]int64{"geo.latitude.invalid": 1, "geo.coordinates.incomplete": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, report := cleanLine(t, record.TableGeo, tt.line)
			if !strings.Contains(got, tt.want) {
				t.Errorf("clean %s\n got: %s\nwant it to contain: %s", tt.line, got, tt.want)
			}
			if tt.rules == nil {
				tt.rules = map[string]int64{}
			}
			if rules := withoutMissing(report.Rules); !maps.Equal(rules, tt.rules) {
				t.Errorf("rules = %v, want %v", rules, tt.rules)
			}
		})
	}
}

func TestUserRules(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		want  string
		rules map[string]int64
	}{
		{
			name: "as posted",
			line: `{"ind": 7528, "first_name": "Abigail", "last_name": "Ali", "age": 20, "date_joined": "2015-10-24 11:23:51"}`,
			want: `{"ind": 7528, "user_name": "Abigail Ali", "age": 20, "date_joined": "2015-10-24 11:23:51"}`,
		},
		{
			name:  "ISO T date_joined and age as a string",
			line:  `{"ind": 1, "first_name": "Thomas", "last_name": "Turner", "age": "34", "date_joined": "2016-12-22T00:02:02"}`,
			want:  `{"ind": 1, "user_name": "Thomas Turner", "age": 34, "date_joined": "2016-12-22 00:02:02"}`,
			rules: map[string]int64{"user.date_joined.iso_t": 1, "user.age.from_string": 1},
		},
		{
			name:  "a name part null",
			line:  `{"ind": 1, "first_name": "Thomas", "last_name": null}`,
			want:  `"user_name": null`,
			rules: map[string]int64{"user.user_name.incomplete": 1},
		},
		{
			name:  "age not a number",
			line:  `{"ind": 1, "age": "twenty"}`,
			want:  `"age": null`,
			rules: map[string]int64{"user.age.invalid": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, report := cleanLine(t, record.TableUser, tt.line)
			if !strings.Contains(got, tt.want) {
				t.Errorf("clean %s\n got: %s\nwant it to contain: %s", tt.line, got, tt.want)
			}
			if tt.rules == nil {
				tt.rules = map[string]int64{}
			}
			if rules := withoutMissing(report.Rules); !maps.Equal(rules, tt.rules) {
				t.Errorf("rules = %v, want %v", rules, tt.rules)
			}
		})
	}
}

// TestMissingColumnsAreCounted checks that an absent key is a null the report names.
func TestMissingColumnsAreCounted(t *testing.T) {
	got, report := cleanLine(t, record.TableUser, `{"ind": 5}`)
	if want := `{"ind": 5, "user_name": null, "age": null, "date_joined": null}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	want := map[string]int64{"user.first_name.missing": 1, "user.last_name.missing": 1,
		"user.age.missing": 1, "user.date_joined.missing": 1}
	if !maps.Equal(report.Rules, want) {
		t.Errorf("rules = %v, want %v", report.Rules, want)
	}
}

// withoutMissing drops the counts of absent columns, which the short test rows have many of.
func withoutMissing(rules map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for name, n := range rules {
		if !strings.HasSuffix(name, ".missing") {
			out[name] = n
		}
	}
	return out
}
