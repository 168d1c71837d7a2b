package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strconv"
	"time"

	"github.com/pintui/pintui/pipeline/objstore"
)

// CheckpointPrefix is where the job keeps its checkpoints in the lakehouse store, one folder per
// stream table beside the tables themselves: `_checkpoints/<table>/offsets/N` and `commits/N`.
const CheckpointPrefix = "_checkpoints/"

// QuarantinePrefix is where the records that did not parse are kept, one JSON-lines object per
// micro-batch: `_quarantine/<table>/N.jsonl`.
const QuarantinePrefix = "_quarantine/"

// keepBatches is how many micro-batches of offsets and commit markers stay in a checkpoint;
// only the newest is ever read again, the others are there to look at.
const keepBatches = 100

// ShardRange is the part of one shard a micro-batch holds: the records after After ("" for the
// shard's oldest) up to and including End. After == End when it holds none of the shard.
type ShardRange struct {
	Shard string `json:"shard"`
	After string `json:"after"`
	End   string `json:"end"`
}

// plannedBatch is the content of offsets/N, written before micro-batch N is committed: every
// shard's position once the micro-batch is in its table.
type plannedBatch struct {
	Stream  string       `json:"stream"`
	Batch   int64        `json:"batch"`
	Planned time.Time    `json:"planned"`
	Shards  []ShardRange `json:"shards"`
}

// committedBatch is the content of commits/N, written once micro-batch N is in its table.
type committedBatch struct {
	Batch     int64     `json:"batch"`
	Committed time.Time `json:"committed"`
	Rows      int64     `json:"rows"`
	// Quarantined is the running count of quarantined records up to this micro-batch.
	Quarantined int64 `json:"quarantined"`
}

// checkpoint is one stream table's offset log in the lakehouse store.
type checkpoint struct {
	store objstore.Store
	root  string
}

func batchName(id int64) string { return fmt.Sprintf("%020d", id) }

func (c checkpoint) offsetsKey(id int64) string { return c.root + "offsets/" + batchName(id) }

func (c checkpoint) commitKey(id int64) string { return c.root + "commits/" + batchName(id) }

// newest returns the id of the newest object under kind ("offsets/" or "commits/"), -1 if none.
func (c checkpoint) newest(ctx context.Context, kind string) (int64, error) {
	objs, err := c.store.List(ctx, c.root+kind)
	if err != nil {
		return 0, fmt.Errorf("read checkpoint %s: %w", c.root, err)
	}
	newest := int64(-1)
	for _, o := range objs {
		if id, err := strconv.ParseInt(path.Base(o.Key), 10, 64); err == nil {
			newest = max(newest, id)
		}
	}
	return newest, nil
}

// planned reads offsets/id.
func (c checkpoint) planned(ctx context.Context, id int64) (plannedBatch, error) {
	var p plannedBatch
	err := c.read(ctx, c.offsetsKey(id), &p)
	return p, err
}

// committed reads commits/id; found is false when the micro-batch has no commit marker.
func (c checkpoint) committed(ctx context.Context, id int64) (committedBatch, bool, error) {
	var m committedBatch
	err := c.read(ctx, c.commitKey(id), &m)
	if errors.Is(err, objstore.ErrNotFound) {
		return m, false, nil
	}
	return m, err == nil, err
}

func (c checkpoint) read(ctx context.Context, key string, v any) error {
	data, err := c.store.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("read checkpoint %s: %w", key, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("read checkpoint %s: it does not parse (%v): restore it, or delete %s to read the stream again from its oldest record into an emptied table", key, err, c.root)
	}
	return nil
}

// plan writes offsets/id, only if absent: a present one means another job writes this
// checkpoint, and two would append the same records.
func (c checkpoint) plan(ctx context.Context, p plannedBatch) error {
	return c.write(ctx, c.offsetsKey(p.Batch), p)
}

// commit writes commits/id; a marker already there is the one this micro-batch wrote before a
// crash, since a micro-batch is re-committed only while it has none.
func (c checkpoint) commit(ctx context.Context, m committedBatch) error {
	err := c.write(ctx, c.commitKey(m.Batch), m)
	if errors.Is(err, objstore.ErrExist) {
		return nil
	}
	return err
}

func (c checkpoint) write(ctx context.Context, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("write checkpoint %s: %w", key, err)
	}
	if err := c.store.PutIfAbsent(ctx, key, data); err != nil {
		if errors.Is(err, objstore.ErrExist) {
			return fmt.Errorf("write checkpoint %s: %w: another stream job writes this checkpoint; stop it, as two would append the same records", key, err)
		}
		return fmt.Errorf("write checkpoint %s: %w", key, err)
	}
	return nil
}

// prune deletes the offsets and marker that fell out of the kept window with micro-batch id.
func (c checkpoint) prune(ctx context.Context, id int64) {
	if old := id - keepBatches; old >= 0 {
		_ = c.store.Delete(ctx, c.offsetsKey(old))
		_ = c.store.Delete(ctx, c.commitKey(old))
	}
}

// seqLess orders two Kinesis sequence numbers, decimal strings without leading zeros that can
// be longer than any integer type.
func seqLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
