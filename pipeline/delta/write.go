package delta

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/parquet-go/parquet-go"

	"github.com/pintui/pintui/pipeline/record"
)

// Mode says what a write does with the rows already in the table.
type Mode int

// The two write modes.
const (
	// Append adds the new rows to the table.
	Append Mode = iota
	// Overwrite replaces every row of the table with the new rows in one commit.
	Overwrite
)

// String names the mode as Spark does in commitInfo.operationParameters.mode.
func (m Mode) String() string {
	if m == Overwrite {
		return "Overwrite"
	}
	return "Append"
}

// Write describes one write to a table.
type Write struct {
	Mode Mode
	// Txn, when set, makes the write the micro-batch Txn.Version of application Txn.AppID: it is
	// skipped if the table already holds that version or a later one of the same application.
	Txn *Txn
	// Rebuild lets an Overwrite of a damaged table commit above the highest version present,
	// with a checkpoint, so readers start from the rebuilt version and never replay the damage.
	Rebuild bool
	// RunID, when set, is recorded in the commit's commitInfo, so a reader can tell which run
	// wrote each table.
	RunID string
}

// Commit reports what a write did.
type Commit struct {
	// Version is the table version the write created, or the current one if it was skipped.
	Version int64
	// Skipped is true when the table already held the write's micro-batch.
	Skipped bool
	Files   int
	Rows    int64
	Bytes   int64
	// CheckpointErr is a failure to write the checkpoint due at Version; the commit itself
	// stands, only later reads are slower until the next checkpoint.
	CheckpointErr error
	// Optimized is what the Optimize that AutoOptimize ran after the commit did, nil when none
	// ran; OptimizeErr is why it failed, leaving the commit standing and the files as they were.
	Optimized   *Optimized
	OptimizeErr error
}

// Writer encodes rows of a record struct into the data files of one write, in the background,
// so the caller can clean the next chunk while the last one is encoded. Each data file is
// uploaded as soon as it is encoded and its body let go, so with rows per file set a write of
// any size holds a few files' worth of bytes; the commit makes the files part of the table.
type Writer[T any] struct {
	ctx         context.Context
	table       *Table
	write       Write
	fields      []record.Field
	schema      *parquet.Schema
	layout      *layout[T]
	slots       chan struct{}
	files       []*dataFile
	current     chan fileRows[T]
	currentRows int
	finished    bool
}

// fileRows is what the encoder of a data file gets next: rows, or rows a RowEncoder encoded.
type fileRows[T any] struct {
	rows    []T
	encoded *EncodedRows
}

// NewWriter starts a write of rows of T, whose parquet tags give the table schema; ctx bounds
// the uploads of its data files, which start before the commit.
func NewWriter[T any](ctx context.Context, t *Table, w Write) (*Writer[T], error) {
	var zero T
	schema := parquet.SchemaOf(zero)
	fields, err := fieldsOf(schema)
	if err != nil {
		return nil, fmt.Errorf("write table %s: schema of %T: %w", t.root, zero, err)
	}
	l, err := layoutOf[T](schema)
	if err != nil {
		return nil, fmt.Errorf("write table %s: columns of %T: %w", t.root, zero, err)
	}
	return &Writer[T]{
		ctx:    ctx,
		table:  t,
		write:  w,
		fields: fields,
		schema: schema,
		layout: l,
		slots:  make(chan struct{}, runtime.GOMAXPROCS(0)),
	}, nil
}

// Write hands a chunk of rows to the encoder; the Writer owns rows from then on, so the caller
// must not change them. It blocks only while every core is already encoding a file.
func (w *Writer[T]) Write(rows []T) error {
	if w.finished {
		return fmt.Errorf("write table %s: the write was already committed or aborted", w.table.root)
	}
	for len(rows) > 0 {
		if w.current == nil {
			w.startFile()
		}
		n := len(rows)
		if limit := w.table.rowsPerFile; limit > 0 && w.currentRows+n > limit {
			n = limit - w.currentRows
		}
		w.current <- fileRows[T]{rows: rows[:n]}
		w.currentRows += n
		rows = rows[n:]
		if limit := w.table.rowsPerFile; limit > 0 && w.currentRows >= limit {
			w.endFile()
		}
	}
	return nil
}

