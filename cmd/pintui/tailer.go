package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/pintui/pintui/ops/kafka"
	"github.com/pintui/pintui/ui/topics"
)

// tailer feeds the console's live topic tail from the Kafka client.
type tailer struct {
	kafka *kafka.Client
}

// Tail follows topic from its end ("end") or its first stored record ("start") until ctx ends.
func (t tailer) Tail(ctx context.Context, topic, from string, emit func([]topics.TailRecord)) error {
	opts := kafka.TailOptions{From: kafka.End, Follow: true}
	switch from {
	case "end":
	case "start":
		opts.From = kafka.Beginning
	default:
		return fmt.Errorf("tail %s: unknown start %q", topic, from)
	}
	err := t.kafka.Tail(ctx, topic, opts, func(r kafka.Record) error {
		emit([]topics.TailRecord{{Partition: r.Partition, Offset: r.Offset, Time: r.Time, Value: bytes.Clone(r.Value)}})
		return nil
	})
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return nil
	}
	return err
}
