package sink

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// BenchResult compares the sink with its two ceilings, measured in one run on one machine: raw
// object puts of the very same files, and franz-go consuming the very same records from the
// same cluster with the sink's client options, landing nothing.
type BenchResult struct {
	FlushSize int
	Records   int
	Objects   int
	Bytes     int64
	Sink      time.Duration // first poll to the last file's offset committed
	Raw       time.Duration // the same objects put straight into a fresh folder store
	Consume   time.Duration // the landed records consumed by a group of their own, assignment to the last record
}

// SinkObjectsPerSecond is the sink's publish rate.
func (r BenchResult) SinkObjectsPerSecond() float64 { return float64(r.Objects) / r.Sink.Seconds() }

// SinkMBPerSecond is the sink's landing throughput in megabytes (10^6) per second.
func (r BenchResult) SinkMBPerSecond() float64 { return float64(r.Bytes) / 1e6 / r.Sink.Seconds() }

// RawObjectsPerSecond is the object store's own put rate for the same objects.
func (r BenchResult) RawObjectsPerSecond() float64 { return float64(r.Objects) / r.Raw.Seconds() }

// RawMBPerSecond is the object store's own put throughput for the same bytes.
func (r BenchResult) RawMBPerSecond() float64 { return float64(r.Bytes) / 1e6 / r.Raw.Seconds() }

// ConsumeRecordsPerSecond is the rate at which the consumer alone reads the landed records.
func (r BenchResult) ConsumeRecordsPerSecond() float64 {
	return float64(r.Objects*r.FlushSize) / r.Consume.Seconds()
}

// ConsumeMBPerSecond is the consumer's rate in megabytes of the files those records make.
func (r BenchResult) ConsumeMBPerSecond() float64 {
	return float64(r.Bytes) / 1e6 / r.Consume.Seconds()
}

// Bound names the lower of the two ceilings, "raw puts" or "consume".
func (r BenchResult) Bound() string {
	if r.Consume > r.Raw {
		return "consume"
	}
	return "raw puts"
}

// OfCeiling is the sink's rate as a share of the lower ceiling's. All three move the same
// records and bytes, so it is the ratio of the slower ceiling's time to the sink's.
func (r BenchResult) OfCeiling() float64 { return max(r.Raw, r.Consume).Seconds() / r.Sink.Seconds() }

// Bench produces records pin-sized JSON values over the three topics of an in-process Kafka,
// lands them with a sink of the given flush size into a folder store under dir, consumes them
// again with a group of its own, and then puts the same objects straight into a second folder
// store with as many concurrent puts. It measures local mode; the folders are removed
// afterwards. The targets are read at flush size 1 (≥ 3k objects/s, about 20,000 records make
// a stable run) and at flush size 1000 (≥ 150 MB/s, about 300,000 records).
func Bench(ctx context.Context, dir string, flushSize, records int) (BenchResult, error) {
	res := BenchResult{FlushSize: flushSize, Records: records}
	if flushSize < 1 || records < 3*flushSize {
		return res, fmt.Errorf("bench sink: flush size %d, %d records: need a flush size ≥ 1 and at least 3 × flush size records", flushSize, records)
	}
	work, err := os.MkdirTemp(dir, "bench-sink-")
	if err != nil {
		return res, fmt.Errorf("bench sink: %w", err)
	}
	defer os.RemoveAll(work)
	bc, err := startBench(ctx, records)
	if err != nil {
		return res, err
	}
	defer bc.cluster.Close()

	if res.Sink, err = bc.land(ctx, objstore.NewDir(filepath.Join(work, "sink")), bc.options(DefaultGroup, flushSize)); err != nil {
		return res, err
	}
	if res.Consume, err = bc.consume(ctx, bc.options(DefaultGroup+"-consume", flushSize)); err != nil {
		return res, err
	}
	files := benchFiles(bc.topics, bc.values, flushSize)
	for _, f := range files {
		res.Objects++
		res.Bytes += int64(len(f.data))
	}
	res.Raw, err = putAll(ctx, objstore.NewDir(filepath.Join(work, "raw")), files, benchConcurrency)
	return res, err
}

