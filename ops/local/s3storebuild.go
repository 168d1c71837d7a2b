package local

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
	"go.etcd.io/bbolt"
)

// buildGroup is how many entries one transaction of the first build commits.
const buildGroup = 10_000

// buildIndex indexes the bodies under buckets/, as the file backend (gofakes3's s3afero) left
// them: each bucket folder is a bucket, each file an object whose ETag and metadata come from the
// backend's metadata/ file when that still describes the body, or are the body's MD5 and none.
// The index counts as built only once every bucket is in, so a crash midway builds it again.
func (s *s3Store) buildIndex() error {
	root := filepath.Join(s.root, "buckets")
	dirs, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if !d.IsDir() || gofakes3.ValidateBucketName(d.Name()) != nil {
			continue
		}
		if err := s.buildBucket(d); err != nil {
			return fmt.Errorf("bucket %s: %w", d.Name(), err)
		}
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(stateIndex).Put(builtKey, encodeIndexTime(time.Now()))
	})
}

// buildBucket indexes one bucket folder.
func (s *s3Store) buildBucket(d fs.DirEntry) error {
	bucket := d.Name()
	info, err := d.Info()
	if err != nil {
		return err
	}
	if err := s.db.Update(func(tx *bbolt.Tx) error { return addBucket(tx, bucket, info.ModTime()) }); err != nil {
		return err
	}
	folder := filepath.Join(s.root, "buckets", bucket)
	group := map[string][]byte{}
	flush := func() error {
		err := s.db.Update(func(tx *bbolt.Tx) error {
			b, err := objects(tx, bucket)
			if err != nil {
				return err
			}
			for k, v := range group {
				if err := b.Put([]byte(k), v); err != nil {
					return err
				}
			}
			return nil
		})
		clear(group)
		return err
	}
	err = filepath.WalkDir(folder, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(folder, path)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if checkKey(key) != nil {
			return nil
		}
		e, err := s.oldEntry(bucket, key, path, d)
		if err != nil {
			return fmt.Errorf("index %s: %w", key, err)
		}
		group[key] = e.encode()
		if len(group) == buildGroup {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// oldEntry describes a body the file backend wrote, from its metadata file if that matches the body.
func (s *s3Store) oldEntry(bucket, key, path string, d fs.DirEntry) (s3Entry, error) {
	info, err := d.Info()
	if err != nil {
		return s3Entry{}, err
	}
	e := s3Entry{Size: info.Size(), ModTime: info.ModTime()}
	old, err := s.oldMeta(bucket, key)
	if err != nil {
		return s3Entry{}, err
	}
	e.Meta = old.Meta
	if len(old.Hash) == md5Len && old.Size == e.Size && old.ModTime.Sub(e.ModTime).Abs() < time.Second {
		e.Hash = old.Hash
		return e, nil
	}
	e.Hash, err = hashFile(path)
	return e, err
}

// md5Len is the length of an MD5 sum, the only hash an ETag here can be.
const md5Len = 16

// oldMetadata is the file backend's metadata file, as s3afero's Metadata encodes it.
type oldMetadata struct {
	ModTime time.Time
	Size    int64
	Hash    []byte
	Meta    map[string]string
}

// oldMeta reads the file backend's metadata of a key, or none if it has no file: the backend
// names it metadata/<bucket>/<key with / and \ as _>-<FNV-128a of the key in hex>.
func (s *s3Store) oldMeta(bucket, key string) (oldMetadata, error) {
	h := fnv.New128a()
	h.Write([]byte(key))
	name := strings.NewReplacer("/", "_", `\`, "_").Replace(key) + "-" + hex.EncodeToString(h.Sum(nil))
	var m oldMetadata
	data, err := os.ReadFile(filepath.Join(s.root, "metadata", bucket, name))
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	if json.Unmarshal(data, &m) != nil {
		// A damaged metadata file only loses the ETag it cached: the body's MD5 replaces it.
		return oldMetadata{}, nil
	}
	return m, nil
}
