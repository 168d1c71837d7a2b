package source

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

// Progress is told, after every batch, how many of the total rows are written.
type Progress func(done, total int)

// writeTables creates the three source tables in db and fills them from g in one transaction,
// batch rows per multi-row INSERT.
func writeTables(ctx context.Context, db *sql.DB, d dialect, g *Generator, batch int, progress Progress) error {
	for _, t := range sourceTables {
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+d.ident(t.name)); err != nil {
			return fmt.Errorf("drop table %s: %w", t.name, err)
		}
		if _, err := db.ExecContext(ctx, d.createTable(t.name, t.columns)); err != nil {
			return fmt.Errorf("create table %s: %w", t.name, err)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin seeding transaction: %w", err)
	}
	defer tx.Rollback()
	var full [3]*sql.Stmt
	for i, t := range sourceTables {
		if full[i], err = tx.PrepareContext(ctx, d.insert(t.name, t.columns, batch)); err != nil {
			return fmt.Errorf("prepare insert into %s: %w", t.name, err)
		}
		defer full[i].Close()
	}
	total := g.Len()
	var args [3][]any
	pending, done := 0, 0
	flush := func() error {
		for i, t := range sourceTables {
			var err error
			if pending == batch {
				_, err = full[i].ExecContext(ctx, args[i]...)
			} else {
				_, err = tx.ExecContext(ctx, d.insert(t.name, t.columns, pending), args[i]...)
			}
			if err != nil {
				return fmt.Errorf("insert rows %d…%d into %s: %w", done, done+pending-1, t.name, err)
			}
			args[i] = args[i][:0]
		}
		done += pending
		pending = 0
		if progress != nil {
			progress(done, total)
		}
		return nil
	}
	for row, ok := g.Next(); ok; row, ok = g.Next() {
		for i, a := range row.args() {
			args[i] = append(args[i], a...)
		}
		if pending++; pending == batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if pending > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit seeded rows: %w", err)
	}
	return nil
}

// sqliteBatch is small because SQLite gains little from long INSERTs once inside a transaction.
const sqliteBatch = 64

// mysqlBatch keeps one INSERT well under MySQL's 16 MiB packet and 65,535 placeholder limits.
const mysqlBatch = 500

// writeSQLite builds the database in a temporary file beside path and renames it into place, so
// readers see the old database or the new one, never a half-written one. The fixed pragmas and
// the single writer make the file a pure function of the rows.
func writeSQLite(ctx context.Context, path string, g *Generator, progress Progress) (err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".tmp-*")
	if err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	tmp := f.Name()
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	dsn := url.URL{Scheme: "file", Path: tmp,
		RawQuery: "_pragma=page_size(4096)&_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)"}
	db, err := sql.Open("sqlite", dsn.String())
	if err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if err := writeTables(ctx, db, sqliteDialect, g, sqliteBatch, progress); err != nil {
		db.Close()
		return fmt.Errorf("seed %s: %w", path, err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("seed %s: close: %w", path, err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	if err := os.Rename(tmp, abs); err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	return nil
}

// syncFile flushes a file written with synchronous=OFF before it is renamed into place.
func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
