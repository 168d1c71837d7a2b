package sink

import (
	"context"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// file is one sealed landing file: the records of one topic-partition from first to last.
type file struct {
	w     *writer
	key   string
	data  []byte // released to filePool once published or abandoned
	size  int
	first int64
	last  int64
	epoch int32 // leader epoch of the last record, carried into the commit
	count int
	done  bool // guarded by w.mu
}

// writer is Connect's TopicPartitionWriter: it cuts one topic-partition's records into files of
// flush.size records and tracks which files are published, so the offset it offers for commit
// only ever covers the contiguous run of published files. The open file is touched only by the
// poll loop; the queue of sealed files is shared with the put workers under mu.
type writer struct {
	topic     string
	partition int32
	tally     *tally
	ctx       context.Context // cancelled when the partition is revoked or the sink stops
	cancel    context.CancelFunc

	open      []byte
	openFirst int64
	openLast  int64
	openEpoch int32
	openCount int
	openedAt  time.Time
	lastSize  int // bytes in the previous file

	mu          sync.Mutex
	queue       []*file // sealed files, oldest first, not yet part of the landed run
	queuedBytes int
	paused      bool
	landed      kgo.EpochOffset // offset after the landed run; Offset < 0 until a file lands
	committed   int64           // offset last committed for this partition, -1 before
}

func newWriter(ctx context.Context, topic string, partition int32, t *tally) *writer {
	ctx, cancel := context.WithCancel(ctx)
	return &writer{
		topic: topic, partition: partition, tally: t, ctx: ctx, cancel: cancel,
		landed: kgo.EpochOffset{Epoch: -1, Offset: -1}, committed: -1,
	}
}

// add appends a record to the open file and returns the sealed file once it holds flushSize
// records.
func (w *writer) add(r *kgo.Record, flushSize int) *file {
	if w.openCount == 0 {
		w.openFirst = r.Offset
		w.openedAt = time.Now()
		if flushSize > 1 {
			// Files of one partition are alike in size; sizing for the last one avoids regrowth.
			w.open = fileBuffer(w.lastSize + w.lastSize/8)
		}
	}
	w.open = appendLine(w.open, r.Value)
	w.openLast = r.Offset
	w.openEpoch = r.LeaderEpoch
	w.openCount++
	if w.openCount < flushSize {
		return nil
	}
	return w.seal()
}

// seal closes the open file and queues it for publishing.
func (w *writer) seal() *file {
	f := &file{
		w: w, key: Key(w.topic, w.partition, w.openFirst), data: w.open, size: len(w.open),
		first: w.openFirst, last: w.openLast, epoch: w.openEpoch, count: w.openCount,
	}
	w.lastSize = f.size
	w.open, w.openCount = nil, 0
	w.mu.Lock()
	w.queue = append(w.queue, f)
	w.queuedBytes += f.size
	w.mu.Unlock()
	return f
}

// publish marks f as landed and extends the landed run over every file that is now contiguous;
// it reports whether the run grew.
func (w *writer) publish(f *file) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	f.done = true
	grown := 0
	var bytes int64
	for len(w.queue) > 0 && w.queue[0].done {
		head := w.queue[0]
		w.queue[0] = nil
		w.queue = w.queue[1:]
		w.queuedBytes -= head.size
		w.landed = kgo.EpochOffset{Epoch: head.epoch, Offset: head.last + 1}
		grown++
		bytes += int64(head.size)
	}
	if grown == 0 {
		return false
	}
	last, inFlight, current := w.landed.Offset-1, len(w.queue), w.ctx.Err() == nil
	w.tally.landed(int64(grown), bytes, last, inFlight, current)
	return true
}

// uncommitted returns the landed offset when it is ahead of the last commit.
func (w *writer) uncommitted() (kgo.EpochOffset, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.landed, w.landed.Offset > w.committed
}

// markCommitted records a successful commit of offset.
func (w *writer) markCommitted(offset int64) {
	w.mu.Lock()
	w.committed = max(w.committed, offset)
	w.mu.Unlock()
	w.tally.update(func(ps *PartitionStatus) {
		ps.Committed = max(ps.Committed, offset)
	})
}

// backlog reports how many sealed files and bytes wait to join the landed run.
func (w *writer) backlog() (files, bytes int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.queue), w.queuedBytes
}

// filePool recycles the buffers of large files: at flush sizes in the thousands, fresh
// megabyte buffers cost more in page faults and zeroing than copying the records does.
var filePool sync.Pool

// fileBuffer returns an empty buffer with room for size bytes.
func fileBuffer(size int) []byte {
	if b, ok := filePool.Get().(*[]byte); ok && cap(*b) >= size {
		return (*b)[:0]
	}
	return make([]byte, 0, size)
}

// release hands the file's buffer back for reuse; Store.Put no longer holds it.
func (f *file) release() {
	if f.count > 1 {
		b := f.data
		filePool.Put(&b)
	}
	f.data = nil
}
