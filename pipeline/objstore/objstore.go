// Package objstore is the object store the pipeline lands records in and keeps its Delta tables
// in: a folder on disk locally, S3 (through ops/s3) in the cloud. Keys are slash-separated and
// relative to the store's root, like S3 keys.
package objstore

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// ErrNotFound reports that no object has the key asked for.
var ErrNotFound = errors.New("object not found")

// ErrExist reports that PutIfAbsent found an object already under the key.
var ErrExist = errors.New("object already exists")

// Object describes one stored object.
type Object struct {
	Key      string
	Size     int64
	Modified time.Time
}

// Store is the capability every pipeline stage needs from an object store.
type Store interface {
	// Get returns the whole object, or an error wrapping ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Put writes the object atomically: readers see the old object or the new one, never a part.
	Put(ctx context.Context, key string, data []byte) error
	// PutIfAbsent writes the object only if no object has the key, else returns an error wrapping ErrExist.
	PutIfAbsent(ctx context.Context, key string, data []byte) error
	// List returns the objects whose keys start with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]Object, error)
	// Delete removes the object; deleting a missing object is not an error.
	Delete(ctx context.Context, key string) error
}

// AfterLister is a Store that lists from a key on, as S3's ListObjectsV2 start-after does, so
// a reader of the newest keys under a prefix pays for those alone.
type AfterLister interface {
	// ListAfter returns the objects whose keys start with prefix and sort after the key after,
	// sorted by key.
	ListAfter(ctx context.Context, prefix, after string) ([]Object, error)
}

// ListAfter returns the objects of s under prefix whose keys sort after the key after, through
// the store's own ListAfter when it has one, else by filtering its List.
func ListAfter(ctx context.Context, s Store, prefix, after string) ([]Object, error) {
	if l, ok := s.(AfterLister); ok {
		return l.ListAfter(ctx, prefix, after)
	}
	objs, err := s.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	i, _ := slices.BinarySearchFunc(objs, after, func(o Object, k string) int { return strings.Compare(o.Key, k) })
	for i < len(objs) && objs[i].Key <= after {
		i++
	}
	return objs[i:], nil
}

// PageLister is a Store that lists a page of keys at a time, as S3's ListObjectsV2 does, so a
// reader can stop early, or hold one page instead of the whole listing.
type PageLister interface {
	// ListPage returns, sorted by key, the first objects under prefix whose keys sort after
	// the key after (a page of the store's own size), and whether more follow.
	ListPage(ctx context.Context, prefix, after string) (objs []Object, more bool, err error)
}

// ListPages hands the objects of s under prefix whose keys sort after the key after to page,
// in key order: a page at a time through the store's ListPage when it has one, else in one page
// from ListAfter. The listing stops when page returns false.
func ListPages(ctx context.Context, s Store, prefix, after string, page func([]Object) bool) error {
	l, ok := s.(PageLister)
	if !ok {
		objs, err := ListAfter(ctx, s, prefix, after)
		if err == nil && len(objs) > 0 {
			page(objs)
		}
		return err
	}
	for {
		objs, more, err := l.ListPage(ctx, prefix, after)
		if err != nil {
			return err
		}
		if len(objs) > 0 && !page(objs) {
			return nil
		}
		if !more || len(objs) == 0 {
			return nil
		}
		after = objs[len(objs)-1].Key
	}
}

// FolderLister is a Store that lists the folders right under a prefix, as S3's ListObjectsV2
// with the delimiter "/" lists common prefixes, without listing the objects inside them.
type FolderLister interface {
	// Folders returns the key prefixes, each ending in "/", of the folders right under prefix,
	// which is "" or ends in "/", sorted.
	Folders(ctx context.Context, prefix string) ([]string, error)
}
