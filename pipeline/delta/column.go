package delta

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"sync"
	"unsafe"

	"github.com/klauspost/compress/s2"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// pageBytes is the size of encoded values at which a column starts a new data page.
const pageBytes = 1 << 20

// column encodes one leaf column of a row group straight from Go values into version 2 data
// pages (parquet-go's default too) with RLE levels and Snappy-compressed PLAIN values, which
// Spark's vectorized reader reads, while keeping the chunk's statistics.
type column struct {
	path           []string
	kind           parquet.Kind
	maxDef, maxRep uint8

	// The page being filled: PLAIN values and one level per value slot; nil until the first
	// value (see takeBuffers), as a file's columns filled only with encoded rows need none.
	*pageBuffers
	levels    int
	rows      int
	pageNulls int

	columnChunk

	header    thrift.Encoder
	headerBuf headerBuffer
	err       error
}

// columnChunk is what a column has encoded since its chunk began: whole pages, each with its
// header, ready to be copied into a file, and the chunk's statistics.
type columnChunk struct {
	// parts are page buffers merged from other chunks, which come before pages; they are kept
	// as they are and copied only once, into the file.
	parts          [][]byte
	pages          []byte
	pageCount      int32
	numValues      int64
	uncompressed   int64
	nulls          int64
	bounded        bool
	minInt, maxInt int64
	// minStr and maxStr are copies: the rows' text may be reused before the chunk ends.
	minStr, maxStr []byte
	// minKey and maxKey are the first eight bytes of minStr and maxStr (see prefixKey), which
	// settle most comparisons of a new string with the bounds without reading either.
	minKey, maxKey uint64
}

// prefixKey packs the first eight bytes of s big-endian, zero-padded. When the keys of two
// strings differ, they order the strings as their bytes do.
func prefixKey(s string) uint64 {
	if len(s) >= 8 {
		return binary.BigEndian.Uint64(unsafe.Slice(unsafe.StringData(s), 8))
	}
	var k uint64
	for i := range len(s) {
		k |= uint64(s[i]) << (56 - 8*i)
	}
	return k
}

// merge appends the pages of o, which follow c's, and folds o's statistics into c's. c takes
// o's page buffers over.
func (c *columnChunk) merge(o *columnChunk) {
	if len(c.pages) > 0 {
		c.parts = append(c.parts, c.pages)
		c.pages = nil
	}
	c.parts = append(c.parts, o.parts...)
	c.parts = append(c.parts, o.pages)
	o.parts, o.pages = nil, nil
	c.pageCount += o.pageCount
	c.numValues += o.numValues
	c.uncompressed += o.uncompressed
	c.nulls += o.nulls
	if !o.bounded {
		return
	}
	if !c.bounded {
		c.bounded, c.minInt, c.maxInt = true, o.minInt, o.maxInt
		c.minStr, c.minKey = append(c.minStr[:0], o.minStr...), o.minKey
		c.maxStr, c.maxKey = append(c.maxStr[:0], o.maxStr...), o.maxKey
		return
	}
	c.minInt, c.maxInt = min(c.minInt, o.minInt), max(c.maxInt, o.maxInt)
	if bytes.Compare(o.minStr, c.minStr) < 0 {
		c.minStr, c.minKey = append(c.minStr[:0], o.minStr...), o.minKey
	}
	if bytes.Compare(o.maxStr, c.maxStr) > 0 {
		c.maxStr, c.maxKey = append(c.maxStr[:0], o.maxStr...), o.maxKey
	}
}

// take returns the chunk so far and starts the next one in a fresh pages buffer.
func (c *columnChunk) take() columnChunk {
	out := *c
	*c = columnChunk{}
	if b, ok := chunkPool.Get().(*[]byte); ok {
		c.pages = (*b)[:0]
	}
	return out
}

// size is how many bytes of pages the chunk holds.
func (c *columnChunk) size() int {
	n := len(c.pages)
	for _, p := range c.parts {
		n += len(p)
	}
	return n
}

// writePages copies the chunk's pages in order into out and hands the merged buffers back.
func (c *columnChunk) writePages(out *bytes.Buffer) {
	for i, p := range c.parts {
		out.Write(p)
		p = p[:0]
		chunkPool.Put(&p)
		c.parts[i] = nil
	}
	c.parts = c.parts[:0]
	out.Write(c.pages)
}

// chunkPool recycles the pages buffers of taken chunks.
var chunkPool sync.Pool

// headerBuffer collects a thrift-encoded page header without allocating per page.
type headerBuffer struct{ b []byte }

func (h *headerBuffer) Write(p []byte) (int, error) {
	h.b = append(h.b, p...)
	return len(p), nil
}

