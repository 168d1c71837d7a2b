package source

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/record"
)

// seeded is a SQLite source of the default rows, built once for the package's tests.
var seeded struct {
	path string
	err  error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pintui-source-")
	if err != nil {
		panic(err)
	}
	seeded.path = filepath.Join(dir, "source.db")
	seeded.err = Seed(context.Background(), seeded.path, DefaultRows, DefaultSeed, nil)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func openSeeded(t *testing.T) *Source {
	t.Helper()
	if seeded.err != nil {
		t.Fatalf("seed: %v", seeded.err)
	}
	src, err := Open(t.Context(), seeded.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// checkReadBack reads every row of src through both the LIMIT n,1 reads and the table
// iterators and compares them with the generated rows.
func checkReadBack(t *testing.T, src *Source, want []Row) {
	t.Helper()
	ctx := t.Context()
	n, err := src.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(want)) {
		t.Fatalf("Count = %d, want %d", n, len(want))
	}
	for _, id := range []int64{0, 1, int64(len(want)) / 2, int64(len(want)) - 1} {
		got, err := src.Row(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want[id]) {
			t.Errorf("row %d:\n got %+v\nwant %+v", id, got, want[id])
		}
	}
	i := 0
	for p, err := range src.Pins(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if p != want[i].Pin {
			t.Fatalf("pin %d:\n got %+v\nwant %+v", i, p, want[i].Pin)
		}
		i++
	}
	i = 0
	for g, err := range src.Geos(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, want[i].Geo) {
			t.Fatalf("geo %d:\n got %+v\nwant %+v", i, g, want[i].Geo)
		}
		i++
	}
	i = 0
	for u, err := range src.Users(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(u, want[i].User) {
			t.Fatalf("user %d:\n got %+v\nwant %+v", i, u, want[i].User)
		}
		i++
	}
	if i != len(want) {
		t.Fatalf("iterated %d users, want %d", i, len(want))
	}
}

func TestSQLiteReadBack(t *testing.T) {
	src := openSeeded(t)
	checkReadBack(t, src, rows)
	max, err := src.MaxID(t.Context())
	if err != nil || max != DefaultRows-1 {
		t.Errorf("MaxID = %d, %v; want %d", max, err, DefaultRows-1)
	}
	_, err = src.Pin(t.Context(), DefaultRows)
	want := "read pinterest_data row 11001 from " + seeded.path + ": no such row: draw ids below the row count"
	if err == nil || err.Error() != want {
		t.Errorf("reading past the end: %v, want %s", err, want)
	}
}

func TestSQLiteByteIdentical(t *testing.T) {
	dir := t.TempDir()
	seed := func(name string, seed int64) []byte {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := Seed(t.Context(), path, 2000, seed, nil); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a := seed("a.db", 7)
	if b := seed("b.db", 7); !bytes.Equal(a, b) {
		t.Error("the same seed gave different SQLite files")
	}
	if c := seed("c.db", 8); bytes.Equal(a, c) {
		t.Error("different seeds gave the same SQLite file")
	}
	// Reseeding over an existing database replaces it whole and leaves no temporary file.
	if again := seed("c.db", 7); !bytes.Equal(a, again) {
		t.Error("reseeding an existing file did not give the fresh file's bytes")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"a.db", "b.db", "c.db"}; !reflect.DeepEqual(names, want) {
		t.Errorf("folder holds %v, want %v", names, want)
	}
}

func TestSeedProgress(t *testing.T) {
	var calls [][2]int
	path := filepath.Join(t.TempDir(), "nested", "source.db")
	err := Seed(t.Context(), path, 150, 1, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]int{{64, 150}, {128, 150}, {150, 150}}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("progress calls %v, want %v", calls, want)
	}
}

func TestOpenMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "source.db")
	_, err := Open(t.Context(), path)
	want := "open source " + path + ": the database does not exist: run `pintui seed` to create it"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if _, statErr := os.Stat(path); statErr == nil {
		t.Error("opening a missing source created the file")
	}
}

// sqliteFile creates a SQLite database with the given statements, outside the seeder.
func sqliteFile(t *testing.T, statements ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hand.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range statements {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return path
}

func TestOpenWrongTables(t *testing.T) {
	path := sqliteFile(t, `CREATE TABLE pinterest_data (id INTEGER, title TEXT)`)
	_, err := Open(t.Context(), path)
	if err == nil || !strings.Contains(err.Error(), "table pinterest_data has columns id, title, want index, unique_id") ||
		!strings.HasSuffix(err.Error(), "reseed it with `pintui seed`") {
		t.Errorf("got %v", err)
	}
	empty := sqliteFile(t, `CREATE TABLE other (x INTEGER)`)
	_, err = Open(t.Context(), empty)
	if err == nil || !strings.Contains(err.Error(), "table pinterest_data") || !strings.Contains(err.Error(), "no such table") {
		t.Errorf("got %v", err)
	}
}

// TestReadForeignSource reads a database not written by the seeder: DATETIME columns holding
// the ISO `T` form and a space form with a fraction, as another loader might have stored them.
func TestReadForeignSource(t *testing.T) {
	path := sqliteFile(t,
		sqliteDialect.createTable(PinTable, record.RawPinColumns),
		`CREATE TABLE geolocation_data (ind INTEGER, "timestamp" DATETIME, latitude FLOAT, longitude FLOAT, country TEXT)`,
		`CREATE TABLE user_data (ind INTEGER, first_name TEXT, last_name TEXT, age INTEGER, date_joined DATETIME)`,
		`INSERT INTO pinterest_data VALUES (0, 'u', 't', 'd', 'p', '5k', 'a,b', 'image', 'x', 1, 'Local save in /data/art', 'art')`,
		`INSERT INTO geolocation_data VALUES (0, '2022-01-01T02:26:50', -89.5236, -154.567, 'Cocos (Keeling) Islands')`,
		`INSERT INTO user_data VALUES (0, 'Thomas', 'Turner', 34, '2016-12-22 00:02:02.000')`,
	)
	src, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	r, err := src.Row(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	wantGeo := record.RawGeo{Timestamp: time.Date(2022, 1, 1, 2, 26, 50, 0, time.UTC),
		Latitude: -89.5236, Longitude: -154.567, Country: "Cocos (Keeling) Islands"}
	if !reflect.DeepEqual(r.Geo, wantGeo) {
		t.Errorf("geo %+v, want %+v", r.Geo, wantGeo)
	}
	if got := string(r.User.AppendJSON(nil)); got != `{"ind":0,"first_name":"Thomas","last_name":"Turner","age":34,"date_joined":"2016-12-22 00:02:02"}` {
		t.Errorf("user %s", got)
	}
}

func TestParseDateTime(t *testing.T) {
	want := time.Date(2020, 8, 28, 3, 52, 47, 0, time.UTC)
	for _, s := range []string{"2020-08-28 03:52:47", "2020-08-28T03:52:47", "2020-08-28T03:52:47Z", "2020-08-28T05:52:47+02:00"} {
		got, err := ParseDateTime(s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseDateTime(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseDateTime("2020:08:28 03:52:47"); err == nil ||
		err.Error() != `datetime "2020:08:28 03:52:47" is neither YYYY-MM-DD HH:MM:SS nor ISO 8601` {
		t.Errorf("got %v", err)
	}
}
