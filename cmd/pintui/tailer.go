package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/pintui/pintui/ops/kafka"
	"github.com/pintui/pintui/ui/component/livetail"
)

// tailer feeds the console's live topic tail from the Kafka client.
type tailer struct {
	kafka *kafka.Client
}

// Tail follows topic from where `tail topic --from` says (kafka.ParseFrom's forms, a relative
// time counted from now) until ctx ends.
func (t tailer) Tail(ctx context.Context, topic, from string, emit func([]livetail.Record)) error {
	start, err := kafka.ParseFrom(from, time.Now())
	if err != nil {
		return fmt.Errorf("tail %s: %w", topic, err)
	}
	opts := kafka.TailOptions{From: start, Follow: true}
	err = t.kafka.Tail(ctx, topic, opts, func(r kafka.Record) error {
		emit([]livetail.Record{{Part: "p" + strconv.Itoa(int(r.Partition)), Position: strconv.FormatInt(r.Offset, 10), Time: r.Time, Value: bytes.Clone(r.Value)}})
		return nil
	})
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return nil
	}
	return err
}
