package clean

import (
	"bytes"
	"reflect"
	"testing"
)

func TestReportMerge(t *testing.T) {
	var total Report
	a := Report{Table: "pin", RowsIn: 3, RowsOut: 2, Duplicates: 1,
		Rules:       map[string]int64{"pin.follower_count.k": 2, "pin.save_location.prefix": 2},
		Quarantined: []Quarantined{{Line: 2, Reason: "a"}}}
	b := Report{Table: "pin", RowsIn: 5, RowsOut: 4,
		Rules:       map[string]int64{"pin.follower_count.k": 1, "pin.follower_count.M": 3},
		Quarantined: []Quarantined{{Line: 9, Reason: "b"}}}
	total.Merge(a)
	total.Merge(b)
	want := Report{Table: "pin", RowsIn: 8, RowsOut: 6, Duplicates: 1,
		Rules: map[string]int64{"pin.follower_count.k": 3, "pin.save_location.prefix": 2,
			"pin.follower_count.M": 3},
		Quarantined: []Quarantined{{Line: 2, Reason: "a"}, {Line: 9, Reason: "b"}}}
	if !reflect.DeepEqual(total, want) {
		t.Errorf("merged\n%+v\nwant\n%+v", total, want)
	}
	if a.Rules["pin.follower_count.k"] != 2 {
		t.Error("Merge changed the report merged in")
	}
}

func TestWriteSummary(t *testing.T) {
	r := Report{Table: "pin", RowsIn: 12, RowsOut: 9, Duplicates: 1,
		Rules: map[string]int64{"pin.follower_count.k": 7, "pin.follower_count.M": 1,
			"pin.save_location.prefix": 9, "pin.title.placeholder": 0},
		Quarantined: []Quarantined{
			{Line: 4, Reason: "not JSON: unexpected 'h' at column 1 looking for a value", Raw: "hello"},
			{Source: "topics/u.pin/partition=0/u.pin+0+0000000011.json", Line: 1, Reason: "missing index", Raw: `{"title":"x"}`},
		}}
	var b bytes.Buffer
	if err := r.WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary_pin.golden", b.Bytes())
}
