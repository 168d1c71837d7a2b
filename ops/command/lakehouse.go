package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pintui/pintui/pipeline/analytics"
	"github.com/pintui/pintui/pipeline/batch"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/stream"
)

// lakehouse is the store the Delta tables live in: one folder per table under the data dir.
func (env *Env) lakehouse() objstore.Store { return objstore.NewDir(env.Config.LakehouseDir()) }

// landings returns the store the batch job reads: the folder given, or the local bucket.
func (env *Env) landings(ctx context.Context, dir string) (objstore.Store, error) {
	if dir != "" {
		return batch.OpenLandings(dir)
	}
	if env.Backends == nil {
		return nil, errors.New("no landings to read: give --landings DIR (for example one written by `seed --landings DIR`), or run with the local stack")
	}
	return env.Backends.Landings(), nil
}

func (env *Env) lakehouseCommands() []*Command {
	return []*Command{
		{
			Name: "batch run",
			Help: "Run the batch job: landings → de-duplicate, clean → the three batch tables and the nine analytics (overwritten, so a re-run gives the same tables).",
			Flags: []Flag{
				{Name: "landings", Help: "folder of landed objects (default: the landing bucket)"},
				{Name: "allow-empty", Bool: true, Help: "empty a table holding rows when its topic has no landings"},
			},
			Run: env.batchRun,
		},
		{Name: "tables", Help: "List the lakehouse tables with their kind, row count, Delta version and files; in a cloud profile, the tables of databricks.catalog.schema through the SQL warehouse.",
			Flags: []Flag{YesFlag}, Asks: env.warehouseAsks, Run: env.tables},
		{Name: "schema", Args: "TABLE", MinArgs: 1, MaxArgs: 1, Help: "Show a table's columns and Spark types.",
			Flags: []Flag{YesFlag}, Asks: env.warehouseAsks, Run: env.schema, Complete: env.completeTables},
		{
			Name: "preview", Args: "TABLE", MinArgs: 1, MaxArgs: 1,
			Help: "Show a page of a table's rows.",
			Flags: []Flag{
				{Name: "limit", Default: "20", Help: "rows to show"},
				{Name: "offset", Default: "0", Help: "matching rows to skip"},
				{Name: "where", Help: "keep rows whose COL equals VALUE, written COL=VALUE"},
				YesFlag,
			},
			Asks: env.warehouseAsks, Run: env.preview, Complete: env.completeTables,
		},
		{Name: "analytics", Args: "[NAME]", MaxArgs: 1, Help: "Show the nine analytics outputs of the last batch run, or one of them.", Run: env.analytics, Complete: env.completeAnalytics},
		{
			Name: "vacuum", Args: "TABLE", MinArgs: 1, MaxArgs: 1,
			Help:  "Delete a table's data files removed longer ago than the retention, and those no commit references; the log stays.",
			Flags: []Flag{{Name: "retain", Default: strconv.Itoa(int(delta.DefaultRetention.Hours())) + "h", Help: "keep files removed or written within this long"}},
			Run:   env.vacuum, Complete: env.completeTables,
		},
		{
			Name: "optimize", Args: "TABLE", MinArgs: 1, MaxArgs: 1,
			Help: "Compact a table's small data files into larger ones in one commit that changes no row (Delta's OPTIMIZE); vacuum deletes the old files after the retention.",
			Run:  env.optimize, Complete: env.completeTables,
		},
	}
}

func (env *Env) batchRun(ctx context.Context, in *Invocation) (*Result, error) {
	landings, err := env.landings(ctx, in.Flag("landings"))
	if err != nil {
		return nil, err
	}
	job := &batch.Job{UID: env.Config.UID, Landings: landings, Lakehouse: env.lakehouse(), AllowEmpty: in.Flag("allow-empty") == "true"}
	if env.Progress != nil {
		job.Progress = func(read, found int) { env.Progress("batch", read, found) }
	}
	res, err := job.Run(ctx)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	if err := res.WriteSummary(&b); err != nil {
		return nil, err
	}
	return &Result{Message: strings.TrimRight(b.String(), "\n"), Data: res}, nil
}

// TableInfo is one row of `tables`: a lakehouse table and its latest version.
type TableInfo struct {
	Table   string `json:"table"`
	Kind    string `json:"kind"`
	Rows    int64  `json:"rows"`
	Version int64  `json:"version"`
	Files   int    `json:"files"`
	// Run is the batch run id the latest commit recorded, "" for a table no batch run wrote.
	Run string `json:"run"`
	// Damaged is why the table's log cannot be read, "" for a sound table; a damaged table has
	// version -1 and no rows or files.
	Damaged string `json:"damaged"`
}

// TableVacuum is what `vacuum` returns: the files it deleted from one table.
type TableVacuum struct {
	Table        string   `json:"table"`
	Version      int64    `json:"version"`
	RetainMS     int64    `json:"retain_ms"`
	Deleted      []string `json:"deleted"`
	DeletedBytes int64    `json:"deleted_bytes"`
	LiveFiles    int      `json:"live_files"`
}

