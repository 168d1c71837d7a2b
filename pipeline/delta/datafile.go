package delta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/s2"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/pintui/pintui/pipeline/record"
)

// rowGroupRows bounds a row group; large groups compress and scan best.
const rowGroupRows = 1 << 20

// statsPrefixRunes is how much of a string Spark keeps in min/max stats.
const statsPrefixRunes = 32

// snappyCodec is Parquet's SNAPPY codec with the fast standard encoder; parquet-go's own codec
// uses the slower "better" mode, which costs a third of the write throughput for ~1% size.
type snappyCodec struct{}

func (snappyCodec) String() string { return "SNAPPY" }

func (snappyCodec) CompressionCodec() format.CompressionCodec { return format.Snappy }

func (snappyCodec) Encode(dst, src []byte) ([]byte, error) { return s2.EncodeSnappy(dst, src), nil }

func (snappyCodec) Decode(dst, src []byte) ([]byte, error) {
	n, err := s2.DecodedLen(src)
	if err != nil {
		return nil, err
	}
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	return s2.Decode(dst[:n], src)
}

// writerOptions are the Parquet settings of every data file: Snappy, large pages and row
// groups, and column chunk statistics (which become the Delta stats) without per-page copies.
func writerOptions(schema *parquet.Schema) []parquet.WriterOption {
	return []parquet.WriterOption{
		schema,
		parquet.Compression(snappyCodec{}),
		parquet.PageBufferSize(1 << 20),
		parquet.MaxRowsPerRowGroup(rowGroupRows),
		parquet.DataPageStatistics(false),
		parquet.CreatedBy(engineInfo, "", ""),
	}
}

// dataFile is one Parquet file of a write, encoded in memory and uploaded before the commit;
// its body is let go once it is uploaded, leaving its size.
type dataFile struct {
	name     string
	body     bytes.Buffer
	size     int64
	uploaded bool
	rows     int64
	stats    string
	err      error
	done     chan struct{}
}

func newDataFile(index int, id string) *dataFile {
	return &dataFile{name: fmt.Sprintf("part-%05d-%s-c000.snappy.parquet", index, id), done: make(chan struct{})}
}

// finish records the file's stats from the Parquet footer the writer just produced.
func (f *dataFile) finish(meta *format.FileMetaData, fields []record.Field) {
	f.rows = meta.NumRows
	stats, err := statsOf(meta, fields)
	if err != nil {
		f.err = err
		return
	}
	f.stats = stats
}

// add returns the log action that makes the uploaded file part of the table.
func (f *dataFile) add(now int64) Add {
	return Add{
		Path:             url.PathEscape(f.name),
		PartitionValues:  map[string]string{},
		Size:             f.size,
		ModificationTime: now,
		DataChange:       true,
		Stats:            f.stats,
	}
}

// fileStats is the stats document of an add action.
type fileStats struct {
	NumRecords int64            `json:"numRecords"`
	MinValues  map[string]any   `json:"minValues"`
	MaxValues  map[string]any   `json:"maxValues"`
	NullCount  map[string]int64 `json:"nullCount"`
}

// statsOf folds the column chunk statistics of every row group into Delta stats. Arrays get
// none, as Spark collects none; long strings keep a 32-character prefix as their minimum and
// no maximum, and timestamps are widened to whole milliseconds, so the bounds stay true.
func statsOf(meta *format.FileMetaData, fields []record.Field) (string, error) {
	st := fileStats{NumRecords: meta.NumRows, MinValues: map[string]any{}, MaxValues: map[string]any{}, NullCount: map[string]int64{}}
	types := map[string]string{}
	for _, f := range fields {
		types[f.Name] = f.Type
	}
	type bounds struct {
		min, max   parquet.Value
		nulls      int64
		incomplete bool
	}
	cols := map[string]*bounds{}
	var order []string
	for _, rg := range meta.RowGroups {
		for _, cc := range rg.Columns {
			p := cc.MetaData.PathInSchema
			typ := types[p[0]]
			if len(p) != 1 || typ == "" || typ == typeDoubleArray {
				continue
			}
			b := cols[p[0]]
			if b == nil {
				b = &bounds{}
				cols[p[0]] = b
				order = append(order, p[0])
			}
			s := cc.MetaData.Statistics
			b.nulls += s.NullCount
			if s.MinValue == nil || s.MaxValue == nil {
				b.incomplete = b.incomplete || cc.MetaData.NumValues > s.NullCount
				continue
			}
			kind := kindOf(typ)
			lo, hi := kind.Value(s.MinValue), kind.Value(s.MaxValue)
			if b.min.IsNull() || compareValues(typ, lo, b.min) < 0 {
				b.min = lo.Clone()
			}
			if b.max.IsNull() || compareValues(typ, hi, b.max) > 0 {
				b.max = hi.Clone()
			}
		}
	}
	for _, name := range order {
		b := cols[name]
		st.NullCount[name] = b.nulls
		if b.incomplete || b.min.IsNull() {
			continue
		}
		typ := types[name]
		if v, ok := statValue(typ, b.min, false); ok {
			st.MinValues[name] = v
		}
		if v, ok := statValue(typ, b.max, true); ok {
			st.MaxValues[name] = v
		}
	}
	data, err := json.Marshal(st)
	return string(data), err
}

func kindOf(typ string) parquet.Kind {
	switch typ {
	case typeLong, typeTimestamp:
		return parquet.Int64
	case typeInteger:
		return parquet.Int32
	case typeDouble:
		return parquet.Double
	}
	return parquet.ByteArray
}

func compareValues(typ string, a, b parquet.Value) int {
	switch kindOf(typ) {
	case parquet.Int64:
		return cmpOrdered(a.Int64(), b.Int64())
	case parquet.Int32:
		return cmpOrdered(a.Int32(), b.Int32())
	case parquet.Double:
		return cmpOrdered(a.Double(), b.Double())
	}
	return bytes.Compare(a.ByteArray(), b.ByteArray())
}

func cmpOrdered[N int32 | int64 | float64](a, b N) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// statValue renders one bound as Spark writes it into stats; ok is false when no true bound
// can be written (NaN, a maximum string longer than Spark keeps).
func statValue(typ string, v parquet.Value, upper bool) (any, bool) {
	switch typ {
	case typeLong:
		return v.Int64(), true
	case typeInteger:
		return v.Int32(), true
	case typeDouble:
		d := v.Double()
		return d, !math.IsNaN(d) && !math.IsInf(d, 0)
	case typeTimestamp:
		micros := v.Int64()
		ms := micros / 1000
		if micros%1000 != 0 && (micros > 0) == upper {
			if upper {
				ms++
			} else {
				ms--
			}
		}
		return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z"), true
	}
	s := string(v.ByteArray())
	if utf8.RuneCountInString(s) <= statsPrefixRunes {
		return s, true
	}
	if upper {
		return nil, false
	}
	n := 0
	for i := range s {
		if n == statsPrefixRunes {
			return s[:i], true
		}
		n++
	}
	return s, true
}
