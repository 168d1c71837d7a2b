package s3

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pintui/pintui/pipeline/objstore"
)

// Listing is one level of a bucket like `aws s3 ls` shows it: the common prefixes ("folders")
// directly under the prefix and the objects directly under it.
type Listing struct {
	Prefixes []string
	Objects  []objstore.Object
	// More says the listing stopped at its limit with more keys to follow.
	More bool
	// Last is the last key or prefix listed; LsAfter it lists the page that follows.
	Last string
}

// Ls lists bucket under prefix. Keys are whole bucket keys. Without recursive, keys below the next
// "/" are folded into Prefixes; with it, every object under prefix is listed. A positive limit
// stops the listing after that many prefixes and objects, so a bucket of millions of landings is
// not read whole to show its first page.
func (c *Client) Ls(ctx context.Context, bucket, prefix string, recursive bool, limit int) (Listing, error) {
	return c.LsAfter(ctx, bucket, prefix, "", recursive, limit)
}

// LsAfter is Ls starting after the key or prefix after, as Listing.Last gives it, so a listing
// goes on page by page. A prefix is skipped whole: nothing under it is listed again.
func (c *Client) LsAfter(ctx context.Context, bucket, prefix, after string, recursive bool, limit int) (Listing, error) {
	l, err := c.ls(ctx, bucket, prefix, after, recursive, limit)
	if n := len(l.Objects); n > 0 {
		l.Last = l.Objects[n-1].Key
	}
	if n := len(l.Prefixes); n > 0 && l.Prefixes[n-1] > l.Last {
		l.Last = l.Prefixes[n-1]
	}
	return l, err
}

func (c *Client) ls(ctx context.Context, bucket, prefix, after string, recursive bool, limit int) (Listing, error) {
	in := &awss3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	if after != "" {
		if strings.HasSuffix(after, "/") {
			// Every key under a listed prefix sorts before the prefix followed by the highest
			// code point, so starting there skips the prefix whole.
			after += "\U0010FFFF"
		}
		in.StartAfter = aws.String(after)
	}
	if !recursive {
		in.Delimiter = aws.String("/")
	}
	var l Listing
	for {
		if limit > 0 {
			in.MaxKeys = aws.Int32(int32(min(limit-len(l.Prefixes)-len(l.Objects), 1000)))
		}
		page, err := c.api.ListObjectsV2(ctx, in)
		if err != nil {
			return Listing{}, fmt.Errorf("list s3://%s/%s: %w%s", bucket, prefix, err, bucketHint(err))
		}
		// A server that ignores start-after (the local stack's) answers from the first key; what
		// it sends up to after is skipped, so a listing still goes on page by page.
		start := aws.ToString(in.StartAfter)
		for _, cp := range page.CommonPrefixes {
			if p := aws.ToString(cp.Prefix); p > start {
				l.Prefixes = append(l.Prefixes, p)
			}
		}
		for _, o := range page.Contents {
			if aws.ToString(o.Key) <= start {
				continue
			}
			l.Objects = append(l.Objects, objstore.Object{
				Key:      aws.ToString(o.Key),
				Size:     aws.ToInt64(o.Size),
				Modified: aws.ToTime(o.LastModified),
			})
		}
		if over := len(l.Prefixes) + len(l.Objects) - limit; limit > 0 && over > 0 {
			// A server that ignores max-keys (the local stack's) still gets a bounded listing.
			l.More = true
			drop := min(over, len(l.Objects))
			l.Objects = l.Objects[:len(l.Objects)-drop]
			l.Prefixes = l.Prefixes[:len(l.Prefixes)-(over-drop)]
			return l, nil
		}
		if !aws.ToBool(page.IsTruncated) || aws.ToString(page.NextContinuationToken) == "" {
			return l, nil
		}
		if limit > 0 && len(l.Prefixes)+len(l.Objects) >= limit {
			l.More = true
			return l, nil
		}
		in.ContinuationToken = page.NextContinuationToken
	}
}

// Cat copies the object under key to w and returns how many bytes it wrote.
func (c *Client) Cat(ctx context.Context, bucket, key string, w io.Writer) (int64, error) {
	out, err := c.api.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		if status(err) == http.StatusNotFound && code(err) != "NoSuchBucket" {
			return 0, fmt.Errorf("cat s3://%s/%s: %w: list the prefix with s3 ls to see the keys", bucket, key, objstore.ErrNotFound)
		}
		return 0, fmt.Errorf("cat s3://%s/%s: %w%s", bucket, key, err, bucketHint(err))
	}
	defer out.Body.Close()
	n, err := io.Copy(w, out.Body)
	if err != nil {
		return n, fmt.Errorf("cat s3://%s/%s: %w", bucket, key, err)
	}
	return n, nil
}

// bucketHint says what to do when the bucket itself is missing.
func bucketHint(err error) string {
	if code(err) == "NoSuchBucket" {
		return ": the bucket does not exist; start the local stack (pintui serve) or check the uid and profile"
	}
	return ""
}
