package delta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

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

// removesFromKey names the footer entry of a checkpoint this writer made saying at which row
// its removes begin: it writes them last, so a read of the table stops before them.
const removesFromKey = "pintui.removesFrom"

// liveRow is a checkpoint row without its remove column, which a read of the table skips.
type liveRow struct {
	Txn      *Txn      `parquet:"txn,optional"`
	Add      *Add      `parquet:"add,optional"`
	MetaData *Metadata `parquet:"metaData,optional"`
	Protocol *Protocol `parquet:"protocol,optional"`
}

// removeRow is the remove column of a checkpoint alone.
type removeRow struct {
	Remove *Remove `parquet:"remove,optional"`
}

// tombstones returns every file removed in snap's history that a checkpoint still keeps: those
// of the checkpoint it was read from, then those removed since, the later removal of a path
// winning and a path live again dropped.
func (t *Table) tombstones(ctx context.Context, snap *Snapshot) ([]Remove, error) {
	if snap.checkpoint < 0 {
		return snap.tombstones, nil
	}
	data, err := t.store.Get(ctx, t.logKey(checkpointName(snap.checkpoint)))
	if err != nil {
		return nil, fmt.Errorf("read table %s: tombstones of checkpoint %d: %w", t.root, snap.checkpoint, err)
	}
	rows, err := readParquet[removeRow](data, nil)
	if err != nil {
		return nil, t.damaged("checkpoint %d does not parse: %v; restore it, delete it and _last_checkpoint to replay the commits, or overwrite the table to rebuild it", snap.checkpoint, err)
	}
	later := map[string]bool{}
	for _, r := range snap.tombstones {
		later[r.Path] = true
	}
	var out []Remove
	for _, r := range rows {
		if r.Remove != nil && !later[r.Remove.Path] && !snap.live[r.Remove.Path] {
			if r.Remove.PartitionValues == nil {
				r.Remove.PartitionValues = map[string]string{}
			}
			out = append(out, *r.Remove)
		}
	}
	return append(out, snap.tombstones...), nil
}

// writeCheckpoint stores the whole state of snap as one Parquet file, then points
// _last_checkpoint at it, so readers replay at most CheckpointInterval commits.
func (t *Table) writeCheckpoint(ctx context.Context, snap *Snapshot) error {
	tombstones, err := t.tombstones(ctx, snap)
	if err != nil {
		return fmt.Errorf("checkpoint table %s at version %d: %w", t.root, snap.Version, err)
	}
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
	removesFrom := len(rows)
	for i := range tombstones {
		if tombstones[i].DeletionTimestamp >= horizon {
			rows = append(rows, checkpointRow{Remove: &tombstones[i]})
		}
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[checkpointRow](&buf, parquet.Compression(snappyCodec{}), parquet.CreatedBy(engineInfo, "", ""),
		parquet.KeyValueMetadata(removesFromKey, strconv.Itoa(removesFrom)))
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
	rows, err := readParquet[liveRow](data, func(f *parquet.File) int64 {
		n, err := strconv.ParseInt(lookup(f, removesFromKey), 10, 64)
		if err != nil {
			return f.NumRows()
		}
		return n
	})
	if err != nil {
		return nil, t.damaged("checkpoint %d does not parse: %v; restore it, delete it and _last_checkpoint to replay the commits, or overwrite the table to rebuild it", version, err)
	}
	actions := make([]action, 0, len(rows))
	for _, r := range rows {
		if r.Txn == nil && r.Add == nil && r.MetaData == nil && r.Protocol == nil {
			continue
		}
		a := action{Txn: r.Txn, Add: r.Add, MetaData: r.MetaData, Protocol: r.Protocol}
		if a.Add != nil && a.Add.PartitionValues == nil {
			a.Add.PartitionValues = map[string]string{}
		}
		actions = append(actions, a)
	}
	snap := emptySnapshot()
	if err := snap.apply(version, actions); err != nil {
		return nil, fmt.Errorf("read table %s: checkpoint %d: %w", t.root, version, err)
	}
	snap.checkpoint = version
	// A checkpoint carries no commitInfo; the commit it was taken at says which run wrote it.
	if data, err := t.store.Get(ctx, t.logKey(commitName(version))); err == nil {
		if actions, err := decodeCommit(data); err == nil {
			snap.RunID = runIDOf(actions)
		}
	}
	return snap, nil
}

// readParquet decodes the rows of a Parquet file into T, all of them or as many as bound says,
// turning the library's panics on a malformed or incompatible file into errors.
func readParquet[T any](data []byte, bound func(*parquet.File) int64) (rows []T, err error) {
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
	n := r.NumRows()
	if bound != nil {
		n = min(n, max(bound(f), 0))
	}
	rows = make([]T, n)
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

// lookup returns the value of a key of a Parquet file's footer, "" when it has none.
func lookup(f *parquet.File, key string) string {
	v, _ := f.Lookup(key)
	return v
}
