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
// a landing by its partition's zero-padded start offset, so new landings sort after the ones
// counted: a count lists only the keys after those it has settled, plus the topics' folders to
// find new partitions. It is safe for concurrent use.
type landingCounter struct {
	mu         sync.Mutex
	partitions map[string]*partitionCount
	// unsettled is how many of a partition's last keys every count lists again, defaultUnsettled
	// when 0.
	unsettled int
}

// defaultUnsettled is how many of a partition's last keys a count lists again. A sink with PUTs
// in flight at once can publish a key after later ones, so only keys this far from the end are
// taken as final; a count costs a listing of this many keys and what landed since.
const defaultUnsettled = 1000

// partitionCount is what the counter has settled of one partition folder: its first key, the
// last key settled, and the objects and bytes up to it.
type partitionCount struct {
	first, settled string
	objects, bytes int64
}

// tally counts the landings of topics in store. A count never stays above what the bucket
// holds when landings go: a partition whose first or last settled landing is gone, or whose
// folder is, is counted again from its start, so emptying the bucket brings the count to what
// is left. Deleting landings between the first and the last settled one is not seen.
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
			t.partitions[p] = count
			t.objects += int(count.objects)
		}
	}
	return t, nil
}

// count brings one partition folder's count up to date and returns it: it checks that the first
// and last settled keys are still there, starting over if not, lists the keys after the last
// settled one, and settles all but the last unsettled of them.
func (c *landingCounter) count(ctx context.Context, store objstore.Store, prefix string) (struct{ objects, bytes int64 }, error) {
	var n struct{ objects, bytes int64 }
	p := c.partitions[prefix]
	if p != nil && p.settled != "" {
		for _, key := range []string{p.first, p.settled} {
			if _, err := store.Get(ctx, key); errors.Is(err, objstore.ErrNotFound) {
				p = nil
				break
			} else if err != nil {
				return n, fmt.Errorf("count landings %s: %w", prefix, err)
			}
		}
	}
	if p == nil {
		p = &partitionCount{}
		c.partitions[prefix] = p
	}
	objs, err := objstore.ListAfter(ctx, store, prefix, p.settled)
	if err != nil {
		delete(c.partitions, prefix)
		return n, fmt.Errorf("count landings %s: %w", prefix, err)
	}
	if p.first == "" && len(objs) > 0 {
		p.first = objs[0].Key
	}
	keep := c.unsettled
	if keep == 0 {
		keep = defaultUnsettled
	}
	n.objects, n.bytes = p.objects+int64(len(objs)), p.bytes
	for i, o := range objs {
		n.bytes += o.Size
		if i < len(objs)-keep {
			p.objects++
			p.bytes += o.Size
			p.settled = o.Key
		}
	}
	return n, nil
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
