package source

import (
	"context"
	"fmt"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/sink"
)

// WriteLandings draws draws rows from src with the sequence of seed and writes, for every draw,
// the pin, geo and user records as the Confluent S3 sink lands them with flush.size=1: one
// object per record at `topics/<uid>.<t>/partition=0/<uid>.<t>+0+<offset>.json` holding the raw
// JSON and a newline. Offsets continue after the objects already landed for each topic, so
// repeated calls append like a sink that keeps running; an existing key is never overwritten.
// It lets the batch job run without the emulators, the gateway and Kafka.
func WriteLandings(ctx context.Context, store objstore.Store, src *Source, uid string, draws int, seed int64) error {
	maxID, err := src.MaxID(ctx)
	if err != nil {
		return err
	}
	if maxID < 0 {
		return fmt.Errorf("write landings from %s: the source is empty: run `pintui seed` first", src.Name())
	}
	var next [3]int64
	for i, t := range record.Tables {
		if next[i], err = nextOffset(ctx, store, uid+"."+string(t)); err != nil {
			return err
		}
	}
	d := NewDraws(seed, maxID)
	var buf []byte
	for range draws {
		row, err := src.Row(ctx, d.Next().ID)
		if err != nil {
			return fmt.Errorf("write landings: %w", err)
		}
		for i, t := range record.Tables {
			buf = append(row.AppendJSON(buf[:0], t), '\n')
			key := landingKey(uid+"."+string(t), next[i])
			if err := store.PutIfAbsent(ctx, key, buf); err != nil {
				return fmt.Errorf("put landing %s: %w", key, err)
			}
			next[i]++
		}
	}
	return nil
}

// landingKey is the key the S3 sink gives the record at offset of a topic's partition 0.
func landingKey(topic string, offset int64) string { return sink.Key(topic, 0, offset) }

// nextOffset returns the offset after the last record landed for topic, or 0 if none is.
func nextOffset(ctx context.Context, store objstore.Store, topic string) (int64, error) {
	objects, err := store.List(ctx, sink.Prefix(topic, 0))
	if err != nil {
		return 0, fmt.Errorf("list landings of %s: %w", topic, err)
	}
	next := int64(0)
	for _, o := range objects {
		if t, p, offset, ok := sink.ParseKey(o.Key); ok && t == topic && p == 0 {
			next = max(next, offset+1)
		}
	}
	return next, nil
}
