// Package batch is the batch job of the pipeline: it reads every object the S3 sink
// landed for the three topics, drops repeated rows, cleans the rest, and writes the three batch
// tables and the nine analytics outputs as Delta tables. Every table is overwritten, so a
// re-run over the same landings gives the same tables, as the daily DAG expects. The same
// reading and cleaning also serve `pintui analyze`, which prints the analytics straight from
// files without writing anything.
package batch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/pintui/pintui/pipeline/analytics"
	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

// Job is one configuration of the batch job: where the landings are and where the tables go.
type Job struct {
	// UID is the user id the topic and table names derive from.
	UID string
	// Landings is the bucket the S3 sink writes `topics/…` objects to.
	Landings objstore.Store
	// Lakehouse holds the Delta tables, each under the key prefix `<table name>/`.
	Lakehouse objstore.Store
	// TableOptions are passed to every table the job opens; tests fix the clock and file ids.
	TableOptions []delta.Option
	// Progress, when set, is told how many landed objects have been read of those found so far;
	// it is called from the job's goroutines, one call at a time.
	Progress func(read, found int)
	// AllowEmpty lets a table whose topic has no landings be overwritten with no rows.
	AllowEmpty bool
	// RunID names the run in every commit it makes; Run draws one when it is empty.
	RunID string
}

// progress adds up what the three tables' readers found and read, for Job.Progress.
type progress struct {
	mu          sync.Mutex
	read, found int
	report      func(read, found int)
}

func (p *progress) add(read, found int) {
	if p == nil || p.report == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.read, p.found = p.read+read, p.found+found
	p.report(p.read, p.found)
}

// TableRun says what the job did to one batch table.
type TableRun struct {
	// Name is the Delta table name, `<uid>_<table>_batch`.
	Name string `json:"name"`
	// Landings counts the objects read.
	Landings int `json:"landings"`
	// Read counts the non-blank lines read, duplicates and quarantined lines included.
	Read int64 `json:"read"`
	// Duplicates counts the rows dropped as equal to an earlier row.
	Duplicates int64 `json:"duplicates"`
	// Quarantined counts the lines no row could be read from.
	Quarantined int `json:"quarantined"`
	// Written counts the rows in the table's new version.
	Written int64 `json:"written"`
	// Version is the Delta version the job committed.
	Version int64 `json:"version"`
	// Report is what cleaning did to this table.
	Report clean.Report `json:"report"`
}

// OutputRun says what the job wrote for one analytics output.
type OutputRun struct {
	// Name is the output's name, which is also its table name.
	Name    string `json:"name"`
	Written int64  `json:"written"`
	Version int64  `json:"version"`
}

// Result is the outcome of one batch run.
type Result struct {
	// RunID is the id recorded in the commitInfo of every table the run wrote.
	RunID string `json:"run_id"`
	// Tables are the pin, geo and user batch tables, in that order.
	Tables []TableRun `json:"tables"`
	// Report merges the three tables' cleaning reports; its quarantine list names each line.
	Report clean.Report `json:"report"`
	// Analytics are the nine outputs computed from the cleaned rows, in the documented order.
	Analytics analytics.Outputs `json:"analytics"`
	// Outputs say which table version holds each output, in the same order.
	Outputs []OutputRun `json:"outputs"`
}

// TableName returns the name of one batch table, `<uid>_<table>_batch`.
func TableName(uid string, table record.Table) string {
	return uid + "_" + string(table) + "_batch"
}

