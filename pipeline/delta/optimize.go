package delta

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

// DefaultTargetFileSize is the size Optimize compacts small files up to, as OPTIMIZE's
// maxFileSize in Delta's open-source releases.
const DefaultTargetFileSize = 128 << 20

// DefaultAutoOptimizeFiles is the live file count past which AutoOptimize compacts a table
// when no other count is given: a stream table reaches it after about a hundred micro-batches.
const DefaultAutoOptimizeFiles = 100

// AutoOptimize makes every append of this Table that leaves more than files live data files
// run Optimize right after its commit, so a table written one micro-batch at a time keeps a
// bounded number of files; files ≤ 0 means DefaultAutoOptimizeFiles.
func AutoOptimize(files int) Option {
	if files <= 0 {
		files = DefaultAutoOptimizeFiles
	}
	return func(t *Table) { t.autoOptimize = files }
}

// OptimizeOption changes how Optimize compacts.
type OptimizeOption func(*compaction)

// compaction is what one Optimize aims at.
type compaction struct {
	targetBytes int64
	targetRows  int64
}

// TargetFileSize makes Optimize compact files up to about n bytes each.
func TargetFileSize(n int64) OptimizeOption { return func(c *compaction) { c.targetBytes = n } }

// TargetFileRows makes Optimize compact files up to n rows each; n ≤ 0 sets no row bound.
func TargetFileRows(n int64) OptimizeOption { return func(c *compaction) { c.targetRows = n } }

// Optimized reports what Optimize did to a table.
type Optimized struct {
	// Version is the version of the optimize commit, or the current one when nothing was small
	// enough to compact.
	Version      int64
	FilesRemoved int
	FilesAdded   int
	// Rows counts the rows of the table, which an optimize never changes.
	Rows        int64
	BytesBefore int64
	BytesAfter  int64
	// CheckpointErr is a failure to write the checkpoint due at Version; the commit stands.
	CheckpointErr error
}

// ErrOptimizeConflict reports an Optimize whose files another writer removed (an overwrite, or
// another Optimize) before it could commit; nothing changed, and running it again compacts
// what is live then.
var ErrOptimizeConflict = errors.New("optimize conflict")

// Optimize compacts the table's small data files into files of the target size (DefaultTargetFileSize
// unless TargetFileSize says otherwise) in one commit of remove and add actions with dataChange
// false, as Delta's OPTIMIZE: readers see the same rows, and micro-batch txns are untouched.
// Appends committed while it rewrites do not conflict: it commits on top of them, as long as
// every file it rewrote is still live. The removed files stay until Vacuum.
func (t *Table) Optimize(ctx context.Context, opts ...OptimizeOption) (Optimized, error) {
	c := compaction{targetBytes: DefaultTargetFileSize}
	for _, o := range opts {
		o(&c)
	}
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return Optimized{}, fmt.Errorf("optimize: %w", err)
	}
	rows, _ := snap.NumRecords()
	out := Optimized{Version: snap.Version, Rows: rows}
	bins := c.plan(snap.Files)
	if len(bins) == 0 {
		return out, nil
	}
	files := make([]*dataFile, len(bins))
	for i, bin := range bins {
		if files[i], err = t.rewrite(ctx, snap.Fields, i, bin); err != nil {
			return Optimized{}, fmt.Errorf("optimize table %s: %w", t.root, err)
		}
	}
	if err := t.uploadFiles(ctx, files); err != nil {
		t.removeFiles(ctx, files)
		return Optimized{}, fmt.Errorf("optimize table %s: upload data files: %w", t.root, err)
	}
	version, cpErr, err := t.commitOptimize(ctx, bins, files)
	if err != nil {
		t.removeFiles(ctx, files)
		return Optimized{}, err
	}
	out.Version, out.FilesAdded, out.CheckpointErr = version, len(files), cpErr
	for i, bin := range bins {
		out.FilesRemoved += len(bin)
		for _, f := range bin {
			out.BytesBefore += f.Size
		}
		out.BytesAfter += files[i].size
	}
	return out, nil
}

