package s3

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pintui/pintui/pipeline/objstore"
)

// conflictRetries bounds how often PutIfAbsent retries S3's 409 ConditionalRequestConflict,
// which S3 returns when two conditional writes to one key race; the retry then sees 412 or wins.
const conflictRetries = 3

// Store is the pipeline's object store over one bucket, with every key under a prefix.
type Store struct {
	api    *awss3.Client
	bucket string
	prefix string
}

var (
	_ objstore.Store        = (*Store)(nil)
	_ objstore.AfterLister  = (*Store)(nil)
	_ objstore.FolderLister = (*Store)(nil)
	_ objstore.PageLister   = (*Store)(nil)
)

// Store returns the object store over bucket whose keys live under prefix ("" for the whole
// bucket; a non-empty prefix should end in "/").
func (c *Client) Store(bucket, prefix string) *Store {
	return &Store{api: c.api, bucket: bucket, prefix: prefix}
}

// key maps a store key to the bucket key, refusing keys a folder store would refuse too, so a
// pipeline stage behaves the same on either store.
func (s *Store) key(key string) (string, error) {
	clean := path.Clean("/" + key)[1:]
	if clean == "" || clean != key {
		return "", fmt.Errorf("invalid object key %q: use a relative slash-separated key without . or .. parts", key)
	}
	return s.prefix + key, nil
}

func (s *Store) where(key string) string { return "s3://" + s.bucket + "/" + s.prefix + key }

// Get returns the whole object under key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	k, err := s.key(key)
	if err != nil {
		return nil, err
	}
	out, err := s.api.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(k)})
	if err != nil {
		if status(err) == http.StatusNotFound && code(err) != "NoSuchBucket" {
			return nil, fmt.Errorf("get %s: %w", s.where(key), objstore.ErrNotFound)
		}
		return nil, fmt.Errorf("get %s: %w", s.where(key), err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", s.where(key), err)
	}
	return data, nil
}

// Put writes the object; S3 makes a single PUT visible whole.
func (s *Store) Put(ctx context.Context, key string, data []byte) error {
	return s.put(ctx, key, data, false)
}

// PutIfAbsent writes the object with If-None-Match: *, so S3 refuses it with 412 if the key exists.
func (s *Store) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	return s.put(ctx, key, data, true)
}

func (s *Store) put(ctx context.Context, key string, data []byte, absent bool) error {
	k, err := s.key(key)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		in := &awss3.PutObjectInput{
			Bucket: aws.String(s.bucket),
			Key:    aws.String(k),
			// A seekable body lets the SDK sign the payload instead of streaming aws-chunked.
			Body:          bytes.NewReader(data),
			ContentLength: aws.Int64(int64(len(data))),
		}
		if absent {
			in.IfNoneMatch = aws.String("*")
		}
		_, err = s.api.PutObject(ctx, in)
		switch {
		case err == nil:
			return nil
		case absent && status(err) == http.StatusPreconditionFailed:
			return fmt.Errorf("put %s: %w", s.where(key), objstore.ErrExist)
		case absent && status(err) == http.StatusConflict && attempt < conflictRetries:
			continue
		default:
			return fmt.Errorf("put %s: %w", s.where(key), err)
		}
	}
}

// List returns the objects under prefix sorted by key, following every page of the listing.
func (s *Store) List(ctx context.Context, prefix string) ([]objstore.Object, error) {
	return s.list(ctx, prefix, "")
}

// ListAfter is List from the key after on, with S3's start-after, so S3 pages only later keys.
func (s *Store) ListAfter(ctx context.Context, prefix, after string) ([]objstore.Object, error) {
	return s.list(ctx, prefix, after)
}

func (s *Store) list(ctx context.Context, prefix, after string) ([]objstore.Object, error) {
	var out []objstore.Object
	err := objstore.ListPages(ctx, s, prefix, after, func(page []objstore.Object) bool {
		out = append(out, page...)
		return true
	})
	return out, err
}

// ListPage lists one page of ListObjectsV2 (S3's 1,000 keys) from start-after on.
func (s *Store) ListPage(ctx context.Context, prefix, after string) ([]objstore.Object, bool, error) {
	in := &awss3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(s.prefix + prefix),
	}
	if after != "" {
		in.StartAfter = aws.String(s.prefix + after)
	}
	page, err := s.api.ListObjectsV2(ctx, in)
	if err != nil {
		return nil, false, fmt.Errorf("list %s: %w", s.where(prefix), err)
	}
	out := make([]objstore.Object, 0, len(page.Contents))
	for _, o := range page.Contents {
		key := aws.ToString(o.Key)[len(s.prefix):]
		if key <= after {
			continue
		}
		out = append(out, objstore.Object{
			Key:      key,
			Size:     aws.ToInt64(o.Size),
			Modified: aws.ToTime(o.LastModified),
		})
	}
	more := aws.ToBool(page.IsTruncated)
	if more && len(out) == 0 {
		// A server that pages from the start whatever start-after says would list forever.
		return nil, false, fmt.Errorf("list %s: the server answered start-after %q with earlier keys only", s.where(prefix), after)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, more, nil
}

// Folders returns the folders right under prefix from S3's common prefixes with the delimiter
// "/", so the objects inside them are not listed.
func (s *Store) Folders(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	in := &awss3.ListObjectsV2Input{
		Bucket:    aws.String(s.bucket),
		Prefix:    aws.String(s.prefix + prefix),
		Delimiter: aws.String("/"),
	}
	p := awss3.NewListObjectsV2Paginator(s.api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list folders %s: %w", s.where(prefix), err)
		}
		for _, cp := range page.CommonPrefixes {
			out = append(out, aws.ToString(cp.Prefix)[len(s.prefix):])
		}
	}
	sort.Strings(out)
	return out, nil
}

// Delete removes the object; S3 reports success for a missing key too.
func (s *Store) Delete(ctx context.Context, key string) error {
	k, err := s.key(key)
	if err != nil {
		return err
	}
	_, err = s.api.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(k)})
	if err != nil && !(status(err) == http.StatusNotFound && code(err) != "NoSuchBucket") {
		return fmt.Errorf("delete %s: %w", s.where(key), err)
	}
	return nil
}
