package delta_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pintui/pintui/pipeline/delta"
)

// FuzzReadLog puts arbitrary bytes where a table's second commit belongs: reading the table
// either replays it, reports the log damaged or its protocol unsupported, and never panics or
// fails another way.
func FuzzReadLog(f *testing.F) {
	seeds := []string{
		`{"commitInfo":{"timestamp":1,"operation":"WRITE"}}`,
		`{"add":{"path":"part-0.parquet","size":1,"modificationTime":1,"dataChange":true}}`,
		`{"remove":{"path":"part-0.parquet","deletionTimestamp":1,"dataChange":true}}`,
		`{"txn":{"appId":"a","version":3}}` + "\n" + `{"metaData":{"id":"x","format":{"provider":"parquet"},"schemaString":"{}"}}`,
		`{"protocol":{"minReaderVersion":9,"minWriterVersion":9}}`,
		`{"add":{"path":"part-0.parquet","size":1,"modificationTime":1,"dataChange":tr`,
		"",
		"\x00\xff not json",
		`{"add":null}`,
		`[1,2,3]`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, commit []byte) {
		ctx := context.Background()
		table, store := newTable(t, fixedOptions()...)
		appendVersions(t, table, 0)
		if err := store.Put(ctx, commitKey(table, 1), commit); err != nil {
			t.Fatal(err)
		}
		_, err := delta.Open(store, table.Root()).Snapshot(ctx)
		if err != nil && !errors.Is(err, delta.ErrDamaged) && !errors.Is(err, delta.ErrUnsupported) {
			t.Fatalf("commit %q: %v, want a snapshot, ErrDamaged or ErrUnsupported", commit, err)
		}
	})
}
