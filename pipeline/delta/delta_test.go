package delta_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixedOptions make a table's commits deterministic: a clock that ticks one second per
// reading and UUIDs drawn from a counter.
func fixedOptions() []delta.Option {
	var mu sync.Mutex
	tick, id := 0, 0
	return []delta.Option{
		delta.WithClock(func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			tick++
			return epoch.Add(time.Duration(tick) * time.Second)
		}),
		delta.WithIDs(func() string {
			mu.Lock()
			defer mu.Unlock()
			id++
			return fmt.Sprintf("00000000-0000-4000-8000-%012d", id)
		}),
	}
}

func newTable(t *testing.T, opts ...delta.Option) (*delta.Table, *objstore.Dir) {
	t.Helper()
	store := objstore.NewDir(t.TempDir())
	return delta.Open(store, "lakehouse/x_geo_batch", opts...), store
}

func ptr[T any](v T) *T { return &v }

func geoRows() []record.CleanGeo {
	return []record.CleanGeo{
		{Ind: 7528, Country: ptr("Albania"), Coordinates: []float64{-89.9787, -173.293}, Timestamp: ptr(time.Date(2020, 8, 28, 3, 52, 47, 0, time.UTC))},
		{Ind: 2863, Country: nil, Coordinates: nil, Timestamp: nil},
		{Ind: 5730, Country: ptr("Colombia"), Coordinates: []float64{-77.015, -101.437}, Timestamp: ptr(time.Date(2021, 4, 19, 17, 37, 3, 123456000, time.UTC))},
	}
}

func geoValues() [][]any {
	var out [][]any
	for _, g := range geoRows() {
		var country, ts any
		if g.Country != nil {
			country = *g.Country
		}
		if g.Timestamp != nil {
			ts = *g.Timestamp
		}
		var coords any
		if g.Coordinates != nil {
			coords = g.Coordinates
		}
		out = append(out, []any{g.Ind, country, coords, ts})
	}
	return out
}

func TestVersionZeroGolden(t *testing.T) {
	ctx := context.Background()
	table, store := newTable(t, fixedOptions()...)
	c, err := table.WriteRows(ctx, delta.Write{}, record.CleanGeoFields, geoValues())
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 0 || c.Files != 1 || c.Rows != 3 || c.Skipped {
		t.Fatalf("commit = %+v, want version 0 with one file of 3 rows", c)
	}
	got, err := store.Get(ctx, "lakehouse/x_geo_batch/_delta_log/00000000000000000000.json")
	if err != nil {
		t.Fatal(err)
	}
	// The data file's size depends on the Parquet encoder, not on this package.
	got = bytes.Replace(got, fmt.Appendf(nil, `"size":%d,`, c.Bytes), []byte(`"size":SIZE,`), 1)
	golden(t, "version0.golden", got)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs:\n got: %s\nwant: %s", name, got, want)
	}
}

func TestTypedRoundTrip(t *testing.T) {
	ctx := context.Background()
	table, _ := newTable(t)
	if _, err := delta.WriteRecords(ctx, table, delta.Write{}, geoRows()); err != nil {
		t.Fatal(err)
	}
	got, err := delta.Read[record.CleanGeo](ctx, table)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, geoRows()) {
		t.Fatalf("read back %+v, want %+v", got, geoRows())
	}
	snap, err := table.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(snap.Fields, record.CleanGeoFields) {
		t.Fatalf("schema = %v, want %v", snap.Fields, record.CleanGeoFields)
	}
}

