package stream

import (
	"context"
	"errors"
	"time"
)

// ErrIteratorExpired is what a Reader's Records wraps when the iterator is older than Kinesis
// keeps iterators (5 minutes): the caller asks for a new one after the last record it read.
var ErrIteratorExpired = errors.New("shard iterator expired")

// Record is one Kinesis record as the job reads it.
type Record struct {
	// Sequence is the record's sequence number, a decimal string increasing within its shard.
	Sequence string
	// Arrival is when the stream accepted the record (ApproximateArrivalTimestamp).
	Arrival      time.Time
	PartitionKey string
	// Data is the record's payload: for the pipeline's streams, the JSON text of one raw row.
	Data []byte
}

// Reader is what the job needs of Kinesis: the shards of a stream, an iterator into a shard and
// the records behind an iterator. ops/kinesis implements it over the Kinesis API, for the local
// server and AWS alike.
type Reader interface {
	// Shards returns the ids of stream's shards, in order.
	Shards(ctx context.Context, stream string) ([]string, error)
	// Iterator returns an iterator at the first record of shard after the sequence number
	// after, or at its oldest record (TRIM_HORIZON) when after is "".
	Iterator(ctx context.Context, stream, shard, after string) (string, error)
	// Records returns at most limit records behind iterator, the iterator to read the next ones
	// from ("" once the shard is closed and read to its end) and how far the shard's newest record
	// is ahead of the last one returned (MillisBehindLatest).
	Records(ctx context.Context, iterator string, limit int) (recs []Record, next string, behind time.Duration, err error)
}
