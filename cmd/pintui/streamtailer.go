package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/kinesis"
	"github.com/pintui/pintui/ui/component/livetail"
	"github.com/pintui/pintui/ui/streams"
)

// streamTailer feeds the console's live stream tail from the Kinesis client.
type streamTailer struct {
	kinesis *kinesis.Client
}

// streamReader is the Streams screen's tail on the stack's Kinesis client, or nil, which the
// screen shows as a tail unavailable, when the profile reaches no Kinesis: a streamTailer around
// a nil client would be a Tailer that fails every tail instead.
func streamReader(b *backend.Backends) streams.Tailer {
	if b.Kinesis == nil {
		return nil
	}
	return streamTailer{b.Kinesis}
}

// Tail follows every shard of stream from where `tail stream --from` says (kinesis.ParseFrom's
// forms, a relative time counted from now) until ctx ends. Each record's Part is its shard and
// its Position the sequence number; the SDK decodes every record into its own Data, so the
// values it emits are never reused.
func (t streamTailer) Tail(ctx context.Context, stream, from string, emit func([]livetail.Record)) error {
	start, err := kinesis.ParseFrom(from, time.Now())
	if err != nil {
		return fmt.Errorf("tail %s: %w", stream, err)
	}
	err = t.kinesis.Tail(ctx, stream, start, func(recs []kinesis.TailRecord) {
		out := make([]livetail.Record, len(recs))
		for i, r := range recs {
			out[i] = livetail.Record{Part: r.Shard, Position: r.Sequence, Time: r.Arrival, Value: r.Data}
		}
		emit(out)
	})
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return nil
	}
	return err
}