func TestDynamicRoundTrip(t *testing.T) {
	ctx := context.Background()
	table, _ := newTable(t)
	if _, err := table.WriteRows(ctx, delta.Write{}, record.CleanGeoFields, geoValues()); err != nil {
		t.Fatal(err)
	}
	page, err := table.Rows(ctx, delta.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ind", "country", "coordinates", "timestamp"}; !reflect.DeepEqual(page.Columns, want) {
		t.Fatalf("columns = %v, want %v", page.Columns, want)
	}
	if !reflect.DeepEqual(page.Rows, geoValues()) {
		t.Fatalf("rows = %v, want %v", page.Rows, geoValues())
	}
	typed, err := delta.Read[record.CleanGeo](ctx, table)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(typed, geoRows()) {
		t.Fatalf("typed read of dynamic rows = %+v, want %+v", typed, geoRows())
	}
}

func TestDynamicAllTypes(t *testing.T) {
	ctx := context.Background()
	table, _ := newTable(t)
	fields := []record.Field{{Name: "age_group", Type: "string"}, {Name: "post_year", Type: "integer"}, {Name: "n", Type: "long"}, {Name: "median", Type: "double"}, {Name: "at", Type: "timestamp"}, {Name: "xs", Type: "array<double>"}}
	rows := [][]any{
		{"18-24", int32(2019), int64(7), 12.5, time.Date(2019, 1, 2, 3, 4, 5, 6000, time.UTC), []float64{1, 2}},
		{nil, nil, nil, nil, nil, []float64{}},
		{"+50", 2020, 8, 1e9, time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC), nil},
	}
	if _, err := table.WriteRows(ctx, delta.Write{}, fields, rows); err != nil {
		t.Fatal(err)
	}
	page, err := table.Rows(ctx, delta.Query{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{rows[0], rows[1], {"+50", int32(2020), int64(8), 1e9, rows[2][4], nil}}
	if !reflect.DeepEqual(page.Rows, want) {
		t.Fatalf("rows = %#v, want %#v", page.Rows, want)
	}
	snap, _ := table.Snapshot(ctx)
	stats := snap.Files[0].Stats
	for _, part := range []string{`"numRecords":3`, `"at":"1969-12-31T23:59:59.999Z"`, `"at":"2019-01-02T03:04:05.001Z"`, `"post_year":2019`, `"post_year":2020`, `"age_group":1`} {
		if !strings.Contains(stats, part) {
			t.Errorf("stats %s lack %s", stats, part)
		}
	}
}

func TestWriteRowsRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	table, store := newTable(t)
	tests := []struct {
		fields []record.Field
		rows   [][]any
		want   string
	}{
		{[]record.Field{{Name: "n", Type: "long"}}, [][]any{{"seven"}}, "row 0: column n is long but holds string seven"},
		{[]record.Field{{Name: "n", Type: "long"}}, [][]any{{int64(1), int64(2)}}, "row 0: has 2 values for 1 columns"},
		{[]record.Field{{Name: "n", Type: "decimal"}}, nil, `column n has type "decimal"`},
		{[]record.Field{{Name: "n", Type: "long"}, {Name: "n", Type: "string"}}, nil, `column "n" appears twice`},
		{[]record.Field{{Name: "a,b", Type: "long"}}, nil, `column name "a,b"`},
	}
	for _, tt := range tests {
		_, err := table.WriteRows(ctx, delta.Write{}, tt.fields, tt.rows)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("WriteRows(%v, %v): err = %v, want it to contain %q", tt.fields, tt.rows, err, tt.want)
		}
	}
	objs, _ := store.List(ctx, "")
	if len(objs) != 0 {
		t.Fatalf("rejected writes left %v", objs)
	}
}

func TestOverwriteReplacesRows(t *testing.T) {
	ctx := context.Background()
	table, store := newTable(t)
	first := geoRows()
	if _, err := delta.WriteRecords(ctx, table, delta.Write{Mode: delta.Overwrite}, first); err != nil {
		t.Fatal(err)
	}
	second := first[1:]
	c, err := delta.WriteRecords(ctx, table, delta.Write{Mode: delta.Overwrite}, second)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 1 {
		t.Fatalf("overwrite committed version %d, want 1", c.Version)
	}
	// A fresh Table replays the log from the store rather than from the writer's cache.
	replayed := delta.Open(store, table.Root())
	got, err := delta.Read[record.CleanGeo](ctx, replayed)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, second) {
		t.Fatalf("after overwrite read %+v, want %+v", got, second)
	}
	snap, _ := replayed.Snapshot(ctx)
	if n, exact := snap.NumRecords(); n != 2 || !exact || len(snap.Files) != 1 {
		t.Fatalf("snapshot has %d files, %d records (exact %v); want 1 file of 2", len(snap.Files), n, exact)
	}
}

