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

// landingList is the keys of one table's landed objects in key order, kept compactly: at a
// million landings their keys as strings would be one of the run's largest holdings, so a key
// in the sink's layout is kept as its partition and offset and only any other key whole.
type landingList struct {
	topic      string
	partitions []int32
	offsets    []int64
	// others holds, by position, the keys not in the sink's layout.
	others map[int]string
}

// len counts the landings.
func (l *landingList) len() int { return len(l.offsets) }

// key returns the key of the i-th landing.
func (l *landingList) key(i int) string {
	if k, ok := l.others[i]; ok {
		return k
	}
	return sink.Key(l.topic, l.partitions[i], l.offsets[i])
}

// add appends a key, compactly when sink.Key gives it back exactly.
func (l *landingList) add(key string) {
	topic, partition, offset, ok := sink.ParseKey(key)
	if !ok || topic != l.topic || sink.Key(topic, partition, offset) != key {
		if l.others == nil {
			l.others = map[int]string{}
		}
		l.others[len(l.offsets)] = key
		partition, offset = 0, 0
	}
	l.partitions = append(l.partitions, partition)
	l.offsets = append(l.offsets, offset)
}

// landingKeys lists the landed `.json` objects of one table's topic, in key order (partition,
// then start offset).
func landingKeys(ctx context.Context, store objstore.Store, uid string, table record.Table) (*landingList, error) {
	prefix := TopicPrefix(uid, table)
	keys := &landingList{topic: uid + "." + string(table)}
	// A page at a time, so the listing of a million landings is never held whole.
	err := objstore.ListPages(ctx, store, prefix, "", func(page []objstore.Object) bool {
		for _, o := range page {
			if strings.HasSuffix(o.Key, ".json") {
				keys.add(o.Key)
			}
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("list landings %s: %w", prefix, err)
	}
	return keys, nil
}

// fetched is one object's body or the error getting it.
type fetched struct {
	body []byte
	err  error
}

// fetchInOrder gets the n objects under key(0) … key(n-1), up to fetchAhead at a time, and hands
// each body to use in that order; an error from use stops the fetching and is returned.
func fetchInOrder(ctx context.Context, store objstore.Store, n int, key func(int) string, use func(key string, body []byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := make(chan chan fetched, fetchAhead)
	go func() {
		defer close(queue)
		for i := range n {
			done := make(chan fetched, 1)
			select {
			case queue <- done:
			case <-ctx.Done():
				return
			}
			go func() {
				body, err := store.Get(ctx, key(i))
				done <- fetched{body, err}
			}()
		}
	}()
	i := 0
	for done := range queue {
		f := <-done
		k := key(i)
		if f.err != nil {
			return fmt.Errorf("get landing %s: %w", k, f.err)
		}
		if err := use(k, f.body); err != nil {
			return err
		}
		i++
	}
	return ctx.Err()
}

// cleanPath de-duplicates and cleans the raw JSON lines of one table read from a file, or from
// every `*.json` file below a folder (landed objects copied out of a bucket), in path order,
// handing each cleaned row to use as clean.NewBatch does.
func cleanPath[T clean.CleanRow](table record.Table, path string, use func(*T)) (clean.Report, error) {
	info, err := os.Stat(path)
	if err != nil {
		return clean.Report{}, fmt.Errorf("read %s records %s: %w (give a file of JSON lines or a folder of landed .json objects)", table, path, err)
	}
	files := []string{path}
	if info.IsDir() {
		if files, err = jsonFiles(path); err != nil {
			return clean.Report{}, fmt.Errorf("read %s records %s: %w", table, path, err)
		}
	}
	b := clean.NewBatch(use)
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			return clean.Report{}, fmt.Errorf("read %s records %s: %w", table, f, err)
		}
		b.Add(f, body)
	}
	return b.Report(), nil
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
