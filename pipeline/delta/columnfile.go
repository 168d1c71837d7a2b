package delta

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/pintui/pintui/pipeline/record"
)

// fileEncoder encodes the rows of one data file.
type fileEncoder[T any] interface {
	Write(rows []T) error
	Close() (*format.FileMetaData, error)
}

// genericEncoder is the path of any row struct: parquet-go deconstructs each row by reflection.
type genericEncoder[T any] struct{ w *parquet.GenericWriter[T] }

func (e genericEncoder[T]) Write(rows []T) error {
	_, err := e.w.Write(rows)
	return err
}

func (e genericEncoder[T]) Close() (*format.FileMetaData, error) {
	if err := e.w.Close(); err != nil {
		return nil, err
	}
	return e.w.File().Metadata(), nil
}

// columnFill appends one field of a chunk of rows to its leaf column; kind and the levels say
// which Parquet leaf it fills, so a layout can be checked against the schema of the tags.
type columnFill[T any] struct {
	kind           parquet.Kind
	maxDef, maxRep int
	fill           func(c *column, rows []T)
}

func requiredInt64s[T any](get func(*T) int64) columnFill[T] {
	return columnFill[T]{kind: parquet.Int64, fill: func(c *column, rows []T) {
		for i := range rows {
			c.required()
			c.int64(get(&rows[i]))
			c.endRow()
		}
	}}
}

func optionalInt64s[T any](get func(*T) *int64) columnFill[T] {
	return columnFill[T]{kind: parquet.Int64, maxDef: 1, fill: func(c *column, rows []T) {
		for i := range rows {
			if v := get(&rows[i]); v != nil {
				c.present()
				c.int64(*v)
			} else {
				c.null()
			}
			c.endRow()
		}
	}}
}

func optionalInt32s[T any](get func(*T) *int32) columnFill[T] {
	return columnFill[T]{kind: parquet.Int32, maxDef: 1, fill: func(c *column, rows []T) {
		for i := range rows {
			if v := get(&rows[i]); v != nil {
				c.present()
				c.int32(*v)
			} else {
				c.null()
			}
			c.endRow()
		}
	}}
}

func optionalStrings[T any](get func(*T) *string) columnFill[T] {
	return columnFill[T]{kind: parquet.ByteArray, maxDef: 1, fill: func(c *column, rows []T) {
		for i := range rows {
			if v := get(&rows[i]); v != nil {
				c.present()
				c.string(*v)
			} else {
				c.null()
			}
			c.endRow()
		}
	}}
}

// optionalTimes stores times as microseconds since the epoch, the TIMESTAMP(MICROS) of the tags.
func optionalTimes[T any](get func(*T) *time.Time) columnFill[T] {
	return columnFill[T]{kind: parquet.Int64, maxDef: 1, fill: func(c *column, rows []T) {
		for i := range rows {
			if v := get(&rows[i]); v != nil {
				c.present()
				c.int64(v.UnixMicro())
			} else {
				c.null()
			}
			c.endRow()
		}
	}}
}

// optionalDoubleLists fills an optional three-level LIST of required doubles.
func optionalDoubleLists[T any](get func(*T) []float64) columnFill[T] {
	return columnFill[T]{kind: parquet.Double, maxDef: 2, maxRep: 1, fill: func(c *column, rows []T) {
		for i := range rows {
			c.doubles(get(&rows[i]))
			c.endRow()
		}
	}}
}