// plan bins the small files, in table order, into groups to rewrite as one file each. A file
// leads a group only if the group's other files hold at least as many rows, so a compacted
// file is rewritten again only once the small files after it have doubled it: each row is
// rewritten a logarithmic number of times however long the table grows.
func (c compaction) plan(files []Add) [][]Add {
	var bins [][]Add
	var bin []Add
	var size, rows int64
	flush := func() {
		for len(bin) > 1 {
			n, _ := numRecords(bin[0])
			if n <= rows-n {
				break
			}
			size, rows, bin = size-bin[0].Size, rows-n, bin[1:]
		}
		if len(bin) > 1 {
			bins = append(bins, bin)
		}
		bin, size, rows = nil, 0, 0
	}
	for _, f := range files {
		n, _ := numRecords(f)
		if f.Size >= c.targetBytes || (c.targetRows > 0 && n >= c.targetRows) {
			flush()
			continue
		}
		if len(bin) > 0 && (size+f.Size > c.targetBytes || (c.targetRows > 0 && rows+n > c.targetRows)) {
			flush()
		}
		bin, size, rows = append(bin, f), size+f.Size, rows+n
	}
	flush()
	return bins
}

// rewrite reads the rows of a group of files, in order, into one new data file.
func (t *Table) rewrite(ctx context.Context, fields []record.Field, index int, bin []Add) (*dataFile, error) {
	f := newDataFile(index, t.newID())
	w := parquet.NewGenericWriter[any](&f.body, writerOptions(parquetSchemaOf(fields))...)
	columns := map[string]int{}
	for i, field := range fields {
		columns[field.Name] = i
	}
	var encoded []parquet.Row
	for _, src := range bin {
		data, err := t.readFile(ctx, src)
		if err != nil {
			return nil, err
		}
		encoded = encoded[:0]
		var rowErr error
		err = scanFile(data, fields, columns, func(row []any) bool {
			var r parquet.Row
			r, rowErr = parquetRow(fields, row)
			encoded = append(encoded, r)
			return rowErr == nil
		}, func(int64) bool { return false })
		if err == nil {
			err = rowErr
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src.Path, err)
		}
		if _, err := w.WriteRows(encoded); err != nil {
			return nil, fmt.Errorf("encode %s: %w", f.name, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encode %s: %w", f.name, err)
	}
	f.finish(w.File().Metadata(), fields)
	if f.err != nil {
		return nil, fmt.Errorf("encode %s: %w", f.name, f.err)
	}
	return f, nil
}

// commitOptimize commits the rewrite on top of the latest version, retrying above the appends
// that land meanwhile, and refuses once a rewritten file is no longer live.
func (t *Table) commitOptimize(ctx context.Context, bins [][]Add, files []*dataFile) (version int64, checkpointErr, err error) {
	for range maxCommitAttempts {
		snap, err := t.Snapshot(ctx)
		if err != nil {
			return 0, nil, fmt.Errorf("optimize: %w", err)
		}
		now := t.millis()
		actions := []action{{CommitInfo: &commitInfo{
			Timestamp:           now,
			Operation:           "OPTIMIZE",
			OperationParameters: map[string]string{"predicate": "[]", "zOrderBy": "[]"},
			EngineInfo:          engineInfo,
			TxnID:               t.newID(),
		}}}
		var gone []string
		for _, bin := range bins {
			for _, f := range bin {
				if !snap.live[f.Path] {
					gone = append(gone, f.Path)
				}
				actions = append(actions, action{Remove: &Remove{
					Path:                 f.Path,
					DeletionTimestamp:    now,
					DataChange:           false,
					ExtendedFileMetadata: true,
					PartitionValues:      map[string]string{},
					Size:                 f.Size,
				}})
			}
		}
		if len(gone) > 0 {
			return 0, nil, fmt.Errorf("optimize table %s: %w: version %d no longer holds %s; run optimize again", t.root, ErrOptimizeConflict, snap.Version, strings.Join(gone, ", "))
		}
		for _, f := range files {
			add := f.add(now)
			add.DataChange = false
			actions = append(actions, action{Add: &add})
		}
		data, err := encodeCommit(actions)
		if err != nil {
			return 0, nil, fmt.Errorf("optimize table %s: %w", t.root, err)
		}
		next, checkpointErr, err := t.publish(ctx, snap, data, actions)
		if errors.Is(err, objstore.ErrExist) {
			continue
		}
		if err != nil {
			return 0, nil, fmt.Errorf("optimize: %w", err)
		}
		return next.Version, checkpointErr, nil
	}
	return 0, nil, fmt.Errorf("optimize table %s: gave up after %d attempts lost to concurrent writers; run optimize again", t.root, maxCommitAttempts)
}
