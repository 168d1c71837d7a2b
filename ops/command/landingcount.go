// Counting the landings of the three topics without listing the bucket at every check.

package command

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/sink"
)

// landingCounter counts the landings under each partition folder incrementally. The sink names
// a landing by its partition's zero-padded start offset, so new landings sort after the last
// one counted: a count lists only the keys after it, plus the topics' folders to find new
// partitions. It is safe for concurrent use.
type landingCounter struct {
	mu         sync.Mutex
	partitions map[string]*partitionCount
}

// partitionCount is what the counter has seen of one partition folder: the first and last keys
// and the objects and bytes up to the last.
type partitionCount struct {
	first, last    string
	objects, bytes int64
}

// tally counts the landings of topics in store. A count never stays above what the bucket
// holds when landings go: a partition whose first or last counted landing is gone, or whose
// folder is, is counted again from its start, so emptying the bucket brings the count to what
// is left. Deleting landings between the first and the last is not seen.
func (c *landingCounter) tally(ctx context.Context, store objstore.Store, topics []string) (bucketTally, error) {
	folders, ok := store.(objstore.FolderLister)
	if !ok {
		return tallyAll(ctx, store, topics)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.partitions == nil {
		c.partitions = map[string]*partitionCount{}
	}
	t := bucketTally{partitions: map[string]struct{ objects, bytes int64 }{}}
	for _, topic := range topics {
		prefix := sink.TopicPrefix(topic)
		found, err := folders.Folders(ctx, prefix)
		if err != nil {
			return bucketTally{}, fmt.Errorf("list partitions %s: %w", prefix, err)
		}
		for p := range c.partitions {
			if strings.HasPrefix(p, prefix) && !slices.Contains(found, p) {
				delete(c.partitions, p)
			}
		}
		for _, p := range found {
			count, err := c.count(ctx, store, p)
			if err != nil {
				return bucketTally{}, err
			}
			t.partitions[p] = struct{ objects, bytes int64 }{count.objects, count.bytes}
			t.objects += int(count.objects)
		}
	}
	return t, nil
}

// count brings one partition folder's count up to date: it checks that the first and last keys
// counted are still there, starting over if not, and adds the keys listed after the last.
func (c *landingCounter) count(ctx context.Context, store objstore.Store, prefix string) (*partitionCount, error) {
	p := c.partitions[prefix]
	if p != nil {
		for _, key := range []string{p.first, p.last} {
			if _, err := store.Get(ctx, key); errors.Is(err, objstore.ErrNotFound) {
				p = nil
				break
			} else if err != nil {
				return nil, fmt.Errorf("count landings %s: %w", prefix, err)
			}
		}
	}
	if p == nil {
		p = &partitionCount{}
		c.partitions[prefix] = p
	}
	objs, err := objstore.ListAfter(ctx, store, prefix, p.last)
	if err != nil {
		delete(c.partitions, prefix)
		return nil, fmt.Errorf("count landings %s: %w", prefix, err)
	}
	if len(objs) == 0 {
		return p, nil
	}
	if p.first == "" {
		p.first = objs[0].Key
	}
	p.last = objs[len(objs)-1].Key
	for _, o := range objs {
		p.objects++
		p.bytes += o.Size
	}
	return p, nil
}

// tallyAll lists the landings of the three topics whole, for a store that cannot list folders.
func tallyAll(ctx context.Context, store objstore.Store, topics []string) (bucketTally, error) {
	t := bucketTally{partitions: map[string]struct{ objects, bytes int64 }{}}
	for _, topic := range topics {
		objs, err := store.List(ctx, sink.TopicPrefix(topic))
		if err != nil {
			return bucketTally{}, err
		}
		for _, o := range objs {
			prefix := o.Key[:strings.LastIndex(o.Key, "/")+1]
			p := t.partitions[prefix]
			p.objects++
			p.bytes += o.Size
			t.partitions[prefix] = p
		}
		t.objects += len(objs)
	}
	return t, nil
}
