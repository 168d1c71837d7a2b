package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/record"
)

// batchRecord is one record of a micro-batch with the shard it came from.
type batchRecord struct {
	shard string
	Record
}

// QuarantinedRecord is one record the job could not read a row from, as it keeps it in the
// micro-batch's quarantine object: where it came from, why, and its data whole.
type QuarantinedRecord struct {
	Stream       string    `json:"stream"`
	Shard        string    `json:"shard"`
	Sequence     string    `json:"sequence"`
	MicroBatch   int64     `json:"micro_batch"`
	Arrival      time.Time `json:"arrival"`
	PartitionKey string    `json:"partition_key"`
	Reason       string    `json:"reason"`
	// Data is the record's payload, base64 in JSON, so bytes that are no text are kept too.
	Data []byte `json:"data"`
}

// recover reads the table's checkpoint and returns each shard's position and the id of the next
// micro-batch. A micro-batch planned but without its commit marker (the job stopped while
// committing it) is read again, exactly its planned range, and committed: the Delta txn skips it
// if its rows had made it into the table.
func (t *tableJob) recover(ctx context.Context) (map[string]string, int64, error) {
	rows, applied, err := t.tableState(ctx)
	if err != nil {
		return nil, 0, err
	}
	t.mu.Lock()
	t.rows, t.batch, t.quarantined = rows, -1, 0
	t.mu.Unlock()
	newest, err := t.cp.newest(ctx, "offsets/")
	if err != nil {
		return nil, 0, err
	}
	// Micro-batches numbered anew would be skipped as ones the table holds, losing their records.
	if applied > newest {
		return nil, 0, fmt.Errorf("table %s holds micro-batch %d of %s, but its checkpoint %s goes only to %d: restore the checkpoint, or delete the table and the checkpoint to read the stream again from its oldest record", t.name, applied, t.appID, t.cp.root, newest)
	}
	if newest < 0 {
		return map[string]string{}, 0, nil
	}
	plan, err := t.cp.planned(ctx, newest)
	if err != nil {
		return nil, 0, err
	}
	m, done, err := t.cp.committed(ctx, newest)
	if err != nil {
		return nil, 0, err
	}
	if done {
		t.noteRecovered(m)
	} else {
		if prev, ok, err := t.cp.committed(ctx, newest-1); err != nil {
			return nil, 0, err
		} else if ok {
			t.noteRecovered(prev)
		}
		recs, err := t.reread(ctx, plan)
		if err != nil {
			return nil, 0, err
		}
		if err := t.commit(ctx, plan, recs); err != nil {
			return nil, 0, err
		}
	}
	positions := map[string]string{}
	for _, r := range plan.Shards {
		positions[r.Shard] = r.End
	}
	return positions, newest + 1, nil
}

// tableState returns the table's row count from its snapshot and the last micro-batch of this
// job it holds, 0 and -1 while it does not exist.
func (t *tableJob) tableState(ctx context.Context) (rows, applied int64, err error) {
	snap, err := t.delta.Snapshot(ctx)
	if errors.Is(err, delta.ErrNoTable) {
		return 0, -1, nil
	}
	if err != nil {
		return 0, 0, err
	}
	rows, _ = snap.NumRecords()
	applied, ok := snap.Txns[t.appID]
	if !ok {
		applied = -1
	}
	return rows, applied, nil
}

func (t *tableJob) noteRecovered(m committedBatch) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.batch, t.last, t.quarantined = m.Batch, m.Committed, m.Quarantined
}

// reread reads again the records a planned micro-batch holds, shard by shard.
func (t *tableJob) reread(ctx context.Context, plan plannedBatch) ([]batchRecord, error) {
	var out []batchRecord
	for _, r := range plan.Shards {
		if r.After == r.End {
			continue
		}
		recs, err := t.readRange(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("read micro-batch %d of %s again: %w", plan.Batch, t.stream, err)
		}
		for _, rec := range recs {
			out = append(out, batchRecord{shard: r.Shard, Record: rec})
		}
	}
	return out, nil
}

// readRange reads the records of one shard after r.After up to and including r.End.
func (t *tableJob) readRange(ctx context.Context, r ShardRange) ([]Record, error) {
	reader := t.job.reader
	after := r.After
	it, err := reader.Iterator(ctx, t.stream, r.Shard, after)
	if err != nil {
		return nil, err
	}
	var out []Record
	for {
		recs, next, behind, err := reader.Records(ctx, it, fetchLimit)
		if errors.Is(err, ErrIteratorExpired) {
			if it, err = reader.Iterator(ctx, t.stream, r.Shard, after); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			if seqLess(r.End, rec.Sequence) {
				return out, nil
			}
			out = append(out, rec)
			after = rec.Sequence
			if rec.Sequence == r.End {
				return out, nil
			}
		}
		if len(recs) == 0 && (behind == 0 || next == "") {
			return nil, fmt.Errorf("shard %s no longer holds the records up to %s (trimmed by the stream's retention, or the stream was made anew): delete %s to read the stream again from its oldest record", r.Shard, r.End, t.cp.root)
		}
		it = next
		if len(recs) == 0 && !sleep(ctx, t.job.pollInterval()) {
			return nil, ctx.Err()
		}
	}
}

