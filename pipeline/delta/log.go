package delta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

// tombstoneRetentionMillis is how long removed files stay in checkpoints (Delta's default
// deletedFileRetentionDuration of one week), so readers of older versions can still find them.
const tombstoneRetentionMillis = 7 * 24 * 3600 * 1000

// maxCommitAttempts bounds the optimistic retries of one commit against concurrent writers.
const maxCommitAttempts = 100

// Snapshot is the state of a table at one version. Snapshots are shared: treat them as read-only.
type Snapshot struct {
	Version  int64
	Protocol Protocol
	Metadata Metadata
	// Fields is the table schema parsed from Metadata.SchemaString.
	Fields []record.Field
	// Files are the live data files in the order they were added.
	Files []Add
	// Txns maps each application id to the last micro-batch version it committed.
	Txns map[string]int64
	// RunID is the run id the latest commit recorded, "" when it recorded none.
	RunID string

	// tombstones are the files removed since the checkpoint the snapshot was read from, whose
	// own removed files are read only when needed (Vacuum, the next checkpoint), so a read of
	// the table never decodes a week of tombstones; checkpoint is -1 when there was none.
	tombstones []Remove
	checkpoint int64
	live       map[string]bool
}

// emptySnapshot is the state before version 0.
func emptySnapshot() *Snapshot {
	return &Snapshot{Version: -1, Txns: map[string]int64{}, live: map[string]bool{}, checkpoint: -1}
}

func (s *Snapshot) clone() *Snapshot {
	c := *s
	c.Files = slices.Clone(s.Files)
	c.tombstones = slices.Clone(s.tombstones)
	c.Txns = make(map[string]int64, len(s.Txns))
	for k, v := range s.Txns {
		c.Txns[k] = v
	}
	c.live = make(map[string]bool, len(s.live))
	for k := range s.live {
		c.live[k] = true
	}
	return &c
}

// apply replays one commit's actions onto the snapshot, in place.
func (s *Snapshot) apply(version int64, actions []action) error {
	gone := map[string]bool{}
	for _, a := range actions {
		switch {
		case a.Protocol != nil:
			if a.Protocol.MinReaderVersion > tableProtocol.MinReaderVersion {
				return fmt.Errorf("%w: table needs reader version %d; this reader supports %d", ErrUnsupported, a.Protocol.MinReaderVersion, tableProtocol.MinReaderVersion)
			}
			s.Protocol = *a.Protocol
		case a.MetaData != nil:
			fields, err := parseSchema(a.MetaData.SchemaString)
			if err != nil {
				return err
			}
			s.Metadata, s.Fields = *a.MetaData, fields
		case a.Txn != nil:
			s.Txns[a.Txn.AppID] = a.Txn.Version
		case a.Remove != nil:
			if s.live[a.Remove.Path] {
				gone[a.Remove.Path] = true
				delete(s.live, a.Remove.Path)
			}
			s.tombstones = append(s.tombstones, *a.Remove)
		case a.Add != nil:
			if s.live[a.Add.Path] {
				gone[a.Add.Path] = true
			}
		}
	}
	if len(gone) > 0 {
		s.Files = slices.DeleteFunc(s.Files, func(a Add) bool { return gone[a.Path] })
	}
	for _, a := range actions {
		if a.Add != nil {
			s.Files = append(s.Files, *a.Add)
			s.live[a.Add.Path] = true
			s.tombstones = slices.DeleteFunc(s.tombstones, func(r Remove) bool { return r.Path == a.Add.Path })
		}
	}
	s.Version, s.RunID = version, runIDOf(actions)
	return nil
}

// NumRecords sums the row counts in the files' stats without reading any data file; exact is
// false when some file has no stats (written by another engine), making n a lower bound.
func (s *Snapshot) NumRecords() (n int64, exact bool) {
	exact = true
	for _, f := range s.Files {
		rows, ok := numRecords(f)
		if !ok {
			exact = false
		}
		n += rows
	}
	return n, exact
}

func numRecords(f Add) (int64, bool) {
	var st struct {
		NumRecords *int64 `json:"numRecords"`
	}
	if f.Stats == "" || json.Unmarshal([]byte(f.Stats), &st) != nil || st.NumRecords == nil {
		return 0, false
	}
	return *st.NumRecords, true
}

func commitName(version int64) string { return fmt.Sprintf("%020d.json", version) }

func checkpointName(version int64) string { return fmt.Sprintf("%020d.checkpoint.parquet", version) }

