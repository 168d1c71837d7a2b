package local

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"go.etcd.io/bbolt"
)

// The index's top-level bbolt buckets.
var (
	// bucketsIndex maps an S3 bucket's name to its creation time.
	bucketsIndex = []byte("buckets")
	// objectsIndex holds one nested bbolt bucket per S3 bucket: key → s3Entry, sorted by key.
	objectsIndex = []byte("objects")
	// pendingIndex holds the entry of an overwrite whose body may already be published: bucket NUL
	// key → s3Entry. Opening the store settles each one against the body it finds.
	pendingIndex = []byte("pending")
	// stateIndex records that the index was built from the folders (builtKey).
	stateIndex = []byte("state")
	builtKey   = []byte("built")
)

// s3Store is the local S3's storage, a gofakes3.Backend. Bodies are files under
// buckets/<bucket>/<key>, as the file backend kept them; index.db keeps each bucket's keys sorted
// with their size, time, ETag and user metadata, so a listing reads one page from a cursor.
//
// Reads run in bbolt read transactions beside the one writer and take no lock but their key's
// (so a GET never meets a body newer than its entry); writes of one key are serialised by that
// lock, and concurrent writes share index commits.
type s3Store struct {
	root    string
	db      *bbolt.DB
	seed    maphash.Seed
	keys    [64]sync.RWMutex
	commits committer
}

// openS3Store opens (or creates) the store in root, building its index from the folders the file
// backend left if it has none yet.
func openS3Store(root string) (*s3Store, error) {
	for _, dir := range []string{root, filepath.Join(root, "buckets")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create s3 folder %s: %w", dir, err)
		}
	}
	// Bodies left by a crash mid-write were never published; drop them.
	tmp := filepath.Join(root, tmpDir)
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("clean s3 folder %s: %w", tmp, err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("create s3 folder %s: %w", tmp, err)
	}
	path := filepath.Join(root, "index.db")
	// NoSync: a commit reaches the page cache before the request is answered, which survives the
	// process being killed, as the file backend's renames did; neither claims to survive power loss.
	db, err := bbolt.Open(path, 0o644, &bbolt.Options{
		NoSync:          true,
		Timeout:         5 * time.Second,
		InitialMmapSize: 1 << 30,
	})
	if err != nil {
		return nil, fmt.Errorf("open s3 index %s: %w", path, err)
	}
	s := &s3Store{root: root, db: db, seed: maphash.MakeSeed()}
	s.commits.db = db
	if err := s.prepare(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open s3 index %s: %w", path, err)
	}
	return s, nil
}

// prepare creates the index's buckets, builds it from the folders on first open and settles the
// overwrites a crash left pending.
func (s *s3Store) prepare() error {
	built := false
	err := s.db.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketsIndex, objectsIndex, pendingIndex, stateIndex} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		built = tx.Bucket(stateIndex).Get(builtKey) != nil
		return nil
	})
	if err != nil {
		return err
	}
	if !built {
		if err := s.buildIndex(); err != nil {
			return fmt.Errorf("build from %s: %w", filepath.Join(s.root, "buckets"), err)
		}
	}
	return s.settlePending()
}

// Close closes the index.
func (s *s3Store) Close() error {
	return s.db.Close()
}

// keyLock returns the lock that serialises writes of the key and keeps a read's entry and body together.
func (s *s3Store) keyLock(bucket, key string) *sync.RWMutex {
	return &s.keys[maphash.String(s.seed, bucket+"/"+key)%uint64(len(s.keys))]
}

// bodyPath is the file that holds the key's body.
func (s *s3Store) bodyPath(bucket, key string) string {
	return filepath.Join(s.root, "buckets", bucket, filepath.FromSlash(key))
}

// objects returns the bucket's nested index, or NoSuchBucket.
func objects(tx *bbolt.Tx, bucket string) (*bbolt.Bucket, error) {
	b := tx.Bucket(objectsIndex).Bucket([]byte(bucket))
	if b == nil {
		return nil, gofakes3.BucketNotFound(bucket)
	}
	return b, nil
}

// entry reads the key's index entry; found is false if the key has none.
func (s *s3Store) entry(bucket, key string) (e s3Entry, found bool, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		b, err := objects(tx, bucket)
		if err != nil {
			return err
		}
		v := b.Get([]byte(key))
		if v == nil {
			return nil
		}
		found = true
		e, err = decodeS3Entry(v)
		if err != nil {
			return fmt.Errorf("read index entry %s/%s: %w", bucket, key, err)
		}
		return nil
	})
	return e, found, err
}

// ListBuckets lists the buckets with their creation times.
func (s *s3Store) ListBuckets() ([]gofakes3.BucketInfo, error) {
	var buckets []gofakes3.BucketInfo
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketsIndex).ForEach(func(k, v []byte) error {
			buckets = append(buckets, gofakes3.BucketInfo{Name: string(k), CreationDate: gofakes3.NewContentTime(decodeIndexTime(v))})
			return nil
		})
	})
	return buckets, err
}

