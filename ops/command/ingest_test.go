package command

import (
	"reflect"
	"testing"

	"github.com/pintui/pintui/ops/kafka"
)

func TestParseFrom(t *testing.T) {
	cases := map[string]kafka.From{
		"beginning": kafka.Beginning,
		"end":       kafka.End,
		"0":         kafka.At(0),
		"42":        kafka.At(42),
		"-10":       kafka.Last(10),
	}
	for in, want := range cases {
		got, err := ParseFrom(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseFrom(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	_, err := ParseFrom("latest")
	const msg = `--from "latest" is not valid: use beginning, end, an offset such as 42, or -10 for the last 10 records`
	if err == nil || err.Error() != msg {
		t.Errorf("ParseFrom(latest) error = %v, want %s", err, msg)
	}
}

func TestTailFlagTakesANegativeOffset(t *testing.T) {
	in, err := New(&Env{}).Parse("tail topic u.pin --from -5 --max 3")
	if err != nil {
		t.Fatal(err)
	}
	if got := in.Flag("from"); got != "-5" {
		t.Errorf("--from = %q, want -5", got)
	}
}