// benchConcurrency is how many puts the bench's sink and its raw puts run at once.
const benchConcurrency = 16

// benchCluster is an in-process Kafka holding the bench's records.
type benchCluster struct {
	cluster *kfake.Cluster
	topics  []string
	values  [][][]byte // each topic's values in offset order
}

// startBench starts a one-broker cluster, produces records over its three topics and reads
// them all once. The first read of a fresh cluster grows the process's heap into new pages and
// costs three to five times what later reads do (3.5 s against 0.65 s for 300,000 records), so
// without that read whichever of the sink and its consume ceiling ran first would pay for it.
func startBench(ctx context.Context, records int) (*benchCluster, error) {
	topics := []string{"bench.pin", "bench.geo", "bench.user"}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topics...))
	if err != nil {
		return nil, fmt.Errorf("bench sink: start kafka: %w", err)
	}
	values, err := produceBench(ctx, cluster.ListenAddrs(), topics, records)
	if err != nil {
		cluster.Close()
		return nil, err
	}
	bc := &benchCluster{cluster: cluster, topics: topics, values: values}
	if _, err := bc.consume(ctx, bc.options(DefaultGroup+"-warm-up", 1)); err != nil {
		cluster.Close()
		return nil, err
	}
	return bc, nil
}

// options are the sink options of one run in consumer group group.
func (bc *benchCluster) options(group string, flushSize int) []Option {
	return []Option{Brokers(bc.cluster.ListenAddrs()...), Topics(bc.topics...), Group(group), FlushSize(flushSize),
		Concurrency(benchConcurrency), ClientOpts(kgo.FetchMaxWait(10 * time.Millisecond))}
}

// lastOffsets returns, per topic, the offset of the last record that fills a whole file.
func (bc *benchCluster) lastOffsets(flushSize int) map[string]int64 {
	want := make(map[string]int64, len(bc.topics))
	for i, topic := range bc.topics {
		want[topic] = int64(len(bc.values[i])/flushSize*flushSize) - 1
	}
	return want
}