// commit cleans micro-batch plan's records, appends the rows to the table with the txn of the
// micro-batch, keeps what did not parse in the quarantine and writes the commit marker.
func (t *tableJob) commit(ctx context.Context, plan plannedBatch, recs []batchRecord) error {
	c := clean.NewCleaner(t.table)
	var (
		commit delta.Commit
		err    error
	)
	switch t.table {
	case record.TablePin:
		commit, err = t.append(ctx, plan.Batch, cleanRecords(recs, c, c.Pin))
	case record.TableGeo:
		commit, err = t.append(ctx, plan.Batch, cleanRecords(recs, c, c.Geo))
	default:
		commit, err = t.append(ctx, plan.Batch, cleanRecords(recs, c, c.User))
	}
	if err != nil {
		return fmt.Errorf("commit micro-batch %d of %s: %w", plan.Batch, t.stream, err)
	}
	bad := c.Report().Quarantined
	if len(bad) > 0 {
		if err := t.quarantine(ctx, plan.Batch, recs, bad); err != nil {
			return err
		}
	}
	t.mu.Lock()
	m := committedBatch{Batch: plan.Batch, Committed: time.Now().UTC(), Quarantined: t.quarantined + int64(len(bad))}
	t.mu.Unlock()
	if !commit.Skipped {
		m.Rows = commit.Rows
	}
	if err := t.cp.commit(ctx, m); err != nil {
		return err
	}
	t.noteCommit(m, m.Rows)
	t.cp.prune(ctx, plan.Batch)
	return nil
}

// append commits rows as micro-batch id; a micro-batch with no rows commits nothing.
func (t *tableJob) append(ctx context.Context, id int64, rows any) (delta.Commit, error) {
	w := delta.Write{Mode: delta.Append, Txn: &delta.Txn{AppID: t.appID, Version: id}}
	switch r := rows.(type) {
	case []record.CleanPin:
		return appendRows(ctx, t.delta, w, r)
	case []record.CleanGeo:
		return appendRows(ctx, t.delta, w, r)
	case []record.CleanUser:
		return appendRows(ctx, t.delta, w, r)
	}
	return delta.Commit{}, fmt.Errorf("append to %s: rows of type %T", t.name, rows)
}

// appendRows commits rows through a Writer rather than delta.WriteRecords: its check for a
// micro-batch already applied reads the log once more before the commit reads it again, and
// only a replay after a crash meets one, which the commit skips all the same.
func appendRows[T clean.CleanRow](ctx context.Context, t *delta.Table, w delta.Write, rows []T) (delta.Commit, error) {
	if len(rows) == 0 {
		return delta.Commit{Skipped: true}, nil
	}
	wr, err := delta.NewWriter[T](ctx, t, w)
	if err != nil {
		return delta.Commit{}, err
	}
	if err := wr.Write(rows); err != nil {
		wr.Abort()
		return delta.Commit{}, err
	}
	return wr.Commit(ctx)
}

// cleanRecords decodes and cleans each record's data as `pintui clean` cleans a line, numbering
// the records from 1 so a quarantine entry names its record.
func cleanRecords[T clean.CleanRow](recs []batchRecord, c *clean.Cleaner, cleanRow func(clean.Row) (T, error)) []T {
	rows := make([]T, 0, len(recs))
	for i, r := range recs {
		row, err := clean.DecodeLine(bytes.TrimSpace(r.Data))
		if err != nil {
			c.Quarantine("", i+1, err.Error(), r.Data)
			continue
		}
		row.Line = i + 1
		if v, err := cleanRow(row); err == nil {
			rows = append(rows, v)
		}
	}
	return rows
}

// quarantine keeps the records of micro-batch id that did not parse, with their reasons, in one
// object; a replay writes the same object again.
func (t *tableJob) quarantine(ctx context.Context, id int64, recs []batchRecord, bad []clean.Quarantined) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, q := range bad {
		r := recs[q.Line-1]
		if err := enc.Encode(QuarantinedRecord{
			Stream: t.stream, Shard: r.shard, Sequence: r.Sequence, MicroBatch: id,
			Arrival: r.Arrival.UTC(), PartitionKey: r.PartitionKey, Reason: q.Reason, Data: r.Data,
		}); err != nil {
			return fmt.Errorf("quarantine micro-batch %d of %s: %w", id, t.stream, err)
		}
	}
	key := QuarantineKey(t.name, id)
	if err := t.job.lakehouse.Put(ctx, key, buf.Bytes()); err != nil {
		return fmt.Errorf("quarantine micro-batch %d of %s: %w", id, t.stream, err)
	}
	return nil
}

// QuarantineKey is the object holding micro-batch id's quarantined records of table.
func QuarantineKey(table string, id int64) string {
	return QuarantinePrefix + table + "/" + batchName(id) + ".jsonl"
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
