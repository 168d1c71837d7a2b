package source

import (
	"context"
	"fmt"
)

// Seed writes a synthetic source database of rows rows generated from seed to target: a SQLite
// file path (replaced whole, atomically) or a mysql:// URL or DSN (whose three source tables are
// dropped and recreated). progress, if not nil, is told how many rows are written so far.
func Seed(ctx context.Context, target string, rows int, seed int64, progress Progress) error {
	g := NewGenerator(rows, seed)
	if !IsMySQLURL(target) && !isURL(target) {
		return writeSQLite(ctx, target, g, progress)
	}
	db, name, err := openMySQL(target)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := writeTables(ctx, db, mysqlDialect, g, mysqlBatch, progress); err != nil {
		return fmt.Errorf("seed %s: %w", name, err)
	}
	return nil
}
