package command

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pintui/pintui/ops/databricks"
	"github.com/pintui/pintui/pipeline/analytics"
	"github.com/pintui/pintui/pipeline/delta"
)

// Tables reads the pipeline's tables: the local lakehouse, or in a cloud profile the schema the
// batch notebook writes, through a SQL warehouse. tables, schema and preview read through it.
type Tables interface {
	// List returns the tables, batch tables first, then stream tables, then the analytics.
	List(ctx context.Context) ([]TableInfo, error)
	// Schema returns one table's columns.
	Schema(ctx context.Context, table string) (TableSchema, error)
	// Preview returns a page of one table's rows.
	Preview(ctx context.Context, table string, page PageQuery) (TablePage, error)
}

// PageQuery says which rows preview shows: Limit rows after skipping Offset, of those where
// Where's column equals its value when Where is set.
type PageQuery struct {
	Limit, Offset int64
	Where         *delta.Match
}

// tableReader is the profile's Tables.
func (env *Env) tableReader(ctx context.Context) (Tables, error) {
	if env.Config.IsLocal() {
		return lakehouseTables{env: env}, nil
	}
	db := env.Config.Databricks
	if db.WarehouseID == "" {
		return nil, fmt.Errorf("profile %s reads its tables through a SQL warehouse and sets no databricks.warehouse_id: set it to the id of the warehouse that reads %s.%s", env.Config.Profile, db.Catalog, db.Schema)
	}
	c, err := env.workspaceClient(ctx)
	if err != nil {
		return nil, err
	}
	return warehouseTables{client: c, env: env, warehouse: db.WarehouseID, catalog: db.Catalog, schema: db.Schema}, nil
}

// warehouseAsks asks before a statement starts a stopped SQL warehouse, which costs money; a
// running one, the local profile and a warehouse that cannot be looked at ask nothing, and the
// command says what is wrong with the last.
func (env *Env) warehouseAsks(*Invocation) string {
	if env.Config == nil || env.Config.IsLocal() || env.Config.Databricks.WarehouseID == "" || env.Backends == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := env.workspaceClient(ctx)
	if err != nil {
		return ""
	}
	w, err := c.Warehouse(ctx, env.Config.Databricks.WarehouseID)
	if err != nil || !w.Stopped() {
		return ""
	}
	return fmt.Sprintf("start SQL warehouse %s (%s), which is %s and costs money while it runs, to read the tables", w.Name, w.ID, strings.ToLower(w.State))
}

// tableRank orders the tables as tables lists them: batch, then stream, then the analytics in
// their documented order.
func tableRank(i TableInfo) int {
	if n := slices.Index(analytics.Names(), i.Table); n >= 0 {
		return 2000 + n
	}
	if i.Kind == "stream" {
		return 1000
	}
	return 0
}

// lakehouseTables reads the local lakehouse.
type lakehouseTables struct{ env *Env }

func (l lakehouseTables) List(ctx context.Context) ([]TableInfo, error) {
	return l.env.listLakehouse(ctx)
}

func (l lakehouseTables) Schema(ctx context.Context, table string) (TableSchema, error) {
	_, snap, err := l.env.table(ctx, table)
	if err != nil {
		return TableSchema{}, err
	}
	return TableSchema{Table: table, Version: snap.Version, Columns: columns(snap.Fields)}, nil
}

func (l lakehouseTables) Preview(ctx context.Context, table string, p PageQuery) (TablePage, error) {
	q := delta.Query{Limit: p.Limit, Offset: p.Offset}
	where := ""
	if p.Where != nil {
		q.Where = []delta.Match{*p.Where}
		where = p.Where.Column + "=" + p.Where.Value
	}
	t, snap, err := l.env.table(ctx, table)
	if err != nil {
		return TablePage{}, err
	}
	page, err := t.Rows(ctx, q)
	if err != nil {
		return TablePage{}, err
	}
	total, _ := snap.NumRecords()
	out := TablePage{Table: table, Version: page.Version, Columns: columns(page.Fields), Rows: page.Rows,
		Offset: p.Offset, Limit: p.Limit, Where: where, TotalRows: total}
	if out.Rows == nil {
		out.Rows = [][]any{}
	}
	return out, nil
}

// warehouseTables reads catalog.schema through a SQL warehouse, with read-only statements only:
// SHOW TABLES, DESCRIBE TABLE, DESCRIBE HISTORY and SELECT … LIMIT.
type warehouseTables struct {
	client                     *databricks.Client
	env                        *Env
	warehouse, catalog, schema string
}