// Snapshot returns the table's latest version, replayed from the last checkpoint; it wraps
// ErrNoTable when the root holds no log.
func (t *Table) Snapshot(ctx context.Context) (*Snapshot, error) {
	t.mu.Lock()
	base := t.cached
	t.mu.Unlock()
	var err error
	if base == nil {
		if base, err = t.loadBase(ctx); err != nil {
			return nil, err
		}
	}
	snap, err := t.rollForward(ctx, base)
	if err != nil {
		return nil, err
	}
	if snap.Version < 0 {
		return nil, fmt.Errorf("read table %s: %w: write to it first or check the name", t.root, ErrNoTable)
	}
	t.remember(snap)
	return snap, nil
}

// snapshotOrEmpty is Snapshot for writers, to whom a missing table is version -1.
func (t *Table) snapshotOrEmpty(ctx context.Context) (*Snapshot, error) {
	snap, err := t.Snapshot(ctx)
	if errors.Is(err, ErrNoTable) {
		return emptySnapshot(), nil
	}
	return snap, err
}

func (t *Table) remember(snap *Snapshot) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cached == nil || snap.Version >= t.cached.Version {
		t.cached = snap
	}
}

// loadBase finds the newest checkpoint (through _last_checkpoint, or a listing of the log
// when that hint is missing) and returns its snapshot, or the empty one.
func (t *Table) loadBase(ctx context.Context) (*Snapshot, error) {
	data, err := t.store.Get(ctx, t.logKey("_last_checkpoint"))
	switch {
	case err == nil:
		var last struct {
			Version int64 `json:"version"`
		}
		if err := json.Unmarshal(data, &last); err != nil {
			return nil, t.damaged("_last_checkpoint does not parse: %v; delete it to replay the commits, or overwrite the table to rebuild it", err)
		}
		return t.readCheckpoint(ctx, last.Version)
	case !errors.Is(err, objstore.ErrNotFound):
		return nil, fmt.Errorf("read table %s: %w", t.root, err)
	}
	objs, err := t.store.List(ctx, t.logKey(""))
	if err != nil {
		return nil, fmt.Errorf("read table %s: %w", t.root, err)
	}
	checkpoint := int64(-1)
	for _, o := range objs {
		name := path.Base(o.Key)
		if v, ok := strings.CutSuffix(name, ".checkpoint.parquet"); ok {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > checkpoint {
				checkpoint = n
			}
		}
	}
	if checkpoint >= 0 {
		return t.readCheckpoint(ctx, checkpoint)
	}
	return emptySnapshot(), nil
}

// rollForward applies every commit after base's version, probing the next commit file until
// one is missing; on the Table's first read one listing then proves no later commit exists,
// since replaying the commits after a gap would bring back rows the missing commit removed.
func (t *Table) rollForward(ctx context.Context, base *Snapshot) (*Snapshot, error) {
	snap := base
	for v := base.Version + 1; ; v++ {
		data, err := t.store.Get(ctx, t.logKey(commitName(v)))
		if errors.Is(err, objstore.ErrNotFound) {
			if t.isVerified() {
				return snap, nil
			}
			if data, err = t.checkNoCommitAfter(ctx, v); err != nil {
				return nil, err
			}
			if data == nil {
				t.mu.Lock()
				t.verified = true
				t.mu.Unlock()
				return snap, nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("read table %s: %w", t.root, err)
		}
		actions, err := decodeCommit(data)
		if err != nil {
			return nil, t.damaged("commit %d does not parse: %v; restore the commit, or overwrite the table to rebuild it", v, err)
		}
		if snap == base {
			snap = base.clone()
		}
		if err := snap.apply(v, actions); err != nil {
			return nil, fmt.Errorf("read table %s: commit %d: %w", t.root, v, err)
		}
	}
}

func (t *Table) isVerified() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.verified
}

// damaged returns a read error wrapping ErrDamaged, its reason and advice given by format.
func (t *Table) damaged(format string, args ...any) error {
	return fmt.Errorf("read table %s: %w: %s", t.root, ErrDamaged, fmt.Sprintf(format, args...))
}

// checkNoCommitAfter fails when the log holds a commit above the missing version. It lists
// only the keys after the missing commit's, so a read costs the commits since the checkpoint,
// not a listing of every commit ever made. A writer may commit the missing version and more
// between the probe and the listing, so the commit is probed again before the log is called
// damaged; it is returned when it has appeared.
func (t *Table) checkNoCommitAfter(ctx context.Context, missing int64) ([]byte, error) {
	objs, err := objstore.ListAfter(ctx, t.store, t.logKey(""), t.logKey(commitName(missing)))
	if err != nil {
		return nil, fmt.Errorf("read table %s: %w", t.root, err)
	}
	commits, _ := versionsOf(objs)
	if commits < missing {
		return nil, nil
	}
	data, err := t.store.Get(ctx, t.logKey(commitName(missing)))
	switch {
	case errors.Is(err, objstore.ErrNotFound):
		return nil, t.damaged("commit %d is missing while commits up to %d are present; restore the missing commit, or overwrite the table to rebuild it", missing, commits)
	case err != nil:
		return nil, fmt.Errorf("read table %s: %w", t.root, err)
	}
	return data, nil
}