// The columns of the cleaned tables in the order of their parquet tags.
var (
	pinFills = []columnFill[record.CleanPin]{
		requiredInt64s(func(p *record.CleanPin) int64 { return p.Ind }),
		optionalStrings(func(p *record.CleanPin) *string { return p.UniqueID }),
		optionalStrings(func(p *record.CleanPin) *string { return p.Title }),
		optionalStrings(func(p *record.CleanPin) *string { return p.Description }),
		optionalInt32s(func(p *record.CleanPin) *int32 { return p.FollowerCount }),
		optionalStrings(func(p *record.CleanPin) *string { return p.PosterName }),
		optionalStrings(func(p *record.CleanPin) *string { return p.TagList }),
		optionalStrings(func(p *record.CleanPin) *string { return p.IsImageOrVideo }),
		optionalStrings(func(p *record.CleanPin) *string { return p.ImageSrc }),
		optionalStrings(func(p *record.CleanPin) *string { return p.SaveLocation }),
		optionalStrings(func(p *record.CleanPin) *string { return p.Category }),
	}
	geoFills = []columnFill[record.CleanGeo]{
		requiredInt64s(func(g *record.CleanGeo) int64 { return g.Ind }),
		optionalStrings(func(g *record.CleanGeo) *string { return g.Country }),
		optionalDoubleLists(func(g *record.CleanGeo) []float64 { return g.Coordinates }),
		optionalTimes(func(g *record.CleanGeo) *time.Time { return g.Timestamp }),
	}
	userFills = []columnFill[record.CleanUser]{
		requiredInt64s(func(u *record.CleanUser) int64 { return u.Ind }),
		optionalStrings(func(u *record.CleanUser) *string { return u.UserName }),
		optionalInt64s(func(u *record.CleanUser) *int64 { return u.Age }),
		optionalTimes(func(u *record.CleanUser) *time.Time { return u.DateJoined }),
	}
)

// layout is how rows of T become the columns of a data file: a fill per leaf column, and the
// schema parquet-go derives from T's tags, so both paths write the same schema.
type layout[T any] struct {
	fills     []columnFill[T]
	leaves    []parquet.LeafColumn
	schema    []format.SchemaElement
	orders    []format.ColumnOrder
	createdBy string
}

// layouts caches the layout of each row type (nil for types without column fills).
var layouts sync.Map

// layoutOf returns the column layout of T, or nil if T has none and goes through parquet-go's
// generic writer; a layout whose fills disagree with the tags is refused as an error.
func layoutOf[T any](schema *parquet.Schema) (*layout[T], error) {
	key := reflect.TypeFor[T]()
	if l, ok := layouts.Load(key); ok {
		return l.(*layout[T]), nil
	}
	l, err := newLayout[T](schema)
	if err != nil {
		return nil, err
	}
	layouts.Store(key, l)
	return l, nil
}

func newLayout[T any](schema *parquet.Schema) (*layout[T], error) {
	var fills any
	switch any(*new(T)).(type) {
	case record.CleanPin:
		fills = pinFills
	case record.CleanGeo:
		fills = geoFills
	case record.CleanUser:
		fills = userFills
	default:
		return nil, nil
	}
	l := &layout[T]{fills: fills.([]columnFill[T])}
	for _, path := range schema.Columns() {
		leaf, _ := schema.Lookup(path...)
		// The leaf Lookup returns names a column inside a list by its own name only, and
		// a column chunk's path_in_schema is the whole path.
		leaf.Path = path
		l.leaves = append(l.leaves, leaf)
	}
	if len(l.leaves) != len(l.fills) {
		return nil, fmt.Errorf("%d leaf columns but %d column fills", len(l.leaves), len(l.fills))
	}
	for i, leaf := range l.leaves {
		f := l.fills[i]
		if leaf.Node.Type().Kind() != f.kind || leaf.MaxDefinitionLevel != f.maxDef || leaf.MaxRepetitionLevel != f.maxRep {
			return nil, fmt.Errorf("column %v is %s r%d d%d but its fill writes %s r%d d%d", leaf.Path,
				leaf.Node.Type().Kind(), leaf.MaxRepetitionLevel, leaf.MaxDefinitionLevel, f.kind, f.maxRep, f.maxDef)
		}
	}
	// The footer of an empty file carries the schema elements and column orders exactly as
	// parquet-go writes them for these tags.
	var empty bytes.Buffer
	pw := parquet.NewGenericWriter[T](&empty, writerOptions(schema)...)
	if err := pw.Close(); err != nil {
		return nil, err
	}
	meta := pw.File().Metadata()
	l.schema, l.orders, l.createdBy = meta.Schema, meta.ColumnOrders, meta.CreatedBy
	return l, nil
}

// footerReserve is room kept after each row group for the footer, so it rarely moves the file.
const footerReserve = 16 << 10

// fillBlockRows is how many rows are filled column after column at a time: few enough that
// their strings, read once per column, stay in the core's cache.
const fillBlockRows = 64

