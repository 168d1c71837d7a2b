package local

import (
	"sync"
	"time"
)

// The per-shard limits of AWS that --kinesis-limits aws enforces.
const (
	shardWriteRecords = 1000    // records per second
	shardWriteBytes   = 1 << 20 // data and partition key bytes per second
	shardGetRecords   = 5       // GetRecords calls per second
	shardGetIterators = 5       // GetShardIterator calls per second
)

// tokenBucket refills at rate tokens a second up to one second's worth.
type tokenBucket struct {
	rate   float64
	tokens float64
	at     time.Time
}

// refill adds the tokens earned since the last call.
func (b *tokenBucket) refill(now time.Time) {
	if b.at.IsZero() {
		b.tokens = b.rate
	} else if now.After(b.at) {
		b.tokens = min(b.rate, b.tokens+now.Sub(b.at).Seconds()*b.rate)
	}
	if now.After(b.at) {
		b.at = now
	}
}

// shardLimits are one shard's buckets.
type shardLimits struct {
	mu                          sync.Mutex
	records, bytes, gets, iters tokenBucket
}

func newShardLimits() *shardLimits {
	return &shardLimits{
		records: tokenBucket{rate: shardWriteRecords},
		bytes:   tokenBucket{rate: shardWriteBytes},
		gets:    tokenBucket{rate: shardGetRecords},
		iters:   tokenBucket{rate: shardGetIterators},
	}
}

// write takes one record of size bytes from the write buckets, or reports false and takes none.
func (l *shardLimits) write(size int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records.refill(now)
	l.bytes.refill(now)
	if l.records.tokens < 1 || l.bytes.tokens < float64(size) {
		return false
	}
	l.records.tokens--
	l.bytes.tokens -= float64(size)
	return true
}

// read takes one GetRecords call.
func (l *shardLimits) read(now time.Time) bool { return l.take(&l.gets, now) }

// iterator takes one GetShardIterator call.
func (l *shardLimits) iterator(now time.Time) bool { return l.take(&l.iters, now) }

func (l *shardLimits) take(b *tokenBucket, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b.refill(now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
