package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// benchPin is a real pin row (id 10794) as the batch emulator posts it.
const benchPin = `{"index":10794,"unique_id":"c4bd2577-a7bb-4409-bb7a-17d5ed7e1cf1","title":"TireBuyer",` +
	`"description":"Nissan GT-R. Sick.","poster_name":"Ray Uyemura","follower_count":"437",` +
	`"tag_list":"Lowrider,Old Vintage Cars,Antique Cars,Austin Martin,Nissan Gtr Black,Jaguar,1959 Cadillac,Cadillac Ct6,Old School Cars",` +
	`"is_image_or_video":"image","image_src":"https://i.pinimg.com/originals/0d/29/9f/0d299f3df020395aa7ce8387f40fbeed.jpg",` +
	`"downloaded":1,"save_location":"Local save in /data/vehicles","category":"vehicles"}`

// benchTopic is the topic every measurement produces to.
const benchTopic = "bench.pin"

// BenchOptions sizes an ingest benchmark.
type BenchOptions struct {
	// Duration is how long each measurement runs; zero means 2 s.
	Duration time.Duration
	// Connections is the number of concurrent keep-alive clients; zero means 16.
	Connections int
}

// Throughput is one measurement: what was sent in how long, and the request latencies.
type Throughput struct {
	Name     string
	Requests int64
	Records  int64
	Bytes    int64
	Elapsed  time.Duration
	P50, P99 time.Duration
	// CPU is the process CPU time the measurement used, load generator included. On a shared
	// machine it is steadier than Elapsed: requests per CPU-second do not drop when other
	// processes take the cores.
	CPU time.Duration
}

// RecordsPerCPUSecond is the record rate per core the measurement would reach with the cores
// to itself, or 0 when CPU time is unknown.
func (t Throughput) RecordsPerCPUSecond() float64 {
	if t.CPU <= 0 {
		return 0
	}
	return float64(t.Records) / t.CPU.Seconds()
}

// RequestsPerCPUSecond is the request rate per core, or 0 when CPU time is unknown.
func (t Throughput) RequestsPerCPUSecond() float64 {
	if t.CPU <= 0 {
		return 0
	}
	return float64(t.Requests) / t.CPU.Seconds()
}

// RequestsPerSecond is the request rate of the measurement.
func (t Throughput) RequestsPerSecond() float64 { return float64(t.Requests) / t.Elapsed.Seconds() }

// RecordsPerSecond is the record rate of the measurement.
func (t Throughput) RecordsPerSecond() float64 { return float64(t.Records) / t.Elapsed.Seconds() }

// BenchResult is the ingest benchmark: the gateway at 1 and 100 records per request, beside
// the two ceilings it cannot beat — franz-go producing the same records straight to the
// embedded cluster, and a bare net/http handler that echoes the request.
type BenchResult struct {
	Single, Batch, Direct, Echo Throughput
}

// Throughputs lists the measurements in the order they are best printed.
func (r BenchResult) Throughputs() []Throughput {
	return []Throughput{r.Single, r.Echo, r.Batch, r.Direct}
}

// Bench measures ingest on loopback against an in-process Kafka cluster per measurement, so
// it needs nothing running and leaves nothing behind.
func Bench(ctx context.Context, opts BenchOptions) (BenchResult, error) {
	if opts.Duration <= 0 {
		opts.Duration = 2 * time.Second
	}
	if opts.Connections <= 0 {
		opts.Connections = 16
	}
	var res BenchResult
	var err error
	if res.Single, err = benchGateway(ctx, opts, 1); err != nil {
		return res, err
	}
	if res.Batch, err = benchGateway(ctx, opts, 100); err != nil {
		return res, err
	}
	if res.Direct, err = benchDirect(ctx, opts, 100); err != nil {
		return res, err
	}
	res.Echo, err = benchEcho(ctx, opts)
	return res, err
}

// produceBody is a json-format produce request of n copies of the bench pin.
func produceBody(n int) []byte {
	records := make([]string, n)
	for i := range records {
		records[i] = `{"value":` + benchPin + `}`
	}
	return []byte(`{"records":[` + strings.Join(records, ",") + `]}`)
}

// benchCluster is a fresh embedded cluster with the bench topic and a gateway producer.
func benchCluster() (*kfake.Cluster, *Kafka, error) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, benchTopic))
	if err != nil {
		return nil, nil, fmt.Errorf("start bench cluster: %w", err)
	}
	k, err := NewKafka(cluster.ListenAddrs())
	if err != nil {
		cluster.Close()
		return nil, nil, err
	}
	return cluster, k, nil
}

