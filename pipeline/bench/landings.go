package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pintui/pintui/pipeline/batch"
	"github.com/pintui/pintui/pipeline/bench/peak"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/sink"
	"github.com/pintui/pintui/pipeline/source"
)

// DefaultLandings is how many objects Landings lands when asked for none.
const DefaultLandings = 60_000

// referenceLandings is the landing count batch run's per-object cost is compared at: above it
// the same run also lands and runs this many under a second user id.
const referenceLandings = 60_000

// The defaults of a landings benchmark's concurrency and samples.
const (
	defaultPuts = 16
	gets        = 2000
	rawGets     = 20_000
)

// LandingsOptions configure a landings benchmark.
type LandingsOptions struct {
	// Landings is the bucket the objects land in, through the S3 API; Lakehouse takes the tables
	// batch run writes.
	Landings, Lakehouse objstore.Store
	// UID names the topics; the reference run lands under RefUID.
	UID, RefUID string
	// Objects counts the objects landed (DefaultLandings if ≤ 0), a third per topic.
	Objects int
	// Puts is how many PUTs run at once while landing (16 if ≤ 0).
	Puts int
	// Ls lists the first 3 entries under a prefix as `s3 ls PREFIX --limit 3` does.
	Ls func(ctx context.Context, prefix string) error
	// Wait runs `wait landings >= want` and returns the count it ended with: with want 0, one
	// check.
	Wait func(ctx context.Context, want int) (int, error)
}

// LandingsResult is what a landings benchmark measured.
type LandingsResult struct {
	Objects int
	Bytes   int64
	// Seed is how long landing the objects took.
	Seed time.Duration
	// Ls is the fastest of three `s3 ls --limit 3` at the bucket's root, LsPartition under the
	// pin topic's partition 0, where the landings are.
	Ls, LsPartition time.Duration
	// FirstCheck is the first `wait landings` check, which counts as many landings as its budget
	// lets it, FirstCounted; Whole is how long `wait landings >= Objects` took after it, the
	// checks going on from there; Check is a later check, which counts only what landed since.
	FirstCheck, Whole, Check time.Duration
	FirstCounted             int
	// GetAlone and GetListing are GET latencies of random landings, alone and while a full
	// listing of the topics runs; Listing is how long that listing took and Listed what it found.
	GetAlone, GetListing Latency
	Listing              time.Duration
	Listed               int
	// RawGets and RawGetsElapsed are the landings fetched with batch run's concurrency and no
	// cleaning, the ceiling of batch run's fetching.
	RawGets        int
	RawGetsElapsed time.Duration
	// Batch is batch run over all the landings; Reference over referenceLandings of them
	// under RefUID, zero when Objects is not above it.
	Batch, Reference BatchRun
}

// BatchRun is one batch run and the memory it took.
type BatchRun struct {
	Objects int
	Elapsed time.Duration
	// PeakHeap is the most heap the process held during the run, BaseHeap what it held live
	// before (the local stack and the benchmark's own key list); PeakRSS its peak resident
	// memory, 0 where the system cannot tell it for the run alone.
	PeakHeap, BaseHeap, PeakRSS uint64
}

// PerObject is the run's time per landing.
func (r BatchRun) PerObject() time.Duration {
	if r.Objects == 0 {
		return 0
	}
	return r.Elapsed / time.Duration(r.Objects)
}

// RawGetsPerSecond is the ceiling of batch run's fetching, landings per second.
func (r LandingsResult) RawGetsPerSecond() float64 {
	return float64(r.RawGets) / r.RawGetsElapsed.Seconds()
}

// Landings lands opts.Objects objects in the sink's key layout, one pin, geo or user record
// each (every fourth row a re-draw of the one before, as the emulator repeats rows), with
// opts.Puts PUTs at once, then measures listing, GETs under a concurrent listing, counting and
// batch run over them.
func Landings(ctx context.Context, opts LandingsOptions) (LandingsResult, error) {
	if opts.Objects <= 0 {
		opts.Objects = DefaultLandings
	}
	if opts.Puts <= 0 {
		opts.Puts = defaultPuts
	}
	var r LandingsResult
	start := time.Now()
	keys, bytes, err := land(ctx, opts.Landings, opts.UID, opts.Objects, opts.Puts)
	if err != nil {
		return r, fmt.Errorf("bench landings: %w", err)
	}
	r.Objects, r.Bytes, r.Seed = len(keys), bytes, time.Since(start)
	if opts.Objects > referenceLandings {
		if _, _, err := land(ctx, opts.Landings, opts.RefUID, referenceLandings, opts.Puts); err != nil {
			return r, fmt.Errorf("bench landings: %w", err)
		}
	}
	if err := measureListing(ctx, opts, keys, &r); err != nil {
		return r, fmt.Errorf("bench landings: %w", err)
	}
	if r.RawGetsElapsed, err = fetchAll(ctx, opts.Landings, sample(keys, rawGets), opts.Puts); err != nil {
		return r, fmt.Errorf("bench landings: raw gets: %w", err)
	}
	r.RawGets = min(len(keys), rawGets)
	if r.Batch, err = runBatch(ctx, opts.Landings, opts.Lakehouse, opts.UID, r.Objects); err != nil {
		return r, fmt.Errorf("bench landings: %w", err)
	}
	if opts.Objects > referenceLandings {
		if r.Reference, err = runBatch(ctx, opts.Landings, opts.Lakehouse, opts.RefUID, referenceLandings); err != nil {
			return r, fmt.Errorf("bench landings: reference: %w", err)
		}
	}
	return r, nil
}

