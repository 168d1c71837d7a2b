package local

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A shard's records live in append-only segment files under its folder, each named by the
// counter of its first record (%020d.log). An entry is an 8-byte header (payload length and the
// CRC-32C of the payload, little-endian) and the payload: counter, arrival time in unix
// milliseconds, partition key length (2 bytes), partition key, data.
const (
	entryHeader  = 8
	entryFixed   = 8 + 8 + 2
	segmentExt   = ".log"
	segmentBytes = 64 << 20
	// segmentAge bounds how long one segment takes records, so retention frees disk an hour at a time.
	segmentAge = time.Hour
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// kRecord is one record of a shard.
type kRecord struct {
	counter uint64
	arrival int64 // unix milliseconds
	key     string
	data    []byte
}

// segment is one log file of a shard. Its records have the counters first, first+1, …: it
// keeps only where each entry starts and when it arrived, 12 bytes a record in memory.
type segment struct {
	first uint64
	f     *os.File
	size  int64
	// opened is when the segment took its first record, for segmentAge.
	opened int64
	// offs[i] is where the entry of counter first+i starts, arrivals[i] when it arrived (unix ms).
	offs     []uint32
	arrivals []int64
}

// end is the counter after the segment's last record.
func (seg *segment) end() uint64 { return seg.first + uint64(len(seg.offs)) }

// span returns where the entry at i starts and how long it is.
func (seg *segment) span(i int) (off, n int64) {
	off = int64(seg.offs[i])
	if i+1 < len(seg.offs) {
		return off, int64(seg.offs[i+1]) - off
	}
	return off, seg.size - off
}

// shardLog is one shard's records on disk with their places in memory.
type shardLog struct {
	dir string
	// mu guards segs, the segments' offsets, next and durable; it is held only to append or to
	// look entries up.
	mu   sync.Mutex
	segs []*segment
	// next is the counter the next record gets; durable is the highest counter known fsynced,
	// the last one readers see.
	next, durable uint64
	// last is the newest arrival time: arrivals never decrease within a shard, even when the
	// clock steps back, so the segments stay sorted by arrival too.
	last int64
	// files guards the segments' files against being closed by a retention sweep while a reader
	// reads them; writers never take it.
	files sync.RWMutex
}

// openShardLog opens (or creates) the shard log in dir, cutting a torn or damaged tail: what a
// crash left half-written was never acknowledged.
func openShardLog(dir string) (*shardLog, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create shard folder %s: %w", dir, err)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*"+segmentExt))
	if err != nil {
		return nil, err
	}
	l := &shardLog{dir: dir, next: 1}
	var firsts []uint64
	for _, name := range names {
		first, err := strconv.ParseUint(strings.TrimSuffix(filepath.Base(name), segmentExt), 10, 64)
		if err != nil {
			continue
		}
		firsts = append(firsts, first)
	}
	slices.Sort(firsts)
	for i, first := range firsts {
		if err := l.load(first, i == len(firsts)-1); err != nil {
			l.close()
			return nil, err
		}
	}
	if len(l.segs) == 0 {
		if err := l.roll(0); err != nil {
			return nil, err
		}
	}
	l.durable = l.next - 1
	return l, nil
}

// load reads one segment's entries and truncates it after its last whole one. A segment left
// empty that is not the newest is removed, so only the newest segment is ever empty.
func (l *shardLog) load(first uint64, newest bool) error {
	name := filepath.Join(l.dir, fmt.Sprintf("%020d%s", first, segmentExt))
	f, err := os.OpenFile(name, os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("read %s: %w", name, err)
	}
	seg := &segment{first: max(first, l.next), f: f}
	var off int64
	for {
		rec, n, ok := decodeEntry(data[off:])
		if !ok || rec.counter != seg.end() {
			break
		}
		if len(seg.offs) == 0 {
			seg.opened = rec.arrival
		}
		l.last = max(rec.arrival, l.last)
		seg.offs = append(seg.offs, uint32(off))
		seg.arrivals = append(seg.arrivals, l.last)
		off += n
	}
	seg.size = off
	if off < int64(len(data)) {
		if err := f.Truncate(off); err != nil {
			f.Close()
			return fmt.Errorf("cut the torn tail of %s: %w", name, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return fmt.Errorf("cut the torn tail of %s: %w", name, err)
		}
	}
	if len(seg.offs) == 0 && !newest {
		f.Close()
		return os.Remove(name)
	}
	l.segs = append(l.segs, seg)
	l.next = max(l.next, seg.end())
	return nil
}

// decodeEntry decodes the entry at the start of b; ok is false for a torn or damaged one.
func decodeEntry(b []byte) (rec kRecord, n int64, ok bool) {
	if len(b) < entryHeader {
		return rec, 0, false
	}
	size := int64(binary.LittleEndian.Uint32(b))
	if size < entryFixed || int64(len(b)-entryHeader) < size {
		return rec, 0, false
	}
	payload := b[entryHeader : entryHeader+size]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(b[4:]) {
		return rec, 0, false
	}
	keyLen := int64(binary.LittleEndian.Uint16(payload[16:]))
	if entryFixed+keyLen > size {
		return rec, 0, false
	}
	rec.counter = binary.LittleEndian.Uint64(payload)
	rec.arrival = int64(binary.LittleEndian.Uint64(payload[8:]))
	rec.key = string(payload[entryFixed : entryFixed+keyLen])
	rec.data = slices.Clone(payload[entryFixed+keyLen:])
	return rec, entryHeader + size, true
}

// appendEntry appends rec's entry to b.
func appendEntry(b []byte, rec kRecord) []byte {
	size := entryFixed + len(rec.key) + len(rec.data)
	start := len(b)
	b = binary.LittleEndian.AppendUint32(b, uint32(size))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint64(b, rec.counter)
	b = binary.LittleEndian.AppendUint64(b, uint64(rec.arrival))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(rec.key)))
	b = append(b, rec.key...)
	b = append(b, rec.data...)
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(b[start+entryHeader:], castagnoli))
	return b
}

