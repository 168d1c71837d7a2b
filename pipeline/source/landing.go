package source

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
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
			buf = buf[:0]
			switch t {
			case record.TablePin:
				buf = row.Pin.AppendJSON(buf)
			case record.TableGeo:
				buf = row.Geo.AppendJSON(buf)
			case record.TableUser:
				buf = row.User.AppendJSON(buf)
			}
			buf = append(buf, '\n')
			key := landingKey(uid+"."+string(t), next[i])
			if err := store.PutIfAbsent(ctx, key, buf); err != nil {
				return fmt.Errorf("put landing %s: %w", key, err)
			}
			next[i]++
		}
	}
	return nil
}

// landingPrefix is the folder of a topic's partition 0 in the sink's layout.
func landingPrefix(topic string) string {
	return "topics/" + topic + "/partition=0/" + topic + "+0+"
}

func landingKey(topic string, offset int64) string {
	return fmt.Sprintf("%s%010d.json", landingPrefix(topic), offset)
}

// nextOffset returns the offset after the last record landed for topic, or 0 if none is.
func nextOffset(ctx context.Context, store objstore.Store, topic string) (int64, error) {
	prefix := landingPrefix(topic)
	objects, err := store.List(ctx, prefix)
	if err != nil {
		return 0, fmt.Errorf("list landings of %s: %w", topic, err)
	}
	next := int64(0)
	for _, o := range objects {
		digits, ok := strings.CutSuffix(strings.TrimPrefix(o.Key, prefix), ".json")
		offset, err := strconv.ParseInt(digits, 10, 64)
		if !ok || err != nil {
			continue
		}
		next = max(next, offset+1)
	}
	return next, nil
}