// measureListing times `s3 ls --limit 3`, the `wait landings` checks and GETs alone and under a
// full listing.
func measureListing(ctx context.Context, opts LandingsOptions, keys []string, r *LandingsResult) error {
	partition := sink.Prefix(opts.UID+"."+string(record.TablePin), 0)
	for prefix, best := range map[string]*time.Duration{"": &r.Ls, partition: &r.LsPartition} {
		for i := range 3 {
			t0 := time.Now()
			if err := opts.Ls(ctx, prefix); err != nil {
				return fmt.Errorf("s3 ls %s: %w", prefix, err)
			}
			if d := time.Since(t0); i == 0 || d < *best {
				*best = d
			}
		}
	}
	for _, m := range []struct {
		took *time.Duration
		want int
	}{{&r.FirstCheck, 0}, {&r.Whole, len(keys)}, {&r.Check, 0}} {
		t0 := time.Now()
		n, err := opts.Wait(ctx, m.want)
		if err != nil {
			return fmt.Errorf("wait landings: %w", err)
		}
		*m.took = time.Since(t0)
		if m.took == &r.FirstCheck {
			r.FirstCounted = n
		}
	}
	var err error
	if r.GetAlone, err = getLatency(ctx, opts.Landings, keys, nil); err != nil {
		return err
	}
	listed := make(chan error, 1)
	t0 := time.Now()
	go func() {
		n := 0
		for _, t := range record.Tables {
			objs, err := opts.Landings.List(ctx, batch.TopicPrefix(opts.UID, t))
			if err != nil {
				listed <- err
				return
			}
			n += len(objs)
		}
		r.Listing, r.Listed = time.Since(t0), n
		listed <- nil
	}()
	r.GetListing, err = getLatency(ctx, opts.Landings, keys, listed)
	if err != nil {
		return err
	}
	return nil
}

// getLatency GETs random landings one at a time, gets of them, or until done reports and at least
// gets of them, and gives their latencies; an error from done is returned.
func getLatency(ctx context.Context, store objstore.Store, keys []string, done <-chan error) (Latency, error) {
	rnd := rand.New(rand.NewPCG(uint64(len(keys)), 7))
	var all []time.Duration
	for finished := done == nil; len(all) < gets || !finished; {
		if !finished {
			select {
			case err := <-done:
				if err != nil {
					return Latency{}, fmt.Errorf("list landings: %w", err)
				}
				finished = true
			default:
			}
		}
		t0 := time.Now()
		if _, err := store.Get(ctx, keys[rnd.IntN(len(keys))]); err != nil {
			return Latency{}, err
		}
		all = append(all, time.Since(t0))
	}
	slices.Sort(all)
	pick := func(p int) time.Duration { return all[(len(all)*p-1)/100] }
	return Latency{Seen: len(all), P50: pick(50), P95: pick(95), P99: pick(99), Max: all[len(all)-1]}, nil
}

// sample picks n keys spread evenly over keys, or all of them.
func sample(keys []string, n int) []string {
	if len(keys) <= n {
		return keys
	}
	out := make([]string, n)
	for i := range out {
		out[i] = keys[i*len(keys)/n]
	}
	return out
}

// fetchAll GETs every key, workers at a time, and says how long it took.
func fetchAll(ctx context.Context, store objstore.Store, keys []string, workers int) (time.Duration, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	t0 := time.Now()
	for w := range workers {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(keys)); i = next.Add(1) - 1 {
				if _, err := store.Get(ctx, keys[i]); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(t0), errors.Join(errs...)
}

// land puts objects landings under uid's topics, a third per topic, workers PUTs at once, and
// returns their keys and bytes.
func land(ctx context.Context, store objstore.Store, uid string, objects, workers int) ([]string, int64, error) {
	type landing struct {
		key  string
		body []byte
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := make(chan landing, 4*workers)
	keys := make([]string, 0, objects)
	var bytes int64
	go func() {
		defer close(queue)
		g := source.NewGenerator(objects/3+1, 1)
		var row source.Row
		for i := 0; i < objects; i++ {
			t := record.Tables[i%3]
			if t == record.TablePin && (i/3)%4 != 3 {
				row, _ = g.Next()
			}
			l := landing{sink.Key(uid+"."+string(t), 0, int64(i/3)), append(row.AppendJSON(nil, t), '\n')}
			keys = append(keys, l.key)
			bytes += int64(len(l.body))
			select {
			case queue <- l:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			for l := range queue {
				if errs[w] != nil {
					continue
				}
				if errs[w] = store.Put(ctx, l.key, l.body); errs[w] != nil {
					cancel()
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, 0, fmt.Errorf("land %d objects: %w", objects, err)
	}
	return keys, bytes, nil
}

// runBatch runs the batch job over uid's landings and samples the heap while it runs.
func runBatch(ctx context.Context, landings, lakehouse objstore.Store, uid string, objects int) (BatchRun, error) {
	runtime.GC()
	base := peak.HeapNow()
	rssReset := resetPeakRSS()
	stop := make(chan struct{})
	most := make(chan uint64)
	go func() { most <- peak.Heap(stop) }()
	t0 := time.Now()
	_, err := (&batch.Job{UID: uid, Landings: landings, Lakehouse: lakehouse, AllowEmpty: true}).Run(ctx)
	run := BatchRun{Objects: objects, Elapsed: time.Since(t0)}
	close(stop)
	run.PeakHeap, run.BaseHeap = <-most, base
	if rssReset {
		run.PeakRSS = peakRSS()
	}
	if err != nil {
		return BatchRun{}, err
	}
	return run, nil
}
