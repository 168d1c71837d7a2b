package local

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/spf13/afero"
)

// tmpDir holds object bodies while they are written, beside the buckets so a rename publishes them.
const tmpDir = "tmp"

// newS3 returns the S3 handler over the folder root (buckets/, metadata/, tmp/) with bucket created.
func newS3(root, bucket string) (http.Handler, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("create s3 folder %s: %w", root, err)
	}
	base := afero.NewBasePathFs(afero.NewOsFs(), root)
	// Bodies left by a crash mid-write were never published; drop them.
	if err := base.RemoveAll(tmpDir); err != nil {
		return nil, fmt.Errorf("clean s3 folder %s: %w", root, err)
	}
	if err := base.MkdirAll(tmpDir, 0o755); err != nil {
		return nil, fmt.Errorf("create s3 folder %s: %w", root, err)
	}
	backend, err := s3afero.MultiBucket(atomicFs{Fs: base})
	if err != nil {
		return nil, fmt.Errorf("open s3 folder %s: %w", root, err)
	}
	exists, err := backend.BucketExists(bucket)
	if err != nil {
		return nil, fmt.Errorf("check bucket %s: %w", bucket, err)
	}
	if !exists {
		if err := backend.CreateBucket(bucket); err != nil {
			return nil, fmt.Errorf("create bucket %s: %w", bucket, err)
		}
	}
	return keepInBucket(gofakes3.New(listingBackend{backend}, gofakes3.WithAutoBucket(false)).Server()), nil
}

// maxKeyLen is the longest key S3 accepts, in bytes.
const maxKeyLen = 1024

// checkKey refuses a key the file backend would store under another name: it keeps a key as a
// file path, so an empty, "." or ".." segment would name a file of another key or of another
// bucket (a/../b is b, ../other-bucket/x is another bucket's x). AWS keeps such keys as opaque
// strings; this server refuses them, so nothing is ever read, written or deleted outside the
// bucket's own folder.
func checkKey(key string) error {
	if len(key) > maxKeyLen {
		return gofakes3.ErrorMessagef(gofakes3.ErrKeyTooLong, "key is %d bytes, S3 keeps keys of up to %d", len(key), maxKeyLen)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return gofakes3.ErrorMessagef(gofakes3.ErrInvalidArgument,
				"key %q has an empty, . or .. segment, which the local S3 cannot keep inside its bucket: name the object without them", key)
		}
	}
	if strings.ContainsRune(key, 0) {
		return gofakes3.ErrorMessagef(gofakes3.ErrInvalidArgument, "key %q contains a NUL byte: name the object without it", key)
	}
	return nil
}

