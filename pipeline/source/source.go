// Package source is the start of the pipeline: the source database the emulators read from.
// Locally it is a SQLite file seeded by a deterministic synthetic generator that reproduces the
// shape of the original Pinterest data; in the cloud it is the original RDS MySQL
// database, or any MySQL the generator has seeded. It also draws the emulators' row ids and can
// write the landings a running S3 sink would leave for those draws.
package source

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/pipeline/record"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// Source reads the three source tables with the original emulator's semantics: row n of a table
// is `SELECT * FROM <table> LIMIT n,1`. It is safe for concurrent use.
type Source struct {
	db   *sql.DB
	name string
	rows [3]*sql.Stmt
}

// Open opens the source named by target: a SQLite file path, or a mysql:// URL or DSN. It checks
// that the database answers and that the three tables exist with the source columns, so a wrong
// target fails here, not on the first draw.
func Open(ctx context.Context, target string) (*Source, error) {
	var (
		db   *sql.DB
		name = config.Mask(target)
		err  error
	)
	if IsMySQLURL(target) || isURL(target) {
		if db, name, err = openMySQL(target); err != nil {
			return nil, err
		}
	} else {
		if db, err = openSQLite(target); err != nil {
			return nil, err
		}
	}
	s := &Source{db: db, name: name}
	if err := s.prepare(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// ErrNotSeeded is the cause of Open's error when the SQLite source database does not exist yet.
var ErrNotSeeded = errors.New("the database does not exist: run `pintui seed` to create it")

// ErrUnreachable is the cause of Open's error when the database does not answer, which seeding
// cannot mend.
var ErrUnreachable = errors.New("check that the database is up and that source.url's host, port, user and password are right")

func openSQLite(path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	path = config.Mask(path)
	if err != nil {
		return nil, fmt.Errorf("open source %s: %w", path, err)
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open source %s: %w", path, ErrNotSeeded)
	} else if err != nil {
		return nil, fmt.Errorf("open source %s: %w", path, err)
	}
	dsn := url.URL{Scheme: "file", Path: abs, RawQuery: "mode=ro&_pragma=busy_timeout(5000)"}
	db, err := sql.Open("sqlite", dsn.String())
	if err != nil {
		return nil, fmt.Errorf("open source %s: %w", path, err)
	}
	return db, nil
}

// prepare checks that the database answers and the tables' columns, and prepares the three row
// reads.
func (s *Source) prepare(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("open source %s: %w: %w", s.name, err, ErrUnreachable)
	}
	for i, t := range sourceTables {
		rows, err := s.db.QueryContext(ctx, "SELECT * FROM "+t.name+" LIMIT 0")
		if err != nil {
			return fmt.Errorf("open source %s: table %s: %w: seed it with `pintui seed`", s.name, t.name, err)
		}
		columns, err := rows.Columns()
		rows.Close()
		if err != nil {
			return fmt.Errorf("open source %s: table %s: %w", s.name, t.name, err)
		}
		if !slices.Equal(columns, t.columns) {
			return fmt.Errorf("open source %s: table %s has columns %s, want %s: reseed it with `pintui seed`",
				s.name, t.name, strings.Join(columns, ", "), strings.Join(t.columns, ", "))
		}
		if s.rows[i], err = s.db.PrepareContext(ctx, "SELECT * FROM "+t.name+" LIMIT ?, 1"); err != nil {
			return fmt.Errorf("open source %s: prepare read of %s: %w", s.name, t.name, err)
		}
	}
	return nil
}

// Name returns the source's path or URL, with any password masked.
func (s *Source) Name() string { return s.name }

// Close releases the database connections.
func (s *Source) Close() error {
	for _, st := range s.rows {
		if st != nil {
			st.Close()
		}
	}
	return s.db.Close()
}

// Count returns how many row ids every table has, so draws fall in 0…Count-1 (the original's
// 0…11000 for 11,001 rows).
func (s *Source) Count(ctx context.Context) (int64, error) {
	least := int64(-1)
	for _, t := range sourceTables {
		var n int64
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t.name).Scan(&n); err != nil {
			return 0, fmt.Errorf("count rows of %s in %s: %w", t.name, s.name, err)
		}
		if least < 0 || n < least {
			least = n
		}
	}
	return least, nil
}