func benchGateway(ctx context.Context, opts BenchOptions, perRequest int) (Throughput, error) {
	cluster, k, err := benchCluster()
	if err != nil {
		return Throughput{}, err
	}
	defer cluster.Close()
	defer k.Close()
	t, err := loadHTTP(ctx, NewHandler(k, Options{}), produceBody(perRequest), opts.Connections, deadline(opts.Duration))
	t.Name = fmt.Sprintf("gateway → kafka, %d record/request", perRequest)
	t.Records = t.Requests * int64(perRequest)
	return t, err
}

// echoHandler reads the request and answers a fixed produce response: HTTP cost alone.
var echoHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", mediaKafkaV2)
	_, _ = io.WriteString(w, `{"offsets":[{"partition":0,"offset":0,"error_code":null,"error":null}],"key_schema_id":null,"value_schema_id":null}`)
})

func benchEcho(ctx context.Context, opts BenchOptions) (Throughput, error) {
	t, err := loadHTTP(ctx, echoHandler, produceBody(1), opts.Connections, deadline(opts.Duration))
	t.Name = "net/http echo, 1 record/request (ceiling)"
	t.Records = t.Requests
	return t, err
}

func benchDirect(ctx context.Context, opts BenchOptions, perCall int) (Throughput, error) {
	return benchDirectStop(ctx, opts.Connections, perCall, deadline(opts.Duration))
}

func benchDirectStop(ctx context.Context, workers, perCall int, stop func(int64) bool) (Throughput, error) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, benchTopic))
	if err != nil {
		return Throughput{}, fmt.Errorf("start bench cluster: %w", err)
	}
	defer cluster.Close()
	client, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ProducerLinger(0))
	if err != nil {
		return Throughput{}, fmt.Errorf("connect bench producer: %w", err)
	}
	defer client.Close()
	value := []byte(benchPin)
	t, err := load(ctx, workers, stop, func() error {
		records := make([]*kgo.Record, perCall)
		for i := range records {
			records[i] = &kgo.Record{Topic: benchTopic, Value: value}
		}
		return client.ProduceSync(ctx, records...).FirstErr()
	})
	t.Name = fmt.Sprintf("franz-go → kafka, %d record/call (ceiling)", perCall)
	t.Records = t.Requests * int64(perCall)
	t.Bytes = t.Records * int64(len(value))
	return t, err
}

// deadline returns a stop condition that ends the measurement after d.
func deadline(d time.Duration) func(int64) bool {
	end := time.Now().Add(d)
	return func(int64) bool { return time.Now().After(end) }
}

// loadHTTP serves h on loopback and posts body from conns keep-alive clients until stop.
func loadHTTP(ctx context.Context, h http.Handler, body []byte, conns int, stop func(int64) bool) (Throughput, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Throughput{}, fmt.Errorf("listen for bench: %w", err)
	}
	server := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(ln) }()
	defer server.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	defer client.CloseIdleConnections()
	url := "http://" + ln.Addr().String() + "/topics/" + benchTopic
	t, err := load(ctx, conns, stop, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/vnd.kafka.json.v2+json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("bench post: HTTP %d", resp.StatusCode)
		}
		return nil
	})
	t.Bytes = t.Requests * int64(len(body))
	return t, err
}

// load runs call from workers goroutines until stop says so (given the calls started so far)
// and measures the rate and latency of the calls.
func load(ctx context.Context, workers int, stop func(int64) bool, call func() error) (Throughput, error) {
	var (
		started  atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		all      []time.Duration
		firstErr error
	)
	begin, cpu := time.Now(), processCPU()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil && !stop(started.Add(1)-1) {
				t0 := time.Now()
				if err := call(); err != nil {
					mu.Lock()
					firstErr = keepFirst(firstErr, err)
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	t := Throughput{Requests: int64(len(all)), Elapsed: time.Since(begin), CPU: processCPU() - cpu}
	if len(all) > 0 {
		slices.Sort(all)
		t.P50 = all[(len(all)-1)/2]
		t.P99 = all[(len(all)*99-1)/100]
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return t, fmt.Errorf("ingest bench: %w", firstErr)
	}
	return t, nil
}

// keepFirst keeps the first real failure; cancellation is reported from the context instead.
func keepFirst(first, err error) error {
	if first != nil || errors.Is(err, context.Canceled) {
		return first
	}
	return err
}