// quoteName quotes an identifier with backticks, doubling any inside, so a table or column name
// is only ever a name.
func quoteName(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

func (w warehouseTables) qualified(table string) string {
	return quoteName(w.catalog) + "." + quoteName(w.schema) + "." + quoteName(table)
}

func (w warehouseTables) query(ctx context.Context, sql string, params map[string]string) (databricks.ResultSet, error) {
	return w.client.Query(ctx, databricks.Statement{Warehouse: w.warehouse, Catalog: w.catalog, Schema: w.schema, SQL: sql, Parameters: params})
}

func (w warehouseTables) List(ctx context.Context) ([]TableInfo, error) {
	rs, err := w.query(ctx, "SHOW TABLES IN "+quoteName(w.catalog)+"."+quoteName(w.schema), nil)
	if err != nil {
		return nil, err
	}
	name := slices.IndexFunc(rs.Columns, func(c databricks.Column) bool { return c.Name == "tableName" })
	if name < 0 {
		return nil, errors.New("SHOW TABLES answered without a tableName column: check databricks.warehouse_id names a SQL warehouse")
	}
	infos := []TableInfo{}
	for _, row := range rs.Rows {
		if t, ok := row[name].(string); ok {
			infos = append(infos, TableInfo{Table: t, Kind: w.env.tableKind(t)})
		}
	}
	slices.SortStableFunc(infos, func(a, b TableInfo) int { return tableRank(a) - tableRank(b) })
	return infos, nil
}

// version is the table's newest Delta version, from DESCRIBE HISTORY.
func (w warehouseTables) version(ctx context.Context, table string) (int64, error) {
	rs, err := w.query(ctx, "DESCRIBE HISTORY "+w.qualified(table)+" LIMIT 1", nil)
	if err != nil {
		return 0, err
	}
	col := slices.IndexFunc(rs.Columns, func(c databricks.Column) bool { return c.Name == "version" })
	if col < 0 || len(rs.Rows) == 0 {
		return 0, fmt.Errorf("DESCRIBE HISTORY of %s gave no version: is it a Delta table?", table)
	}
	v, _ := rs.Rows[0][col].(int64)
	return v, nil
}

func (w warehouseTables) Schema(ctx context.Context, table string) (TableSchema, error) {
	rs, err := w.query(ctx, "DESCRIBE TABLE "+w.qualified(table), nil)
	if err != nil {
		return TableSchema{}, err
	}
	out := TableSchema{Table: table, Columns: []TableColumn{}}
	for _, row := range rs.Rows {
		name, _ := row[0].(string)
		typ, _ := row[1].(string)
		// The columns end where DESCRIBE's partition and detail sections begin.
		if name == "" || strings.HasPrefix(name, "#") {
			break
		}
		out.Columns = append(out.Columns, TableColumn{Column: name, Type: typ, Nullable: true})
	}
	if out.Version, err = w.version(ctx, table); err != nil {
		return TableSchema{}, err
	}
	return out, nil
}

func (w warehouseTables) Preview(ctx context.Context, table string, p PageQuery) (TablePage, error) {
	filter, where := "", ""
	var params map[string]string
	if p.Where != nil {
		filter = " WHERE CAST(" + quoteName(p.Where.Column) + " AS STRING) = :value"
		params = map[string]string{"value": p.Where.Value}
		where = p.Where.Column + "=" + p.Where.Value
	}
	rs, err := w.query(ctx, fmt.Sprintf("SELECT * FROM %s%s LIMIT %d OFFSET %d", w.qualified(table), filter, p.Limit, p.Offset), params)
	if err != nil {
		return TablePage{}, err
	}
	count, err := w.query(ctx, "SELECT COUNT(*) AS rows FROM "+w.qualified(table), nil)
	if err != nil {
		return TablePage{}, err
	}
	out := TablePage{Table: table, Columns: []TableColumn{}, Rows: rs.Rows, Offset: p.Offset, Limit: p.Limit, Where: where}
	if len(count.Rows) == 1 && len(count.Rows[0]) == 1 {
		out.TotalRows, _ = count.Rows[0][0].(int64)
	}
	for _, c := range rs.Columns {
		out.Columns = append(out.Columns, TableColumn{Column: c.Name, Type: strings.ToLower(c.TypeText), Nullable: true})
	}
	if out.Version, err = w.version(ctx, table); err != nil {
		return TablePage{}, err
	}
	return out, nil
}

// Run functions of tables, schema and preview, over the profile's Tables.

func (env *Env) tables(ctx context.Context, _ *Invocation) (*Result, error) {
	r, err := env.tableReader(ctx)
	if err != nil {
		return nil, err
	}
	infos, err := r.List(ctx)
	if err != nil {
		return nil, err
	}
	res := &Result{Data: infos}
	damaged := 0
	for _, i := range infos {
		if i.Damaged != "" {
			damaged++
		}
	}
	switch {
	case !env.Config.IsLocal():
		res.Message = fmt.Sprintf("%d tables in %s.%s; the warehouse lists names only: schema and preview read one", len(infos), env.Config.Databricks.Catalog, env.Config.Databricks.Schema)
	case len(infos) == 0:
		res.Message = "no tables yet: run `batch run` to build them from the landings"
	case damaged > 0:
		res.Message = fmt.Sprintf("%d damaged, each saying why: `batch run` rebuilds the batch tables and the analytics", damaged)
	}
	return res, nil
}

func (env *Env) schema(ctx context.Context, in *Invocation) (*Result, error) {
	r, err := env.tableReader(ctx)
	if err != nil {
		return nil, err
	}
	s, err := r.Schema(ctx, in.Args[0])
	if err != nil {
		return nil, err
	}
	return &Result{Data: s}, nil
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
	p := PageQuery{Limit: int64(limit), Offset: int64(offset)}
	if w := in.Flag("where"); w != "" {
		m, err := delta.ParseMatch(w)
		if err != nil {
			return nil, err
		}
		p.Where = &m
	}
	r, err := env.tableReader(ctx)
	if err != nil {
		return nil, err
	}
	page, err := r.Preview(ctx, in.Args[0], p)
	if err != nil {
		return nil, err
	}
	res := &Result{Data: page}
	switch {
	case len(page.Rows) == 0:
		res.Message = fmt.Sprintf("no rows (table has %d)", page.TotalRows)
	case p.Where != nil:
		res.Message = fmt.Sprintf("rows %d–%d matching %s", offset+1, offset+len(page.Rows), page.Where)
	default:
		res.Message = fmt.Sprintf("rows %d–%d of %d", offset+1, offset+len(page.Rows), page.TotalRows)
	}
	return res, nil
}
