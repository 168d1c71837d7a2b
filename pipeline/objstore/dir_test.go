package objstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/pintui/pintui/pipeline/objstore"
)

var _ objstore.Store = (*objstore.Dir)(nil)

func keys(objs []objstore.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out
}

func TestPutGetRoundTrip(t *testing.T) {
	ctx := context.Background()
	d := objstore.NewDir(filepath.Join(t.TempDir(), "store"))
	if err := d.Put(ctx, "topics/a/b.json", []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, "topics/a/b.json", []byte("two")); err != nil {
		t.Fatal(err)
	}
	got, err := d.Get(ctx, "topics/a/b.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "two" {
		t.Fatalf("Get = %q, want %q", got, "two")
	}
	entries, err := os.ReadDir(filepath.Join(d.Root(), "topics", "a"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "b.json" {
		t.Fatalf("folder holds %v, want only b.json (no temporary files left)", entries)
	}
}

func TestGetMissing(t *testing.T) {
	d := objstore.NewDir(t.TempDir())
	_, err := d.Get(context.Background(), "no/such.json")
	if !errors.Is(err, objstore.ErrNotFound) {
		t.Fatalf("Get missing: err = %v, want ErrNotFound", err)
	}
	if want := "get no/such.json: object not found"; err.Error() != want {
		t.Fatalf("error = %q, want %q", err, want)
	}
}

func TestPutIfAbsent(t *testing.T) {
	ctx := context.Background()
	d := objstore.NewDir(t.TempDir())
	if err := d.PutIfAbsent(ctx, "log/0.json", []byte("first")); err != nil {
		t.Fatal(err)
	}
	err := d.PutIfAbsent(ctx, "log/0.json", []byte("second"))
	if !errors.Is(err, objstore.ErrExist) {
		t.Fatalf("second PutIfAbsent: err = %v, want ErrExist", err)
	}
	got, err := d.Get(ctx, "log/0.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "first" {
		t.Fatalf("Get = %q, want the first write kept", got)
	}
	objs, err := d.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"log/0.json"}; !reflect.DeepEqual(keys(objs), want) {
		t.Fatalf("List = %v, want %v (no temporary files left)", keys(objs), want)
	}
}

func TestPutIfAbsentRace(t *testing.T) {
	ctx := context.Background()
	d := objstore.NewDir(t.TempDir())
	const writers = 16
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			errs[i] = d.PutIfAbsent(ctx, "log/00001.json", fmt.Appendf(nil, "writer %d", i))
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("writers %d and %d both won", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, objstore.ErrExist):
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer won")
	}
	got, err := d.Get(ctx, "log/00001.json")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("writer %d", winner); string(got) != want {
		t.Fatalf("object = %q, want the winner's %q", got, want)
	}
}

func TestListSortedWithPrefix(t *testing.T) {
	ctx := context.Background()
	d := objstore.NewDir(t.TempDir())
	for _, k := range []string{"t/b/2.json", "t/a/1.json", "t/ab.json", "u/1.json", "t/b/10.json"} {
		if err := d.Put(ctx, k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"t/a/1.json", "t/ab.json", "t/b/10.json", "t/b/2.json", "u/1.json"}},
		{"t/", []string{"t/a/1.json", "t/ab.json", "t/b/10.json", "t/b/2.json"}},
		{"t/a", []string{"t/a/1.json", "t/ab.json"}},
		{"t/b/1", []string{"t/b/10.json"}},
		{"v/", nil},
		{"t/b/2.json/x", nil},
	}
	for _, tt := range tests {
		objs, err := d.List(ctx, tt.prefix)
		if err != nil {
			t.Fatalf("List(%q): %v", tt.prefix, err)
		}
		if !reflect.DeepEqual(keys(objs), tt.want) {
			t.Errorf("List(%q) = %v, want %v", tt.prefix, keys(objs), tt.want)
		}
	}
	objs, err := d.List(ctx, "u/")
	if err != nil {
		t.Fatal(err)
	}
	if objs[0].Size != int64(len("u/1.json")) || objs[0].Modified.IsZero() {
		t.Fatalf("object = %+v, want size %d and a modification time", objs[0], len("u/1.json"))
	}
}