// logVersions lists the log and returns the highest commit version and the highest version
// of a commit or a checkpoint, each -1 when there is none.
func (t *Table) logVersions(ctx context.Context) (commits, newest int64, err error) {
	objs, err := t.store.List(ctx, t.logKey(""))
	if err != nil {
		return 0, 0, fmt.Errorf("read table %s: %w", t.root, err)
	}
	commits, newest = versionsOf(objs)
	return commits, newest, nil
}

// versionsOf returns the highest commit version among a listing of the log and the highest
// version of a commit or a checkpoint, each -1 when there is none.
func versionsOf(objs []objstore.Object) (commits, newest int64) {
	commits, newest = -1, -1
	for _, o := range objs {
		name := path.Base(o.Key)
		v, isCommit := strings.CutSuffix(name, ".json")
		if !isCommit {
			if v, _, _ = strings.Cut(name, ".checkpoint"); v == name {
				continue
			}
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			continue
		}
		if isCommit {
			commits = max(commits, n)
		}
		newest = max(newest, n)
	}
	return commits, newest
}

// commit writes the next version of the log with the given data files, retrying at the next
// version when another writer got there first. Appends never conflict; an overwrite removes
// whatever is live in the version it finally commits on top of.
func (t *Table) commit(ctx context.Context, w Write, fields []record.Field, adds []Add) (version int64, skipped bool, checkpointErr, err error) {
	schema, err := schemaString(fields)
	if err != nil {
		return 0, false, nil, fmt.Errorf("write table %s: %w", t.root, err)
	}
	for range maxCommitAttempts {
		snap, err := t.snapshotOrEmpty(ctx)
		if errors.Is(err, ErrDamaged) && w.Rebuild && w.Mode == Overwrite {
			version, err := t.rebuild(ctx, w, fields, schema, adds)
			return version, false, nil, err
		}
		if err != nil {
			return 0, false, nil, err
		}
		if w.Txn != nil {
			if v, ok := snap.Txns[w.Txn.AppID]; ok && v >= w.Txn.Version {
				return snap.Version, true, nil, nil
			}
		}
		actions, err := t.actions(snap, w, fields, schema, adds)
		if err != nil {
			return 0, false, nil, err
		}
		data, err := encodeCommit(actions)
		if err != nil {
			return 0, false, nil, fmt.Errorf("write table %s: %w", t.root, err)
		}
		next, checkpointErr, err := t.publish(ctx, snap, data, actions)
		if errors.Is(err, objstore.ErrExist) {
			continue
		}
		if err != nil {
			return 0, false, nil, err
		}
		return next.Version, false, checkpointErr, nil
	}
	return 0, false, nil, fmt.Errorf("write table %s: gave up after %d attempts lost to concurrent writers; retry the write", t.root, maxCommitAttempts)
}

// publish creates the commit after snap's version, only if absent (an error wrapping
// objstore.ErrExist when another writer got there first), and returns the snapshot it makes,
// with the error of the checkpoint due at its version.
func (t *Table) publish(ctx context.Context, snap *Snapshot, data []byte, actions []action) (next *Snapshot, checkpointErr, err error) {
	version := snap.Version + 1
	err = t.store.PutIfAbsent(ctx, t.logKey(commitName(version)), data)
	if errors.Is(err, objstore.ErrExist) {
		return nil, nil, err
	}
	if err != nil {
		return nil, nil, fmt.Errorf("write table %s: commit version %d: %w", t.root, version, err)
	}
	next = snap.clone()
	if err := next.apply(version, actions); err != nil {
		return nil, nil, err
	}
	t.remember(next)
	if version > 0 && version%CheckpointInterval == 0 {
		if checkpointErr = t.writeCheckpoint(ctx, next); checkpointErr == nil {
			// From here on the checkpoint holds the tombstones, so commits stop copying them.
			next = next.clone()
			next.checkpoint, next.tombstones = version, nil
			t.remember(next)
		}
	}
	return next, checkpointErr, nil
}