// keepInBucket refuses, with 400 before gofakes3 sees it, a request whose path or copy source
// names an invalid bucket or a key checkKey refuses. Keys that arrive in a body (multi-object
// delete, browser uploads) are checked by the backend.
func keepInBucket(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		err := checkObject(bucket, key)
		if src := r.Header.Get("X-Amz-Copy-Source"); err == nil && src != "" {
			err = checkCopySource(src)
		}
		if err != nil {
			// Every check answers an S3 error; anything else is still a refusal.
			e := &gofakes3.ErrorResponse{Code: gofakes3.ErrInvalidArgument, Message: err.Error()}
			errors.As(err, &e)
			writeS3Error(w, r, e.Code.Status(), e)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// checkObject checks the bucket and key of a request's path; either may be empty.
func checkObject(bucket, key string) error {
	if bucket != "" {
		if err := gofakes3.ValidateBucketName(bucket); err != nil {
			return gofakes3.ErrorMessagef(gofakes3.ErrInvalidBucketName, "bucket %q: %v", bucket, err)
		}
	}
	if key == "" {
		return nil
	}
	return checkKey(key)
}

// checkCopySource checks the bucket/key an x-amz-copy-source header names.
func checkCopySource(src string) error {
	src, _, _ = strings.Cut(src, "?")
	name, err := url.PathUnescape(src)
	if err != nil {
		return gofakes3.ErrorMessagef(gofakes3.ErrInvalidArgument, "copy source %q is not URL-encoded: %v", src, err)
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(name, "/"), "/")
	if bucket == "" || key == "" {
		return gofakes3.ErrorMessagef(gofakes3.ErrInvalidArgument, "copy source %q names no bucket/key", src)
	}
	return checkObject(bucket, key)
}

// writeS3Error answers with an S3 XML error, the shape every S3 client parses.
func writeS3Error(w http.ResponseWriter, r *http.Request, status int, e *gofakes3.ErrorResponse) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	body, _ := xml.Marshal(e)
	_, _ = w.Write(append([]byte(xml.Header), body...))
}

// listingBackend answers a delimited listing under a prefix that matches no folder with an empty
// list, as S3 does; the file backend reports NoSuchBucket there, which breaks `s3 ls topics/` on a
// fresh bucket.
type listingBackend struct {
	*s3afero.MultiBucketBackend
}

// ListBucket lists the bucket, treating a missing prefix folder in an existing bucket as empty.
func (b listingBackend) ListBucket(bucket string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	// The backend lists a delimited prefix's folder as a file path; a folder no key can have
	// (../) would list another bucket's, so it lists nothing, as no key starts with it.
	if prefix != nil {
		if folder, _, ok := prefix.FilePrefix(); ok && folder != "" && checkKey(folder) != nil {
			return gofakes3.NewObjectList(), nil
		}
	}
	list, err := b.MultiBucketBackend.ListBucket(bucket, prefix, page)
	if err != nil && gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
		if ok, existsErr := b.BucketExists(bucket); existsErr == nil && ok {
			return gofakes3.NewObjectList(), nil
		}
	}
	return list, err
}

// PutObject reads the whole body before the backend opens the object's file, so a client that
// disconnects mid-upload leaves the old object (or none) instead of a truncated one.
func (b listingBackend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, conditions *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	if err := checkKey(key); err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	body, err := io.ReadAll(input)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	if size >= 0 && int64(len(body)) != size {
		return gofakes3.PutObjectResult{}, gofakes3.ErrIncompleteBody
	}
	return b.MultiBucketBackend.PutObject(bucket, key, meta, bytes.NewReader(body), int64(len(body)), conditions)
}

// DeleteMulti deletes the keys of a multi-object delete, refusing the request if one of them is a
// key checkKey refuses.
func (b listingBackend) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	for _, key := range keys {
		if err := checkKey(key); err != nil {
			return gofakes3.MultiDeleteResult{}, err
		}
	}
	return b.MultiBucketBackend.DeleteMulti(bucket, keys...)
}

// atomicFs makes object writes appear whole. The file backend creates the object's file in place
// and copies the body into it, so a reader (or a crash) could otherwise meet half an object; here
// the body goes to a temporary file that is renamed over the object when the backend closes it.
type atomicFs struct {
	afero.Fs
}

// Create opens a temporary file that becomes name when closed.
func (a atomicFs) Create(name string) (afero.File, error) {
	f, err := afero.TempFile(a.Fs, tmpDir, "put-*")
	if err != nil {
		return nil, err
	}
	return &publishOnClose{File: f, fs: a.Fs, name: name}, nil
}

// publishOnClose is a temporary object body that is renamed to its object's name on Close.
type publishOnClose struct {
	afero.File
	fs     afero.Fs
	name   string
	closed bool
}

// Close finishes the body and publishes it under the object's name.
func (p *publishOnClose) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	tmp := p.File.Name()
	if err := p.File.Close(); err != nil {
		p.fs.Remove(tmp)
		return err
	}
	if err := p.fs.Rename(tmp, p.name); err != nil {
		p.fs.Remove(tmp)
		return err
	}
	return nil
}
