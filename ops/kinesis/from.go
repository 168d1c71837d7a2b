package kinesis

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pintui/pintui/ops/internal/startat"
)

// From is where a tail starts reading each shard. The zero From is TrimHorizon.
type From struct {
	// kind is the GetShardIterator type; "" is TRIM_HORIZON.
	kind     types.ShardIteratorType
	sequence string
	at       time.Time
}

// TrimHorizon starts at the oldest record each shard still keeps.
var TrimHorizon = From{}

// Latest starts after the newest record, so only records put later arrive.
var Latest = From{kind: types.ShardIteratorTypeLatest}

// AtSequence starts at the record with this sequence number; a sequence number belongs to one
// shard, so only that shard is read.
func AtSequence(sequence string) From {
	return From{kind: types.ShardIteratorTypeAtSequenceNumber, sequence: sequence}
}

// Since starts each shard at its first record that arrived at or after t.
func Since(t time.Time) From { return From{kind: types.ShardIteratorTypeAtTimestamp, at: t} }

// String says the start as --from takes it (and "after SEQUENCE" where a read goes on).
func (f From) String() string {
	switch f.kind {
	case types.ShardIteratorTypeLatest:
		return "latest"
	case types.ShardIteratorTypeAtSequenceNumber:
		return f.sequence
	case types.ShardIteratorTypeAfterSequenceNumber:
		return "after " + f.sequence
	case types.ShardIteratorTypeAtTimestamp:
		return f.at.UTC().Format(time.RFC3339Nano)
	default:
		return "trim-horizon"
	}
}

// iteratorInput is the GetShardIterator request for this start on one shard.
func (f From) iteratorInput(name, shard string) *awskinesis.GetShardIteratorInput {
	in := &awskinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String(shard), ShardIteratorType: f.kind}
	if f.kind == "" {
		in.ShardIteratorType = types.ShardIteratorTypeTrimHorizon
	}
	switch f.kind {
	case types.ShardIteratorTypeAtSequenceNumber, types.ShardIteratorTypeAfterSequenceNumber:
		in.StartingSequenceNumber = aws.String(f.sequence)
	case types.ShardIteratorTypeAtTimestamp:
		in.Timestamp = aws.Time(f.at)
	}
	return in
}

// after starts after the record with this sequence number, where a read that lost its
// iterator goes on.
func after(sequence string) From {
	return From{kind: types.ShardIteratorTypeAfterSequenceNumber, sequence: sequence}
}

// minSequenceDigits is the fewest digits ParseFrom takes for a sequence number: Kinesis's are
// 56 digits long, and a short number is more likely a Kafka-style offset typed by habit.
const minSequenceDigits = 20

// FromForms is what ParseFrom accepts, for the help of flags and for its errors.
const FromForms = "trim-horizon, latest, a sequence number (20 or more digits), " +
	"or a time: 2026-12-01T10:00:00Z (RFC 3339), -10m for ten minutes ago, s@1796119200000 (Unix milliseconds)"

// ParseFrom reads a tail's start as `tail stream --from` takes it: trim-horizon, latest, a
// sequence number, an RFC 3339 time, a time relative to now such as -10m or -1h30m, or s@
// followed by Unix milliseconds. A time starts each shard at its first record that arrived at
// or after it (AT_TIMESTAMP).
func ParseFrom(s string, now time.Time) (From, error) {
	switch {
	case s == "trim-horizon":
		return TrimHorizon, nil
	case s == "latest":
		return Latest, nil
	case allDigits(s) && len(s) >= minSequenceDigits:
		return AtSequence(s), nil
	case allDigits(s):
		return From{}, fmt.Errorf("--from %q is not valid: a stream has no offsets, and a sequence number has %d or more digits: use %s", s, minSequenceDigits, FromForms)
	}
	if t, ok, err := startat.Parse(s, now); ok {
		if err != nil {
			return From{}, err
		}
		return Since(t), nil
	}
	return From{}, fmt.Errorf("--from %q is not valid: use %s", s, FromForms)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
