package kafka

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/pintui/pintui/ops/internal/startat"
)

// From is where a tail starts reading each partition. The zero From is Beginning.
type From struct {
	kind fromKind
	n    int64 // the offset, the records before the end, or the Unix milliseconds
}

type fromKind int

const (
	fromOffset fromKind = iota
	fromEnd
	fromLast
	fromTime
)

// Beginning starts a tail at the first record each partition still stores.
var Beginning = From{}

// End starts a tail after the last record, so only new records arrive.
var End = From{kind: fromEnd}

// At starts a tail at the given offset of every partition.
func At(offset int64) From { return From{n: offset} }

// Last starts a tail n records before the end of every partition (at its first stored record if
// it holds fewer), as kcat's -o -n does.
func Last(n int64) From { return From{kind: fromLast, n: n} }

// Since starts a tail at the first record of every partition stamped at or after t, to the
// millisecond, as kcat's -o s@ms does; a partition with no such record starts at its end.
func Since(t time.Time) From { return From{kind: fromTime, n: t.UnixMilli()} }

// offset is where the tail starts on a partition holding [start, end), for every start but a
// time; an offset outside is clamped into it, so a stale offset never makes the client reset
// somewhere surprising.
func (f From) offset(p Partition) int64 {
	switch f.kind {
	case fromEnd:
		return p.End
	case fromLast:
		return max(p.End-f.n, p.Start)
	default:
		return min(max(f.n, p.Start), p.End)
	}
}

// fromForms is what ParseFrom accepts, for its errors.
const fromForms = "use beginning, end, an offset such as 42, -10 for the last 10 records of each partition, " +
	"or a time: 2026-12-01T10:00:00Z (RFC 3339), -10m for ten minutes ago, s@1796119200000 (Unix milliseconds)"

// ParseFrom reads a tail's start as `tail topic --from` takes it, in kcat's words where kcat has
// them: beginning, end, an offset, -N for the last N records of each partition, an RFC 3339 time,
// a time relative to now such as -10m or -1h30m, or s@ followed by Unix milliseconds. A time
// starts each partition at its first record at or after it.
func ParseFrom(s string, now time.Time) (From, error) {
	switch s {
	case "beginning":
		return Beginning, nil
	case "end":
		return End, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) || n == math.MinInt64:
		return From{}, fmt.Errorf("--from %q is out of range: an offset or a count of records is at most %d", s, int64(math.MaxInt64))
	case err == nil && s[0] == '-':
		return Last(-n), nil
	case err == nil:
		return At(n), nil
	}
	if t, ok, err := startat.Parse(s, now); ok {
		if err != nil {
			return From{}, err
		}
		return Since(t), nil
	}
	return From{}, fmt.Errorf("--from %q is not valid: %s", s, fromForms)
}