// rebuild commits an overwrite of a damaged table above every version present, with a
// checkpoint at that version, so readers start there and never replay the damage, whose files
// stay for inspection.
func (t *Table) rebuild(ctx context.Context, w Write, fields []record.Field, schema string, adds []Add) (int64, error) {
	for range maxCommitAttempts {
		_, highest, err := t.logVersions(ctx)
		if err != nil {
			return 0, err
		}
		actions, err := t.actions(emptySnapshot(), w, fields, schema, adds)
		if err != nil {
			return 0, err
		}
		data, err := encodeCommit(actions)
		if err != nil {
			return 0, fmt.Errorf("write table %s: %w", t.root, err)
		}
		version := highest + 1
		err = t.store.PutIfAbsent(ctx, t.logKey(commitName(version)), data)
		if errors.Is(err, objstore.ErrExist) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("write table %s: rebuild at version %d: %w", t.root, version, err)
		}
		next := emptySnapshot()
		if err := next.apply(version, actions); err != nil {
			return 0, err
		}
		// Without the checkpoint readers would still replay the damaged log up to this commit.
		if err := t.writeCheckpoint(ctx, next); err != nil {
			return 0, fmt.Errorf("write table %s: rebuilt at version %d, but readers still meet the damage: %w; overwrite the table again", t.root, version, err)
		}
		t.remember(next)
		return version, nil
	}
	return 0, fmt.Errorf("write table %s: gave up the rebuild after %d attempts lost to concurrent writers; retry the write", t.root, maxCommitAttempts)
}

// actions builds one commit on top of snap: protocol and metadata for a new table (or new
// metadata when an overwrite changes the schema), the txn, the removes of an overwrite, the adds.
func (t *Table) actions(snap *Snapshot, w Write, fields []record.Field, schema string, adds []Add) ([]action, error) {
	now := t.millis()
	operation, params := "WRITE", map[string]string{"mode": w.Mode.String(), "partitionBy": "[]"}
	if w.Txn != nil {
		operation = "STREAMING UPDATE"
		params = map[string]string{"outputMode": "Append", "queryId": w.Txn.AppID, "epochId": strconv.FormatInt(w.Txn.Version, 10)}
	}
	if len(adds) == 0 && snap.Version < 0 && w.Mode == Append && w.Txn == nil {
		operation, params = "CREATE TABLE", map[string]string{"isManaged": "false", "partitionBy": "[]"}
	}
	info := &commitInfo{
		Timestamp:           now,
		Operation:           operation,
		OperationParameters: params,
		IsBlindAppend:       w.Mode == Append,
		EngineInfo:          engineInfo,
		TxnID:               t.newID(),
		RunID:               w.RunID,
	}
	actions := []action{{CommitInfo: info}}
	switch {
	case snap.Version < 0:
		created := now
		actions = append(actions, action{Protocol: &tableProtocol}, action{MetaData: &Metadata{
			ID:               t.newID(),
			Format:           Format{Provider: "parquet", Options: map[string]string{}},
			SchemaString:     schema,
			PartitionColumns: []string{},
			Configuration:    map[string]string{},
			CreatedTime:      &created,
		}})
	case !sameFields(snap.Fields, fields) && w.Mode == Overwrite:
		md := snap.Metadata
		md.SchemaString = schema
		actions = append(actions, action{MetaData: &md})
	case !sameFields(snap.Fields, fields):
		return nil, fmt.Errorf("write table %s: schema %v does not match the table's %v; overwrite the table to change its schema", t.root, fields, snap.Fields)
	}
	if w.Txn != nil {
		actions = append(actions, action{Txn: &Txn{AppID: w.Txn.AppID, Version: w.Txn.Version, LastUpdated: now}})
	}
	if w.Mode == Overwrite {
		for _, f := range snap.Files {
			actions = append(actions, action{Remove: &Remove{
				Path:                 f.Path,
				DeletionTimestamp:    now,
				DataChange:           true,
				ExtendedFileMetadata: true,
				PartitionValues:      map[string]string{},
				Size:                 f.Size,
			}})
		}
	}
	for i := range adds {
		actions = append(actions, action{Add: &adds[i]})
	}
	return actions, nil
}

// Create makes the table with the given schema and no rows, so it can be listed and previewed
// before its first write; on an existing table with the same schema it does nothing.
func (t *Table) Create(ctx context.Context, fields []record.Field) (Commit, error) {
	if err := checkFields(fields); err != nil {
		return Commit{}, fmt.Errorf("create table %s: %w", t.root, err)
	}
	snap, err := t.snapshotOrEmpty(ctx)
	if err != nil {
		return Commit{}, err
	}
	if snap.Version >= 0 {
		if !sameFields(snap.Fields, fields) {
			return Commit{}, fmt.Errorf("create table %s: it exists with schema %v; overwrite it to change the schema", t.root, snap.Fields)
		}
		return Commit{Version: snap.Version, Skipped: true}, nil
	}
	version, _, cpErr, err := t.commit(ctx, Write{}, fields, nil)
	return Commit{Version: version, CheckpointErr: cpErr}, err
}
