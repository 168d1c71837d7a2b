package delta

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

// Read returns every row of the table's latest version as T, file by file in commit order.
func Read[T any](ctx context.Context, t *Table) ([]T, error) {
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var out []T
	for _, f := range snap.Files {
		rows, err := ReadFile[T](ctx, t, f)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// ReadFile returns the rows of one data file of the table as T, so a reader following a growing
// table reads only the files that are new in its latest snapshot. T may name only some columns.
func ReadFile[T any](ctx context.Context, t *Table, f Add) ([]T, error) {
	data, err := t.readFile(ctx, f)
	if err != nil {
		return nil, err
	}
	rows, err := readParquet[T](data, nil)
	if err != nil {
		return nil, fmt.Errorf("read table %s: %s: %w", t.root, f.Path, err)
	}
	return rows, nil
}

func (t *Table) readFile(ctx context.Context, f Add) ([]byte, error) {
	rel, err := url.PathUnescape(f.Path)
	if err != nil {
		return nil, fmt.Errorf("read table %s: data file path %q: %w", t.root, f.Path, err)
	}
	data, err := t.store.Get(ctx, t.key(rel))
	if err != nil {
		return nil, fmt.Errorf("read table %s: %w", t.root, err)
	}
	return data, nil
}

// Match keeps the rows whose column, rendered by Text, equals the value.
type Match struct {
	Column string
	Value  string
}

// ParseMatch reads a COL=VALUE filter as typed after --where.
func ParseMatch(s string) (Match, error) {
	col, val, ok := strings.Cut(s, "=")
	if !ok || col == "" {
		return Match{}, fmt.Errorf("filter %q: write it as COLUMN=VALUE", s)
	}
	return Match{Column: col, Value: val}, nil
}

// Query selects the rows of a preview: those matching every Where filter, skipping Offset of
// them and keeping at most Limit (0 means all).
type Query struct {
	Where  []Match
	Offset int64
	Limit  int64
}

// Page is a slice of a table's rows as Go values: int64, int32, string, float64, time.Time
// (UTC), []float64 or nil, in the order of Columns.
type Page struct {
	Version int64
	Columns []string
	Fields  []record.Field
	Rows    [][]any
}

// Rows reads the rows a query selects from the latest version, opening only the data files
// it needs: without filters, whole files and row groups before the offset are skipped by count.
func (t *Table) Rows(ctx context.Context, q Query) (*Page, error) {
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	page := &Page{Version: snap.Version, Fields: snap.Fields}
	index := map[string]int{}
	for i, f := range snap.Fields {
		page.Columns = append(page.Columns, f.Name)
		index[f.Name] = i
	}
	where := make([]int, len(q.Where))
	for i, m := range q.Where {
		col, ok := index[m.Column]
		if !ok {
			return nil, fmt.Errorf("read table %s: no column %q; the columns are %s", t.root, m.Column, strings.Join(page.Columns, ", "))
		}
		where[i] = col
	}
	skip := q.Offset
	full := func() bool { return q.Limit > 0 && int64(len(page.Rows)) >= q.Limit }
	for _, f := range snap.Files {
		if full() {
			break
		}
		if n, ok := numRecords(f); ok && len(where) == 0 && skip >= n {
			skip -= n
			continue
		}
		data, err := t.readFile(ctx, f)
		if err != nil {
			return nil, err
		}
		err = scanFile(data, snap.Fields, index, func(row []any) bool {
			for i, col := range where {
				if Text(row[col]) != q.Where[i].Value {
					return true
				}
			}
			if skip > 0 {
				skip--
				return true
			}
			page.Rows = append(page.Rows, row)
			return !full()
		}, func(rows int64) bool {
			if len(where) == 0 && skip >= rows {
				skip -= rows
				return true
			}
			return false
		})
		if err != nil {
			return nil, fmt.Errorf("read table %s: %s: %w", t.root, f.Path, err)
		}
	}
	return page, nil
}

// scanFile calls emit with each row of a data file until it returns false; skipGroup may
// claim a whole row group by its row count so it is never decoded.
func scanFile(data []byte, fields []record.Field, index map[string]int, emit func([]any) bool, skipGroup func(int64) bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decode parquet: %v", r)
		}
	}()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	type leaf struct {
		out      int
		typ      string
		mul, div int64
		maxDef   int
		optional bool
	}
	var leaves []leaf
	for _, p := range f.Schema().Columns() {
		lc, _ := f.Schema().Lookup(p...)
		l := leaf{out: -1, maxDef: lc.MaxDefinitionLevel, optional: lc.Node.Optional()}
		if col, ok := index[p[0]]; ok {
			l.out, l.typ = col, fields[col].Type
			l.mul, l.div = timestampUnit(lc.Node)
		}
		leaves = append(leaves, l)
	}
	buf := make([]parquet.Row, 256)
	for _, rg := range f.RowGroups() {
		if skipGroup(rg.NumRows()) {
			continue
		}
		rows := rg.Rows()
		for {
			n, err := rows.ReadRows(buf)
			for _, r := range buf[:n] {
				row := make([]any, len(fields))
				r.Range(func(col int, values []parquet.Value) bool {
					if col < len(leaves) && leaves[col].out >= 0 {
						l := leaves[col]
						row[l.out] = goValue(l.typ, values, l.mul, l.div, l.maxDef, l.optional)
					}
					return true
				})
				if !emit(row) {
					rows.Close()
					return nil
				}
			}
			if err != nil && err != io.EOF {
				rows.Close()
				return err
			}
			if err == io.EOF || n == 0 {
				break
			}
		}
		rows.Close()
	}
	return nil
}