// roll starts a new segment whose first record gets the next counter; its directory entry is
// fsynced so the file survives a crash with the records synced into it.
func (l *shardLog) roll(now int64) error {
	name := filepath.Join(l.dir, fmt.Sprintf("%020d%s", l.next, segmentExt))
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	if err := syncDir(l.dir); err != nil {
		f.Close()
		return err
	}
	l.segs = append(l.segs, &segment{first: l.next, f: f, opened: now})
	return nil
}

// syncDir makes the creation or removal of files in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// append writes records to the active segment, giving each the next counter and the arrival
// time now (unix ms), and registers the file with syncs while the log is still locked, so a
// later writer's sync never completes before the file holding these records is synced. It
// returns the wait for that sync, to be called after the lock is released.
func (l *shardLog) append(recs []kRecord, syncs syncer, now int64) (wait func() error, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	seg := l.segs[len(l.segs)-1]
	if seg.size >= segmentBytes || (seg.size > 0 && time.Duration(now-seg.opened)*time.Millisecond >= segmentAge) {
		// A round that syncs only the new segment must not publish records of the old one
		// still unsynced: everything before the new segment is on disk first.
		if err := seg.f.Sync(); err != nil {
			return nil, fmt.Errorf("sync %s: %w", seg.f.Name(), err)
		}
		if err := l.roll(now); err != nil {
			return nil, err
		}
		seg = l.segs[len(l.segs)-1]
	}
	now = max(now, l.last)
	var buf []byte
	offs := make([]uint32, len(recs))
	for i := range recs {
		recs[i].counter = l.next + uint64(i)
		recs[i].arrival = now
		offs[i] = uint32(seg.size + int64(len(buf)))
		buf = appendEntry(buf, recs[i])
	}
	if _, err := seg.f.WriteAt(buf, seg.size); err != nil {
		// A partial entry would hide every later one from the restart's scan.
		seg.f.Truncate(seg.size)
		return nil, fmt.Errorf("append to %s: %w", seg.f.Name(), err)
	}
	if seg.size == 0 {
		seg.opened = now
	}
	seg.size += int64(len(buf))
	seg.offs = append(seg.offs, offs...)
	for range recs {
		seg.arrivals = append(seg.arrivals, now)
	}
	l.last = now
	l.next += uint64(len(recs))
	last := l.next - 1
	done := syncs.register(seg.f)
	return func() error {
		if err := done(); err != nil {
			return err
		}
		l.publish(last)
		return nil
	}, nil
}

// publish makes the records up to counter visible to readers once they are on disk.
func (l *shardLog) publish(counter uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.durable = max(l.durable, counter)
}

// firstAt returns the counter of the first record that arrived at or after at (unix ms), or
// next when none has; l.mu must be held.
func (l *shardLog) firstAt(at int64) uint64 {
	full := l.segs
	if len(full[len(full)-1].offs) == 0 {
		full = full[:len(full)-1]
	}
	j := sort.Search(len(full), func(j int) bool { return full[j].arrivals[len(full[j].arrivals)-1] >= at })
	if j == len(full) {
		return l.next
	}
	seg := full[j]
	return seg.first + uint64(sort.Search(len(seg.arrivals), func(i int) bool { return seg.arrivals[i] >= at }))
}

// bounds returns the counter of the oldest durable record that arrived at or after cutoff
// (unix ms), durable+1 when the shard holds none, and that of the newest durable record.
func (l *shardLog) bounds(cutoff int64) (oldest, newest uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return min(l.firstAt(cutoff), l.durable+1), l.durable
}

// atTime returns the counter of the first durable record that arrived at or after at (unix ms),
// or durable+1 when none has.
func (l *shardLog) atTime(at int64) uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return min(l.firstAt(at), l.durable+1)
}

// entryRef is where one record to read sits on disk.
type entryRef struct {
	seg    *segment
	off, n int64
}

