package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
	"github.com/pintui/pintui/pipeline/stream"
)

// StreamOptions says what a stream benchmark puts and where the stack under test is: its
// gateway, its Kinesis and the lakehouse its stream job appends to.
type StreamOptions struct {
	// Gateway is the URL records are put through, `PUT <gateway>/streams/<stream>/record`.
	Gateway string
	// UID names the streams and the stream tables.
	UID string
	// Lakehouse holds the stream tables.
	Lakehouse objstore.Store
	// Reader reads the streams with GetRecords beside the stream job, for the ceiling.
	Reader stream.Reader
	// Rate is the records put per second over the three streams, pin, geo and user in turn;
	// Duration how long they are put.
	Rate     int
	Duration time.Duration
	// Poll is how often the GetRecords reader asks each shard for new records; the Delta reader
	// asks each table for its snapshot every DeltaPoll.
	Poll, DeltaPoll time.Duration
	// Grace is how long after the last put the readers may take to see every record.
	Grace time.Duration
}

// streamWorkers bounds the puts in flight; at 1,000 records/s a put would have to take 64 ms
// before the rate falls behind.
const streamWorkers = 64

// Latency is one path's latencies from the HTTP 200 of a put, over the records it saw.
type Latency struct {
	// Seen counts the acknowledged records the reader saw; Missing those it had not seen
	// when the grace ran out.
	Seen, Missing      int
	P50, P95, P99, Max time.Duration
}

// StreamResult is what a stream benchmark measured in one run.
type StreamResult struct {
	// Acked counts the puts answered 200; Failed the others.
	Acked, Failed int
	// Elapsed is how long the puts took, for the rate reached.
	Elapsed time.Duration
	// Delta is the latency to the row being in its stream table's snapshot; GetRecords the
	// latency to the record being readable from its shard, its ceiling.
	Delta, GetRecords Latency
}

// Rate is the acknowledged records per second the run reached.
func (r StreamResult) Rate() float64 { return float64(r.Acked) / r.Elapsed.Seconds() }

// sightings holds when each record was acknowledged and first seen by the two readers, as
// nanoseconds since the run began (0: not yet), indexed by table and row id.
type sightings struct {
	begin                time.Time
	acked, delta, stream [3][]atomic.Int64
}

func newSightings(rows int) *sightings {
	s := &sightings{begin: time.Now()}
	for t := range 3 {
		s.acked[t] = make([]atomic.Int64, rows)
		s.delta[t] = make([]atomic.Int64, rows)
		s.stream[t] = make([]atomic.Int64, rows)
	}
	return s
}

// stamp records the first sighting of row id of table t at now in seen.
func (s *sightings) stamp(seen *[3][]atomic.Int64, t int, id int64, now time.Time) {
	if id >= 0 && id < int64(len(seen[t])) {
		seen[t][id].CompareAndSwap(0, int64(now.Sub(s.begin))+1)
	}
}

// complete reports whether both readers saw every acknowledged record.
func (s *sightings) complete() bool {
	for t := range 3 {
		for i := range s.acked[t] {
			if s.acked[t][i].Load() != 0 && (s.delta[t][i].Load() == 0 || s.stream[t][i].Load() == 0) {
				return false
			}
		}
	}
	return true
}

// latency turns the sightings in seen into percentiles from each acknowledgement. A record
// seen before its 200 reached the client counts as 0.
func (s *sightings) latency(seen *[3][]atomic.Int64) Latency {
	var l Latency
	var all []time.Duration
	for t := range 3 {
		for i := range s.acked[t] {
			ack := s.acked[t][i].Load()
			if ack == 0 {
				continue
			}
			at := seen[t][i].Load()
			if at == 0 {
				l.Missing++
				continue
			}
			all = append(all, time.Duration(max(at-ack, 0)))
		}
	}
	l.Seen = len(all)
	if len(all) > 0 {
		slices.Sort(all)
		pick := func(p int) time.Duration { return all[(len(all)*p-1)/100] }
		l.P50, l.P95, l.P99, l.Max = pick(50), pick(95), pick(99), all[len(all)-1]
	}
	return l
}

// Stream puts opts.Rate records a second for opts.Duration through the gateway, pin, geo and user
// in turn with distinct row ids, and measures for each record the time from the 200 of its put
// to its row being in the Delta snapshot of its stream table (a reader polling each table and
// reading only its new files), beside the time to its being readable with GetRecords (a reader
// polling every shard), both in the same run.
func Stream(ctx context.Context, opts StreamOptions) (StreamResult, error) {
	if opts.Rate <= 0 || opts.Duration <= 0 {
		return StreamResult{}, fmt.Errorf("bench stream: rate %d over %s: put at least 1 record a second for a positive duration", opts.Rate, opts.Duration)
	}
	total := max(int(float64(opts.Rate)*opts.Duration.Seconds()), 1)
	rows := (total + 2) / 3
	bodies := streamBodies(opts.UID, rows)
	s := newSightings(rows)

	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	var readers sync.WaitGroup
	readErrs := make([]error, 2*len(record.Tables))
	for t, table := range record.Tables {
		readers.Go(func() { readErrs[2*t] = followTable(readCtx, opts, s, t, table) })
		readers.Go(func() { readErrs[2*t+1] = followStream(readCtx, opts, s, t, table) })
	}

	res, err := putAll(ctx, opts, s, bodies, total)
	if err == nil {
		deadline := time.Now().Add(opts.Grace)
		for !s.complete() && time.Now().Before(deadline) && sleep(ctx, 10*time.Millisecond) {
		}
	}
	stopReading()
	readers.Wait()
	if err == nil {
		err = errors.Join(readErrs...)
	}
	res.Delta, res.GetRecords = s.latency(&s.delta), s.latency(&s.stream)
	return res, err
}