// pageBuffers hold the page a column is filling; a file's are kept for the next file rather
// than grown again from nothing.
type pageBuffers struct {
	values, defs, reps, levelBuf, compressed []byte
}

var pagePool = sync.Pool{New: func() any {
	return &pageBuffers{values: make([]byte, 0, pageBytes+pageBytes/4)}
}}

func newColumn(leaf parquet.LeafColumn) *column {
	c := &column{
		path:   leaf.Path,
		kind:   leaf.Node.Type().Kind(),
		maxDef: uint8(leaf.MaxDefinitionLevel),
		maxRep: uint8(leaf.MaxRepetitionLevel),
	}
	c.header = *thrift.NewEncoder(new(thrift.CompactProtocol).NewWriter(&c.headerBuf))
	return c
}

// takeBuffers gives the column page buffers from the pool, sized for a whole page, unless it
// has them.
func (c *column) takeBuffers() {
	if c.pageBuffers == nil {
		c.pageBuffers = pagePool.Get().(*pageBuffers)
	}
}

// release hands the page buffers back once the column's last page is flushed.
func (c *column) release() {
	if c.pageBuffers != nil {
		pagePool.Put(c.pageBuffers)
		c.pageBuffers = nil
	}
}

// required appends a value slot of a required column; the caller appends the value.
func (c *column) required() { c.levels++ }

// present marks an optional value as set; the caller appends the value.
func (c *column) present() {
	c.defs = append(c.defs, c.maxDef)
	c.levels++
}

// null appends a null of an optional column.
func (c *column) null() {
	c.defs = append(c.defs, 0)
	c.levels++
	c.nulls++
	c.pageNulls++
}

func (c *column) int64(v int64) {
	c.values = binary.LittleEndian.AppendUint64(c.values, uint64(v))
	c.bound(v)
}

func (c *column) int32(v int32) {
	c.values = binary.LittleEndian.AppendUint32(c.values, uint32(v))
	c.bound(int64(v))
}

func (c *column) bound(v int64) {
	switch {
	case !c.bounded:
		c.minInt, c.maxInt, c.bounded = v, v, true
	case v < c.minInt:
		c.minInt = v
	case v > c.maxInt:
		c.maxInt = v
	}
}

func (c *column) string(s string) {
	c.values = binary.LittleEndian.AppendUint32(c.values, uint32(len(s)))
	c.values = append(c.values, s...)
	k := prefixKey(s)
	switch {
	case !c.bounded:
		c.bounded = true
		c.minStr, c.minKey = append(c.minStr[:0], s...), k
		c.maxStr, c.maxKey = append(c.maxStr[:0], s...), k
	case k > c.minKey && k < c.maxKey:
		// Strictly inside the bounds on the first eight bytes already.
	case s < string(c.minStr):
		c.minStr, c.minKey = append(c.minStr[:0], s...), k
	case s > string(c.maxStr):
		c.maxStr, c.maxKey = append(c.maxStr[:0], s...), k
	}
}

// doubles appends a list of an optional list column of required doubles: nil is a null list,
// an empty slice an empty one. Lists keep no bounds, as Delta keeps no stats for arrays.
func (c *column) doubles(list []float64) {
	switch {
	case list == nil:
		c.defs, c.reps = append(c.defs, 0), append(c.reps, 0)
		c.levels++
		c.nulls++
		c.pageNulls++
	case len(list) == 0:
		c.defs, c.reps = append(c.defs, c.maxDef-1), append(c.reps, 0)
		c.levels++
		c.pageNulls++
	default:
		for i, d := range list {
			c.values = binary.LittleEndian.AppendUint64(c.values, math.Float64bits(d))
			rep := uint8(1)
			if i == 0 {
				rep = 0
			}
			c.defs, c.reps = append(c.defs, c.maxDef), append(c.reps, rep)
		}
		c.levels += len(list)
	}
}

// endRow starts a new page once the current one is large enough; pages end on row boundaries.
func (c *column) endRow() {
	c.rows++
	if len(c.values) >= pageBytes {
		c.flushPage()
	}
}

