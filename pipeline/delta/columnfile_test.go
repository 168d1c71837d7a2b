package delta

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/parquet-go/parquet-go"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

func ref[T any](v T) *T { return &v }

// edgePins covers what the column path must keep apart: nulls and empty strings, non-ASCII
// text, long values that fill several pages, and the extremes of each integer.
func edgePins(n int) []record.CleanPin {
	long := strings.Repeat("ü€𝄞 long text ", 2000)
	out := make([]record.CleanPin, n)
	for i := range out {
		p := record.CleanPin{
			Ind:            int64(i) - 3,
			UniqueID:       ref(fmt.Sprintf("%08x-4b2c-4a1e-9c3d-%012x", i*7919, i)),
			Title:          ref(fmt.Sprintf("Tïtle «%d» 日本語", i)),
			Description:    ref(""),
			FollowerCount:  ref(int32(i * 37)),
			PosterName:     nil,
			TagList:        ref("a,b"),
			IsImageOrVideo: ref("image"),
			ImageSrc:       ref(long[:i%len(long)]),
			SaveLocation:   ref("/data/x"),
			Category:       nil,
		}
		switch i % 7 {
		case 0:
			p.Title, p.Description, p.FollowerCount = nil, nil, nil
		case 1:
			p.FollowerCount, p.Ind = ref(int32(math.MinInt32)), math.MinInt64
		case 2:
			p.FollowerCount, p.Ind = ref(int32(math.MaxInt32)), math.MaxInt64
		case 3:
			p.Description, p.Category = ref(long), ref("art")
		}
		out[i] = p
	}
	return out
}

func edgeGeos(n int) []record.CleanGeo {
	out := make([]record.CleanGeo, n)
	for i := range out {
		g := record.CleanGeo{Ind: int64(i), Country: ref("Côte d'Ivoire")}
		switch i % 6 {
		case 0:
			g.Country = nil
		case 1:
			g.Coordinates = []float64{-89.9787, -173.293}
			g.Timestamp = ref(time.Date(2020, 8, 28, 3, 52, 47, 123456000, time.UTC))
		case 2:
			g.Coordinates = []float64{0, math.Inf(1), -0.5}
			g.Timestamp = ref(time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC))
		case 3:
			g.Coordinates = []float64{float64(i)}
			g.Country = ref("")
		case 4:
			g.Timestamp = ref(time.Unix(int64(i)*86400, 0).UTC())
		case 5:
			g.Coordinates = []float64{}
		}
		out[i] = g
	}
	return out
}

func edgeUsers(n int) []record.CleanUser {
	out := make([]record.CleanUser, n)
	for i := range out {
		u := record.CleanUser{Ind: int64(i), UserName: ref(fmt.Sprintf("Zoë Ødegård %d", i)), Age: ref(int64(i % 90))}
		if i%5 == 0 {
			u.UserName, u.Age = nil, nil
		} else {
			u.DateJoined = ref(time.Date(2015, 11, 1+i%28, 3, 4, 5, 6000, time.UTC))
		}
		out[i] = u
	}
	return out
}