func TestTxnMakesMicroBatchesIdempotent(t *testing.T) {
	ctx := context.Background()
	table, store := newTable(t)
	rows := geoRows()
	write := func(v int64) delta.Commit {
		t.Helper()
		c, err := delta.WriteRecords(ctx, table, delta.Write{Txn: &delta.Txn{AppID: "stream-geo", Version: v}}, rows[v:v+1])
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	write(0)
	write(1)
	if c := write(1); !c.Skipped || c.Version != 1 {
		t.Fatalf("replayed micro-batch 1: %+v, want skipped at version 1", c)
	}
	if c := write(0); !c.Skipped {
		t.Fatalf("replayed micro-batch 0: %+v, want skipped", c)
	}
	// A restarted job (a new Table on the same store) must skip too.
	restarted := delta.Open(store, table.Root())
	c, err := table.WriteRows(ctx, delta.Write{Txn: &delta.Txn{AppID: "stream-geo", Version: 1}}, record.CleanGeoFields, geoValues()[1:2])
	if err != nil || !c.Skipped {
		t.Fatalf("dynamic replay: %+v, %v; want skipped", c, err)
	}
	got, err := delta.Read[record.CleanGeo](ctx, restarted)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rows[:2]) {
		t.Fatalf("read %+v, want the two micro-batches once each", got)
	}
	snap, _ := restarted.Snapshot(ctx)
	if snap.Txns["stream-geo"] != 1 || snap.Version != 1 {
		t.Fatalf("snapshot version %d txns %v, want version 1 and stream-geo at 1", snap.Version, snap.Txns)
	}
	objs, _ := store.List(ctx, table.Root()+"/part-")
	if len(objs) != 2 {
		t.Fatalf("data files %v, want the skipped writes to leave none", objs)
	}
}