// WriteEncoded hands rows a RowEncoder of this write encoded to the data files, after the
// rows written before; a data file holds more than the table's rows per file only when e does.
func (w *Writer[T]) WriteEncoded(e *EncodedRows) error {
	if w.finished {
		return fmt.Errorf("write table %s: the write was already committed or aborted", w.table.root)
	}
	if e.err != nil {
		return fmt.Errorf("write table %s: %w", w.table.root, e.err)
	}
	if e.rows == 0 {
		return nil
	}
	limit := w.table.rowsPerFile
	if limit > 0 && w.current != nil && w.currentRows+e.rows > limit {
		w.endFile()
	}
	if w.current == nil {
		w.startFile()
	}
	w.current <- fileRows[T]{encoded: e}
	w.currentRows += e.rows
	if limit > 0 && w.currentRows >= limit {
		w.endFile()
	}
	return nil
}

func (w *Writer[T]) startFile() {
	w.slots <- struct{}{}
	f := newDataFile(len(w.files), w.table.newID())
	w.files = append(w.files, f)
	chunks := make(chan fileRows[T], 16)
	w.current, w.currentRows = chunks, 0
	go func() {
		defer func() { <-w.slots }()
		defer close(f.done)
		if err := w.encode(f, chunks); err != nil {
			f.err = fmt.Errorf("encode %s: %w", f.name, err)
			return
		}
		if err := w.table.upload(w.ctx, f); err != nil {
			f.err = fmt.Errorf("upload %s: %w", f.name, err)
		}
	}()
}

// encode encodes the rows sent on chunks into f, draining chunks after a failure.
func (w *Writer[T]) encode(f *dataFile, chunks <-chan fileRows[T]) error {
	enc := w.newEncoder(&f.body)
	var err error
	for next := range chunks {
		switch {
		case err != nil:
		case next.encoded != nil:
			// Only a Writer with a column layout makes a RowEncoder.
			err = enc.(*columnFile[T]).writeEncoded(next.encoded)
		default:
			err = enc.Write(next.rows)
		}
	}
	if err != nil {
		return err
	}
	meta, err := enc.Close()
	if err != nil {
		return err
	}
	f.finish(meta, w.fields)
	return f.err
}

// newEncoder encodes the cleaned record types column by column and any other row struct
// through parquet-go's generic writer.
func (w *Writer[T]) newEncoder(out *bytes.Buffer) fileEncoder[T] {
	if w.layout != nil {
		return newColumnFile(w.layout, out)
	}
	return genericEncoder[T]{parquet.NewGenericWriter[T](out, writerOptions(w.schema)...)}
}

func (w *Writer[T]) endFile() {
	if w.current != nil {
		close(w.current)
		w.current = nil
	}
}

// wait ends the write and waits for every file to be encoded and uploaded.
func (w *Writer[T]) wait() error {
	w.endFile()
	w.finished = true
	var first error
	for _, f := range w.files {
		<-f.done
		if f.err != nil && first == nil {
			first = f.err
		}
	}
	return first
}

// Commit waits for the encoding to end, uploads the data files and commits them.
func (w *Writer[T]) Commit(ctx context.Context) (Commit, error) {
	if w.finished {
		return Commit{}, fmt.Errorf("write table %s: the write was already committed or aborted", w.table.root)
	}
	if err := w.wait(); err != nil {
		w.table.removeFiles(ctx, w.files)
		return Commit{}, fmt.Errorf("write table %s: %w", w.table.root, err)
	}
	return w.table.commitFiles(ctx, w.write, w.fields, w.files)
}

