package local

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/spf13/afero"
	"go.etcd.io/bbolt"
)

// openTestStore opens a store in a new folder with bucket "b".
func openTestStore(t *testing.T, root string) *s3Store {
	t.Helper()
	s, err := openS3Store(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if ok, _ := s.BucketExists("b"); !ok {
		if err := s.CreateBucket("b"); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func put(t *testing.T, s *s3Store, key, body string, meta map[string]string) {
	t.Helper()
	if _, err := s.PutObject("b", key, meta, strings.NewReader(body), int64(len(body)), nil); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// getBody returns a key's body and its hash, failing if the body does not hash to its ETag.
func getBody(t *testing.T, s *s3Store, key string) string {
	t.Helper()
	obj, err := s.GetObject("b", key, nil)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer obj.Contents.Close()
	body, err := io.ReadAll(obj.Contents)
	if err != nil {
		t.Fatal(err)
	}
	if sum := md5.Sum(body); !bytes.Equal(sum[:], obj.Hash) || int64(len(body)) != obj.Size {
		t.Fatalf("get %s: body %q (md5 %x, %d bytes) does not match its entry (md5 %x, %d bytes)", key, body, sum, len(body), obj.Hash, obj.Size)
	}
	return string(body)
}

// seedIndex adds entries for keys to the bucket's index without bodies, in large transactions.
func seedIndex(t testing.TB, s *s3Store, bucket string, keys iter.Seq[string]) {
	t.Helper()
	tx, err := s.db.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for k := range keys {
		e := s3Entry{Size: int64(len(k)), ModTime: time.Unix(1764633600, 0), Hash: md5Of(k)}
		if err := tx.Bucket(objectsIndex).Bucket([]byte(bucket)).Put([]byte(k), e.encode()); err != nil {
			t.Fatal(err)
		}
		if n++; n%100_000 == 0 {
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if tx, err = s.db.Begin(true); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// listing is what one page of a listing holds.
type listing struct {
	Keys, Prefixes []string
	Truncated      bool
	Next           string
}

func listOf(l *gofakes3.ObjectList) listing {
	var got listing
	for _, c := range l.Contents {
		got.Keys = append(got.Keys, c.Key)
	}
	for _, p := range l.CommonPrefixes {
		got.Prefixes = append(got.Prefixes, p.Prefix)
	}
	got.Truncated, got.Next = l.IsTruncated, l.NextMarker
	return got
}

// referenceList lists sorted keys as S3 documents it, by filtering every key: the names (keys and
// common prefixes) after the marker under the prefix, max of them.
func referenceList(keys []string, prefix, delim, marker string, max int) listing {
	var names []string
	isPrefix := map[string]bool{}
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) || k <= marker {
			continue
		}
		name := k
		if i := strings.Index(k[len(prefix):], delim); delim != "" && i >= 0 {
			name = k[:len(prefix)+i+len(delim)]
			if name <= marker {
				continue
			}
			isPrefix[name] = true
		}
		if len(names) == 0 || names[len(names)-1] != name {
			names = append(names, name)
		}
	}
	var l listing
	if max > 0 && len(names) > max {
		names, l.Truncated, l.Next = names[:max], true, names[max-1]
	}
	for _, n := range names {
		if isPrefix[n] {
			l.Prefixes = append(l.Prefixes, n)
		} else {
			l.Keys = append(l.Keys, n)
		}
	}
	return l
}

func TestListBucketPagesAsS3Does(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	keys := []string{
		"a", "a.b", "a/b", "a/b/c", "a/b/d", "a/c", "a/c/x", "ab", "b/x/y/z", "b/y", "c~",
		"topics/u.pin/partition=0/u.pin+0+0000000000.json", "topics/u.pin/partition=0/u.pin+0+0000000001.json",
		"topics/u.pin/partition=1/u.pin+1+0000000000.json", "topics/u.geo/partition=0/u.geo+0+0000000000.json",
		"topics/u.user/partition=0/u.user+0+0000000000.json", "é/x", "\u00ff/x",
	}
	// Listing reads only the index; as bodies are files, "a" and "a/b" could not both be put.
	seedIndex(t, s, "b", slices.Values(keys))
	stored := slices.Sorted(slices.Values(keys))
	prefixes := []string{"", "a", "a/", "a/b", "topics/", "topics/u.pin/", "topics/u.pin/partition=0/", "b/x", "zz", "../"}
	markers := []string{"", "a", "a/", "a/b/", "a/b/c", "topics/u.geo/", "topics/u.pin/partition=0/", "zzz"}
	for _, prefix := range prefixes {
		for _, delim := range []string{"", "/", "="} {
			for _, marker := range markers {
				for _, max := range []int{0, 1, 2, 3, 1000} {
					p := gofakes3.Prefix{HasPrefix: prefix != "", Prefix: prefix, HasDelimiter: delim != "", Delimiter: delim}
					page := gofakes3.ListBucketPage{Marker: marker, HasMarker: marker != "", MaxKeys: int64(max)}
					l, err := s.ListBucket("b", &p, page)
					if err != nil {
						t.Fatal(err)
					}
					if got, want := listOf(l), referenceList(stored, prefix, delim, marker, max); !reflect.DeepEqual(got, want) {
						t.Errorf("list prefix %q delimiter %q marker %q max %d = %+v, want %+v", prefix, delim, marker, max, got, want)
					}
				}
			}
		}
	}
}

func TestListingPagesWalkTheWholeBucket(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	var keys []string
	for i := range 500 {
		k := fmt.Sprintf("topics/u.%s/partition=%d/u+%d+%010d.json", []string{"pin", "geo", "user"}[i%3], i%4, i%4, i)
		keys = append(keys, k)
		put(t, s, k, k, nil)
	}
	slices.Sort(keys)
	for _, delim := range []string{"", "/"} {
		for _, prefix := range []string{"", "topics/", "topics/u.pin/", "topics/u.pin/partition=2/"} {
			for _, max := range []int64{1, 7, 1000} {
				var got listing
				page := gofakes3.ListBucketPage{MaxKeys: max}
				p := gofakes3.Prefix{HasPrefix: prefix != "", Prefix: prefix, HasDelimiter: delim != "", Delimiter: delim}
				for pages := 0; ; pages++ {
					if pages > len(keys) {
						t.Fatalf("prefix %q delimiter %q max %d: the listing does not end", prefix, delim, max)
					}
					l, err := s.ListBucket("b", &p, page)
					if err != nil {
						t.Fatal(err)
					}
					one := listOf(l)
					if int64(len(one.Keys)+len(one.Prefixes)) > max {
						t.Fatalf("a page of %d holds %d names", max, len(one.Keys)+len(one.Prefixes))
					}
					got.Keys = append(got.Keys, one.Keys...)
					got.Prefixes = append(got.Prefixes, one.Prefixes...)
					if !one.Truncated {
						break
					}
					page.Marker, page.HasMarker = one.Next, true
				}
				if want := referenceList(keys, prefix, delim, "", 0); !reflect.DeepEqual(got, want) {
					t.Errorf("pages of %d under %q delimiter %q = %+v, want %+v", max, prefix, delim, got, want)
				}
			}
		}
	}
}

func TestListingAMissingBucketOrPrefix(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	put(t, s, "topics/a", "x", nil)
	if _, err := s.ListBucket("nope", nil, gofakes3.ListBucketPage{}); !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
		t.Errorf("list a missing bucket: %v, want NoSuchBucket", err)
	}
	p := gofakes3.NewFolderPrefix("landings/")
	l, err := s.ListBucket("b", &p, gofakes3.ListBucketPage{})
	if err != nil || len(l.Contents)+len(l.CommonPrefixes) != 0 {
		t.Errorf("list a prefix no key has: %+v %v, want an empty list", l, err)
	}
}

func TestObjectsKeepBodyHashAndMetadata(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	put(t, s, "a/b", "first", map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-One": "1"})
	put(t, s, "a/b", "second body", map[string]string{"X-Amz-Meta-Two": "2"})
	if got := getBody(t, s, "a/b"); got != "second body" {
		t.Errorf("body = %q, want the second", got)
	}
	head, err := s.HeadObject("b", "a/b")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-One": "1", "X-Amz-Meta-Two": "2"}
	if sum := md5.Sum([]byte("second body")); !reflect.DeepEqual(head.Metadata, want) || !bytes.Equal(head.Hash, sum[:]) || head.Size != 11 {
		t.Errorf("head = %+v, want metadata %v merged as the file backend did, md5 %x, 11 bytes", head, want, sum)
	}
	obj, err := s.GetObject("b", "a/b", &gofakes3.ObjectRangeRequest{Start: 2, End: 5})
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(obj.Contents)
	obj.Contents.Close()
	if string(part) != "cond" {
		t.Errorf("range 2-5 = %q, want cond", part)
	}
	if _, err := s.CopyObject("b", "a/b", "b", "c", map[string]string{"X-Amz-Meta-Three": "3"}); err != nil {
		t.Fatal(err)
	}
	if got := getBody(t, s, "c"); got != "second body" {
		t.Errorf("copy = %q, want the source's body", got)
	}
	res, err := s.DeleteMulti("b", "a/b", "c", "never")
	if err != nil || len(res.Deleted) != 3 || len(res.Error) != 0 {
		t.Errorf("delete multi = %+v %v, want three deleted", res, err)
	}
	for _, k := range []string{"a/b", "c"} {
		if _, err := s.GetObject("b", k, nil); !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
			t.Errorf("get %s after delete: %v, want NoSuchKey", k, err)
		}
		if _, err := os.Stat(s.bodyPath("b", k)); !os.IsNotExist(err) {
			t.Errorf("body of %s after delete: %v, want it removed", k, err)
		}
	}
	if _, err := s.DeleteMulti("b", "ok", "a/../x"); !gofakes3.HasErrorCode(err, gofakes3.ErrInvalidArgument) {
		t.Errorf("delete multi with a .. key: %v, want InvalidArgument", err)
	}
}

func TestConditionalPuts(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	star := "*"
	ifNone := &gofakes3.PutConditions{IfNoneMatch: &star}
	if _, err := s.PutObject("b", "_delta_log/0.json", nil, strings.NewReader("v0"), 2, ifNone); err != nil {
		t.Fatalf("first put if none match: %v", err)
	}
	if _, err := s.PutObject("b", "_delta_log/0.json", nil, strings.NewReader("v1"), 2, ifNone); !gofakes3.HasErrorCode(err, gofakes3.ErrPreconditionFailed) {
		t.Errorf("second put if none match: %v, want PreconditionFailed", err)
	}
	sum := md5.Sum([]byte("v0"))
	etag := gofakes3.FormatETag(sum[:])
	if _, err := s.PutObject("b", "_delta_log/0.json", nil, strings.NewReader("v2"), 2, &gofakes3.PutConditions{IfMatch: &etag}); err != nil {
		t.Errorf("put if match the current ETag: %v", err)
	}
	if _, err := s.PutObject("b", "_delta_log/0.json", nil, strings.NewReader("v3"), 2, &gofakes3.PutConditions{IfMatch: &etag}); !gofakes3.HasErrorCode(err, gofakes3.ErrPreconditionFailed) {
		t.Errorf("put if match an old ETag: %v, want PreconditionFailed", err)
	}
	if got := getBody(t, s, "_delta_log/0.json"); got != "v2" {
		t.Errorf("body = %q, want v2", got)
	}
}

func TestConcurrentPutIfNoneMatchHasOneWinner(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	star := "*"
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range 16 {
		wg.Go(func() {
			body := fmt.Sprint(i)
			_, err := s.PutObject("b", "commit", nil, strings.NewReader(body), int64(len(body)), &gofakes3.PutConditions{IfNoneMatch: &star})
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				wins++
			} else if !gofakes3.HasErrorCode(err, gofakes3.ErrPreconditionFailed) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d puts if none match won, want 1", wins)
	}
}

func TestGetsMeetWholeObjectsBesideWritesAndListings(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	for i := range 20 {
		put(t, s, fmt.Sprintf("k%02d", i), "seed", nil)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for n := range 50 {
				key := fmt.Sprintf("k%02d", (w*7+n)%20)
				put(t, s, key, strings.Repeat(fmt.Sprint(w), n+1), map[string]string{"X-Amz-Meta-N": fmt.Sprint(n)})
			}
		})
		wg.Go(func() {
			for n := range 50 {
				getBody(t, s, fmt.Sprintf("k%02d", (w*3+n)%20))
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			l, err := s.ListBucket("b", nil, gofakes3.ListBucketPage{MaxKeys: 5})
			if err != nil || len(l.Contents) != 5 || !l.IsTruncated {
				t.Errorf("list beside writes: %+v %v, want 5 keys of 20", l, err)
			}
		}
	})
	wg.Wait()
}

func TestBucketsAreCreatedListedAndDeleted(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	if err := s.CreateBucket("b"); !gofakes3.HasErrorCode(err, gofakes3.ErrBucketAlreadyExists) {
		t.Errorf("create an existing bucket: %v, want BucketAlreadyExists", err)
	}
	if err := s.CreateBucket("other"); err != nil {
		t.Fatal(err)
	}
	put(t, s, "x", "1", nil)
	buckets, err := s.ListBuckets()
	if err != nil || len(buckets) != 2 || buckets[0].Name != "b" || buckets[1].Name != "other" {
		t.Errorf("buckets = %+v %v, want b and other", buckets, err)
	}
	if err := s.DeleteBucket("b"); !gofakes3.HasErrorCode(err, gofakes3.ErrBucketNotEmpty) {
		t.Errorf("delete a bucket with an object: %v, want BucketNotEmpty", err)
	}
	if err := s.DeleteBucket("other"); err != nil {
		t.Errorf("delete an empty bucket: %v", err)
	}
	if err := s.DeleteBucket("other"); !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
		t.Errorf("delete a deleted bucket: %v, want NoSuchBucket", err)
	}
	if err := s.ForceDeleteBucket("b"); err != nil {
		t.Errorf("force delete: %v", err)
	}
	if ok, _ := s.BucketExists("b"); ok {
		t.Error("bucket b exists after force delete")
	}
	if _, err := os.Stat(filepath.Join(s.root, "buckets", "b")); !os.IsNotExist(err) {
		t.Errorf("folder of b after force delete: %v, want it removed", err)
	}
	if _, err := s.PutObject("b", "x", nil, strings.NewReader(""), 0, nil); !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
		t.Errorf("put into a deleted bucket: %v, want NoSuchBucket", err)
	}
}

func TestADataDirOfTheFileBackendKeepsItsObjects(t *testing.T) {
	root := t.TempDir()
	old, err := s3afero.MultiBucket(afero.NewBasePathFs(afero.NewOsFs(), root))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"pintui-u", "other"} {
		if err := old.CreateBucket(name); err != nil {
			t.Fatal(err)
		}
	}
	objects := map[string]struct {
		body string
		meta map[string]string
	}{
		"topics/u.pin/partition=0/u.pin+0+0000000000.json": {`{"index":1}`, map[string]string{"Content-Type": "application/json"}},
		"topics/u.pin/partition=0/u.pin+0+0000000001.json": {`{"index":2}`, nil},
		"_delta_log/00000000000000000000.json":             {"commit", map[string]string{"X-Amz-Meta-Writer": "pintui"}},
		"empty":                                            {"", nil},
	}
	for key, o := range objects {
		if _, err := old.PutObject("pintui-u", key, o.meta, strings.NewReader(o.body), int64(len(o.body)), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.PutObject("other", "x", nil, strings.NewReader("theirs"), 6, nil); err != nil {
		t.Fatal(err)
	}
	// A body rewritten behind the backend's back: its cached ETag no longer holds.
	stale := filepath.Join(root, "buckets", "pintui-u", "empty")
	if err := os.WriteFile(stale, []byte("now full"), 0o644); err != nil {
		t.Fatal(err)
	}

	s, err := openS3Store(root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	buckets, err := s.ListBuckets()
	if err != nil || len(buckets) != 2 || buckets[0].Name != "other" || buckets[1].Name != "pintui-u" {
		t.Errorf("buckets = %+v %v, want other and pintui-u", buckets, err)
	}
	l, err := s.ListBucket("pintui-u", nil, gofakes3.ListBucketPage{})
	if err != nil || len(l.Contents) != len(objects) {
		t.Fatalf("listing after the build = %+v %v, want %d keys", l, err, len(objects))
	}
	objects["empty"] = struct {
		body string
		meta map[string]string
	}{"now full", nil}
	for key, o := range objects {
		obj, err := s.GetObject("pintui-u", key, nil)
		if err != nil {
			t.Fatalf("get %s: %v", key, err)
		}
		body, _ := io.ReadAll(obj.Contents)
		obj.Contents.Close()
		sum := md5.Sum([]byte(o.body))
		if string(body) != o.body || !bytes.Equal(obj.Hash, sum[:]) || obj.Size != int64(len(o.body)) {
			t.Errorf("get %s = %q md5 %x size %d, want %q md5 %x", key, body, obj.Hash, obj.Size, o.body, sum)
		}
		if len(o.meta) > 0 && !reflect.DeepEqual(obj.Metadata, o.meta) {
			t.Errorf("metadata of %s = %v, want %v", key, obj.Metadata, o.meta)
		}
	}
	for _, c := range l.Contents {
		if want := gofakes3.FormatETag(md5Of(objects[c.Key].body)); c.ETag != want || c.Size != int64(len(objects[c.Key].body)) {
			t.Errorf("listed %s with ETag %s size %d, want %s and %d", c.Key, c.ETag, c.Size, want, len(objects[c.Key].body))
		}
	}
	if got := getFrom(t, s, "other", "x"); got != "theirs" {
		t.Errorf("other/x = %q, want theirs", got)
	}
}

func md5Of(s string) []byte {
	sum := md5.Sum([]byte(s))
	return sum[:]
}

func getFrom(t *testing.T, s *s3Store, bucket, key string) string {
	t.Helper()
	obj, err := s.GetObject(bucket, key, nil)
	if err != nil {
		t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	defer obj.Contents.Close()
	body, _ := io.ReadAll(obj.Contents)
	return string(body)
}

func TestAnInterruptedOverwriteSettlesOnTheBodyItLeft(t *testing.T) {
	root := t.TempDir()
	s := openTestStore(t, root)
	put(t, s, "published", "old", nil)
	put(t, s, "unpublished", "old", nil)
	// What an overwrite leaves when the process dies after its pending commit: for "published"
	// after the rename too, for "unpublished" before it.
	for key, body := range map[string]string{"published": "new body", "unpublished": "new body"} {
		e := s3Entry{Size: int64(len(body)), Hash: md5Of(body), Meta: map[string]string{"X-Amz-Meta-New": "1"}}
		err := s.db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(pendingIndex).Put(pendingKey("b", key), e.encode()) })
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(s.bodyPath("b", "published"), []byte("new body"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openTestStore(t, root)
	if got := getBody(t, s, "published"); got != "new body" {
		t.Errorf("published = %q, want the new body", got)
	}
	if got := getBody(t, s, "unpublished"); got != "old" {
		t.Errorf("unpublished = %q, want the old body", got)
	}
	err := s.db.View(func(tx *bbolt.Tx) error {
		if k, _ := tx.Bucket(pendingIndex).Cursor().First(); k != nil {
			t.Errorf("pending %q after open, want none", k)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAPutThatFailsLeavesTheOldObject(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	put(t, s, "a", "old", nil)
	// A key under "a" needs "a" to be a folder, which it cannot be while it is an object.
	if _, err := s.PutObject("b", "a/b", nil, strings.NewReader("x"), 1, nil); err == nil {
		t.Error("put a/b beside the object a succeeded, want an error")
	}
	if _, err := s.PutObject("b", "a", nil, strings.NewReader("cut"), 10, nil); err != gofakes3.ErrIncompleteBody {
		t.Errorf("put of 3 bytes said to be 10: %v, want IncompleteBody", err)
	}
	if got := getBody(t, s, "a"); got != "old" {
		t.Errorf("a = %q, want old", got)
	}
	if _, err := s.HeadObject("b", "a/b"); !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
		t.Errorf("head a/b: %v, want NoSuchKey", err)
	}
	entries, _ := os.ReadDir(filepath.Join(s.root, tmpDir))
	if len(entries) != 0 {
		t.Errorf("tmp holds %d files after the failed puts, want none", len(entries))
	}
}

func TestDamagedEntriesAreRefused(t *testing.T) {
	e := s3Entry{Size: 5, Hash: md5Of("hello"), Meta: map[string]string{"a": "b"}}
	b := e.encode()
	for n := range len(b) {
		if _, err := decodeS3Entry(b[:n]); err != errDamagedEntry {
			t.Errorf("decode of %d of %d bytes: %v, want errDamagedEntry", n, len(b), err)
		}
	}
	got, err := decodeS3Entry(b)
	if err != nil || got.Size != 5 || !bytes.Equal(got.Hash, e.Hash) || !reflect.DeepEqual(got.Meta, e.Meta) {
		t.Errorf("round trip = %+v %v, want %+v", got, err, e)
	}
	for range 1000 {
		junk := make([]byte, rand.IntN(40))
		for i := range junk {
			junk[i] = byte(rand.IntN(256))
		}
		decodeS3Entry(junk)
	}
}
