package clean

import (
	"testing"

	"github.com/pintui/pintui/pipeline/record"
)

func TestDedupeIgnoresKeyOrderAndWhitespace(t *testing.T) {
	lines := []string{
		`{"ind": 1, "first_name": "Abigail", "tags": {"a": [1, 2]}}`,
		`{"first_name":"Abigail","tags":{ "a" : [ 1,2 ] },"ind":1}`,
		`{"ind": 1, "first_name": "Abigail", "tags": {"a": [1, 2]}, "extra": null}`,
		`{"ind": "1", "first_name": "Abigail", "tags": {"a": [1, 2]}}`,
		`{"ind": 1, "first_name": "Abigail ", "tags": {"a": [1, 2]}}`,
		`{"ind": 1, "first_name": "Abi", "first_name": "Abigail", "tags": {"a": [1, 2]}}`,
		`{"ind": 1, "first_name": "Abigail", "first_name": "Abi", "tags": {"a": [1, 2]}}`,
		`{"ind": 1, "first_name": "Abig\u0061il", "tags": {"a": [1, 2]}}`,
	}
	// Equal raw rows: 1 (reordered, re-spaced), 5 (the last of a repeated key counts), 7 (the
	// same text once unescaped). Different: an extra key, a string id, a trailing space, another
	// last value.
	want := []bool{false, true, false, false, false, true, false, true}
	d := NewDeduper()
	for i, line := range lines {
		row, err := DecodeLine([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Seen(row); got != want[i] {
			t.Errorf("line %d %s: seen %v, want %v", i, line, got, want[i])
		}
	}
}

func TestBatchDedupesAcrossLandingsBeforeCleaning(t *testing.T) {
	pins := 0
	b := NewBatch(func(*record.CleanPin) { pins++ })
	// Two raw rows that clean to the same row are both kept: de-duplication is on raw rows.
	b.Add("a.json", []byte(`{"index": 1, "save_location": "Local save in /data/art"}`+"\n"))
	b.Add("b.json", []byte(`{"save_location": "Local save in /data/art", "index": 1}`+"\n"+
		`{"index": 1, "save_location": "/data/art"}`+"\nnot json\n"))
	r := b.Report()
	if pins != 2 || r.Duplicates != 1 || r.RowsIn != 4 || r.RowsOut != 2 {
		t.Errorf("pins %d, report %+v; want 2 pins, 1 duplicate, 4 in, 2 out", pins, r)
	}
	if r.Rules["pin.save_location.prefix"] != 1 {
		t.Errorf("prefix count %d, want 1: the duplicate must not be counted", r.Rules["pin.save_location.prefix"])
	}
	if len(r.Quarantined) != 1 || r.Quarantined[0].Where() != "b.json:3" {
		t.Errorf("quarantined %+v, want b.json:3", r.Quarantined)
	}
}
