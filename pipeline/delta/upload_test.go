package delta

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

// putsStore tells of every data file put and fails those whose key contains fail.
type putsStore struct {
	objstore.Store
	puts chan string
	fail string
}

func (s *putsStore) Put(ctx context.Context, key string, data []byte) error {
	if strings.HasSuffix(key, ".parquet") {
		s.puts <- key
		if s.fail != "" && strings.Contains(key, s.fail) {
			return errors.New("disk full")
		}
	}
	return s.Store.Put(ctx, key, data)
}

// nextPut waits for the next data file put, which a full file makes before the commit.
func nextPut(t *testing.T, store *putsStore) string {
	t.Helper()
	select {
	case key := <-store.puts:
		return key
	case <-time.After(10 * time.Second):
		t.Fatal("a full data file was not uploaded before the commit")
		return ""
	}
}

func dataFiles(t *testing.T, store objstore.Store) []string {
	t.Helper()
	objs, err := store.List(context.Background(), "lakehouse/up/")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, o := range objs {
		if strings.HasSuffix(o.Key, ".parquet") {
			files = append(files, o.Key)
		}
	}
	return files
}

// A write of any size holds only the files being encoded: each is uploaded when it is full,
// before the write goes on or commits.
func TestWriterUploadsEachFileWhenItIsFull(t *testing.T) {
	ctx := context.Background()
	store := &putsStore{Store: objstore.NewDir(t.TempDir()), puts: make(chan string, 10)}
	table := Open(store, "lakehouse/up", WithRowsPerFile(100))
	w, err := NewWriter[record.CleanPin](ctx, table, Write{})
	if err != nil {
		t.Fatal(err)
	}
	rows := edgePins(250)
	if err := w.Write(rows[:100]); err != nil {
		t.Fatal(err)
	}
	if key := nextPut(t, store); !strings.Contains(key, "part-00000-") {
		t.Errorf("first put %s, want part-00000", key)
	}
	if err := w.Write(rows[100:]); err != nil {
		t.Fatal(err)
	}
	if back := commitAndReadBack(t, w, table, 250, 3); len(back) != 250 {
		t.Fatalf("read back %d rows; want 250", len(back))
	}
	snap, err := table.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range snap.Files {
		if f.Size <= 0 {
			t.Errorf("file %s has size %d in the log", f.Path, f.Size)
		}
	}
}

// An aborted or failed write leaves no data file behind, though some were uploaded already.
func TestWriterRemovesItsUploadedFilesWhenItDoesNotCommit(t *testing.T) {
	ctx := context.Background()
	for _, fail := range []string{"", "part-00002-"} {
		store := &putsStore{Store: objstore.NewDir(t.TempDir()), puts: make(chan string, 10), fail: fail}
		table := Open(store, "lakehouse/up", WithRowsPerFile(100))
		w, err := NewWriter[record.CleanPin](ctx, table, Write{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(edgePins(250)); err != nil {
			t.Fatal(err)
		}
		if fail == "" {
			nextPut(t, store)
			nextPut(t, store)
			w.Abort()
		} else if _, err := w.Commit(ctx); err == nil || !strings.Contains(err.Error(), "upload part-00002-") || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("commit with a failing put: %v, want the upload of part-00002 named with its cause", err)
		}
		if files := dataFiles(t, store); len(files) != 0 {
			t.Errorf("fail %q: data files left behind: %v", fail, files)
		}
		if _, err := table.Snapshot(ctx); !errors.Is(err, ErrNoTable) {
			t.Errorf("fail %q: snapshot %v, want no table", fail, err)
		}
	}
}