// flushPage ends the page being filled as a version 2 data page: levels as they are, values
// Snappy-compressed.
func (c *column) flushPage() {
	if c.levels == 0 {
		return
	}
	levels := c.levelBuf[:0]
	if c.maxRep > 0 {
		levels = appendLevels(levels, c.reps, c.maxRep)
	}
	repBytes := len(levels)
	if c.maxDef > 0 {
		levels = appendLevels(levels, c.defs, c.maxDef)
	}
	c.levelBuf = levels
	compressed := s2.EncodeSnappy(c.compressed[:cap(c.compressed)], c.values)
	c.compressed = compressed
	c.headerBuf.b = c.headerBuf.b[:0]
	err := c.header.Encode(&format.PageHeader{
		Type:                 format.DataPageV2,
		UncompressedPageSize: int32(len(levels) + len(c.values)),
		CompressedPageSize:   int32(len(levels) + len(compressed)),
		DataPageHeaderV2: thrift.New(format.DataPageHeaderV2{
			NumValues:                  int32(c.levels),
			NumNulls:                   int32(c.pageNulls),
			NumRows:                    int32(c.rows),
			Encoding:                   format.Plain,
			DefinitionLevelsByteLength: int32(len(levels) - repBytes),
			RepetitionLevelsByteLength: int32(repBytes),
		}),
	})
	if err != nil {
		if c.err == nil {
			c.err = fmt.Errorf("encode page header of column %v: %w", c.path, err)
		}
		return
	}
	c.pages = append(c.pages, c.headerBuf.b...)
	c.pages = append(c.pages, levels...)
	c.pages = append(c.pages, compressed...)
	c.pageCount++
	c.uncompressed += int64(len(c.headerBuf.b) + len(levels) + len(c.values))
	c.numValues += int64(c.levels)
	c.values, c.defs, c.reps = c.values[:0], c.defs[:0], c.reps[:0]
	c.levels, c.rows, c.pageNulls = 0, 0, 0
}

// chunk appends the pages of the finished column chunk to out and returns its metadata, and
// makes the column ready for the next row group.
func (c *column) chunk(out *bytes.Buffer) format.ColumnChunk {
	offset := int64(out.Len())
	meta := format.ColumnMetaData{
		Type:                  format.Type(c.kind),
		Encoding:              []format.Encoding{format.Plain, format.RLE},
		PathInSchema:          c.path,
		Codec:                 format.Snappy,
		NumValues:             c.numValues,
		TotalUncompressedSize: c.uncompressed,
		TotalCompressedSize:   int64(c.size()),
		DataPageOffset:        offset,
		Statistics:            c.statistics(),
		EncodingStats:         []format.PageEncodingStats{{PageType: format.DataPageV2, Encoding: format.Plain, Count: c.pageCount}},
	}
	c.writePages(out)
	c.columnChunk = columnChunk{parts: c.parts[:0], pages: c.pages[:0], minStr: c.minStr[:0], maxStr: c.maxStr[:0]}
	return format.ColumnChunk{FileOffset: offset, MetaData: meta}
}

// statistics are the chunk's null count and, unless every value was null, its PLAIN-encoded
// bounds, as parquet-go writes them.
func (c *column) statistics() format.Statistics {
	s := format.Statistics{NullCount: c.nulls}
	if !c.bounded {
		return s
	}
	switch c.kind {
	case parquet.Int64:
		s.MinValue = binary.LittleEndian.AppendUint64(nil, uint64(c.minInt))
		s.MaxValue = binary.LittleEndian.AppendUint64(nil, uint64(c.maxInt))
	case parquet.Int32:
		s.MinValue = binary.LittleEndian.AppendUint32(nil, uint32(c.minInt))
		s.MaxValue = binary.LittleEndian.AppendUint32(nil, uint32(c.maxInt))
	case parquet.ByteArray:
		// Non-nil even when empty: a nil bound is a missing one.
		s.MinValue, s.MaxValue = append([]byte{}, c.minStr...), append([]byte{}, c.maxStr...)
	}
	return s
}

// appendLevels appends levels as a version 2 page stores them: the RLE/bit-packing hybrid, with runs of eight or more equal levels run-length encoded and the
// rest bit-packed in groups of eight.
func appendLevels(dst []byte, levels []uint8, maxLevel uint8) []byte {
	width := bits.Len8(maxLevel)
	for i := 0; i < len(levels); {
		if run := runLength(levels[i:]); run >= 8 {
			dst = binary.AppendUvarint(dst, uint64(run)<<1)
			dst = append(dst, levels[i])
			i += run
			continue
		}
		end := i
		for end < len(levels) && (end == i || runLength(levels[end:]) < 8) {
			end += 8
		}
		groups := (end - i) / 8
		dst = binary.AppendUvarint(dst, uint64(groups)<<1|1)
		for g := range groups {
			var packed uint64
			for k := range 8 {
				if j := i + g*8 + k; j < len(levels) {
					packed |= uint64(levels[j]) << (k * width)
				}
			}
			for b := range width {
				dst = append(dst, byte(packed>>(8*b)))
			}
		}
		i = min(end, len(levels))
	}
	return dst
}

// runLength counts how many levels at the start of levels equal the first.
func runLength(levels []uint8) int {
	n := 1
	for n < len(levels) && levels[n] == levels[0] {
		n++
	}
	return n
}