// read returns up to limit durable records from counter from on that arrived at or after cutoff,
// stopping before maxBytes of data, and the arrival time of the first durable record it left
// unread (0 when it read up to the newest).
func (l *shardLog) read(from uint64, limit int, maxBytes int64, cutoff int64) ([]kRecord, int64, error) {
	refs, behind := l.locate(from, limit, maxBytes, cutoff)
	l.files.RLock()
	defer l.files.RUnlock()
	recs := make([]kRecord, 0, len(refs))
	for len(refs) > 0 {
		// Entries of one segment are contiguous: one read serves the run.
		run := 1
		for run < len(refs) && refs[run].seg == refs[0].seg {
			run++
		}
		last := refs[run-1]
		buf := make([]byte, last.off+last.n-refs[0].off)
		if _, err := refs[0].seg.f.ReadAt(buf, refs[0].off); err != nil {
			if errors.Is(err, os.ErrClosed) {
				// A sweep removed the segment since: its records expired meanwhile.
				refs = refs[run:]
				continue
			}
			return nil, 0, fmt.Errorf("read %s: %w", refs[0].seg.f.Name(), err)
		}
		for _, ref := range refs[:run] {
			rec, _, ok := decodeEntry(buf[ref.off-refs[0].off:])
			if !ok {
				return nil, 0, fmt.Errorf("read %s: the entry at %d is damaged", ref.seg.f.Name(), ref.off)
			}
			recs = append(recs, rec)
		}
		refs = refs[run:]
	}
	return recs, behind, nil
}

// locate returns where the records read returns are, and the arrival time of the first durable
// record after them (0 when there is none).
func (l *shardLog) locate(from uint64, limit int, maxBytes int64, cutoff int64) ([]entryRef, int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	from = max(from, l.firstAt(cutoff))
	var refs []entryRef
	var size int64
	for j := sort.Search(len(l.segs), func(j int) bool { return l.segs[j].end() > from }); j < len(l.segs); j++ {
		seg := l.segs[j]
		for i := int(max(from, seg.first) - seg.first); i < len(seg.offs); i++ {
			if seg.first+uint64(i) > l.durable {
				return refs, 0
			}
			off, n := seg.span(i)
			if len(refs) == limit || (size+n > maxBytes && len(refs) > 0) {
				return refs, seg.arrivals[i]
			}
			refs = append(refs, entryRef{seg: seg, off: off, n: n})
			size += n
		}
	}
	return refs, 0
}

// sweep deletes the segments whose every record arrived before cutoff (unix ms), never the
// active one, which keeps the next counter known across restarts.
func (l *shardLog) sweep(cutoff int64) error {
	l.mu.Lock()
	var gone []*segment
	for len(l.segs) > 1 && l.segs[0].arrivals[len(l.segs[0].arrivals)-1] < cutoff {
		gone = append(gone, l.segs[0])
		l.segs = l.segs[1:]
	}
	l.mu.Unlock()
	if len(gone) == 0 {
		return nil
	}
	l.files.Lock()
	defer l.files.Unlock()
	var errs []error
	for _, seg := range gone {
		errs = append(errs, seg.f.Close(), os.Remove(seg.f.Name()))
	}
	errs = append(errs, syncDir(l.dir))
	return errors.Join(errs...)
}

// close closes the segment files.
func (l *shardLog) close() error {
	l.files.Lock()
	defer l.files.Unlock()
	var errs []error
	for _, seg := range l.segs {
		errs = append(errs, seg.f.Close())
	}
	return errors.Join(errs...)
}

// syncer makes appended bytes durable: register notes a file written to and returns the wait
// for its fsync.
type syncer interface {
	register(f *os.File) func() error
}

// groupCommit fsyncs for many writers at once. A writer that finds fewer than maxRounds
// rounds of fsyncs running starts one itself, at once; the writers that come while maxRounds
// run wait and share the next round, so concurrent PutRecord calls pay one fsync per file and
// round instead of one each, while a lone writer never waits for another's fsync.
type groupCommit struct {
	mu      sync.Mutex
	files   map[*os.File][]chan error
	running int
}

// maxRounds is how many rounds of fsyncs run at once; two let a writer start its fsync while
// the one before finishes, as the file system itself overlaps them.
const maxRounds = 2

func newGroupCommit() *groupCommit {
	return &groupCommit{files: map[*os.File][]chan error{}}
}

func (g *groupCommit) register(f *os.File) func() error {
	ch := make(chan error, 1)
	g.mu.Lock()
	g.files[f] = append(g.files[f], ch)
	lead := g.running < maxRounds
	if lead {
		g.running++
	}
	g.mu.Unlock()
	return func() error {
		if lead {
			g.round()
		}
		return <-ch
	}
}

// round fsyncs every file registered and not yet taken by a round, the files side by side,
// answers their writers, and starts the next round when more wait.
func (g *groupCommit) round() {
	g.mu.Lock()
	files := g.files
	g.files = map[*os.File][]chan error{}
	g.mu.Unlock()
	var wg sync.WaitGroup
	for f, waiters := range files {
		wg.Go(func() {
			err := f.Sync()
			for _, ch := range waiters {
				ch <- err
			}
		})
	}
	wg.Wait()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.files) == 0 {
		g.running--
		return
	}
	go g.round()
}
