package local

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// tmpDir holds object bodies while they are written, beside the buckets so a rename publishes them.
const tmpDir = "tmp"

// newS3 returns the S3 handler over the folder root (buckets/, index.db, tmp/) with bucket
// created, and the store to close once the server has stopped.
func newS3(root, bucket string) (http.Handler, io.Closer, error) {
	store, err := openS3Store(root)
	if err != nil {
		return nil, nil, err
	}
	exists, err := store.BucketExists(bucket)
	if err == nil && !exists {
		err = store.CreateBucket(bucket)
	}
	if err != nil {
		store.Close()
		return nil, nil, fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	return keepInBucket(gofakes3.New(store, gofakes3.WithAutoBucket(false)).Server()), store, nil
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