// MaxID returns the largest row id a draw may pick, or -1 for empty tables.
func (s *Source) MaxID(ctx context.Context) (int64, error) {
	n, err := s.Count(ctx)
	return n - 1, err
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

func scanPin(sc scanner) (record.RawPin, error) {
	var p record.RawPin
	err := sc.Scan(&p.Index, &p.UniqueID, &p.Title, &p.Description, &p.PosterName, &p.FollowerCount,
		&p.TagList, &p.IsImageOrVideo, &p.ImageSrc, &p.Downloaded, &p.SaveLocation, &p.Category)
	return p, err
}

func scanGeo(sc scanner) (record.RawGeo, error) {
	var g record.RawGeo
	err := sc.Scan(&g.Ind, dateTime{&g.Timestamp}, sqlFloat{&g.Latitude}, sqlFloat{&g.Longitude}, &g.Country)
	return g, err
}

func scanUser(sc scanner) (record.RawUser, error) {
	var u record.RawUser
	err := sc.Scan(&u.Ind, &u.FirstName, &u.LastName, &u.Age, dateTime{&u.DateJoined})
	return u, err
}

func readRow[T any](ctx context.Context, s *Source, i int, n int64, scan func(scanner) (T, error)) (T, error) {
	v, err := scan(s.rows[i].QueryRowContext(ctx, n))
	if errors.Is(err, sql.ErrNoRows) {
		err = fmt.Errorf("no such row: draw ids below the row count")
	}
	if err != nil {
		return v, fmt.Errorf("read %s row %d from %s: %w", sourceTables[i].name, n, s.name, err)
	}
	return v, nil
}

// Pin returns row n of pinterest_data.
func (s *Source) Pin(ctx context.Context, n int64) (record.RawPin, error) {
	return readRow(ctx, s, 0, n, scanPin)
}

// Geo returns row n of geolocation_data.
func (s *Source) Geo(ctx context.Context, n int64) (record.RawGeo, error) {
	return readRow(ctx, s, 1, n, scanGeo)
}

// User returns row n of user_data.
func (s *Source) User(ctx context.Context, n int64) (record.RawUser, error) {
	return readRow(ctx, s, 2, n, scanUser)
}

// Row returns row n of all three tables, read in the emulator's order pin, geo, user.
func (s *Source) Row(ctx context.Context, n int64) (Row, error) {
	var r Row
	var err error
	if r.Pin, err = s.Pin(ctx, n); err != nil {
		return r, err
	}
	if r.Geo, err = s.Geo(ctx, n); err != nil {
		return r, err
	}
	r.User, err = s.User(ctx, n)
	return r, err
}

func readAll[T any](ctx context.Context, s *Source, i int, scan func(scanner) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		name := sourceTables[i].name
		rows, err := s.db.QueryContext(ctx, "SELECT * FROM "+name)
		if err != nil {
			yield(zero, fmt.Errorf("read %s from %s: %w", name, s.name, err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				yield(v, fmt.Errorf("read %s from %s: %w", name, s.name, err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(zero, fmt.Errorf("read %s from %s: %w", name, s.name, err))
		}
	}
}

// Pins yields every row of pinterest_data in table order; iteration stops at the first error.
func (s *Source) Pins(ctx context.Context) iter.Seq2[record.RawPin, error] {
	return readAll(ctx, s, 0, scanPin)
}

// Geos yields every row of geolocation_data in table order; iteration stops at the first error.
func (s *Source) Geos(ctx context.Context) iter.Seq2[record.RawGeo, error] {
	return readAll(ctx, s, 1, scanGeo)
}

// Users yields every row of user_data in table order; iteration stops at the first error.
func (s *Source) Users(ctx context.Context) iter.Seq2[record.RawUser, error] {
	return readAll(ctx, s, 2, scanUser)
}

// dateTimeLayouts are the datetime texts a source may hold: the posted form, the ISO `T` form,
// either with a fraction, and RFC 3339 with a zone.
var dateTimeLayouts = []string{record.DateTimeLayout, "2006-01-02T15:04:05",
	"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", time.RFC3339Nano}

// ParseDateTime reads a source datetime in any accepted form; a time without a zone is UTC.
func ParseDateTime(s string) (time.Time, error) {
	for _, layout := range dateTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("datetime %q is neither YYYY-MM-DD HH:MM:SS nor ISO 8601", s)
}

// dateTime scans a DATETIME (MySQL) or its text (SQLite) into a UTC time.
type dateTime struct{ t *time.Time }

func (d dateTime) Scan(src any) error {
	var err error
	switch v := src.(type) {
	case time.Time:
		*d.t = time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), time.UTC)
	case string:
		*d.t, err = ParseDateTime(v)
	case []byte:
		*d.t, err = ParseDateTime(string(v))
	default:
		err = fmt.Errorf("datetime column holds %T, want a datetime or its text", src)
	}
	return err
}

// sqlFloat scans a FLOAT, DOUBLE or REAL. A single-precision FLOAT (the original RDS column
// type) comes back as its shortest decimal, -89.9787 rather than -89.97869873046875, which is
// what the original emulator posted.
type sqlFloat struct{ f *float64 }

func (s sqlFloat) Scan(src any) error {
	var err error
	switch v := src.(type) {
	case float64:
		*s.f = v
	case float32:
		*s.f, err = strconv.ParseFloat(strconv.FormatFloat(float64(v), 'g', -1, 32), 64)
	case int64:
		*s.f = float64(v)
	case string:
		*s.f, err = strconv.ParseFloat(v, 64)
	case []byte:
		*s.f, err = strconv.ParseFloat(string(v), 64)
	default:
		err = fmt.Errorf("number column holds %T, want a float", src)
	}
	return err
}