// streamBodies are the put bodies of rows draws, by table: the original streaming emulator's
// `{"StreamName","Data","PartitionKey"}` with rows from the synthetic source.
func streamBodies(uid string, rows int) [3][][]byte {
	var out [3][][]byte
	g := source.NewGenerator(rows, 1)
	for r, ok := g.Next(); ok; r, ok = g.Next() {
		for t, table := range record.Tables {
			b := []byte(`{"StreamName":"` + stream.StreamName(uid, table) + `","Data":`)
			b = r.AppendJSON(b, table)
			b = fmt.Appendf(b, `,"PartitionKey":"%016x%016x"}`, rand.Uint64(), rand.Uint64())
			out[t] = append(out[t], b)
		}
	}
	return out
}

// putAll puts total records at opts.Rate from streamWorkers clients, record n being table n%3's
// row n/3, and stamps each acknowledged one.
func putAll(ctx context.Context, opts StreamOptions, s *sightings, bodies [3][][]byte, total int) (StreamResult, error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: streamWorkers}}
	defer client.CloseIdleConnections()
	var urls [3]string
	for t, table := range record.Tables {
		urls[t] = opts.Gateway + "/streams/" + stream.StreamName(opts.UID, table) + "/record"
	}
	work := make(chan int)
	var failed atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range streamWorkers {
		wg.Go(func() {
			for n := range work {
				t, id := n%3, n/3
				if err := put(ctx, client, urls[t], bodies[t][id]); err != nil {
					failed.Add(1)
					once.Do(func() { firstErr = err })
					continue
				}
				s.stamp(&s.acked, t, int64(id), time.Now())
			}
		})
	}
	start := time.Now()
	interval := time.Second / time.Duration(opts.Rate)
	for n := 0; n < total && ctx.Err() == nil; n++ {
		if wait := time.Until(start.Add(time.Duration(n) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		work <- n
	}
	close(work)
	wg.Wait()
	res := StreamResult{Failed: int(failed.Load()), Elapsed: time.Since(start)}
	res.Acked = total - res.Failed
	if firstErr != nil {
		return res, fmt.Errorf("bench stream: %d of %d puts failed, the first: %w", res.Failed, total, firstErr)
	}
	return res, ctx.Err()
}

func put(ctx context.Context, client *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("put %s: HTTP %d %s", url, resp.StatusCode, answer)
	}
	return nil
}

// rowID is the id column of every stream table.
type rowID struct {
	Ind int64 `parquet:"ind"`
}

// followTable polls table t's snapshot and stamps the rows of each data file it has not read
// yet with the time the snapshot showed the file.
func followTable(ctx context.Context, opts StreamOptions, s *sightings, t int, table record.Table) error {
	tbl := delta.Open(opts.Lakehouse, stream.TableName(opts.UID, table))
	read := map[string]bool{}
	for sleep(ctx, opts.DeltaPoll) {
		snap, err := tbl.Snapshot(ctx)
		if errors.Is(err, delta.ErrNoTable) || ctx.Err() != nil {
			continue
		}
		if err != nil {
			return fmt.Errorf("bench stream: follow %s: %w", tbl.Name(), err)
		}
		now := time.Now()
		for _, f := range snap.Files {
			if read[f.Path] {
				continue
			}
			rows, err := delta.ReadFile[rowID](ctx, tbl, f)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("bench stream: follow %s: %w", tbl.Name(), err)
			}
			read[f.Path] = true
			for _, r := range rows {
				s.stamp(&s.delta, t, r.Ind, now)
			}
		}
	}
	return nil
}

// followStream reads every shard of table t's stream from its oldest record and stamps each
// record as it is returned. A throttled or failed read is tried again at the next poll.
func followStream(ctx context.Context, opts StreamOptions, s *sightings, t int, table record.Table) error {
	name := stream.StreamName(opts.UID, table)
	shards, err := opts.Reader.Shards(ctx, name)
	if err != nil {
		return fmt.Errorf("bench stream: list the shards of %s: %w", name, err)
	}
	var wg sync.WaitGroup
	for _, shard := range shards {
		wg.Go(func() { followShard(ctx, opts, s, t, name, shard) })
	}
	wg.Wait()
	return nil
}

func followShard(ctx context.Context, opts StreamOptions, s *sightings, t int, name, shard string) {
	var after, iterator string
	for ctx.Err() == nil {
		if iterator == "" {
			it, err := opts.Reader.Iterator(ctx, name, shard, after)
			if err != nil {
				sleep(ctx, opts.Poll)
				continue
			}
			iterator = it
		}
		recs, next, _, err := opts.Reader.Records(ctx, iterator, 10000)
		if errors.Is(err, stream.ErrIteratorExpired) {
			iterator = ""
			continue
		}
		now := time.Now()
		for _, r := range recs {
			s.stamp(&s.stream, t, recordID(r.Data), now)
			after = r.Sequence
		}
		if err == nil {
			iterator = next
		}
		if err != nil || len(recs) == 0 {
			sleep(ctx, opts.Poll)
		}
	}
}

// recordID is the row id a raw record carries: `index` for a pin, `ind` for geo and user.
func recordID(data []byte) int64 {
	var row struct {
		Index *json.Number `json:"index"`
		Ind   *json.Number `json:"ind"`
	}
	if json.Unmarshal(data, &row) != nil {
		return -1
	}
	n := row.Ind
	if row.Index != nil {
		n = row.Index
	}
	if n == nil {
		return -1
	}
	id, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return -1
	}
	return id
}

// sleep waits d; false means ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