// BucketExists says whether the bucket is in the index.
func (s *s3Store) BucketExists(name string) (exists bool, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		exists = tx.Bucket(bucketsIndex).Get([]byte(name)) != nil
		return nil
	})
	return exists, err
}

// CreateBucket creates the bucket's folder, then its index.
func (s *s3Store) CreateBucket(name string) error {
	if ok, err := s.BucketExists(name); err != nil || ok {
		if ok {
			return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, name)
		}
		return err
	}
	if err := os.MkdirAll(filepath.Join(s.root, "buckets", name), 0o755); err != nil {
		return fmt.Errorf("create bucket %s: %w", name, err)
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketsIndex).Get([]byte(name)) != nil {
			return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, name)
		}
		return addBucket(tx, name, time.Now())
	})
}

// addBucket adds the bucket to the index.
func addBucket(tx *bbolt.Tx, name string, created time.Time) error {
	if err := tx.Bucket(bucketsIndex).Put([]byte(name), encodeIndexTime(created)); err != nil {
		return err
	}
	_, err := tx.Bucket(objectsIndex).CreateBucketIfNotExists([]byte(name))
	return err
}

// DeleteBucket deletes the bucket if it holds no object.
func (s *s3Store) DeleteBucket(name string) error {
	return s.deleteBucket(name, false)
}

// ForceDeleteBucket deletes the bucket and every object in it.
func (s *s3Store) ForceDeleteBucket(name string) error {
	return s.deleteBucket(name, true)
}

// deleteBucket withdraws the bucket from the index, then removes its folder.
func (s *s3Store) deleteBucket(name string, force bool) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := objects(tx, name)
		if err != nil {
			return err
		}
		if k, _ := b.Cursor().First(); k != nil && !force {
			return gofakes3.ResourceError(gofakes3.ErrBucketNotEmpty, name)
		}
		if err := tx.Bucket(objectsIndex).DeleteBucket([]byte(name)); err != nil {
			return err
		}
		return tx.Bucket(bucketsIndex).Delete([]byte(name))
	})
	if err != nil {
		return err
	}
	return os.RemoveAll(filepath.Join(s.root, "buckets", name))
}

// HeadObject answers the key's entry with an empty body.
func (s *s3Store) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	e, found, err := s.entry(bucket, key)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, gofakes3.KeyNotFound(key)
	}
	return &gofakes3.Object{Name: key, Hash: e.Hash, Metadata: e.Meta, Size: e.Size, Contents: noBody{}}, nil
}

// GetObject opens the key's body, or the requested range of it.
func (s *s3Store) GetObject(bucket, key string, rangeRequest *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	lock := s.keyLock(bucket, key)
	lock.RLock()
	e, found, err := s.entry(bucket, key)
	var f *os.File
	if err == nil && found {
		f, err = os.Open(s.bodyPath(bucket, key))
		if err != nil {
			err = fmt.Errorf("open body of %s/%s: %w", bucket, key, err)
		}
	}
	lock.RUnlock()
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, gofakes3.KeyNotFound(key)
	}
	rnge, err := rangeRequest.Range(e.Size)
	if err != nil {
		f.Close()
		return nil, err
	}
	var body io.ReadCloser = f
	if rnge != nil {
		if _, err := f.Seek(rnge.Start, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
		body = rangeBody{Reader: io.LimitReader(f, rnge.Length), Closer: f}
	}
	return &gofakes3.Object{Name: key, Hash: e.Hash, Metadata: e.Meta, Range: rnge, Size: e.Size, Contents: body}, nil
}

// noBody is a HEAD's empty body.
type noBody struct{}

func (noBody) Read([]byte) (int, error) { return 0, io.EOF }
func (noBody) Close() error             { return nil }

// rangeBody reads a range of a body and closes the whole file.
type rangeBody struct {
	io.Reader
	io.Closer
}

// PutObject reads the whole body before it touches the object, so a client that disconnects
// mid-upload leaves the old object (or none) instead of a truncated one. The body is published
// (renamed into place) before its index entry is committed; an overwrite first commits its entry
// as pending, so a crash between the two leaves the index agreeing with the body it finds.
func (s *s3Store) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, conditions *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	var none gofakes3.PutObjectResult
	if err := checkKey(key); err != nil {
		return none, err
	}
	body, err := io.ReadAll(input)
	if err != nil {
		return none, err
	}
	if size >= 0 && int64(len(body)) != size {
		return none, gofakes3.ErrIncompleteBody
	}
	if ok, err := s.BucketExists(bucket); err != nil || !ok {
		if err == nil {
			err = gofakes3.BucketNotFound(bucket)
		}
		return none, err
	}
	tmp, err := s.writeTemp(body)
	if err != nil {
		return none, fmt.Errorf("put %s/%s: %w", bucket, key, err)
	}
	defer os.Remove(tmp)
	sum := md5.Sum(body)

	lock := s.keyLock(bucket, key)
	lock.Lock()
	defer lock.Unlock()
	old, found, err := s.entry(bucket, key)
	if err != nil {
		return none, err
	}
	if conditions != nil {
		info := &gofakes3.ConditionalObjectInfo{Exists: found, Hash: old.Hash}
		if err := gofakes3.CheckPutConditions(conditions, info); err != nil {
			return none, err
		}
	}
	e := s3Entry{Size: int64(len(body)), ModTime: time.Now(), Hash: sum[:], Meta: mergeMeta(meta, old.Meta)}
	if err := s.publish(bucket, key, e, tmp, found); err != nil {
		return none, fmt.Errorf("put %s/%s: %w", bucket, key, err)
	}
	return none, nil
}

