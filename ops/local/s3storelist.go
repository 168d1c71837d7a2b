package local

import (
	"bytes"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"go.etcd.io/bbolt"
)

// ListBucket lists one page of the bucket's keys under the prefix from a cursor on the index: it
// seeks to the prefix (or past the marker), and past each common prefix instead of stepping
// through its keys, so a page costs what its keys cost whatever the bucket holds. MaxKeys counts
// keys and common prefixes, as S3 does; 0 lists everything. A prefix no key has lists nothing.
func (s *s3Store) ListBucket(bucket string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	var p gofakes3.Prefix
	if prefix != nil {
		p = *prefix
	}
	list := gofakes3.NewObjectList()
	err := s.db.View(func(tx *bbolt.Tx) error {
		b, err := objects(tx, bucket)
		if err != nil {
			return err
		}
		return listPage(b.Cursor(), p, page, list)
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// listPage fills list with the page's keys and common prefixes, marking it truncated, with the
// last name it holds as NextMarker, when one more name follows.
func listPage(c *bbolt.Cursor, p gofakes3.Prefix, page gofakes3.ListBucketPage, list *gofakes3.ObjectList) error {
	start := ""
	if p.HasPrefix {
		start = p.Prefix
	}
	delim := ""
	if p.HasDelimiter {
		delim = p.Delimiter
	}
	marker := ""
	if page.HasMarker {
		marker = page.Marker
	}
	k, v := c.Seek([]byte(max(start, marker)))
	if marker != "" && string(k) == marker {
		k, v = c.Next()
	}
	var n int64
	last := ""
	for k != nil && bytes.HasPrefix(k, []byte(start)) {
		key := string(k)
		common := ""
		if delim != "" {
			if i := strings.Index(key[len(start):], delim); i >= 0 {
				common = key[:len(start)+i+len(delim)]
			}
		}
		// A common prefix the marker reached was on an earlier page.
		if common != "" && common <= marker {
			k, v = seekPast(c, common)
			continue
		}
		if page.MaxKeys > 0 && n == page.MaxKeys {
			list.IsTruncated = true
			list.NextMarker = last
			break
		}
		n++
		if common != "" {
			list.AddPrefix(common)
			last = common
			k, v = seekPast(c, common)
			continue
		}
		e, err := decodeS3Entry(v)
		if err != nil {
			return err
		}
		list.Add(&gofakes3.Content{Key: key, LastModified: gofakes3.NewContentTime(e.ModTime), ETag: gofakes3.FormatETag(e.Hash), Size: e.Size})
		last = key
		k, v = c.Next()
	}
	return nil
}

// seekPast moves the cursor to the first key that does not start with prefix.
func seekPast(c *bbolt.Cursor, prefix string) ([]byte, []byte) {
	end := []byte(prefix)
	for len(end) > 0 && end[len(end)-1] == 0xff {
		end = end[:len(end)-1]
	}
	if len(end) == 0 {
		return nil, nil
	}
	end[len(end)-1]++
	return c.Seek(end)
}