// listLakehouse lists the local lakehouse's tables; one that cannot be read is listed with why.
func (env *Env) listLakehouse(ctx context.Context) ([]TableInfo, error) {
	store := env.lakehouse()
	roots, err := delta.ListTables(ctx, store, "")
	if err != nil {
		return nil, err
	}
	infos := []TableInfo{}
	for _, root := range roots {
		snap, err := delta.Open(store, root).Snapshot(ctx)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// One unreadable table must not hide the others.
		if err != nil {
			infos = append(infos, TableInfo{Table: root, Kind: env.tableKind(root), Version: -1, Damaged: err.Error()})
			continue
		}
		rows, _ := snap.NumRecords()
		infos = append(infos, TableInfo{Table: root, Kind: env.tableKind(root), Rows: rows, Version: snap.Version, Files: len(snap.Files), Run: snap.RunID})
	}
	slices.SortStableFunc(infos, func(a, b TableInfo) int { return tableRank(a) - tableRank(b) })
	return infos, nil
}

func (env *Env) vacuum(ctx context.Context, in *Invocation) (*Result, error) {
	retain, err := in.Duration("retain")
	if err != nil {
		return nil, err
	}
	t, _, err := env.table(ctx, in.Args[0])
	if err != nil {
		return nil, err
	}
	v, err := t.Vacuum(ctx, retain)
	if err != nil {
		return nil, err
	}
	out := TableVacuum{Table: in.Args[0], Version: v.Version, RetainMS: retain.Milliseconds(), Deleted: v.Deleted, DeletedBytes: v.Bytes, LiveFiles: v.Live}
	msg := fmt.Sprintf("deleted %d files (%d bytes) of %s not needed within %s; kept the %d live files of version %d", len(v.Deleted), v.Bytes, in.Args[0], retain, v.Live, v.Version)
	return &Result{Message: msg, Data: out}, nil
}

func (env *Env) optimize(ctx context.Context, in *Invocation) (*Result, error) {
	t, _, err := env.table(ctx, in.Args[0])
	if err != nil {
		return nil, err
	}
	o, err := t.Optimize(ctx)
	if err != nil {
		return nil, err
	}
	out := TableOptimize{Table: in.Args[0], Version: o.Version, FilesRemoved: o.FilesRemoved, FilesAdded: o.FilesAdded,
		Rows: o.Rows, BytesBefore: o.BytesBefore, BytesAfter: o.BytesAfter}
	if o.FilesRemoved == 0 {
		return &Result{Message: fmt.Sprintf("nothing to compact in %s at version %d: no two small files sit together", in.Args[0], o.Version), Data: out}, nil
	}
	msg := fmt.Sprintf("compacted %d files of %s into %d at version %d; its %d rows are unchanged, and vacuum deletes the %d old files after the retention",
		o.FilesRemoved, in.Args[0], o.FilesAdded, o.Version, o.Rows, o.FilesRemoved)
	if o.CheckpointErr != nil {
		msg += fmt.Sprintf("; the checkpoint failed (%v), so reads replay more commits until the next one", o.CheckpointErr)
	}
	return &Result{Message: msg, Data: out}, nil
}

// tableKind tells the batch tables from the analytics outputs and this uid's stream tables.
func (env *Env) tableKind(name string) string {
	if slices.Contains(analytics.Names(), name) {
		return "analytics"
	}
	for _, t := range record.Tables {
		if name == stream.TableName(env.Config.UID, t) {
			return "stream"
		}
	}
	return "batch"
}

// table opens a table by name, with an error that lists the tables when there is no such one.
func (env *Env) table(ctx context.Context, name string) (*delta.Table, *delta.Snapshot, error) {
	store := env.lakehouse()
	t := delta.Open(store, name)
	snap, err := t.Snapshot(ctx)
	if errors.Is(err, delta.ErrNoTable) {
		roots, _ := delta.ListTables(ctx, store, "")
		if len(roots) == 0 {
			return nil, nil, fmt.Errorf("no table %q: the lakehouse is empty; run `batch run` first", name)
		}
		return nil, nil, fmt.Errorf("no table %q: the tables are %s", name, strings.Join(roots, ", "))
	}
	if err != nil {
		return nil, nil, err
	}
	return t, snap, nil
}

// TableSchema is what `schema` returns: a table's columns with their Spark types.
type TableSchema struct {
	Table   string        `json:"table"`
	Version int64         `json:"version"`
	Columns []TableColumn `json:"columns"`
}

