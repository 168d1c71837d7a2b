// Counting the landings of the three topics without listing the bucket at every check.

package command

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

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
	// now reads the clock a check's budget is measured on, time.Now when nil.
	now func() time.Time
}

// spent reports whether until, a check's end, has passed; the zero time never does.
func (c *landingCounter) spent(until time.Time) bool {
	now := time.Now
	if c.now != nil {
		now = c.now
	}
	return !until.IsZero() && !now().Before(until)
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
	t, _, err := c.check(ctx, store, topics, time.Time{})
	return t, err
}

// check is tally within a time budget: once until passes (the zero time never does) it lists
// no more and complete is false. A partition it stopped in counts what it listed, and one it
// did not reach counts nothing, since it was not seen to be still there; so a cut-short count
// is at most what the bucket holds, and the next check goes on from what this one settled.
func (c *landingCounter) check(ctx context.Context, store objstore.Store, topics []string, until time.Time) (t bucketTally, complete bool, err error) {
	folders, ok := store.(objstore.FolderLister)
	if !ok {
		t, err := tallyAll(ctx, store, topics)
		return t, err == nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.partitions == nil {
		c.partitions = map[string]*partitionCount{}
	}
	t = bucketTally{partitions: map[string]struct{ objects, bytes int64 }{}}
	complete = true
	for _, topic := range topics {
		prefix := sink.TopicPrefix(topic)
		found, err := folders.Folders(ctx, prefix)
		if err != nil {
			return bucketTally{}, false, fmt.Errorf("list partitions %s: %w", prefix, err)
		}
		for p := range c.partitions {
			if strings.HasPrefix(p, prefix) && !slices.Contains(found, p) {
				delete(c.partitions, p)
			}
		}
		for _, p := range found {
			if complete && c.spent(until) {
				complete = false
			}
			if !complete {
				// Not looked at in this check, so not known to be still there: it counts nothing.
				continue
			}
			count, done, err := c.count(ctx, store, p, until)
			if err != nil {
				return bucketTally{}, false, err
			}
			complete = done
			t.partitions[p] = count
			t.objects += int(count.objects)
		}
	}
	return t, complete, nil
}

// count brings one partition folder's count up to date, or as far as it gets before until, and
// returns it with whether it is up to date: it checks that the first and last settled keys are
// still there, starting over if not, lists the keys after the last settled one a page at a time,
// and settles all but the last unsettled of those listed.
func (c *landingCounter) count(ctx context.Context, store objstore.Store, prefix string, until time.Time) (n struct{ objects, bytes int64 }, done bool, err error) {
	p := c.partitions[prefix]
	if p != nil && p.settled != "" {
		for _, key := range []string{p.first, p.settled} {
			if _, err := store.Get(ctx, key); errors.Is(err, objstore.ErrNotFound) {
				p = nil
				break
			} else if err != nil {
				return n, false, fmt.Errorf("count landings %s: %w", prefix, err)
			}
		}
	}
	if p == nil {
		p = &partitionCount{}
		c.partitions[prefix] = p
	}
	var objs []objstore.Object
	done = true
	err = objstore.ListPages(ctx, store, prefix, p.settled, func(page []objstore.Object) bool {
		objs = append(objs, page...)
		if c.spent(until) {
			done = false
		}
		return done
	})
	if err != nil {
		delete(c.partitions, prefix)
		return n, false, fmt.Errorf("count landings %s: %w", prefix, err)
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
	return n, done, nil
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
