package command

// StreamSummary is one Kinesis stream as `streams` lists it.
type StreamSummary struct {
	Stream string `json:"stream"`
	// Status is Kinesis's StreamStatus: CREATING, ACTIVE, UPDATING or DELETING.
	Status         string `json:"status"`
	Shards         int    `json:"shards"`
	RetentionHours int    `json:"retention_hours"`
	Created        Time   `json:"created"`
	// IteratorAgeMS is how far the stream job's reading is behind the stream's newest record,
	// the largest MillisBehindLatest over the shards; null while the job does not read the stream.
	IteratorAgeMS *int64 `json:"iterator_age_ms"`
}

// StreamDetail is what `stream NAME` returns: the stream and its shards.
type StreamDetail struct {
	Stream         string        `json:"stream"`
	ARN            string        `json:"arn"`
	Status         string        `json:"status"`
	RetentionHours int           `json:"retention_hours"`
	Created        Time          `json:"created"`
	Shards         []StreamShard `json:"shards"`
}

// StreamShard is one shard of a stream: the hash-key range it owns, the sequence numbers it holds
// and how far the stream job's reading is behind it.
type StreamShard struct {
	Shard           string `json:"shard"`
	StartingHashKey string `json:"starting_hash_key"`
	EndingHashKey   string `json:"ending_hash_key"`
	// StartingSequence is the shard's first sequence number; LatestSequence its newest record's,
	// "" while the shard holds none, and LatestArrival when that record arrived.
	StartingSequence string `json:"starting_sequence"`
	LatestSequence   string `json:"latest_sequence"`
	LatestArrival    Time   `json:"latest_arrival"`
	// IteratorAgeMS is the stream job's MillisBehindLatest on this shard; null while the job does
	// not read it.
	IteratorAgeMS *int64 `json:"iterator_age_ms"`
}

// StreamTailRecord is one record of a stream as `tail stream` reads it.
type StreamTailRecord struct {
	Shard        string `json:"shard"`
	Sequence     string `json:"sequence"`
	Arrival      Time   `json:"arrival"`
	PartitionKey string `json:"partition_key"`
	// Data is the record's payload as text: for the pipeline's streams, the JSON of one raw row.
	Data string `json:"data"`
}

// StreamTailResult is what `tail stream` returns: the records read and whether --max cut the
// read short.
type StreamTailResult struct {
	Stream    string             `json:"stream"`
	Records   []StreamTailRecord `json:"records"`
	Max       int                `json:"max"`
	Truncated bool               `json:"truncated"`
}

// The states of the stream job.
const (
	StreamJobRunning    = "running"
	StreamJobStopped    = "stopped"
	StreamJobNotStarted = "not started"
)

// StreamJobStatus is what `stream status`, `stream start` and `stream stop` return: the stream
// job's state and, per stream table, how far it has appended.
type StreamJobStatus struct {
	// State is running, stopped or not started.
	State string `json:"state"`
	// Started is when the job last started; null if it never did.
	Started Time `json:"started"`
	// TriggerMS is the micro-batch trigger interval.
	TriggerMS int64 `json:"trigger_ms"`
	// Error is why the job stopped, or the last error it is retrying; "" when none.
	Error  string              `json:"error"`
	Tables []StreamTableStatus `json:"tables"`
	// Message is the status in a sentence.
	Message string `json:"message"`
}

// Running reports whether the stream job runs.
func (s StreamJobStatus) Running() bool { return s.State == StreamJobRunning }

// StreamTableStatus is one stream table as the stream job has appended it.
type StreamTableStatus struct {
	Table  string `json:"table"`
	Stream string `json:"stream"`
	// MicroBatch is the id of the last micro-batch committed to the table, -1 before the first;
	// LastCommit is when it committed (null before the first).
	MicroBatch int64 `json:"micro_batch"`
	LastCommit Time  `json:"last_commit"`
	// Rows is the table's row count; Rate the rows per second appended over the last seconds.
	Rows int64   `json:"rows"`
	Rate float64 `json:"rate"`
	// LagMS is the largest MillisBehindLatest over the stream's shards; null while not reading.
	LagMS *int64 `json:"lag_ms"`
	// Quarantined counts the records that did not parse, kept with their reason.
	Quarantined int64 `json:"quarantined"`
}

// TableOptimize is what `optimize` returns: the small files of one table compacted into fewer.
type TableOptimize struct {
	Table   string `json:"table"`
	Version int64  `json:"version"`
	// FilesRemoved were rewritten into FilesAdded; Rows is unchanged by an optimize.
	FilesRemoved int   `json:"files_removed"`
	FilesAdded   int   `json:"files_added"`
	Rows         int64 `json:"rows"`
	BytesBefore  int64 `json:"bytes_before"`
	BytesAfter   int64 `json:"bytes_after"`
}

// RowsWait is what `wait rows` returns: the table's row count when it reached the target.
type RowsWait struct {
	Table    string `json:"table"`
	Rows     int64  `json:"rows"`
	Target   int64  `json:"target"`
	WaitedMS int64  `json:"waited_ms"`
}
