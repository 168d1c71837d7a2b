package sink

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// Status is a point-in-time view of a running sink, safe to take from any goroutine.
type Status struct {
	Group      string
	FlushSize  int
	Error      string            // the last failure not tied to one partition, such as a lost broker
	Partitions []PartitionStatus // sorted by topic, then partition
}

// PartitionStatus is the landing progress of one topic-partition.
type PartitionStatus struct {
	Topic     string
	Partition int32
	// LastLanded is the offset of the last record of the contiguous run of published files, or -1
	// before the first file lands.
	LastLanded int64
	// Committed is the group offset this sink last committed (the next record to land), or -1.
	Committed int64
	// End is the partition's high watermark as of the last fetch, or -1 before the first fetch.
	End int64
	// Lag counts records in the partition not yet landed: End minus (LastLanded + 1).
	Lag      int64
	Buffered int // records waiting in the open, partial file
	InFlight int // sealed files not yet published or not yet contiguous
	Objects  int64
	Bytes    int64
	Errors   int64  // failed put and commit attempts, each retried
	Error    string // the last error, empty once a later put or commit succeeds
	Updated  time.Time
}

// tally keeps one topic-partition's counters across the writers that own it over time, so
// status survives rebalances.
type tally struct {
	mu sync.Mutex
	ps PartitionStatus
}

func newTally(topic string, partition int32) *tally {
	return &tally{ps: PartitionStatus{Topic: topic, Partition: partition, LastLanded: -1, Committed: -1, End: -1}}
}

func (t *tally) update(fn func(*PartitionStatus)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fn(&t.ps)
	t.ps.Updated = time.Now()
}

func (t *tally) snapshot() PartitionStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := t.ps
	ps.Lag = 0
	if ps.End >= 0 {
		ps.Lag = max(ps.End-(ps.LastLanded+1), 0)
	}
	return ps
}

func (t *tally) failed(err error) {
	t.update(func(ps *PartitionStatus) {
		ps.Errors++
		ps.Error = err.Error()
	})
}

func sortPartitions(ps []PartitionStatus) {
	slices.SortFunc(ps, func(a, b PartitionStatus) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
}
