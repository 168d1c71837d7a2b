package delta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/parquet-go/parquet-go"

	"github.com/pintui/pintui/pipeline/objstore"
)

// checkpointRow is one row of a classic V1 checkpoint: exactly one action column is set.
type checkpointRow struct {
	Txn      *Txn      `parquet:"txn,optional"`
	Add      *Add      `parquet:"add,optional"`
	Remove   *Remove   `parquet:"remove,optional"`
	MetaData *Metadata `parquet:"metaData,optional"`
	Protocol *Protocol `parquet:"protocol,optional"`
}

// writeCheckpoint stores the whole state of snap as one Parquet file, then points
// _last_checkpoint at it, so readers replay at most CheckpointInterval commits.
func (t *Table) writeCheckpoint(ctx context.Context, snap *Snapshot) error {
	rows := []checkpointRow{{Protocol: &snap.Protocol}, {MetaData: &snap.Metadata}}
	apps := make([]string, 0, len(snap.Txns))
	for app := range snap.Txns {
		apps = append(apps, app)
	}
	sort.Strings(apps)
	for _, app := range apps {
		rows = append(rows, checkpointRow{Txn: &Txn{AppID: app, Version: snap.Txns[app]}})
	}
	for i := range snap.Files {
		rows = append(rows, checkpointRow{Add: &snap.Files[i]})
	}
	horizon := t.millis() - tombstoneRetentionMillis
	for i := range snap.tombstones {
		if snap.tombstones[i].DeletionTimestamp >= horizon {
			rows = append(rows, checkpointRow{Remove: &snap.tombstones[i]})
		}
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[checkpointRow](&buf, parquet.Compression(snappyCodec{}), parquet.CreatedBy(engineInfo, "", ""))
	if _, err := w.Write(rows); err != nil {
		return fmt.Errorf("checkpoint table %s at version %d: %w", t.root, snap.Version, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("checkpoint table %s at version %d: %w", t.root, snap.Version, err)
	}
	if err := t.store.Put(ctx, t.logKey(checkpointName(snap.Version)), buf.Bytes()); err != nil {
		return fmt.Errorf("checkpoint table %s at version %d: %w", t.root, snap.Version, err)
	}
	last, err := json.Marshal(map[string]int64{"version": snap.Version, "size": int64(len(rows))})
	if err != nil {
		return err
	}
	if err := t.store.Put(ctx, t.logKey("_last_checkpoint"), last); err != nil {
		return fmt.Errorf("checkpoint table %s at version %d: %w", t.root, snap.Version, err)
	}
	return nil
}

// readCheckpoint loads the snapshot a checkpoint holds.
func (t *Table) readCheckpoint(ctx context.Context, version int64) (*Snapshot, error) {
	key := t.logKey(checkpointName(version))
	data, err := t.store.Get(ctx, key)
	if errors.Is(err, objstore.ErrNotFound) {
		return nil, t.damaged("checkpoint %d is missing; restore it, delete _last_checkpoint to replay the commits, or overwrite the table to rebuild it", version)
	}
	if err != nil {
		return nil, fmt.Errorf("read table %s: %w", t.root, err)
	}
	rows, err := readParquet[checkpointRow](data)
	if err != nil {
		return nil, t.damaged("checkpoint %d does not parse: %v; restore it, delete it and _last_checkpoint to replay the commits, or overwrite the table to rebuild it", version, err)
	}
	actions := make([]action, 0, len(rows))
	for _, r := range rows {
		a := action{Txn: r.Txn, Add: r.Add, Remove: r.Remove, MetaData: r.MetaData, Protocol: r.Protocol}
		if a.Add != nil && a.Add.PartitionValues == nil {
			a.Add.PartitionValues = map[string]string{}
		}
		actions = append(actions, a)
	}
	snap := emptySnapshot()
	if err := snap.apply(version, actions); err != nil {
		return nil, fmt.Errorf("read table %s: checkpoint %d: %w", t.root, version, err)
	}
	// A checkpoint carries no commitInfo; the commit it was taken at says which run wrote it.
	if data, err := t.store.Get(ctx, t.logKey(commitName(version))); err == nil {
		if actions, err := decodeCommit(data); err == nil {
			snap.RunID = runIDOf(actions)
		}
	}
	return snap, nil
}

// readParquet decodes every row of a Parquet file into T, turning the library's panics on a
// malformed or incompatible file into errors.
func readParquet[T any](data []byte) (rows []T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decode parquet: %v", r)
		}
	}()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	r := parquet.NewGenericReader[T](f)
	defer r.Close()
	rows = make([]T, r.NumRows())
	read := 0
	for read < len(rows) {
		n, err := r.Read(rows[read:])
		read += n
		if err == io.EOF || (err == nil && n == 0) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return rows[:read], nil
}
