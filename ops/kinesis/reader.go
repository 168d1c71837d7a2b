package kinesis

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pintui/pintui/pipeline/stream"
)

// The Reader the stream job reads Kinesis through.
var _ stream.Reader = (*Client)(nil)

// Shards returns the ids of stream's shards, in order.
func (c *Client) Shards(ctx context.Context, name string) ([]string, error) {
	shards, err := c.listShards(ctx, name)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(shards))
	for i, s := range shards {
		ids[i] = aws.ToString(s.ShardId)
	}
	return ids, nil
}

// Iterator returns an iterator at the first record of shard after the sequence number after,
// or at its oldest record (TRIM_HORIZON) when after is "".
func (c *Client) Iterator(ctx context.Context, name, shard, afterSequence string) (string, error) {
	from := TrimHorizon
	if afterSequence != "" {
		from = after(afterSequence)
	}
	r, err := c.openShard(ctx, name, shard, from)
	if err != nil {
		return "", err
	}
	return r.iterator, nil
}

// Records returns at most limit records behind iterator, the iterator to read the next ones
// from ("" once the shard is closed and read to its end) and MillisBehindLatest. An expired
// iterator's error wraps stream.ErrIteratorExpired, a throttled call's ErrThrottled.
func (c *Client) Records(ctx context.Context, iterator string, limit int) ([]stream.Record, string, time.Duration, error) {
	in := &awskinesis.GetRecordsInput{ShardIterator: aws.String(iterator)}
	if limit > 0 {
		in.Limit = aws.Int32(int32(min(limit, readLimit)))
	}
	out, err := c.api.GetRecords(ctx, in)
	if err != nil {
		return nil, "", 0, failed("get records", err)
	}
	recs := make([]stream.Record, len(out.Records))
	for i, r := range out.Records {
		recs[i] = stream.Record{Sequence: aws.ToString(r.SequenceNumber), Arrival: aws.ToTime(r.ApproximateArrivalTimestamp).UTC(),
			PartitionKey: aws.ToString(r.PartitionKey), Data: r.Data}
	}
	return recs, aws.ToString(out.NextShardIterator), time.Duration(aws.ToInt64(out.MillisBehindLatest)) * time.Millisecond, nil
}