// mergeMeta keeps the old object's metadata under the names the new one does not set, as the file
// backend (gofakes3.MergeMetadata) did.
func mergeMeta(meta, old map[string]string) map[string]string {
	if len(old) == 0 {
		return meta
	}
	merged := make(map[string]string, len(meta)+len(old))
	for k, v := range old {
		merged[k] = v
	}
	for k, v := range meta {
		merged[k] = v
	}
	return merged
}

// writeTemp writes a body to a new file under tmp/, where a crash leaves nothing published.
func (s *s3Store) writeTemp(body []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Join(s.root, tmpDir), "put-*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// publish renames the body into place and commits its entry; the caller holds the key's lock.
func (s *s3Store) publish(bucket, key string, e s3Entry, tmp string, overwrite bool) error {
	value := e.encode()
	pending := pendingKey(bucket, key)
	if overwrite {
		if err := s.commits.do(func(tx *bbolt.Tx) error { return tx.Bucket(pendingIndex).Put(pending, value) }); err != nil {
			return err
		}
	}
	path := s.bodyPath(bucket, key)
	err := os.MkdirAll(filepath.Dir(path), 0o755)
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		if overwrite {
			// The old body is still in place: its entry stands.
			err = errors.Join(err, s.commits.do(func(tx *bbolt.Tx) error { return tx.Bucket(pendingIndex).Delete(pending) }))
		}
		return err
	}
	return s.commits.do(func(tx *bbolt.Tx) error {
		b, err := objects(tx, bucket)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(key), value); err != nil {
			return err
		}
		if overwrite {
			return tx.Bucket(pendingIndex).Delete(pending)
		}
		return nil
	})
}

// pendingKey names a key in pendingIndex.
func pendingKey(bucket, key string) []byte {
	return []byte(bucket + "\x00" + key)
}

// settlePending keeps each pending overwrite whose body was published (its file hashes to the
// pending entry) and drops the others, whose old body and entry still agree.
func (s *s3Store) settlePending() error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		pending := tx.Bucket(pendingIndex)
		var keys [][]byte
		err := pending.ForEach(func(k, v []byte) error {
			keys = append(keys, bytes.Clone(k))
			bucket, key, ok := bytes.Cut(k, []byte{0})
			e, err := decodeS3Entry(v)
			if !ok || err != nil {
				return nil
			}
			if sum, err := hashFile(s.bodyPath(string(bucket), string(key))); err != nil || !bytes.Equal(sum, e.Hash) {
				return nil
			}
			b, err := objects(tx, string(bucket))
			if err != nil {
				return nil
			}
			return b.Put(bytes.Clone(key), bytes.Clone(v))
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := pending.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// hashFile returns the MD5 of a file's contents.
func hashFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// CopyObject copies an object through GetObject and PutObject.
func (s *s3Store) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	return gofakes3.CopyObject(s, srcBucket, srcKey, dstBucket, dstKey, meta)
}

// DeleteObject deletes the key; a key that does not exist is no error.
func (s *s3Store) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	result, err := s.DeleteMulti(bucket, key)
	if err == nil && len(result.Error) > 0 {
		err = errors.New(result.Error[0].Message)
	}
	return gofakes3.ObjectDeleteResult{}, err
}

// DeleteMulti withdraws the keys' entries in one commit, then removes their bodies. It refuses the
// request if one of the keys is a key checkKey refuses.
func (s *s3Store) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	var result gofakes3.MultiDeleteResult
	for _, key := range keys {
		if err := checkKey(key); err != nil {
			return result, err
		}
	}
	// Taking the stripes in order keeps two deletes from waiting on each other.
	var stripes []int
	for _, key := range keys {
		stripes = append(stripes, int(maphash.String(s.seed, bucket+"/"+key)%uint64(len(s.keys))))
	}
	slices.Sort(stripes)
	stripes = slices.Compact(stripes)
	for _, i := range stripes {
		s.keys[i].Lock()
		defer s.keys[i].Unlock()
	}
	err := s.commits.do(func(tx *bbolt.Tx) error {
		b, err := objects(tx, bucket)
		if err != nil {
			return err
		}
		for _, key := range keys {
			if err := b.Delete([]byte(key)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return result, err
	}
	for _, key := range keys {
		if err := os.Remove(s.bodyPath(bucket, key)); err != nil && !errors.Is(err, os.ErrNotExist) {
			result.Error = append(result.Error, gofakes3.ErrorResult{Code: gofakes3.ErrInternal, Message: fmt.Sprintf("delete body of %s/%s: %v", bucket, key, err), Key: key})
			continue
		}
		result.Deleted = append(result.Deleted, gofakes3.ObjectID{Key: key})
	}
	return result, nil
}
