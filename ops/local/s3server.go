package local

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/spf13/afero"
)

// tmpDir holds object bodies while they are written, beside the buckets so a rename publishes them.
const tmpDir = "tmp"

// newS3 returns the S3 server over the folder root (buckets/, metadata/, tmp/) with bucket created.
func newS3(root, bucket string) (*gofakes3.GoFakeS3, error) {
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
	return gofakes3.New(listingBackend{backend}, gofakes3.WithAutoBucket(false)), nil
}

// listingBackend answers a delimited listing under a prefix that matches no folder with an empty
// list, as S3 does; the file backend reports NoSuchBucket there, which breaks `s3 ls topics/` on a
// fresh bucket.
type listingBackend struct {
	*s3afero.MultiBucketBackend
}

// ListBucket lists the bucket, treating a missing prefix folder in an existing bucket as empty.
func (b listingBackend) ListBucket(bucket string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
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
	body, err := io.ReadAll(input)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	if size >= 0 && int64(len(body)) != size {
		return gofakes3.PutObjectResult{}, gofakes3.ErrIncompleteBody
	}
	return b.MultiBucketBackend.PutObject(bucket, key, meta, bytes.NewReader(body), int64(len(body)), conditions)
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