func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	store := objstore.NewDir(t.TempDir())
	const writers, each = 2, 6
	var wg sync.WaitGroup
	versions := make([][]int64, writers)
	errs := make([]error, writers)
	for w := range writers {
		table := delta.Open(store, "lakehouse/shared")
		wg.Go(func() {
			for i := range each {
				c, err := delta.WriteRecords(ctx, table, delta.Write{}, []record.CleanGeo{{Ind: int64(w*100 + i)}})
				if err != nil {
					errs[w] = err
					return
				}
				versions[w] = append(versions[w], c.Version)
			}
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for w := range writers {
		if errs[w] != nil {
			t.Fatalf("writer %d: %v", w, errs[w])
		}
		for _, v := range versions[w] {
			if seen[v] {
				t.Fatalf("version %d committed twice", v)
			}
			seen[v] = true
		}
	}
	rows, err := delta.Read[record.CleanGeo](ctx, delta.Open(store, "lakehouse/shared"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != writers*each || len(seen) != writers*each {
		t.Fatalf("read %d rows over %d versions, want %d", len(rows), len(seen), writers*each)
	}
}

func TestCheckpointReplayEqualsJSONReplay(t *testing.T) {
	ctx := context.Background()
	table, store := newTable(t, fixedOptions()...)
	for v := range 12 {
		w := delta.Write{Txn: &delta.Txn{AppID: "app", Version: int64(v)}}
		if v == 4 {
			w = delta.Write{Mode: delta.Overwrite}
		}
		c, err := delta.WriteRecords(ctx, table, w, []record.CleanGeo{{Ind: int64(v), Country: ptr(fmt.Sprint("c", v))}})
		if err != nil {
			t.Fatal(err)
		}
		if c.CheckpointErr != nil {
			t.Fatal(c.CheckpointErr)
		}
	}
	last, err := store.Get(ctx, "lakehouse/x_geo_batch/_delta_log/_last_checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	if string(last) != `{"size":14,"version":10}` {
		t.Fatalf("_last_checkpoint = %s, want 14 actions: protocol, metaData, txn, 7 adds, 4 removes", last)
	}
	fromCheckpoint, err := delta.Open(store, table.Root()).Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Without the checkpoint files the same table replays from version 0.
	plain := objstore.NewDir(t.TempDir())
	objs, _ := store.List(ctx, "")
	for _, o := range objs {
		if strings.Contains(o.Key, "checkpoint") {
			continue
		}
		data, _ := store.Get(ctx, o.Key)
		if err := plain.Put(ctx, o.Key, data); err != nil {
			t.Fatal(err)
		}
	}
	fromJSON, err := delta.Open(plain, table.Root()).Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*delta.Snapshot{fromCheckpoint, fromJSON} {
		if s.Version != 11 || len(s.Files) != 8 || s.Txns["app"] != 11 {
			t.Fatalf("snapshot version %d, %d files, txn %d; want 11, 8 (rows 4..11), 11", s.Version, len(s.Files), s.Txns["app"])
		}
	}
	if !reflect.DeepEqual(fromCheckpoint.Files, fromJSON.Files) || !reflect.DeepEqual(fromCheckpoint.Metadata, fromJSON.Metadata) ||
		fromCheckpoint.Protocol != fromJSON.Protocol || !reflect.DeepEqual(fromCheckpoint.Txns, fromJSON.Txns) ||
		!reflect.DeepEqual(fromCheckpoint.Fields, fromJSON.Fields) {
		t.Fatalf("checkpoint replay differs:\n%+v\n%+v", fromCheckpoint, fromJSON)
	}
	data, err := store.Get(ctx, "lakehouse/x_geo_batch/_delta_log/00000000000000000010.checkpoint.parquet")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var top []string
	for _, field := range f.Schema().Fields() {
		top = append(top, field.Name())
	}
	if want := []string{"txn", "add", "remove", "metaData", "protocol"}; !reflect.DeepEqual(top, want) {
		t.Fatalf("checkpoint columns = %v, want %v", top, want)
	}
}

func TestParquetSchemaMatchesSpark(t *testing.T) {
	ctx := context.Background()
	store := objstore.NewDir(t.TempDir())
	tests := []struct {
		name  string
		write func(*delta.Table) error
		want  map[string]string
	}{
		{"pin", func(tb *delta.Table) error {
			_, err := delta.WriteRecords(ctx, tb, delta.Write{}, []record.CleanPin{{Ind: 1, FollowerCount: ptr(int32(5))}})
			return err
		}, map[string]string{"ind": "INT64", "follower_count": "INT32 INT(32,true)", "category": "BYTE_ARRAY STRING"}},
		{"geo", func(tb *delta.Table) error {
			_, err := delta.WriteRecords(ctx, tb, delta.Write{}, geoRows())
			return err
		}, map[string]string{"timestamp": "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", "coordinates.list.element": "DOUBLE"}},
		{"user", func(tb *delta.Table) error {
			_, err := delta.WriteRecords(ctx, tb, delta.Write{}, []record.CleanUser{{Ind: 1, Age: ptr(int64(30))}})
			return err
		}, map[string]string{"age": "INT64 INT(64,true)", "date_joined": "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)"}},
		{"dynamic", func(tb *delta.Table) error {
			_, err := tb.WriteRows(ctx, delta.Write{}, record.CleanGeoFields, geoValues())
			return err
		}, map[string]string{"ind": "INT64", "timestamp": "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", "coordinates.list.element": "DOUBLE"}},
	}
	for _, tt := range tests {
		table := delta.Open(store, "lakehouse/"+tt.name)
		if err := tt.write(table); err != nil {
			t.Fatal(err)
		}
		snap, _ := table.Snapshot(ctx)
		name := snap.Files[0].Path
		if !strings.HasPrefix(name, "part-00000-") || !strings.HasSuffix(name, "-c000.snappy.parquet") {
			t.Errorf("%s: data file %s, want part-00000-<uuid>-c000.snappy.parquet", tt.name, name)
		}
		data, err := store.Get(ctx, "lakehouse/"+tt.name+"/"+name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range f.Schema().Columns() {
			leaf, _ := f.Schema().Lookup(p...)
			typ := leaf.Node.Type()
			desc := typ.Kind().String()
			if lt := typ.LogicalType(); lt != nil && lt.Value != nil {
				desc += " " + lt.String()
			}
			got[strings.Join(p, ".")] = desc
		}
		for col, want := range tt.want {
			if got[col] != want && !(want == "INT64" && strings.HasPrefix(got[col], "INT64")) {
				t.Errorf("%s: column %s is %q, want %q", tt.name, col, got[col], want)
			}
		}
		list, _ := f.Schema().Lookup("coordinates", "list", "element")
		if tt.name == "geo" && (list.MaxRepetitionLevel != 1 || list.MaxDefinitionLevel != 2) {
			t.Errorf("coordinates levels = r%d d%d, want a standard optional 3-level list (r1 d2)", list.MaxRepetitionLevel, list.MaxDefinitionLevel)
		}
		for _, rg := range f.Metadata().RowGroups {
			for _, cc := range rg.Columns {
				if cc.MetaData.Codec.String() != "SNAPPY" {
					t.Errorf("%s: column %v compressed with %s, want SNAPPY", tt.name, cc.MetaData.PathInSchema, cc.MetaData.Codec)
				}
			}
		}
	}
}

func TestRowsPaging(t *testing.T) {
	ctx := context.Background()
	table, _ := newTable(t, delta.WithRowsPerFile(4))
	var rows []record.CleanGeo
	for i := range 10 {
		rows = append(rows, record.CleanGeo{Ind: int64(i), Country: ptr([]string{"Chad", "Peru"}[i%2])})
	}
	c, err := delta.WriteRecords(ctx, table, delta.Write{}, rows[:6])
	if err != nil {
		t.Fatal(err)
	}
	if c.Files != 2 {
		t.Fatalf("6 rows at 4 per file made %d files, want 2", c.Files)
	}
	if _, err := delta.WriteRecords(ctx, table, delta.Write{}, rows[6:]); err != nil {
		t.Fatal(err)
	}
	inds := func(q delta.Query) []int64 {
		t.Helper()
		page, err := table.Rows(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, r := range page.Rows {
			out = append(out, r[0].(int64))
		}
		return out
	}
	tests := []struct {
		q    delta.Query
		want []int64
	}{
		{delta.Query{Limit: 3}, []int64{0, 1, 2}},
		{delta.Query{Offset: 5, Limit: 3}, []int64{5, 6, 7}},
		{delta.Query{Offset: 8}, []int64{8, 9}},
		{delta.Query{Offset: 20}, nil},
		{delta.Query{Where: []delta.Match{{Column: "country", Value: "Peru"}}, Offset: 1, Limit: 3}, []int64{3, 5, 7}},
		{delta.Query{Where: []delta.Match{{Column: "ind", Value: "9"}}}, []int64{9}},
	}
	for _, tt := range tests {
		if got := inds(tt.q); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Rows(%+v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if _, err := table.Rows(ctx, delta.Query{Where: []delta.Match{{Column: "nope", Value: "1"}}}); err == nil || !strings.Contains(err.Error(), "no column \"nope\"; the columns are ind, country, coordinates, timestamp") {
		t.Fatalf("unknown column: err = %v", err)
	}
	snap, _ := table.Snapshot(ctx)
	if n, exact := snap.NumRecords(); n != 10 || !exact {
		t.Fatalf("NumRecords = %d, %v; want 10, true", n, exact)
	}
}

func TestParseMatchAndText(t *testing.T) {
	m, err := delta.ParseMatch("country=Côte d'Ivoire=x")
	if err != nil || m != (delta.Match{Column: "country", Value: "Côte d'Ivoire=x"}) {
		t.Fatalf("ParseMatch = %+v, %v", m, err)
	}
	if _, err := delta.ParseMatch("country"); err == nil || err.Error() != `filter "country": write it as COLUMN=VALUE` {
		t.Fatalf("ParseMatch without =: %v", err)
	}
	tests := map[string]any{
		"null": nil, "7": int64(7), "-3": int32(-3), "12.5": 12.5, "x": "x",
		"2020-08-28 03:52:47":        time.Date(2020, 8, 28, 3, 52, 47, 0, time.UTC),
		"2020-08-28 03:52:47.123456": time.Date(2020, 8, 28, 3, 52, 47, 123456000, time.UTC),
		"[-89.9787, -173.293]":       []float64{-89.9787, -173.293},
	}
	for want, v := range tests {
		if got := delta.Text(v); got != want {
			t.Errorf("Text(%#v) = %q, want %q", v, got, want)
		}
	}
}

func TestMissingTableAndSchemaChecks(t *testing.T) {
	ctx := context.Background()
	table, _ := newTable(t)
	if _, err := table.Snapshot(ctx); !errors.Is(err, delta.ErrNoTable) {
		t.Fatalf("Snapshot of a missing table: %v, want ErrNoTable", err)
	}
	if _, err := table.Rows(ctx, delta.Query{}); !errors.Is(err, delta.ErrNoTable) {
		t.Fatalf("Rows of a missing table: %v, want ErrNoTable", err)
	}
	c, err := table.Create(ctx, record.CleanGeoFields)
	if err != nil || c.Version != 0 {
		t.Fatalf("Create = %+v, %v", c, err)
	}
	if c, err := table.Create(ctx, record.CleanGeoFields); err != nil || !c.Skipped {
		t.Fatalf("second Create = %+v, %v; want skipped", c, err)
	}
	page, err := table.Rows(ctx, delta.Query{})
	if err != nil || len(page.Rows) != 0 || len(page.Columns) != 4 {
		t.Fatalf("empty table page = %+v, %v", page, err)
	}
	_, err = delta.WriteRecords(ctx, table, delta.Write{}, []record.CleanUser{{Ind: 1}})
	if err == nil || !strings.Contains(err.Error(), "overwrite the table to change its schema") {
		t.Fatalf("append with another schema: %v", err)
	}
	if _, err := delta.WriteRecords(ctx, table, delta.Write{Mode: delta.Overwrite}, []record.CleanUser{{Ind: 1}}); err != nil {
		t.Fatal(err)
	}
	snap, _ := table.Snapshot(ctx)
	if !reflect.DeepEqual(snap.Fields, record.CleanUserFields) {
		t.Fatalf("schema after overwrite = %v, want %v", snap.Fields, record.CleanUserFields)
	}
}

func TestListTables(t *testing.T) {
	ctx := context.Background()
	store := objstore.NewDir(t.TempDir())
	for _, name := range []string{"x_user_batch", "analytics/top_country", "x_pin_table"} {
		if _, err := delta.Open(store, "lakehouse/"+name).Create(ctx, record.CleanUserFields); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Put(ctx, "lakehouse/not_a_table/part-0.parquet", []byte("x")); err != nil {
		t.Fatal(err)
	}
	got, err := delta.ListTables(ctx, store, "lakehouse/")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"lakehouse/analytics/top_country", "lakehouse/x_pin_table", "lakehouse/x_user_batch"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ListTables = %v, want %v", got, want)
	}
}