// TableColumn is one column of a table.
type TableColumn struct {
	Column   string `json:"column"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

// TextTable lists the columns.
func (s TableSchema) TextTable() Table {
	t := Table{Columns: []string{"column", "type", "nullable"}}
	for _, c := range s.Columns {
		t.Rows = append(t.Rows, []string{c.Column, c.Type, strconv.FormatBool(c.Nullable)})
	}
	return t
}

func columns(fields []record.Field) []TableColumn {
	cols := []TableColumn{}
	for _, f := range fields {
		cols = append(cols, TableColumn{Column: f.Name, Type: f.Type, Nullable: true})
	}
	return cols
}

// TablePage is what `preview` returns: a page of a table's rows. Each row holds one value per
// column: nil, string, int64, int32, float64, []float64 or time.Time.
type TablePage struct {
	Table   string        `json:"table"`
	Version int64         `json:"version"`
	Columns []TableColumn `json:"columns"`
	Rows    [][]any       `json:"rows"`
	// Offset is the matching rows skipped; Where the COL=VALUE filter, "" for none.
	Offset int64  `json:"offset"`
	Limit  int64  `json:"limit"`
	Where  string `json:"where"`
	// TotalRows is the table's row count.
	TotalRows int64 `json:"total_rows"`
}

// MarshalJSON writes each row as an object keyed by column, in column order, with times in RFC
// 3339 UTC like every other JSON time.
func (p TablePage) MarshalJSON() ([]byte, error) {
	names := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		names[i] = c.Column
	}
	rows := make([]json.RawMessage, 0, len(p.Rows))
	for _, row := range p.Rows {
		cells := make([]any, len(names))
		for i := range names {
			if i < len(row) {
				cells[i] = jsonValue(row[i])
			}
		}
		obj, err := orderedObject(names, cells)
		if err != nil {
			return nil, err
		}
		rows = append(rows, obj)
	}
	type page TablePage
	return json.Marshal(struct {
		page
		Rows []json.RawMessage `json:"rows"`
	}{page(p), rows})
}

func jsonValue(v any) any {
	if ts, ok := v.(time.Time); ok {
		return At(ts)
	}
	return v
}

// TextTable lists the rows as text.
func (p TablePage) TextTable() Table {
	t := Table{}
	for _, c := range p.Columns {
		t.Columns = append(t.Columns, c.Column)
	}
	for _, row := range p.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = delta.Text(v)
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}

func (env *Env) analytics(ctx context.Context, in *Invocation) (*Result, error) {
	store := env.lakehouse()
	if len(in.Args) == 1 {
		o, err := batch.ReadAnalytic(ctx, store, in.Args[0])
		if err != nil {
			return nil, err
		}
		return &Result{Data: analyticsOutputs(analytics.Outputs{o})}, nil
	}
	outputs, err := batch.ReadAnalytics(ctx, store)
	if err != nil {
		return nil, err
	}
	out := analyticsOutputs(outputs)
	return &Result{Message: out.Text(), Data: out}, nil
}

// AnalyticsOutput is one analytics output: its columns with their Spark types and its rows, each
// cell a string, int64, int32 or nil.
type AnalyticsOutput struct {
	Name    string        `json:"name"`
	Columns []TableColumn `json:"columns"`
	Rows    [][]any       `json:"rows"`
}

// AnalyticsOutputs is what `analytics` returns: the outputs asked for. One output reads as its
// table; all nine read as the message. The JSON is one object keyed by output name, each an array
// of row objects, as `pintui analyze --output json` prints it.
type AnalyticsOutputs []AnalyticsOutput

func analyticsOutputs(os analytics.Outputs) AnalyticsOutputs {
	out := AnalyticsOutputs{}
	for _, o := range os {
		rows := o.Rows
		if rows == nil {
			rows = [][]any{}
		}
		out = append(out, AnalyticsOutput{Name: o.Name, Columns: columns(o.Fields), Rows: rows})
	}
	return out
}

func (o AnalyticsOutputs) outputs() analytics.Outputs {
	os := make(analytics.Outputs, len(o))
	for i, a := range o {
		os[i] = analytics.Output{Name: a.Name, Rows: a.Rows}
		for _, c := range a.Columns {
			os[i].Fields = append(os[i].Fields, record.Field{Name: c.Column, Type: c.Type})
		}
	}
	return os
}

// MarshalJSON writes the outputs as `pintui analyze --output json` does.
func (o AnalyticsOutputs) MarshalJSON() ([]byte, error) { return json.Marshal(o.outputs()) }

// Text lays every output out as its name over its table, as `pintui analyze` prints them.
func (o AnalyticsOutputs) Text() string {
	var b strings.Builder
	if err := o.outputs().WriteText(&b); err != nil {
		return err.Error()
	}
	return strings.TrimRight(b.String(), "\n")
}

// TextTable is the one output's table, or nothing when there are several.
func (o AnalyticsOutputs) TextTable() Table {
	if len(o) != 1 {
		return Table{}
	}
	t := Table{}
	for _, c := range o[0].Columns {
		t.Columns = append(t.Columns, c.Column)
	}
	for _, row := range o[0].Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = analytics.FormatCell(v)
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}

// Text renders one value of a table row as text, as `preview` prints it: null for a null.
func Text(v any) string { return delta.Text(v) }