// encodeColumns writes rows through the column path in chunks of chunk rows, with row groups
// of groupRows.
func encodeColumns[T any](t *testing.T, rows []T, chunk, groupRows int) []byte {
	t.Helper()
	l, err := layoutOf[T](parquet.SchemaOf(*new(T)))
	if err != nil || l == nil {
		t.Fatalf("layout of %T: %v, %v", *new(T), l, err)
	}
	var out bytes.Buffer
	f := newColumnFile(l, &out)
	f.groupLimit = groupRows
	for i := 0; i < len(rows); i += chunk {
		if err := f.Write(rows[i:min(i+chunk, len(rows))]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func encodeGeneric[T any](t *testing.T, rows []T) []byte {
	t.Helper()
	var out bytes.Buffer
	w := parquet.NewGenericWriter[T](&out, writerOptions(parquet.SchemaOf(*new(T)))...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// checkColumnPath encodes rows through the column path and checks that parquet-go reads them
// back exactly, that the file has the row groups asked for, and that its Delta stats equal
// those of the same rows written by parquet-go's generic writer.
func checkColumnPath[T any](t *testing.T, rows []T, fields []record.Field) {
	t.Helper()
	for _, shape := range []struct{ chunk, groupRows int }{{len(rows), rowGroupRows}, {37, 100}, {1, 64}} {
		data := encodeColumns(t, rows, shape.chunk, shape.groupRows)
		got, err := parquet.Read[T](bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%T chunk %d: read back: %v", *new(T), shape.chunk, err)
		}
		if !reflect.DeepEqual(got, rows) {
			for i := range rows {
				if !reflect.DeepEqual(got[i], rows[i]) {
					t.Fatalf("%T chunk %d: row %d read back as %+v, want %+v", *new(T), shape.chunk, i, got[i], rows[i])
				}
			}
			t.Fatalf("%T chunk %d: read back %d rows, want %d", *new(T), shape.chunk, len(got), len(rows))
		}
		f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if want := (len(rows) + shape.groupRows - 1) / shape.groupRows; len(f.RowGroups()) != want {
			t.Errorf("%T: %d row groups of at most %d rows, want %d", *new(T), len(f.RowGroups()), shape.groupRows, want)
		}
		generic := encodeGeneric(t, rows)
		g, err := parquet.OpenFile(bytes.NewReader(generic), int64(len(generic)))
		if err != nil {
			t.Fatal(err)
		}
		gotStats, err := statsOf(f.Metadata(), fields)
		if err != nil {
			t.Fatal(err)
		}
		wantStats, err := statsOf(g.Metadata(), fields)
		if err != nil {
			t.Fatal(err)
		}
		if gotStats != wantStats {
			t.Errorf("%T: stats\n%s\nwant (generic writer)\n%s", *new(T), gotStats, wantStats)
		}
	}
}

func TestColumnPathRoundTrip(t *testing.T) {
	checkColumnPath(t, edgePins(300), record.CleanPinFields)
	checkColumnPath(t, edgeGeos(300), record.CleanGeoFields)
	checkColumnPath(t, edgeUsers(300), record.CleanUserFields)
}

func TestColumnPathPagesAndLevels(t *testing.T) {
	data := encodeColumns(t, edgePins(300), 300, rowGroupRows)
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	description := f.Metadata().RowGroups[0].Columns[3].MetaData
	if description.PathInSchema[0] != "description" || description.EncodingStats[0].Count < 2 {
		t.Errorf("column %v has %d pages, want the long descriptions split into several", description.PathInSchema, description.EncodingStats[0].Count)
	}
	if f.Metadata().Version != 1 {
		t.Errorf("file format version %d, want 1", f.Metadata().Version)
	}
}

func TestAppendLevels(t *testing.T) {
	tests := []struct {
		levels []uint8
		max    uint8
		want   []byte
	}{
		// A run of eight or more is run-length encoded: header count<<1, then the value.
		{[]uint8{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 1, []byte{10 << 1, 1}},
		// Shorter runs are bit-packed in groups of eight, the last one padded with zeros.
		{[]uint8{1, 0, 1}, 1, []byte{1<<1 | 1, 0b101}},
		{[]uint8{0, 1, 2, 2, 1, 0, 2, 1, 2}, 2, []byte{2<<1 | 1, 0b10100100, 0b01100001, 0b10, 0}},
		// Mixed: bit-packed until a run begins at a group boundary.
		{append([]uint8{0, 1, 0, 1, 0, 1, 0, 1}, 1, 1, 1, 1, 1, 1, 1, 1, 1), 1, []byte{1<<1 | 1, 0b10101010, 9 << 1, 1}},
	}
	for _, tt := range tests {
		if got := appendLevels(nil, tt.levels, tt.max); !bytes.Equal(got, tt.want) {
			t.Errorf("appendLevels(%v, max %d) = %08b, want %08b", tt.levels, tt.max, got, tt.want)
		}
	}
}

// TestColumnPathThroughTable writes the same rows through the typed Writer (column path) and
// through WriteRows (parquet-go's generic writer) and reads both tables back every way the
// package reads: Read, Rows and the stats of the log.
func TestColumnPathThroughTable(t *testing.T) {
	ctx := context.Background()
	store := objstore.NewDir(t.TempDir())
	rows := edgeGeos(500)
	typed := Open(store, "lakehouse/typed", WithRowsPerFile(200))
	c, err := WriteRecords(ctx, typed, Write{}, rows)
	if err != nil {
		t.Fatal(err)
	}
	if c.Files != 3 || c.Rows != 500 {
		t.Fatalf("commit %+v, want 500 rows in 3 files", c)
	}
	back, err := Read[record.CleanGeo](ctx, typed)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, rows) {
		t.Fatalf("Read returned %d rows that differ from the %d written", len(back), len(rows))
	}
	values := make([][]any, len(rows))
	for i, g := range rows {
		var country, coords, ts any
		if g.Country != nil {
			country = *g.Country
		}
		if g.Coordinates != nil {
			coords = g.Coordinates
		}
		if g.Timestamp != nil {
			ts = *g.Timestamp
		}
		values[i] = []any{g.Ind, country, coords, ts}
	}
	dynamic := Open(store, "lakehouse/dynamic", WithRowsPerFile(200))
	if _, err := dynamic.WriteRows(ctx, Write{}, record.CleanGeoFields, values); err != nil {
		t.Fatal(err)
	}
	typedPage, err := typed.Rows(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	dynamicPage, err := dynamic.Rows(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(typedPage.Rows, dynamicPage.Rows) {
		t.Fatalf("Rows of the column path differ from those of the generic writer")
	}
	typedSnap, _ := typed.Snapshot(ctx)
	dynamicSnap, _ := dynamic.Snapshot(ctx)
	for i := range typedSnap.Files {
		if typedSnap.Files[i].Stats != dynamicSnap.Files[i].Stats {
			t.Errorf("file %d stats %s, want %s", i, typedSnap.Files[i].Stats, dynamicSnap.Files[i].Stats)
		}
	}
}

// TestRowEncoderThroughTable encodes rows on several encoders, as cleaning workers do, mixes
// them with rows written directly, and reads the table back in the order written.
func TestRowEncoderThroughTable(t *testing.T) {
	ctx := context.Background()
	store := objstore.NewDir(t.TempDir())
	rows := edgePins(500)
	table := Open(store, "lakehouse/encoded", WithRowsPerFile(160))
	w, err := NewWriter[record.CleanPin](context.Background(), table, Write{})
	if err != nil {
		t.Fatal(err)
	}
	encoders := make([]*RowEncoder[record.CleanPin], 2)
	for i := range encoders {
		if encoders[i], err = w.NewRowEncoder(); err != nil {
			t.Fatal(err)
		}
	}
	for i, start := 0, 0; start < len(rows); i++ {
		end := min(start+45, len(rows))
		if i%3 == 2 {
			if err := w.Write(rows[start:end]); err != nil {
				t.Fatal(err)
			}
		} else {
			enc := encoders[i%2]
			for _, r := range rows[start:end] {
				appendBorrowed(r, enc.Append)
			}
			e := enc.Encode()
			if e.Rows() != end-start {
				t.Fatalf("encoded %d rows, want %d", e.Rows(), end-start)
			}
			if err := w.WriteEncoded(e); err != nil {
				t.Fatal(err)
			}
		}
		start = end
	}
	if back := commitAndReadBack(t, w, table, 500, 4); !reflect.DeepEqual(back, rows) {
		t.Fatalf("read back %d rows that differ from the %d written", len(back), len(rows))
	}
	snap, err := table.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range snap.Files {
		data, err := store.Get(ctx, table.key(f.Path))
		if err != nil {
			t.Fatal(err)
		}
		part, err := parquet.Read[record.CleanPin](bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		want, err := statsOf(mustOpen(t, encodeGeneric(t, part)).Metadata(), record.CleanPinFields)
		if err != nil {
			t.Fatal(err)
		}
		if f.Stats != want {
			t.Errorf("%s stats %s, want %s", f.Path, f.Stats, want)
		}
	}
}

// TestEncodedRowsNeedNoWholePageBuffers checks what a batch job holds per table while it
// streams rows through a RowEncoder: the encoder's page buffers grow only to the rows appended
// between Encode calls, and a file fed only encoded rows takes no page buffers at all (a whole
// page's, 1.25 MiB a column, were two thirds of the job's heap).
func TestEncodedRowsNeedNoWholePageBuffers(t *testing.T) {
	w, err := NewWriter[record.CleanPin](context.Background(), Open(objstore.NewDir(t.TempDir()), "lakehouse/encoded"), Write{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	enc, err := w.NewRowEncoder()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range edgePins(20)[3:13] {
		enc.Append(r)
	}
	f := newColumnFile(w.layout, new(bytes.Buffer))
	if err := f.writeEncoded(enc.Encode()); err != nil {
		t.Fatal(err)
	}
	for i, c := range enc.cols {
		if n := cap(c.values); n >= pageBytes {
			t.Errorf("the encoder's column %v holds %d bytes of values for 10 rows", enc.cols[i].path, n)
		}
	}
	for _, c := range f.cols {
		if c.pageBuffers != nil {
			t.Errorf("column %v of a file fed only encoded rows took page buffers", c.path)
		}
	}
	if _, err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// commitAndReadBack commits w, which must write rows rows in files data files, and reads the
// table back.
func commitAndReadBack(t *testing.T, w *Writer[record.CleanPin], table *Table, rows, files int) []record.CleanPin {
	t.Helper()
	ctx := context.Background()
	c, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Rows != int64(rows) || c.Files != files {
		t.Fatalf("commit %+v, want %d rows in %d files", c, rows, files)
	}
	back, err := Read[record.CleanPin](ctx, table)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// appendBorrowed hands append a copy of p whose strings alias one buffer, which it then
// overwrites, as a cleaning worker reuses its input: the encoder must have copied them.
func appendBorrowed(p record.CleanPin, append func(record.CleanPin)) {
	var buf []byte
	for _, s := range []*string{p.UniqueID, p.Title, p.Description, p.PosterName, p.TagList, p.IsImageOrVideo, p.ImageSrc, p.SaveLocation, p.Category} {
		if s != nil {
			buf = fmt.Append(buf, *s)
		}
	}
	rest := buf
	borrow := func(s *string) *string {
		if s == nil {
			return nil
		}
		b := unsafe.String(unsafe.SliceData(rest), len(*s))
		rest = rest[len(*s):]
		return &b
	}
	q := p
	q.UniqueID, q.Title, q.Description = borrow(p.UniqueID), borrow(p.Title), borrow(p.Description)
	q.PosterName, q.TagList, q.IsImageOrVideo = borrow(p.PosterName), borrow(p.TagList), borrow(p.IsImageOrVideo)
	q.ImageSrc, q.SaveLocation, q.Category = borrow(p.ImageSrc), borrow(p.SaveLocation), borrow(p.Category)
	append(q)
	for i := range buf {
		buf[i] = 'X'
	}
}

func mustOpen(t *testing.T, data []byte) *parquet.File {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRowEncoderRefusesOtherTypes(t *testing.T) {
	type other struct {
		N int64 `parquet:"n"`
	}
	w, err := NewWriter[other](context.Background(), Open(objstore.NewDir(t.TempDir()), "lakehouse/other"), Write{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.NewRowEncoder()
	if want := "write table lakehouse/other: rows of delta.other cannot be encoded apart: pass them to Write"; err == nil || err.Error() != want {
		t.Fatalf("NewRowEncoder error %v, want %q", err, want)
	}
}

// TestPrefixKeyOrders checks that keys which differ order their strings as the strings order
// themselves, including for short strings, NUL bytes and shared prefixes.
func TestPrefixKeyOrders(t *testing.T) {
	words := []string{"", "\x00", "a", "a\x00", "a\x00\x00", "ab", "abcdefgh", "abcdefgh\x00", "abcdefghi",
		"abcdefgz", "abcdefh", "b", "zzzzzzzzzzzz", "é", "日本語", "\xff\xff"}
	for _, a := range words {
		for _, b := range words {
			ka, kb := prefixKey(a), prefixKey(b)
			if ka != kb && (ka < kb) != (a < b) {
				t.Errorf("keys of %q and %q order them wrongly: %x, %x", a, b, ka, kb)
			}
		}
	}
}
