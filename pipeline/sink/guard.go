package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// errBehind is a partition that ends before what the group has landed from it.
type errBehind struct{ msg string }

func (e *errBehind) Error() string { return e.msg }

// checkLanded compares, before the sink joins its group, each partition's end offset with the
// group's committed offset. A partition that ends before its commit has lost landed records,
// and Kafka gives their offsets to new records, whose landings would replace the old ones;
// the consumer itself would only skip to the end. A check that cannot reach Kafka is retried
// until ctx ends, so a sink started before its brokers still starts.
func (s *Sink) checkLanded(ctx context.Context) error {
	opts := append([]kgo.Opt{kgo.SeedBrokers(s.cfg.brokers...), kgo.WithHooks(connectHook{s})}, s.cfg.clientOpts...)
	client, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("start sink group %s on %v: %w", s.cfg.group, s.cfg.brokers, err)
	}
	defer client.Close()
	wait := s.cfg.backoffMin
	for ctx.Err() == nil {
		err := s.behind(ctx, kadm.NewClient(client))
		var damaged *errBehind
		if err == nil || errors.As(err, &damaged) {
			return err
		}
		if ctx.Err() == nil {
			// A failed dial is already in the status, in the connect hook's words.
			if !errors.As(err, new(*net.OpError)) {
				s.failed(fmt.Errorf("compare group %s with the end of its partitions: %w; retrying", s.cfg.group, err))
			}
			sleep(ctx, wait)
			wait = min(2*wait, s.cfg.backoffMax)
		}
	}
	return nil
}

// behind returns an *errBehind naming every partition that ends before the group's commit,
// or the error that kept it from reading the offsets.
func (s *Sink) behind(ctx context.Context, adm *kadm.Client) error {
	commits, err := adm.FetchOffsets(ctx, s.cfg.group)
	if errors.Is(err, kerr.GroupIDNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	ends, err := adm.ListEndOffsets(ctx, s.cfg.topics...)
	if err != nil {
		return err
	}
	var gone []string
	var failed error
	ends.Each(func(end kadm.ListedOffset) {
		c, ok := commits.Lookup(end.Topic, end.Partition)
		switch {
		case !ok || c.Err != nil || c.At < 0 || errors.Is(end.Err, kerr.UnknownTopicOrPartition):
			// Nothing landed to compare with, or no partition to compare: a landing is still
			// never replaced, since land refuses a taken key.
		case end.Err != nil:
			failed = fmt.Errorf("end offset of %s partition %d: %w", end.Topic, end.Partition, end.Err)
		case end.Offset < c.At:
			gone = append(gone, fmt.Sprintf("%s partition %d ends at offset %d but offsets up to %d have landed (at least %d records gone)",
				end.Topic, end.Partition, end.Offset, c.At-1, c.At-end.Offset))
		}
	})
	if len(gone) > 0 {
		return &errBehind{fmt.Sprintf("start sink group %s: %s; Kafka has lost landed records and would give their offsets to new ones, "+
			"whose landings would replace them. The landings are intact: restore the partition's data from a backup, or move each "+
			"damaged partition's landings from its end offset on out of the bucket and reset the group to that offset, "+
			"then start the sink again", s.cfg.group, strings.Join(gone, ", "))}
	}
	return failed
}

// errTaken is a landing key that holds an object other than the file meant for it.
type errTaken struct {
	f    *file
	size int
}

func (e *errTaken) Error() string {
	return fmt.Sprintf("landing %s (offsets %d-%d) already holds %d other bytes: the sink never replaces a landing. "+
		"Kafka no longer holds what landed there; move the object out of the bucket to land these records, "+
		"which the sink retries until then", e.f.key, e.f.first, e.f.last, e.size)
}

// land puts f under its key unless an object is there already. An object with f's very bytes
// is f landed before a crash or a rebalance, so f counts as landed; any other object stays as
// it is and f is refused with an *errTaken.
func (s *Sink) land(ctx context.Context, f *file) error {
	err := s.store.PutIfAbsent(ctx, f.key, f.data)
	if !errors.Is(err, objstore.ErrExist) {
		return err
	}
	old, err := s.store.Get(ctx, f.key)
	switch {
	case err != nil:
		return err
	case !bytes.Equal(old, f.data):
		return &errTaken{f: f, size: len(old)}
	}
	return nil
}
