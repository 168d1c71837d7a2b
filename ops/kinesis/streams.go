package kinesis

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Stream is one stream as DescribeStreamSummary tells it.
type Stream struct {
	Name string
	ARN  string
	// Status is CREATING, ACTIVE, UPDATING or DELETING.
	Status string
	// Shards counts the open shards.
	Shards         int
	RetentionHours int
	Created        time.Time
}

// Shard is one shard of a stream: the hash keys it owns and the sequence numbers it holds.
type Shard struct {
	ID string
	// Parent is the shard this one was split or merged from, "" for a shard the stream was
	// created with.
	Parent string
	// StartingHashKey and EndingHashKey bound, inclusively, the MD5 hashes of the partition keys
	// the shard takes, as decimal 128-bit integers.
	StartingHashKey, EndingHashKey string
	// StartingSequence is the shard's first sequence number; EndingSequence is its last once the
	// shard is closed, "" while it is open.
	StartingSequence, EndingSequence string
}

// StreamDescription is a stream with its shards.
type StreamDescription struct {
	Stream
	Shards []Shard
}

// Streams lists every stream the server has, in name order, each with its summary.
func (c *Client) Streams(ctx context.Context) ([]Stream, error) {
	names, err := c.StreamNames(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Stream, 0, len(names))
	for _, name := range names {
		s, err := c.Summary(ctx, name)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// StreamNames lists the names of every stream the server has, in name order. It pages through
// ListStreams by ExclusiveStartStreamName, which AWS and kinesalite both honour (kinesalite has
// no NextToken).
func (c *Client) StreamNames(ctx context.Context) ([]string, error) {
	var names []string
	in := &awskinesis.ListStreamsInput{}
	for {
		out, err := c.api.ListStreams(ctx, in)
		if err != nil {
			return nil, failed("list streams", err)
		}
		names = append(names, out.StreamNames...)
		if !aws.ToBool(out.HasMoreStreams) || len(out.StreamNames) == 0 {
			return names, nil
		}
		in.ExclusiveStartStreamName = aws.String(names[len(names)-1])
	}
}

// Summary describes one stream without its shards.
func (c *Client) Summary(ctx context.Context, name string) (Stream, error) {
	out, err := c.api.DescribeStreamSummary(ctx, &awskinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		return Stream{}, failed("describe stream "+name, err)
	}
	d := out.StreamDescriptionSummary
	return Stream{
		Name: aws.ToString(d.StreamName), ARN: aws.ToString(d.StreamARN), Status: string(d.StreamStatus),
		Shards: int(aws.ToInt32(d.OpenShardCount)), RetentionHours: int(aws.ToInt32(d.RetentionPeriodHours)),
		Created: aws.ToTime(d.StreamCreationTimestamp).UTC(),
	}, nil
}

// Describe returns a stream with every shard it has, open or closed, in shard order.
func (c *Client) Describe(ctx context.Context, name string) (StreamDescription, error) {
	s, err := c.Summary(ctx, name)
	if err != nil {
		return StreamDescription{}, err
	}
	shards, err := c.listShards(ctx, name)
	if err != nil {
		return StreamDescription{}, err
	}
	d := StreamDescription{Stream: s, Shards: make([]Shard, 0, len(shards))}
	for _, sh := range shards {
		d.Shards = append(d.Shards, Shard{
			ID: aws.ToString(sh.ShardId), Parent: aws.ToString(sh.ParentShardId),
			StartingHashKey: aws.ToString(sh.HashKeyRange.StartingHashKey), EndingHashKey: aws.ToString(sh.HashKeyRange.EndingHashKey),
			StartingSequence: aws.ToString(sh.SequenceNumberRange.StartingSequenceNumber),
			EndingSequence:   aws.ToString(sh.SequenceNumberRange.EndingSequenceNumber),
		})
	}
	return d, nil
}

func (c *Client) listShards(ctx context.Context, name string) ([]types.Shard, error) {
	var shards []types.Shard
	in := &awskinesis.ListShardsInput{StreamName: aws.String(name)}
	for {
		out, err := c.api.ListShards(ctx, in)
		if err != nil {
			return nil, failed("list the shards of "+name, err)
		}
		shards = append(shards, out.Shards...)
		if aws.ToString(out.NextToken) == "" {
			return shards, nil
		}
		// A call with a NextToken names nothing else.
		in = &awskinesis.ListShardsInput{NextToken: out.NextToken}
	}
}

// createPoll is how often Create asks whether a new stream is active yet.
const createPoll = 100 * time.Millisecond

// Create creates a stream of the given number of shards and waits until it is ACTIVE.
func (c *Client) Create(ctx context.Context, name string, shards int) error {
	_, err := c.api.CreateStream(ctx, &awskinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(int32(shards))})
	if err != nil {
		return failed("create stream "+name, err)
	}
	w := awskinesis.NewStreamExistsWaiter(c.api, func(o *awskinesis.StreamExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = createPoll, time.Second
	})
	if err := w.Wait(ctx, &awskinesis.DescribeStreamInput{StreamName: aws.String(name)}, 5*time.Minute); err != nil {
		return fmt.Errorf("wait for stream %s to be active: %w", name, err)
	}
	return nil
}

// Delete deletes a stream and every record in it.
func (c *Client) Delete(ctx context.Context, name string) error {
	if _, err := c.api.DeleteStream(ctx, &awskinesis.DeleteStreamInput{StreamName: aws.String(name)}); err != nil {
		return failed("delete stream "+name, err)
	}
	return nil
}

// Entry is one record to put.
type Entry struct {
	// PartitionKey picks the shard: the one whose hash-key range holds its MD5.
	PartitionKey string
	Data         []byte
}

// Put is where Kinesis stored a record, or, for a record of PutRecords that failed on its
// own, why not.
type Put struct {
	Shard    string
	Sequence string
	// ErrorCode is ProvisionedThroughputExceededException or InternalFailure for a record that
	// was not stored; "" for one that was.
	ErrorCode, ErrorMessage string
}

// Failed reports whether the record was not stored.
func (p Put) Failed() bool { return p.ErrorCode != "" }

// PutRecord stores one record in stream.
func (c *Client) PutRecord(ctx context.Context, name string, e Entry) (Put, error) {
	out, err := c.api.PutRecord(ctx, &awskinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String(e.PartitionKey), Data: e.Data})
	if err != nil {
		return Put{}, failed("put a record into "+name, err)
	}
	return Put{Shard: aws.ToString(out.ShardId), Sequence: aws.ToString(out.SequenceNumber)}, nil
}