// goValue converts the values of one leaf column of one row to the Go value of its Spark type.
// A null element of a list (possible in files other engines wrote) becomes NaN.
func goValue(typ string, values []parquet.Value, mul, div int64, maxDef int, optional bool) any {
	if typ == typeDoubleArray {
		if len(values) == 0 || (len(values) == 1 && values[0].IsNull() && values[0].DefinitionLevel() == 0) {
			return nil
		}
		list := make([]float64, 0, len(values))
		for _, v := range values {
			switch {
			case !v.IsNull():
				list = append(list, v.Double())
			case optional && v.DefinitionLevel() == maxDef-1:
				list = append(list, math.NaN())
			}
		}
		return list
	}
	if len(values) == 0 || values[0].IsNull() {
		return nil
	}
	v := values[0]
	switch typ {
	case typeLong:
		if v.Kind() == parquet.Int32 {
			return int64(v.Int32())
		}
		return v.Int64()
	case typeInteger:
		return v.Int32()
	case typeDouble:
		return v.Double()
	case typeTimestamp:
		return time.UnixMicro(v.Int64() * mul / div).UTC()
	}
	return string(v.ByteArray())
}

// Text renders a value of a Page the way previews print it and --where filters compare it:
// null, decimal numbers, timestamps in record.DateTimeLayout (UTC, with fractions when present),
// lists as [a, b].
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return x.UTC().Format(record.DateTimeLayout + ".999999")
	case []float64:
		parts := make([]string, len(x))
		for i, d := range x {
			parts[i] = strconv.FormatFloat(d, 'g', -1, 64)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// ListTables returns the roots of the tables under prefix (folders holding a _delta_log), sorted.
// On a store that lists folders only folders are read, down to each table's root and never into
// it, so its cost is the tables', not their commits' and data files'.
func ListTables(ctx context.Context, store objstore.Store, prefix string) ([]string, error) {
	if fl, ok := store.(objstore.FolderLister); ok && (prefix == "" || strings.HasSuffix(prefix, "/")) {
		var roots []string
		if err := tablesUnder(ctx, fl, prefix, &roots); err != nil {
			return nil, fmt.Errorf("list tables under %s: %w", prefix, err)
		}
		sort.Strings(roots)
		return roots, nil
	}
	objs, err := store.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("list tables under %s: %w", prefix, err)
	}
	seen := map[string]bool{}
	var roots []string
	for _, o := range objs {
		root, _, ok := strings.Cut(o.Key, "/"+logFolder)
		if !ok || root == "" {
			continue
		}
		if !seen[root] {
			seen[root] = true
			roots = append(roots, root)
		}
	}
	sort.Strings(roots)
	return roots, nil
}

// tablesUnder adds to roots the tables in folder and its folders, not looking inside a table.
func tablesUnder(ctx context.Context, fl objstore.FolderLister, folder string, roots *[]string) error {
	folders, err := fl.Folders(ctx, folder)
	if err != nil {
		return err
	}
	if folder != "" && slices.Contains(folders, folder+logFolder) {
		*roots = append(*roots, strings.TrimSuffix(folder, "/"))
		return nil
	}
	for _, f := range folders {
		if err := tablesUnder(ctx, fl, f, roots); err != nil {
			return err
		}
	}
	return nil
}
