package objstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Dir is a Store kept in a folder on disk; keys map to relative file paths.
type Dir struct {
	root string
}

// NewDir returns a Store rooted at the folder root, which is created on first write.
func NewDir(root string) *Dir { return &Dir{root: root} }

// Root returns the folder the store keeps its objects in.
func (d *Dir) Root() string { return d.root }

func (d *Dir) file(key string) (string, error) {
	clean := path.Clean("/" + key)[1:]
	if clean == "" || clean != key {
		return "", fmt.Errorf("invalid object key %q: use a relative slash-separated key without . or .. parts", key)
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// Get returns the object stored under key.
func (d *Dir) Get(_ context.Context, key string) ([]byte, error) {
	name, err := d.file(key)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("get %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	return data, nil
}

// temp writes data to a hidden temporary file beside the final name and returns its path.
func (d *Dir) temp(name string, data []byte) (string, error) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-"+filepath.Base(name)+"-*")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// Put writes the object through a temporary file and a rename, so it appears whole.
func (d *Dir) Put(_ context.Context, key string, data []byte) error {
	name, err := d.file(key)
	if err != nil {
		return err
	}
	tmp, err := d.temp(name, data)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// PutIfAbsent writes a whole temporary file and links it to the key, which fails if the key exists.
func (d *Dir) PutIfAbsent(_ context.Context, key string, data []byte) error {
	name, err := d.file(key)
	if err != nil {
		return err
	}
	tmp, err := d.temp(name, data)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, name); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("put %s: %w", key, ErrExist)
		}
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// List walks the folder and returns the objects under prefix, skipping temporary files.
func (d *Dir) List(_ context.Context, prefix string) ([]Object, error) {
	return d.list(prefix, "")
}

// ListAfter is List keeping only the keys that sort after the key after. A folder is read
// whole, but folders holding only earlier keys are skipped and only the files kept are
// examined, so listing the newest commits of a long log costs a read of its folder, not a
// look at each commit.
func (d *Dir) ListAfter(_ context.Context, prefix, after string) ([]Object, error) {
	return d.list(prefix, after)
}

func (d *Dir) list(prefix, after string) ([]Object, error) {
	start := d.root
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		// The folder part must be a clean relative key, or the walk would leave the root.
		folder, err := d.file(prefix[:i])
		if err != nil {
			return nil, fmt.Errorf("list %s: invalid object key prefix: use a relative slash-separated prefix without . or .. parts", prefix)
		}
		start = folder
	}
	var out []Object
	err := filepath.WalkDir(start, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if e.IsDir() {
			// Every key under a folder that sorts before after, and is not a prefix of it, does too.
			if folder := key + "/"; p != start && folder < after && !strings.HasPrefix(after, folder) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(e.Name(), ".tmp-") || !strings.HasPrefix(key, prefix) || key <= after {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		out = append(out, Object{Key: key, Size: info.Size(), Modified: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Folders returns the folders right under prefix ("" or ending in "/") from one read of its
// folder; a prefix that names no folder has none.
func (d *Dir) Folders(_ context.Context, prefix string) ([]string, error) {
	folder := d.root
	if prefix != "" {
		f, err := d.file(strings.TrimSuffix(prefix, "/"))
		if err != nil || !strings.HasSuffix(prefix, "/") {
			return nil, fmt.Errorf("list folders %s: invalid object key prefix: use \"\" or a relative slash-separated prefix ending in /", prefix)
		}
		folder = f
	}
	entries, err := os.ReadDir(folder)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list folders %s: %w", prefix, err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".tmp-") {
			out = append(out, prefix+e.Name()+"/")
		}
	}
	return out, nil
}

// Delete removes the object under key.
func (d *Dir) Delete(_ context.Context, key string) error {
	name, err := d.file(key)
	if err != nil {
		return err
	}
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}
