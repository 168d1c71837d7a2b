package stream

import (
	"context"
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pintui/pintui/pipeline/objstore"
)

// memReader is a Kinesis held in memory: streams of shards of records, read through iterators
// that name a shard and a position in it.
type memReader struct {
	mu      sync.Mutex
	shards  map[string][][]Record
	next    int
	expired int
}

func newMemReader(streams []string, shards int) *memReader {
	m := &memReader{shards: map[string][][]Record{}}
	for _, s := range streams {
		m.shards[s] = make([][]Record, shards)
	}
	return m
}

func shardID(i int) string { return fmt.Sprintf("shardId-%012d", i) }

// put adds a record to the shard its partition key hashes to and returns its sequence number.
// Sequence numbers grow in length as they increase, as Kinesis's do past a power of ten.
func (m *memReader) put(stream, key string, data []byte) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	shards := m.shards[stream]
	sum := md5.Sum([]byte(key))
	i := int(binary.BigEndian.Uint64(sum[:8]) % uint64(len(shards)))
	m.next++
	seq := strconv.Itoa(m.next*13 + 7)
	shards[i] = append(shards[i], Record{Sequence: seq, Arrival: time.Now(), PartitionKey: key, Data: data})
	return seq
}

// expireNext makes the next n Records calls fail as an iterator past its five minutes would.
func (m *memReader) expireNext(n int) {
	m.mu.Lock()
	m.expired = n
	m.mu.Unlock()
}

func (m *memReader) Shards(_ context.Context, stream string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	shards, ok := m.shards[stream]
	if !ok {
		return nil, fmt.Errorf("ResourceNotFoundException: stream %s not found", stream)
	}
	ids := make([]string, len(shards))
	for i := range shards {
		ids[i] = shardID(i)
	}
	return ids, nil
}

func (m *memReader) Iterator(_ context.Context, stream, shard, after string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, err := m.shardIndex(stream, shard)
	if err != nil {
		return "", err
	}
	pos := 0
	if after != "" {
		recs := m.shards[stream][i]
		pos = len(recs)
		for j, r := range recs {
			if seqLess(after, r.Sequence) {
				pos = j
				break
			}
		}
	}
	return fmt.Sprintf("%s|%d|%d", stream, i, pos), nil
}

func (m *memReader) shardIndex(stream, shard string) (int, error) {
	for j := range m.shards[stream] {
		if shardID(j) == shard {
			return j, nil
		}
	}
	return 0, fmt.Errorf("ResourceNotFoundException: shard %s of %s not found", shard, stream)
}

func (m *memReader) Records(_ context.Context, iterator string, limit int) ([]Record, string, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.expired > 0 {
		m.expired--
		return nil, "", 0, fmt.Errorf("ExpiredIteratorException: %w", ErrIteratorExpired)
	}
	parts := strings.Split(iterator, "|")
	i, _ := strconv.Atoi(parts[1])
	pos, _ := strconv.Atoi(parts[2])
	recs := m.shards[parts[0]][i]
	end := min(pos+limit, len(recs))
	out := slices.Clone(recs[pos:end])
	var behind time.Duration
	if end < len(recs) {
		behind = recs[len(recs)-1].Arrival.Sub(recs[end-1].Arrival)
	}
	return out, fmt.Sprintf("%s|%d|%d", parts[0], i, end), behind, nil
}

// memStore is an object store in memory, so the tests write nothing to disk.
type memStore struct {
	mu      sync.Mutex
	objects map[string][]byte
}

func newMemStore() *memStore { return &memStore{objects: map[string][]byte{}} }

func (s *memStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.objects[key]
	if !ok {
		return nil, fmt.Errorf("get %s: %w", key, objstore.ErrNotFound)
	}
	return data, nil
}

func (s *memStore) Put(_ context.Context, key string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[key] = slices.Clone(data)
	return nil
}

func (s *memStore) PutIfAbsent(_ context.Context, key string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.objects[key]; ok {
		return fmt.Errorf("put %s: %w", key, objstore.ErrExist)
	}
	s.objects[key] = slices.Clone(data)
	return nil
}

func (s *memStore) List(_ context.Context, prefix string) ([]objstore.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []objstore.Object
	for k, v := range s.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, objstore.Object{Key: k, Size: int64(len(v))})
		}
	}
	slices.SortFunc(out, func(a, b objstore.Object) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

func (s *memStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.objects, key)
	return nil
}

// failingStore fails the first write whose key matches. Before the write, the failure is one
// the job can retry; after it, the store acts as a process killed just after the write would:
// nothing more is written or deleted.
type failingStore struct {
	objstore.Store
	match func(key string) bool
	after bool
	fired chan string

	mu      sync.Mutex
	failed  bool
	crashed bool
}

func newFailingStore(s objstore.Store, after bool, match func(string) bool) *failingStore {
	return &failingStore{Store: s, match: match, after: after, fired: make(chan string, 1)}
}

func (f *failingStore) fail(key string, write func() error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.crashed {
		return fmt.Errorf("write %s: the process is gone", key)
	}
	if f.failed || !f.match(key) {
		return write()
	}
	f.failed = true
	if f.after {
		if err := write(); err != nil {
			return err
		}
		f.crashed = true
	}
	f.fired <- key
	return fmt.Errorf("put %s: injected failure", key)
}

func (f *failingStore) Put(ctx context.Context, key string, data []byte) error {
	return f.fail(key, func() error { return f.Store.Put(ctx, key, data) })
}

func (f *failingStore) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	return f.fail(key, func() error { return f.Store.PutIfAbsent(ctx, key, data) })
}

func (f *failingStore) Delete(ctx context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.crashed {
		return fmt.Errorf("delete %s: the process is gone", key)
	}
	return f.Store.Delete(ctx, key)
}
