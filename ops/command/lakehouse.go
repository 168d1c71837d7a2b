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
)

// lakehouse is the store the Delta tables live in: one folder per table under the data dir.
func (env *Env) lakehouse() objstore.Store { return objstore.NewDir(env.Config.LakehouseDir()) }

// landings returns the store the batch job reads: the folder given, or the local bucket.
func (env *Env) landings(ctx context.Context, dir string) (objstore.Store, error) {
	if dir != "" {
		return objstore.NewDir(dir), nil
	}
	if env.Backends == nil {
		return nil, errors.New("no landings to read: give --landings DIR (for example one written by `seed --landings DIR`), or run with the local stack")
	}
	return env.Backends.Landings(), nil
}

func (env *Env) lakehouseCommands() []*Command {
	return []*Command{
		{
			Name:  "batch run",
			Help:  "Run the batch job: landings → de-duplicate, clean → the three batch tables and the nine analytics (overwritten, so a re-run gives the same tables).",
			Flags: []Flag{{Name: "landings", Help: "folder of landed objects (default: the landing bucket)"}},
			Run:   env.batchRun,
		},
		{Name: "tables", Help: "List the lakehouse tables with their kind, row count, Delta version and files.", Run: env.tables},
		{Name: "schema", Args: "TABLE", MinArgs: 1, MaxArgs: 1, Help: "Show a table's columns and Spark types.", Run: env.schema},
		{
			Name: "preview", Args: "TABLE", MinArgs: 1, MaxArgs: 1,
			Help: "Show a page of a table's rows.",
			Flags: []Flag{
				{Name: "limit", Default: "20", Help: "rows to show"},
				{Name: "offset", Default: "0", Help: "matching rows to skip"},
				{Name: "where", Help: "keep rows whose COL equals VALUE, written COL=VALUE"},
			},
			Run: env.preview,
		},
		{Name: "analytics", Args: "[NAME]", MaxArgs: 1, Help: "Show the nine analytics outputs of the last batch run, or one of them.", Run: env.analytics},
	}
}

func (env *Env) batchRun(ctx context.Context, in *Invocation) (*Result, error) {
	landings, err := env.landings(ctx, in.Flag("landings"))
	if err != nil {
		return nil, err
	}
	job := &batch.Job{UID: env.Config.UID, Landings: landings, Lakehouse: env.lakehouse()}
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

// tableInfo is one row of `tables`.
type tableInfo struct {
	Table   string `json:"table"`
	Kind    string `json:"kind"`
	Rows    int64  `json:"rows"`
	Version int64  `json:"version"`
	Files   int    `json:"files"`
}

func (env *Env) tables(ctx context.Context, _ *Invocation) (*Result, error) {
	store := env.lakehouse()
	roots, err := delta.ListTables(ctx, store, "")
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"table", "kind", "rows", "version", "files"}}
	infos := []tableInfo{}
	for _, root := range roots {
		snap, err := delta.Open(store, root).Snapshot(ctx)
		if err != nil {
			return nil, err
		}
		rows, _ := snap.NumRecords()
		info := tableInfo{Table: root, Kind: tableKind(root), Rows: rows, Version: snap.Version, Files: len(snap.Files)}
		infos = append(infos, info)
	}
	// Batch tables first, then stream tables, then the analytics in the documented order.
	rank := func(i tableInfo) int {
		if n := slices.Index(analytics.Names(), i.Table); n >= 0 {
			return 2000 + n
		}
		if i.Kind == "stream" {
			return 1000
		}
		return 0
	}
	slices.SortStableFunc(infos, func(a, b tableInfo) int { return rank(a) - rank(b) })
	for _, i := range infos {
		res.Rows = append(res.Rows, []string{i.Table, i.Kind, strconv.FormatInt(i.Rows, 10),
			strconv.FormatInt(i.Version, 10), strconv.Itoa(i.Files)})
	}
	if len(infos) == 0 {
		res.Message = "no tables yet: run `batch run` to build them from the landings"
	}
	res.Data = infos
	return res, nil
}

// tableKind tells the batch tables from the analytics outputs and the stream tables.
func tableKind(name string) string {
	switch {
	case slices.Contains(analytics.Names(), name):
		return "analytics"
	case strings.HasSuffix(name, "_table"):
		return "stream"
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

func (env *Env) schema(ctx context.Context, in *Invocation) (*Result, error) {
	_, snap, err := env.table(ctx, in.Args[0])
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"column", "type", "nullable"}}
	type column struct {
		Column   string `json:"column"`
		Type     string `json:"type"`
		Nullable bool   `json:"nullable"`
	}
	cols := []column{}
	for _, f := range snap.Fields {
		res.Rows = append(res.Rows, []string{f.Name, f.Type, "true"})
		cols = append(cols, column{f.Name, f.Type, true})
	}
	res.Data = cols
	return res, nil
}

func (env *Env) preview(ctx context.Context, in *Invocation) (*Result, error) {
	limit, err := in.Int("limit")
	if err != nil {
		return nil, err
	}
	offset, err := in.Int("offset")
	if err != nil {
		return nil, err
	}
	if limit < 1 || offset < 0 {
		return nil, fmt.Errorf("--limit must be at least 1 and --offset at least 0")
	}
	q := delta.Query{Limit: int64(limit), Offset: int64(offset)}
	if w := in.Flag("where"); w != "" {
		m, err := delta.ParseMatch(w)
		if err != nil {
			return nil, err
		}
		q.Where = []delta.Match{m}
	}
	t, snap, err := env.table(ctx, in.Args[0])
	if err != nil {
		return nil, err
	}
	page, err := t.Rows(ctx, q)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: page.Columns}
	objects := make([]json.RawMessage, 0, len(page.Rows))
	for _, row := range page.Rows {
		cells := make([]string, len(row))
		values := make([]any, len(row))
		for i, v := range row {
			cells[i] = delta.Text(v)
			values[i] = v
			if ts, ok := v.(time.Time); ok {
				values[i] = ts.UTC().Format(record.DateTimeLayout)
			}
		}
		res.Rows = append(res.Rows, cells)
		objects = append(objects, objectJSON(page.Columns, values))
	}
	res.Data = objects
	total, _ := snap.NumRecords()
	switch {
	case len(page.Rows) == 0:
		res.Message = fmt.Sprintf("no rows (table has %d)", total)
	case q.Where != nil:
		res.Message = fmt.Sprintf("rows %d–%d matching %s", offset+1, offset+len(page.Rows), in.Flag("where"))
	default:
		res.Message = fmt.Sprintf("rows %d–%d of %d", offset+1, offset+len(page.Rows), total)
	}
	return res, nil
}

func (env *Env) analytics(ctx context.Context, in *Invocation) (*Result, error) {
	store := env.lakehouse()
	if len(in.Args) == 1 {
		o, err := batch.ReadAnalytic(ctx, store, in.Args[0])
		if err != nil {
			return nil, err
		}
		t := o.Table()
		return &Result{Columns: t.Columns, Rows: t.Rows, Data: analytics.Outputs{o}}, nil
	}
	outputs, err := batch.ReadAnalytics(ctx, store)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	if err := outputs.WriteText(&b); err != nil {
		return nil, err
	}
	return &Result{Message: strings.TrimRight(b.String(), "\n"), Data: outputs}, nil
}
