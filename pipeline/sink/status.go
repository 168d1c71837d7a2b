package sink

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// Status is a point-in-time view of a running sink, safe to take from any goroutine.
type Status struct {
	Group      string            `json:"group"`
	FlushSize  int               `json:"flush_size"`      // 0 when read from Kafka by GroupStatus
	Error      string            `json:"error,omitempty"` // the last failure not tied to one partition, such as a lost broker
	Stopped    bool              `json:"stopped"`         // the sink's run has ended on its error and lands nothing more
	Partitions []PartitionStatus `json:"partitions"`      // sorted by topic, then partition
}

// PartitionStatus is the landing progress of one topic-partition.
type PartitionStatus struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	// LastLanded is the offset of the last record known to have landed: the end of the contiguous
	// run of published files, or the record before the offset the group resumed from; -1 when
	// nothing is known yet.
	LastLanded int64 `json:"last_landed"`
	// Committed is the group offset this process last committed (the next record to land), or -1.
	Committed int64 `json:"committed"`
	// End is the partition's high watermark as of the last fetch, or -1 before the first fetch.
	End int64 `json:"end"`
	// Lag counts records in the partition not yet landed: End minus (LastLanded + 1).
	Lag      int64     `json:"lag"`
	Buffered int       `json:"buffered"`        // records waiting in the open, partial file
	InFlight int       `json:"in_flight"`       // sealed files not yet published or not yet contiguous
	Objects  int64     `json:"objects"`         // objects published by this process
	Bytes    int64     `json:"bytes"`           // bytes in those objects
	Errors   int64     `json:"errors"`          // failed put and commit attempts, each retried
	Error    string    `json:"error,omitempty"` // the last error, empty once a later put or commit succeeds
	Updated  time.Time `json:"updated"`         // when this partition's status last changed
}

// tally keeps one topic-partition's counters across the writers that own it over time, so
// status survives rebalances.
type tally struct {
	mu sync.Mutex
	ps PartitionStatus
	// errUntil is the last offset of the file whose failed put is ps.Error, or -1 when the error
	// is tied to no file: landing clears the error only once the landed run reaches it.
	errUntil int64
}

func newTally(topic string, partition int32) *tally {
	return &tally{ps: PartitionStatus{Topic: topic, Partition: partition, LastLanded: -1, Committed: -1, End: -1}, errUntil: -1}
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

func (t *tally) failed(err error) { t.failedAt(err, -1) }

// failedAt records a failed put of the file that ends at offset last.
func (t *tally) failedAt(err error, last int64) {
	t.update(func(ps *PartitionStatus) {
		ps.Errors++
		ps.Error = err.Error()
		t.errUntil = last
	})
}

// landed records objects (bytes in all) landed up to offset last, with inFlight still queued;
// a writer no longer current does not speak for the partition's queue.
func (t *tally) landed(objects, bytes, last int64, inFlight int, current bool) {
	t.update(func(ps *PartitionStatus) {
		ps.Objects += objects
		ps.Bytes += bytes
		ps.LastLanded = max(ps.LastLanded, last)
		if current {
			ps.InFlight = inFlight
		}
		if ps.LastLanded >= t.errUntil {
			ps.Error, t.errUntil = "", -1
		}
	})
}

func sortPartitions(ps []PartitionStatus) {
	slices.SortFunc(ps, func(a, b PartitionStatus) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
}
