// Package delta is the table format the batch and stream jobs write their cleaned rows and
// analytics to: a minimal Delta Lake (protocol reader 1 / writer 2) kept in an object store, with
// Parquet data files, JSON commits created only if absent, V1 Parquet checkpoints and `txn`
// actions that make stream micro-batches commit exactly once. The Tables screen and the preview
// command read the same tables back through this package.
package delta

import (
	"errors"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/pintui/pintui/pipeline/objstore"
)

// ErrNoTable reports that no Delta log exists under a table's root.
var ErrNoTable = errors.New("no delta table")

// ErrUnsupported reports a table written with a protocol newer than this reader's.
var ErrUnsupported = errors.New("unsupported delta protocol")

// ErrDamaged reports a log that cannot be replayed as written: a commit missing between present
// ones, or a commit, checkpoint or _last_checkpoint that does not parse.
var ErrDamaged = errors.New("damaged delta log")

// CheckpointInterval is how many commits pass between two checkpoints, as Spark's default.
const CheckpointInterval = 10

// engineInfo names this writer in every commitInfo.
const engineInfo = "pintui"

// logFolder is the folder under a table root that holds its commits and checkpoints.
const logFolder = "_delta_log/"

// Table is one Delta table: a key prefix in an object store holding data files and a log.
// A Table is safe for concurrent use, and several Tables (or processes) may write one root.
type Table struct {
	store       objstore.Store
	root        string
	now         func() time.Time
	newID       func() string
	rowsPerFile int
	// autoOptimize is the live file count past which an append runs Optimize; 0 never does.
	autoOptimize int

	mu     sync.Mutex
	cached *Snapshot
	// verified is set once a listing proved the log this Table read has no commit past a gap;
	// later reads only probe the next commit, since put-if-absent writers never skip a version.
	verified bool
}

// Option changes how a Table writes.
type Option func(*Table)

// WithClock makes the table read time from now, so tests get deterministic commits.
func WithClock(now func() time.Time) Option { return func(t *Table) { t.now = now } }

// WithIDs makes the table draw table ids and data file names from newID instead of random UUIDs.
func WithIDs(newID func() string) Option { return func(t *Table) { t.newID = newID } }

// WithRowsPerFile splits each write into data files of at most n rows, encoded in parallel;
// n ≤ 0 keeps one file per write.
func WithRowsPerFile(n int) Option { return func(t *Table) { t.rowsPerFile = n } }

// Open returns the table rooted at the key prefix root (for example "lakehouse/x_pin_batch");
// nothing is read or written until the first call.
func Open(store objstore.Store, root string, opts ...Option) *Table {
	t := &Table{
		store: store,
		root:  strings.TrimSuffix(root, "/"),
		now:   time.Now,
		newID: func() string { return uuid.NewString() },
	}
	for _, o := range opts {
		o(t)
	}
	return t
}

// Root returns the key prefix the table lives under.
func (t *Table) Root() string { return t.root }

// Name returns the last element of the table's root, the name users know the table by.
func (t *Table) Name() string { return path.Base(t.root) }

func (t *Table) key(rel string) string {
	if t.root == "" {
		return rel
	}
	return t.root + "/" + rel
}

func (t *Table) logKey(name string) string { return t.key(logFolder + name) }

func (t *Table) millis() int64 { return t.now().UnixMilli() }
