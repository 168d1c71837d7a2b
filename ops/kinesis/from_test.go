package kinesis

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestParseFromTakesEveryForm(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	seq := "49590338271490256608559692538361571095921575989136588898"
	cases := []struct {
		in   string
		want From
	}{
		{"trim-horizon", TrimHorizon},
		{"latest", Latest},
		{seq, AtSequence(seq)},
		{"00000000000000000000", AtSequence("00000000000000000000")},
		{"2026-12-01T09:00:00Z", Since(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))},
		{"2026-12-01T10:00:00.250+01:00", Since(time.Date(2026, 12, 1, 9, 0, 0, 250e6, time.UTC))},
		{"-10m", Since(now.Add(-10 * time.Minute))},
		{"-1h30m", Since(now.Add(-90 * time.Minute))},
		{"s@1796119200000", Since(time.UnixMilli(1796119200000))},
	}
	for _, c := range cases {
		got, err := ParseFrom(c.in, now)
		if err != nil {
			t.Errorf("ParseFrom(%q): %v", c.in, err)
			continue
		}
		if !got.at.Equal(c.want.at) || got.kind != c.want.kind || got.sequence != c.want.sequence {
			t.Errorf("ParseFrom(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestParseFromRefusesWithTheForms(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	cases := map[string]string{
		"":                     `--from "" is not valid: use trim-horizon, latest, a sequence number (20 or more digits), or a time`,
		"beginning":            `--from "beginning" is not valid: use trim-horizon, latest, a sequence number (20 or more digits), or a time`,
		"42":                   `--from "42" is not valid: a stream has no offsets, and a sequence number has 20 or more digits: use trim-horizon`,
		"s@soon":               `--from "s@soon" is not valid: s@ takes Unix milliseconds, such as s@1796119200000`,
		"s@-5":                 `--from "s@-5" is not valid: s@ takes Unix milliseconds`,
		"2026-13-01T00:00:00Z": `--from "2026-13-01T00:00:00Z" is not a valid time: write RFC 3339 with a zone`,
		"2026-12-01":           `--from "2026-12-01" is not a valid time: write RFC 3339 with a zone`,
		"+10m":                 `--from "+10m" would start in the future: a relative time looks back, such as -10m`,
		"-5":                   `--from "-5" is not a valid duration: use the units h, m, s or ms, such as -10m or -1h30m`,
	}
	for in, want := range cases {
		_, err := ParseFrom(in, now)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseFrom(%q) = %v, want an error starting %q", in, err, want)
		}
	}
}

func TestFromNamesItsIteratorType(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		from     From
		kind     types.ShardIteratorType
		sequence string
		at       time.Time
		text     string
	}{
		{TrimHorizon, types.ShardIteratorTypeTrimHorizon, "", time.Time{}, "trim-horizon"},
		{Latest, types.ShardIteratorTypeLatest, "", time.Time{}, "latest"},
		{AtSequence("12345678901234567890"), types.ShardIteratorTypeAtSequenceNumber, "12345678901234567890", time.Time{}, "12345678901234567890"},
		{after("12345678901234567890"), types.ShardIteratorTypeAfterSequenceNumber, "12345678901234567890", time.Time{}, "after 12345678901234567890"},
		{Since(at), types.ShardIteratorTypeAtTimestamp, "", at, "2026-12-01T09:00:00Z"},
	}
	for _, c := range cases {
		in := c.from.iteratorInput("s", "shardId-000000000000")
		if in.ShardIteratorType != c.kind || aws.ToString(in.StartingSequenceNumber) != c.sequence || !aws.ToTime(in.Timestamp).Equal(c.at) {
			t.Errorf("%v: GetShardIterator %s seq %q at %v, want %s %q %v", c.from, in.ShardIteratorType,
				aws.ToString(in.StartingSequenceNumber), aws.ToTime(in.Timestamp), c.kind, c.sequence, c.at)
		}
		if got := c.from.String(); got != c.text {
			t.Errorf("String() = %q, want %q", got, c.text)
		}
	}
}