// Abort drops the write and deletes the data files it uploaded, which no commit refers to, so
// the table is untouched.
func (w *Writer[T]) Abort() {
	if !w.finished {
		_ = w.wait()
		w.table.removeFiles(context.WithoutCancel(w.ctx), w.files)
	}
}

// WriteRecords writes rows of a record struct (record.CleanPin…) to the table in one commit.
func WriteRecords[T any](ctx context.Context, t *Table, w Write, rows []T) (Commit, error) {
	if c, done, err := t.skipApplied(ctx, w); done || err != nil {
		return c, err
	}
	wr, err := NewWriter[T](ctx, t, w)
	if err != nil {
		return Commit{}, err
	}
	if err := wr.Write(rows); err != nil {
		return Commit{}, err
	}
	return wr.Commit(ctx)
}

// skipApplied reports a write whose micro-batch the table already holds before any encoding.
func (t *Table) skipApplied(ctx context.Context, w Write) (Commit, bool, error) {
	if w.Txn == nil {
		return Commit{}, false, nil
	}
	snap, err := t.snapshotOrEmpty(ctx)
	if err != nil {
		return Commit{}, false, err
	}
	if v, ok := snap.Txns[w.Txn.AppID]; ok && v >= w.Txn.Version {
		return Commit{Version: snap.Version, Skipped: true}, true, nil
	}
	return Commit{}, false, nil
}

// upload puts one encoded data file into the store and lets its body go.
func (t *Table) upload(ctx context.Context, f *dataFile) error {
	if err := t.store.Put(ctx, t.key(f.name), f.body.Bytes()); err != nil {
		return err
	}
	f.size, f.uploaded, f.body = int64(f.body.Len()), true, bytes.Buffer{}
	return nil
}

// uploadFiles puts the encoded data files not yet uploaded into the store, several at a time.
func (t *Table) uploadFiles(ctx context.Context, files []*dataFile) error {
	sem := make(chan struct{}, 4)
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		if f.uploaded {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = t.upload(ctx, f)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// removeFiles deletes the uploaded data files of a write no commit refers to.
func (t *Table) removeFiles(ctx context.Context, files []*dataFile) {
	for _, f := range files {
		if f.uploaded {
			_ = t.store.Delete(ctx, t.key(f.name))
		}
	}
}

// commitFiles uploads a write's files and commits them, removing them again if the commit
// does not happen, so a failed or skipped write leaves no stray data.
func (t *Table) commitFiles(ctx context.Context, w Write, fields []record.Field, files []*dataFile) (Commit, error) {
	if err := t.uploadFiles(ctx, files); err != nil {
		t.removeFiles(ctx, files)
		return Commit{}, fmt.Errorf("write table %s: upload data files: %w", t.root, err)
	}
	now := t.millis()
	adds := make([]Add, len(files))
	c := Commit{Files: len(files)}
	for i, f := range files {
		adds[i] = f.add(now)
		c.Rows += f.rows
		c.Bytes += adds[i].Size
	}
	version, skipped, cpErr, err := t.commit(ctx, w, fields, adds)
	if err != nil {
		// The commit may have landed although its put answered with an error (an answer lost
		// on the way back), and then it references these files: they stay, and Vacuum deletes
		// them later if no commit does.
		return Commit{}, err
	}
	if skipped {
		t.removeFiles(ctx, files)
		return Commit{Version: version, Skipped: true}, nil
	}
	c.Version, c.CheckpointErr = version, cpErr
	if t.autoOptimize > 0 && w.Mode == Append && t.liveFiles() > t.autoOptimize {
		o, err := t.Optimize(ctx)
		// A conflict means another writer compacted or replaced these files first.
		if err != nil && !errors.Is(err, ErrOptimizeConflict) {
			c.OptimizeErr = err
		}
		if err == nil {
			c.Optimized = &o
		}
	}
	return c, nil
}

// liveFiles counts the data files of the newest version this Table has seen.
func (t *Table) liveFiles() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cached == nil {
		return 0
	}
	return len(t.cached.Files)
}