// Run reads the landings, cleans them and overwrites the batch tables and the analytics outputs.
// A line that is not a record is quarantined in the report and the run goes on; a failure to
// read the store or to commit a table stops the run with the error.
func (j *Job) Run(ctx context.Context) (*Result, error) {
	if j.UID == "" || j.Landings == nil || j.Lakehouse == nil {
		return nil, fmt.Errorf("run batch job: the job needs a user id, a landings store and a lakehouse store")
	}
	write := delta.Write{Mode: delta.Overwrite, Rebuild: true, RunID: j.RunID}
	if write.RunID == "" {
		write.RunID = newRunID()
	}
	keys := make([]*landingList, len(record.Tables))
	for i, table := range record.Tables {
		var err error
		if keys[i], err = landingKeys(ctx, j.Landings, j.UID, table); err != nil {
			return nil, fmt.Errorf("run batch job: %w", err)
		}
	}
	if err := j.checkEmptyTopics(ctx, keys); err != nil {
		return nil, fmt.Errorf("run batch job: %w", err)
	}
	p := &progress{report: j.Progress}
	res := &Result{RunID: write.RunID, Tables: make([]TableRun, len(record.Tables))}
	var kept answers
	errs := make([]error, len(record.Tables))
	tableCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	// The three tables share nothing until the analytics, so they are cleaned and written side
	// by side; the first failure stops the others.
	for i, table := range record.Tables {
		wg.Go(func() {
			res.Tables[i], errs[i] = j.runTable(tableCtx, table, keys[i], write, p, &kept)
			if errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	cancel()
	if err := firstCause(errs); err != nil {
		return nil, fmt.Errorf("run batch job: %w", err)
	}
	for _, t := range res.Tables {
		res.Report.Merge(t.Report)
	}
	// The merged report covers every table, so it names none.
	res.Report.Table = ""

	res.Analytics = analytics.Answer(&kept.pins, &kept.geos, &kept.users)
	var err error
	if res.Outputs, err = j.writeAnalytics(ctx, write, res.Analytics); err != nil {
		return nil, fmt.Errorf("run batch job: %w", err)
	}
	return res, nil
}

// firstCause returns the first error that is not a table stopped because another failed, or
// else the first error.
func firstCause(errs []error) error {
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if !errors.Is(err, context.Canceled) {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// answers is what the analytics read of the three tables, kept as their rows are cleaned.
type answers struct {
	pins  analytics.Pins
	geos  analytics.Geos
	users analytics.Users
}

// runTable cleans the landings of one table and overwrites its batch table, adding what the
// analytics read of each row to kept; a step that writes one table passes nil and lets it go.
func (j *Job) runTable(ctx context.Context, table record.Table, keys *landingList, w delta.Write, p *progress, kept *answers) (TableRun, error) {
	if kept == nil {
		kept = new(answers)
	}
	switch table {
	case record.TablePin:
		return runTableOf(ctx, j, table, keys, w, p, kept.pins.Add)
	case record.TableGeo:
		return runTableOf(ctx, j, table, keys, w, p, kept.geos.Add)
	default:
		return runTableOf(ctx, j, table, keys, w, p, kept.users.Add)
	}
}

// batchRowsPerFile bounds the data files of a batch table, so a run holds a few files' worth
// of encoded rows whatever the number of landings: each file is uploaded as it is finished.
const batchRowsPerFile = 1 << 17

// runTableOf cleans the landings of one table into a write of its batch table: each row is
// encoded on this goroutine as it is cleaned and handed to kept, and the encoded pages go to the
// write every chunk of landed bytes, so no cleaned row outlives its landing.
func runTableOf[T clean.CleanRow](ctx context.Context, j *Job, table record.Table, keys *landingList, w delta.Write, p *progress, kept func(*T)) (TableRun, error) {
	run := TableRun{Name: TableName(j.UID, table), Landings: keys.len()}
	opts := append([]delta.Option{delta.WithRowsPerFile(batchRowsPerFile)}, j.TableOptions...)
	wr, err := delta.NewWriter[T](ctx, delta.Open(j.Lakehouse, run.Name, opts...), w)
	if err != nil {
		return TableRun{}, err
	}
	enc, err := wr.NewRowEncoder()
	if err != nil {
		return TableRun{}, err
	}
	b := clean.NewBatch(func(row *T) {
		enc.Append(*row)
		kept(row)
	})
	pending := 0
	p.add(0, keys.len())
	err = fetchInOrder(ctx, j.Landings, keys.len(), keys.key, func(key string, body []byte) error {
		b.Add(key, body)
		p.add(1, 0)
		if pending += len(body); pending < encodeBytes {
			return nil
		}
		pending = 0
		return wr.WriteEncoded(enc.Encode())
	})
	if err == nil {
		err = wr.WriteEncoded(enc.Encode())
	}
	if err != nil {
		wr.Abort()
		return TableRun{}, err
	}
	commit, err := wr.Commit(ctx)
	if err != nil {
		return TableRun{}, err
	}
	run.Report = b.Report()
	run.Read, run.Duplicates = run.Report.RowsIn, run.Report.Duplicates
	run.Quarantined = len(run.Report.Quarantined)
	run.Written, run.Version = commit.Rows, commit.Version
	return run, nil
}

// encodeBytes is how many landed bytes are cleaned between two hand-offs of encoded pages to
// the write: as much as one worker of `pintui clean` cleans at a time, so pages are as large.
const encodeBytes = 256 << 10

// checkEmptyTopics refuses a run that would overwrite a table holding rows with no rows because
// its topic has no landings, unless AllowEmpty: a mistyped --landings or uid finds nothing, and
// the run would otherwise empty every table and succeed.
func (j *Job) checkEmptyTopics(ctx context.Context, keys []*landingList) error {
	if j.AllowEmpty {
		return nil
	}
	found := make([]string, len(record.Tables))
	for i, table := range record.Tables {
		found[i] = fmt.Sprintf("%s %d", table, keys[i].len())
	}
	for i, table := range record.Tables {
		if err := j.checkEmptyTopic(ctx, table, strings.Join(found, ", "), keys[i].len()); err != nil {
			return err
		}
	}
	return nil
}

// checkEmptyTopic refuses to overwrite one table holding rows when its topic has n landings, 0;
// found says what was found of every topic checked, for the error.
func (j *Job) checkEmptyTopic(ctx context.Context, table record.Table, found string, n int) error {
	if j.AllowEmpty || n > 0 {
		return nil
	}
	name := TableName(j.UID, table)
	snap, err := delta.Open(j.Lakehouse, name, j.TableOptions...).Snapshot(ctx)
	var holds string
	switch {
	case errors.Is(err, delta.ErrNoTable):
		return nil
	case errors.Is(err, delta.ErrDamaged):
		holds = "is damaged and may hold rows"
	case err != nil:
		return err
	default:
		rows, exact := snap.NumRecords()
		if rows == 0 && (exact || len(snap.Files) == 0) {
			return nil
		}
		holds = fmt.Sprintf("holds %d rows", rows)
		if !exact {
			holds = fmt.Sprintf("holds at least %d rows", rows)
		}
	}
	return fmt.Errorf("found no landings under %s (%s), but table %s %s; check --landings and the uid, or give --allow-empty to empty the tables",
		TopicPrefix(j.UID, table), found, name, holds)
}

// newRunID draws the id of a run: 12 hex digits, short enough for a column of `tables`.
func newRunID() string { return strings.ReplaceAll(uuid.NewString(), "-", "")[:12] }