// columnFile encodes rows of a cleaned record type into one Parquet file column by column,
// without the reflection and intermediate buffers of the generic writer.
//
// It stays by the numbers of issue 10, on 2 shared cores, 3–5 interleaved runs each. Writing
// whole files (BenchmarkParquetWritersLandings) it is no faster than parquet-go's GenericWriter:
// 298–532k against 412–436k landings per CPU-second. But the clean → Delta stage, for which it
// exists, encodes on the cleaning worker while the row is in cache and keeps no rows; with the
// GenericWriter behind a RowEncoder that copies the rows, `bench clean` fell from 344–388k to
// 232–260k rows per CPU-second (0.71–0.77 of its ceiling against 0.79–0.88) and
// BenchmarkRowEncoderPins from 485–534k to 393–443k, with 3.3× the bytes allocated.
type columnFile[T any] struct {
	layout    *layout[T]
	out       *bytes.Buffer
	cols      []*column
	rowGroups []format.RowGroup
	groupRows int
	// groupLimit is rowGroupRows, smaller in tests that need several row groups.
	groupLimit int
	numRows    int64
}

func newColumnFile[T any](l *layout[T], out *bytes.Buffer) *columnFile[T] {
	f := &columnFile[T]{layout: l, out: out, groupLimit: rowGroupRows}
	for _, leaf := range l.leaves {
		f.cols = append(f.cols, newColumn(leaf))
	}
	out.WriteString("PAR1")
	return f
}

func (f *columnFile[T]) Write(rows []T) error {
	for len(rows) > 0 {
		n := min(len(rows), f.groupLimit-f.groupRows)
		for block := rows[:n]; len(block) > 0; {
			m := min(len(block), fillBlockRows)
			for i, fill := range f.layout.fills {
				f.cols[i].takeBuffers()
				fill.fill(f.cols[i], block[:m])
			}
			block = block[m:]
		}
		f.groupRows += n
		rows = rows[n:]
		if f.groupRows == f.groupLimit {
			if err := f.flushRowGroup(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flushRowGroup writes every column chunk of the row group being filled.
func (f *columnFile[T]) flushRowGroup() error {
	rg := format.RowGroup{
		NumRows:    int64(f.groupRows),
		FileOffset: int64(f.out.Len()),
		Ordinal:    int16(len(f.rowGroups)),
	}
	size := 0
	for _, c := range f.cols {
		c.flushPage()
		if c.err != nil {
			return c.err
		}
		size += c.size()
	}
	f.out.Grow(size + footerReserve)
	for _, c := range f.cols {
		cc := c.chunk(f.out)
		rg.TotalByteSize += cc.MetaData.TotalUncompressedSize
		rg.TotalCompressedSize += cc.MetaData.TotalCompressedSize
		rg.Columns = append(rg.Columns, cc)
	}
	f.rowGroups = append(f.rowGroups, rg)
	f.numRows += rg.NumRows
	f.groupRows = 0
	return nil
}

// Close writes the last row group and the footer.
func (f *columnFile[T]) Close() (*format.FileMetaData, error) {
	if f.groupRows > 0 {
		if err := f.flushRowGroup(); err != nil {
			return nil, err
		}
	}
	meta := &format.FileMetaData{
		Version:      1,
		Schema:       f.layout.schema,
		NumRows:      f.numRows,
		RowGroups:    f.rowGroups,
		CreatedBy:    f.layout.createdBy,
		ColumnOrders: f.layout.orders,
	}
	footer, err := thrift.Marshal(new(thrift.CompactProtocol), meta)
	if err != nil {
		return nil, fmt.Errorf("encode footer: %w", err)
	}
	for _, c := range f.cols {
		c.release()
	}
	f.out.Write(footer)
	f.out.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(footer))))
	f.out.WriteString("PAR1")
	return meta, nil
}

// writeEncoded appends rows a RowEncoder encoded, after the rows written so far.
func (f *columnFile[T]) writeEncoded(e *EncodedRows) error {
	if f.groupRows > 0 && f.groupRows+e.rows > f.groupLimit {
		if err := f.flushRowGroup(); err != nil {
			return err
		}
	}
	for i, c := range f.cols {
		c.flushPage()
		if c.err != nil {
			return c.err
		}
		c.merge(&e.chunks[i])
	}
	f.groupRows += e.rows
	return nil
}