func TestListMissingRoot(t *testing.T) {
	d := objstore.NewDir(filepath.Join(t.TempDir(), "never-written"))
	objs, err := d.List(context.Background(), "")
	if err != nil || len(objs) != 0 {
		t.Fatalf("List on a missing root = %v, %v; want nothing and no error", objs, err)
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	d := objstore.NewDir(t.TempDir())
	if err := d.Put(ctx, "a.json", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, "a.json"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(ctx, "a.json"); !errors.Is(err, objstore.ErrNotFound) {
		t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	if err := d.Delete(ctx, "a.json"); err != nil {
		t.Fatalf("Delete of a missing object: %v, want no error", err)
	}
}

func TestInvalidKeys(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d := objstore.NewDir(filepath.Join(root, "store"))
	for _, key := range []string{"", "/abs", "a/../b", "../escape", "a//b", "a/./b", "dir/", "."} {
		checks := map[string]error{
			"Put":         d.Put(ctx, key, []byte("x")),
			"PutIfAbsent": d.PutIfAbsent(ctx, key, []byte("x")),
			"Delete":      d.Delete(ctx, key),
		}
		_, checks["Get"] = d.Get(ctx, key)
		for op, err := range checks {
			if err == nil || !strings.Contains(err.Error(), "invalid object key") {
				t.Errorf("%s(%q): err = %v, want an invalid object key error", op, key, err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(root, "outside.json"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"../", "../outside", "/abs", "a/../../"} {
		objs, err := d.List(ctx, prefix)
		if err == nil || !strings.Contains(err.Error(), "invalid object key prefix") {
			t.Errorf("List(%q) = %v, %v; want an invalid prefix error", prefix, keys(objs), err)
		}
	}
}

// listOnly hides a store's ListAfter, so ListAfter takes its fallback through List.
type listOnly struct{ objstore.Store }

func TestListAfter(t *testing.T) {
	ctx := context.Background()
	d := objstore.NewDir(t.TempDir())
	for _, k := range []string{"t/_delta_log/00.json", "t/_delta_log/01.json", "t/_delta_log/02.checkpoint.parquet", "t/_delta_log/02.json",
		"t/_delta_log/_last_checkpoint", "t/a/x.parquet", "t/part-0.parquet", "t/_delta_lo.json", "u/1.json"} {
		if err := d.Put(ctx, k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		prefix, after string
		want          []string
	}{
		{"t/_delta_log/", "t/_delta_log/01.json", []string{"t/_delta_log/02.checkpoint.parquet", "t/_delta_log/02.json", "t/_delta_log/_last_checkpoint"}},
		{"t/_delta_log/", "t/_delta_log/02.json", []string{"t/_delta_log/_last_checkpoint"}},
		{"t/_delta_log/", "t/_delta_log/01", []string{"t/_delta_log/01.json", "t/_delta_log/02.checkpoint.parquet", "t/_delta_log/02.json", "t/_delta_log/_last_checkpoint"}},
		{"t/_delta_log/", "t/_delta_log/~", nil},
		{"t/", "t/_delta_log/_last_checkpoint", []string{"t/a/x.parquet", "t/part-0.parquet"}},
		{"t/", "t/_delta_lo", []string{"t/_delta_lo.json", "t/_delta_log/00.json", "t/_delta_log/01.json", "t/_delta_log/02.checkpoint.parquet", "t/_delta_log/02.json", "t/_delta_log/_last_checkpoint", "t/a/x.parquet", "t/part-0.parquet"}},
		{"", "t/zz", []string{"u/1.json"}},
		{"t/", "", []string{"t/_delta_lo.json", "t/_delta_log/00.json", "t/_delta_log/01.json", "t/_delta_log/02.checkpoint.parquet", "t/_delta_log/02.json", "t/_delta_log/_last_checkpoint", "t/a/x.parquet", "t/part-0.parquet"}},
	}
	for _, tt := range tests {
		for name, s := range map[string]objstore.Store{"Dir": d, "List fallback": listOnly{d}} {
			objs, err := objstore.ListAfter(ctx, s, tt.prefix, tt.after)
			if err != nil {
				t.Fatalf("%s: ListAfter(%q, %q): %v", name, tt.prefix, tt.after, err)
			}
			if !reflect.DeepEqual(keys(objs), tt.want) {
				t.Errorf("%s: ListAfter(%q, %q) = %v, want %v", name, tt.prefix, tt.after, keys(objs), tt.want)
			}
		}
	}
}

func TestFolders(t *testing.T) {
	ctx := context.Background()
	d := objstore.NewDir(t.TempDir())
	for _, k := range []string{"a/x.json", "a/b/y.json", "a/c/d/z.json", "top.json"} {
		if err := d.Put(ctx, k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"a/"}},
		{"a/", []string{"a/b/", "a/c/"}},
		{"a/c/", []string{"a/c/d/"}},
		{"a/b/", nil},
		{"missing/", nil},
	}
	for _, tt := range tests {
		got, err := d.Folders(ctx, tt.prefix)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Folders(%q) = %v, %v; want %v", tt.prefix, got, err, tt.want)
		}
	}
	for _, prefix := range []string{"a", "../", "a/../../"} {
		if _, err := d.Folders(ctx, prefix); err == nil || !strings.Contains(err.Error(), "invalid object key prefix") {
			t.Errorf("Folders(%q): err = %v, want an invalid prefix error", prefix, err)
		}
	}
}
