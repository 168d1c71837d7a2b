package local

import (
	"encoding/binary"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"go.etcd.io/bbolt"
)

// s3Entry is what the index keeps of an object; its body is a file.
type s3Entry struct {
	Size    int64
	ModTime time.Time
	// Hash is the body's MD5, the object's ETag.
	Hash []byte
	// Meta is the object's user metadata and content headers, as gofakes3 hands them over.
	Meta map[string]string
}

// entryVersion is the first byte of an encoded entry, so a later layout can be told apart.
const entryVersion = 1

// encode lays the entry out as the version, size, time, hash and metadata pairs sorted by name,
// lengths as uvarints: compact, so a page of a listing reads few index pages.
func (e s3Entry) encode() []byte {
	b := []byte{entryVersion}
	b = binary.AppendUvarint(b, uint64(e.Size))
	b = binary.AppendVarint(b, e.ModTime.UnixNano())
	b = appendBytes(b, e.Hash)
	b = binary.AppendUvarint(b, uint64(len(e.Meta)))
	for _, k := range slices.Sorted(maps.Keys(e.Meta)) {
		b = appendBytes(b, []byte(k))
		b = appendBytes(b, []byte(e.Meta[k]))
	}
	return b
}

func appendBytes(b, v []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

// errDamagedEntry says an index entry does not decode.
var errDamagedEntry = errors.New("index entry is damaged: stop the stack and delete s3/index.db to rebuild it from the bodies")

// decodeS3Entry reads an entry encode wrote; it copies what it keeps, as bbolt's bytes live only
// as long as their transaction.
func decodeS3Entry(b []byte) (s3Entry, error) {
	d := entryDecoder{b: b}
	if d.byte() != entryVersion {
		return s3Entry{}, errDamagedEntry
	}
	var e s3Entry
	e.Size = int64(d.uvarint())
	e.ModTime = time.Unix(0, d.varint())
	e.Hash = d.bytes()
	if n := d.uvarint(); n > 0 && n <= uint64(len(d.b)) {
		e.Meta = make(map[string]string, n)
		for range n {
			k := string(d.bytes())
			e.Meta[k] = string(d.bytes())
		}
	} else if n > 0 {
		d.bad = true
	}
	if d.bad || len(d.b) > 0 {
		return s3Entry{}, errDamagedEntry
	}
	return e, nil
}

// entryDecoder reads an entry's fields, remembering whether one ran past its end.
type entryDecoder struct {
	b   []byte
	bad bool
}

func (d *entryDecoder) byte() byte {
	if len(d.b) == 0 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *entryDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *entryDecoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *entryDecoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.bad = true
		return nil
	}
	v := slices.Clone(d.b[:n])
	d.b = d.b[n:]
	return v
}

// encodeIndexTime and decodeIndexTime keep a bucket's creation time in the index.
func encodeIndexTime(t time.Time) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano()))
}

func decodeIndexTime(b []byte) time.Time {
	if len(b) != 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)))
}

// committer commits index changes in groups: a change that arrives while a commit runs joins the
// next one, so concurrent PUTs share commits without a single PUT waiting for company.
type committer struct {
	db      *bbolt.DB
	mu      sync.Mutex
	queue   []indexChange
	running bool
}

// indexChange is one change to commit and where its outcome goes.
type indexChange struct {
	apply func(*bbolt.Tx) error
	done  chan error
}

// do commits apply, alone or with the changes that arrive beside it, and returns its outcome.
// The first caller to find no commit running commits until the queue is empty.
func (c *committer) do(apply func(*bbolt.Tx) error) error {
	done := make(chan error, 1)
	c.mu.Lock()
	c.queue = append(c.queue, indexChange{apply: apply, done: done})
	if c.running {
		c.mu.Unlock()
		return <-done
	}
	c.running = true
	for len(c.queue) > 0 {
		group := c.queue
		c.queue = nil
		c.mu.Unlock()
		c.commit(group)
		c.mu.Lock()
	}
	c.running = false
	c.mu.Unlock()
	return <-done
}

// commit applies a group in one transaction. Each change checks what it needs before it writes,
// so one that fails has changed nothing: it is answered with its error and the others commit.
func (c *committer) commit(group []indexChange) {
	errs := make([]error, len(group))
	err := c.db.Update(func(tx *bbolt.Tx) error {
		for i, change := range group {
			errs[i] = change.apply(tx)
		}
		return nil
	})
	for i, change := range group {
		change.done <- errors.Join(err, errs[i])
	}
}