// land runs a sink with opts into store until every whole file has landed and been committed.
// The clock starts once the group has assigned the partitions: joining is not landing.
func (bc *benchCluster) land(ctx context.Context, store Store, opts []Option) (time.Duration, error) {
	s, err := New(store, opts...)
	if err != nil {
		return 0, err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	want := bc.lastOffsets(s.cfg.flushSize)
	for len(s.Status().Partitions) < len(bc.topics) && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	for !benchLanded(s.Status(), want) {
		if err := ctx.Err(); err != nil {
			stop()
			<-done
			return 0, fmt.Errorf("bench sink: %w", err)
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	stop()
	return elapsed, <-done
}

// consume reads the records land lands with the client options and poll size of a sink built
// from opts, in a group of its own, and lands nothing; it is the ceiling the cluster and the
// client set. The clock starts when the group assigns the partitions.
func (bc *benchCluster) consume(ctx context.Context, opts []Option) (time.Duration, error) {
	cfg, err := configure(opts...)
	if err != nil {
		return 0, err
	}
	var start atomic.Int64
	assigned := kgo.OnPartitionsAssigned(func(context.Context, *kgo.Client, map[string][]int32) {
		start.CompareAndSwap(0, time.Now().UnixNano())
	})
	client, err := kgo.NewClient(append(append(cfg.consumeOpts(), assigned), cfg.clientOpts...)...)
	if err != nil {
		return 0, fmt.Errorf("bench sink: consumer: %w", err)
	}
	defer client.Close()
	want := bc.lastOffsets(cfg.flushSize)
	for topic, last := range want {
		if last < 0 {
			delete(want, topic)
		}
	}
	for len(want) > 0 {
		fetches := client.PollRecords(ctx, pollRecords)
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("bench sink: %w", err)
		}
		if err := fetches.Err0(); err != nil {
			return 0, fmt.Errorf("bench sink: consume: %w", err)
		}
		fetches.EachPartition(func(p kgo.FetchTopicPartition) {
			if n := len(p.Records); n > 0 && p.Records[n-1].Offset >= want[p.Topic] {
				delete(want, p.Topic)
			}
		})
		client.AllowRebalance()
	}
	return time.Since(time.Unix(0, start.Load())), nil
}

// benchLanded reports whether every topic has landed up to its wanted last offset.
func benchLanded(st Status, want map[string]int64) bool {
	n := 0
	for _, ps := range st.Partitions {
		if ps.LastLanded < want[ps.Topic] || ps.Committed < want[ps.Topic]+1 {
			return false
		}
		n++
	}
	return n == len(want)
}

// produceBench writes records values round-robin over topics and returns each topic's values.
func produceBench(ctx context.Context, brokers, topics []string, records int) ([][][]byte, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		return nil, fmt.Errorf("bench sink: producer: %w", err)
	}
	defer cl.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	values := make([][][]byte, len(topics))
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	for i := range records {
		v := benchValue(rng, i)
		t := i % len(topics)
		values[t] = append(values[t], v)
		wg.Add(1)
		cl.Produce(ctx, &kgo.Record{Topic: topics[t], Value: v}, func(_ *kgo.Record, err error) {
			defer wg.Done()
			if err != nil {
				mu.Lock()
				first = cmp.Or(first, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first != nil {
		return nil, fmt.Errorf("bench sink: produce: %w", first)
	}
	return values, nil
}

// benchValue is a pin row of realistic size and entropy (~600 bytes of JSON).
func benchValue(rng *rand.Rand, i int) []byte {
	hex := func(n int) string {
		const digits = "0123456789abcdef"
		b := make([]byte, n)
		for j := range b {
			b[j] = digits[rng.IntN(16)]
		}
		return string(b)
	}
	id := hex(32)
	return fmt.Appendf(nil, `{"index":%d,"unique_id":"%s-%s-%s-%s-%s","title":"%s","description":"%s %s %s","poster_name":"%s","follower_count":"%dk","tag_list":"Art,Design,Home,Decor,Diy,Crafts,Ideas,Paint,Color","is_image_or_video":"image","image_src":"https://i.pinimg.com/originals/%s/%s/%s/%s.jpg","downloaded":1,"save_location":"Local save in /data/home-decor","category":"home-decor"}`,
		i, id[:8], id[8:12], id[12:16], id[16:20], id[20:], hex(40), hex(60), hex(60), hex(60), hex(20), rng.IntN(999), id[:2], id[2:4], id[4:6], hex(32))
}

// benchFiles cuts values into the files a sink writes, without Kafka.
func benchFiles(topics []string, values [][][]byte, flushSize int) []*file {
	var files []*file
	for t, topic := range topics {
		for start := 0; start+flushSize <= len(values[t]); start += flushSize {
			var data []byte
			for _, v := range values[t][start : start+flushSize] {
				data = appendLine(data, v)
			}
			files = append(files, &file{key: Key(topic, 0, int64(start)), data: data})
		}
	}
	return files
}

// putAll puts files with concurrency workers and returns how long it took.
func putAll(ctx context.Context, store Store, files []*file, concurrency int) (time.Duration, error) {
	next := make(chan *file)
	errs := make(chan error, concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Go(func() {
			for f := range next {
				if err := store.PutIfAbsent(ctx, f.key, f.data); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for _, f := range files {
		next <- f
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := errors.Join(collect(errs)...); err != nil {
		return elapsed, fmt.Errorf("bench sink: raw put: %w", err)
	}
	return elapsed, nil
}

func collect(errs <-chan error) []error {
	var out []error
	for err := range errs {
		out = append(out, err)
	}
	return out
}
