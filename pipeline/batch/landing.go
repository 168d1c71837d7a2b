package batch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/sink"
)

// fetchAhead bounds how many landed objects are being fetched while earlier ones are cleaned:
// with one record per object the job is bound by round trips to the store, not by cleaning.
const fetchAhead = 16

// TopicPrefix returns the key prefix under which the S3 sink lands every object of one table's
// topic: `topics/<uid>.<table>/`.
func TopicPrefix(uid string, table record.Table) string {
	return sink.TopicPrefix(uid + "." + string(table))
}

// landingKeys lists the landed `.json` objects of one table's topic, in key order (partition,
// then start offset).
func landingKeys(ctx context.Context, store objstore.Store, uid string, table record.Table) ([]string, error) {
	prefix := TopicPrefix(uid, table)
	objects, err := store.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("list landings %s: %w", prefix, err)
	}
	var keys []string
	for _, o := range objects {
		if strings.HasSuffix(o.Key, ".json") {
			keys = append(keys, o.Key)
		}
	}
	return keys, nil
}

// cleanLandings de-duplicates and cleans the landed objects under keys of one table, in order.
func cleanLandings(ctx context.Context, store objstore.Store, keys []string, table record.Table, p *progress) (*clean.Batch, error) {
	b, err := clean.NewBatch(table)
	if err != nil {
		return nil, err
	}
	p.add(0, len(keys))
	err = fetchInOrder(ctx, store, keys, func(key string, body []byte) {
		b.Add(key, body)
		p.add(1, 0)
	})
	return b, err
}

// fetched is one object's body or the error getting it.
type fetched struct {
	body []byte
	err  error
}

// fetchInOrder gets the objects under keys, up to fetchAhead at a time, and hands each body to
// use in key order.
func fetchInOrder(ctx context.Context, store objstore.Store, keys []string, use func(key string, body []byte)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := make(chan chan fetched, fetchAhead)
	go func() {
		defer close(queue)
		for _, key := range keys {
			done := make(chan fetched, 1)
			select {
			case queue <- done:
			case <-ctx.Done():
				return
			}
			go func() {
				body, err := store.Get(ctx, key)
				done <- fetched{body, err}
			}()
		}
	}()
	i := 0
	for done := range queue {
		f := <-done
		if f.err != nil {
			return fmt.Errorf("get landing %s: %w", keys[i], f.err)
		}
		use(keys[i], f.body)
		i++
	}
	return ctx.Err()
}

// cleanPath de-duplicates and cleans the raw JSON lines of one table read from a file, or from
// every `*.json` file below a folder (landed objects copied out of a bucket), in path order.
func cleanPath(table record.Table, path string) (*clean.Batch, error) {
	b, err := clean.NewBatch(table)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s records %s: %w (give a file of JSON lines or a folder of landed .json objects)", table, path, err)
	}
	files := []string{path}
	if info.IsDir() {
		if files, err = jsonFiles(path); err != nil {
			return nil, fmt.Errorf("read %s records %s: %w", table, path, err)
		}
	}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read %s records %s: %w", table, f, err)
		}
		b.Add(f, body)
	}
	return b, nil
}

// jsonFiles lists the `*.json` files below root, sorted.
func jsonFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errNoJSONFiles
	}
	slices.Sort(files)
	return files, nil
}

var errNoJSONFiles = errors.New("the folder holds no .json files; give a file of JSON lines or a folder of landed objects")

// OpenLandings returns the folder of landed objects dir, refusing one that does not exist, so a
// mistyped path is an error rather than a run that finds nothing.
func OpenLandings(dir string) (*objstore.Dir, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("landings folder %s does not exist: give the folder `seed --landings` wrote, or leave --landings out to read the landing bucket", dir)
	case err != nil:
		return nil, fmt.Errorf("landings folder %s: %w", dir, err)
	case !info.IsDir():
		return nil, fmt.Errorf("landings folder %s is not a folder: give the folder that holds topics/, or use `clean` or `analyze` for a file of JSON lines", dir)
	}
	return objstore.NewDir(dir), nil
}
