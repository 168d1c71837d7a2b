package delta

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/pintui/pintui/pipeline/record"
)

// WriteRows writes rows given as Go values in the order of fields (int64, int32, string,
// float64, time.Time, []float64 or nil; int and *T are accepted too) in one commit. It is the
// path of the analytics outputs and of any table whose schema is known only at run time.
func (t *Table) WriteRows(ctx context.Context, w Write, fields []record.Field, rows [][]any) (Commit, error) {
	if err := checkFields(fields); err != nil {
		return Commit{}, fmt.Errorf("write table %s: %w", t.root, err)
	}
	encoded := make([]parquet.Row, len(rows))
	for i, row := range rows {
		r, err := parquetRow(fields, row)
		if err != nil {
			return Commit{}, fmt.Errorf("write table %s: row %d: %w", t.root, i, err)
		}
		encoded[i] = r
	}
	if c, done, err := t.skipApplied(ctx, w); done || err != nil {
		return c, err
	}
	schema := parquetSchemaOf(fields)
	var parts [][]parquet.Row
	for rest := encoded; len(rest) > 0; {
		n := len(rest)
		if t.rowsPerFile > 0 && n > t.rowsPerFile {
			n = t.rowsPerFile
		}
		parts = append(parts, rest[:n])
		rest = rest[n:]
	}
	files := make([]*dataFile, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		f := newDataFile(i, t.newID())
		files[i] = f
		wg.Go(func() {
			pw := parquet.NewGenericWriter[any](&f.body, writerOptions(schema)...)
			if _, err := pw.WriteRows(part); err != nil {
				f.err = err
				return
			}
			if err := pw.Close(); err != nil {
				f.err = err
				return
			}
			f.finish(pw.File().Metadata(), fields)
		})
	}
	wg.Wait()
	for _, f := range files {
		if f.err != nil {
			return Commit{}, fmt.Errorf("write table %s: encode %s: %w", t.root, f.name, f.err)
		}
	}
	return t.commitFiles(ctx, w, fields, files)
}

// parquetRow turns one row of Go values into Parquet values, one leaf column per field, with
// the levels of an optional column (and of an optional three-level list for arrays).
func parquetRow(fields []record.Field, row []any) (parquet.Row, error) {
	if len(row) != len(fields) {
		return nil, fmt.Errorf("has %d values for %d columns", len(row), len(fields))
	}
	out := make(parquet.Row, 0, len(fields))
	for col, f := range fields {
		v := deref(row[col])
		if v == nil {
			out = append(out, parquet.NullValue().Level(0, 0, col))
			continue
		}
		var pv parquet.Value
		ok := true
		switch f.Type {
		case typeLong:
			switch n := v.(type) {
			case int64:
				pv = parquet.Int64Value(n)
			case int:
				pv = parquet.Int64Value(int64(n))
			case int32:
				pv = parquet.Int64Value(int64(n))
			default:
				ok = false
			}
		case typeInteger:
			switch n := v.(type) {
			case int32:
				pv = parquet.Int32Value(n)
			case int:
				ok = n == int(int32(n))
				pv = parquet.Int32Value(int32(n))
			default:
				ok = false
			}
		case typeString:
			s, isString := v.(string)
			pv, ok = parquet.ByteArrayValue([]byte(s)), isString
		case typeDouble:
			d, isFloat := v.(float64)
			pv, ok = parquet.DoubleValue(d), isFloat
		case typeTimestamp:
			ts, isTime := v.(time.Time)
			pv, ok = parquet.Int64Value(ts.UnixMicro()), isTime
		case typeDoubleArray:
			list, isList := v.([]float64)
			if !isList {
				ok = false
				break
			}
			if list == nil {
				out = append(out, parquet.NullValue().Level(0, 0, col))
				continue
			}
			if len(list) == 0 {
				out = append(out, parquet.NullValue().Level(0, 1, col))
				continue
			}
			for i, d := range list {
				rep := 1
				if i == 0 {
					rep = 0
				}
				out = append(out, parquet.DoubleValue(d).Level(rep, 2, col))
			}
			continue
		}
		if !ok {
			return nil, fmt.Errorf("column %s is %s but holds %T %v", f.Name, f.Type, v, v)
		}
		out = append(out, pv.Level(0, 1, col))
	}
	return out, nil
}

// deref turns typed nil pointers into nil and other pointers into their values.
func deref(v any) any {
	switch p := v.(type) {
	case *int64:
		return derefPtr(p)
	case *int32:
		return derefPtr(p)
	case *int:
		return derefPtr(p)
	case *string:
		return derefPtr(p)
	case *float64:
		return derefPtr(p)
	case *time.Time:
		return derefPtr(p)
	}
	return v
}

func derefPtr[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