// MaxPutRecords is the most records one PutRecords call takes.
const MaxPutRecords = 500

// PutRecords stores up to MaxPutRecords records in stream in one call and says, per record in
// the order given, where it went or why it failed: Kinesis fails records one by one (HTTP 200
// with a FailedRecordCount), and the caller puts the failed ones again.
func (c *Client) PutRecords(ctx context.Context, name string, entries []Entry) ([]Put, error) {
	in := &awskinesis.PutRecordsInput{StreamName: aws.String(name), Records: make([]types.PutRecordsRequestEntry, len(entries))}
	for i, e := range entries {
		in.Records[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(e.PartitionKey), Data: e.Data}
	}
	out, err := c.api.PutRecords(ctx, in)
	if err != nil {
		return nil, failed(fmt.Sprintf("put %d records into %s", len(entries), name), err)
	}
	if len(out.Records) != len(entries) {
		return nil, fmt.Errorf("put %d records into %s: the answer accounts for %d: put them again", len(entries), name, len(out.Records))
	}
	puts := make([]Put, len(out.Records))
	for i, r := range out.Records {
		puts[i] = Put{Shard: aws.ToString(r.ShardId), Sequence: aws.ToString(r.SequenceNumber),
			ErrorCode: aws.ToString(r.ErrorCode), ErrorMessage: aws.ToString(r.ErrorMessage)}
	}
	return puts, nil
}
