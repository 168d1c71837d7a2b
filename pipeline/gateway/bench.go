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

// BenchSlice is how long one measurement runs before the next takes its turn. The four take
// turns until each has run for the whole duration, so a load that other processes put on a
// shared machine falls on all of them alike and the ratios to the ceilings stay steady.
const BenchSlice = 250 * time.Millisecond

// Bench measures ingest on loopback against an in-process Kafka cluster per measurement, so
// it needs nothing running and leaves nothing behind.
func Bench(ctx context.Context, opts BenchOptions) (BenchResult, error) {
	if opts.Duration <= 0 {
		opts.Duration = 2 * time.Second
	}
	if opts.Connections <= 0 {
		opts.Connections = 16
	}
	var targets []*benchTarget
	defer func() {
		for _, t := range targets {
			t.close()
		}
	}()
	for _, open := range []func(int) (*benchTarget, error){
		func(conns int) (*benchTarget, error) { return gatewayTarget(conns, 1) },
		echoTarget,
		func(conns int) (*benchTarget, error) { return gatewayTarget(conns, 100) },
		func(int) (*benchTarget, error) { return directTarget(100) },
	} {
		t, err := open(opts.Connections)
		if err != nil {
			return BenchResult{}, err
		}
		targets = append(targets, t)
	}
	rounds := max(1, int(opts.Duration/BenchSlice))
	for range rounds {
		for _, t := range targets {
			if err := t.run(ctx, opts.Connections, deadline(opts.Duration/time.Duration(rounds))); err != nil {
				return BenchResult{}, err
			}
		}
	}
	return BenchResult{Single: targets[0].throughput(), Echo: targets[1].throughput(),
		Batch: targets[2].throughput(), Direct: targets[3].throughput()}, nil
}

// produceBody is a json-format produce request of n copies of the bench pin.
func produceBody(n int) []byte {
	records := make([]string, n)
	for i := range records {
		records[i] = `{"value":` + benchPin + `}`
	}
	return []byte(`{"records":[` + strings.Join(records, ",") + `]}`)
}

// benchTarget is one measurement: a call that sends perCall records in callBytes bytes, the
// meter adding up its slices, and what to close once it is done.
type benchTarget struct {
	name      string
	perCall   int
	callBytes int
	call      func(context.Context) error
	close     func()
	meter
}

// benchCluster starts a fresh embedded cluster with the bench topic.
func benchCluster() (*kfake.Cluster, error) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, benchTopic))
	if err != nil {
		return nil, fmt.Errorf("start bench cluster: %w", err)
	}
	return cluster, nil
}

// gatewayTarget posts perRequest records a request to a gateway in front of its own cluster.
func gatewayTarget(conns, perRequest int) (*benchTarget, error) {
	cluster, err := benchCluster()
	if err != nil {
		return nil, err
	}
	k, err := NewKafka(cluster.ListenAddrs())
	if err != nil {
		cluster.Close()
		return nil, err
	}
	t, err := httpTarget(NewHandler(k, Options{}), produceBody(perRequest), conns)
	if err != nil {
		k.Close()
		cluster.Close()
		return nil, err
	}
	closeHTTP := t.close
	t.close = func() {
		closeHTTP()
		k.Close()
		cluster.Close()
	}
	t.name = fmt.Sprintf("gateway → kafka, %d record/request", perRequest)
	t.perCall = perRequest
	return t, nil
}

// echoHandler reads the request and answers a fixed produce response: HTTP cost alone.
var echoHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", mediaKafkaV2)
	_, _ = io.WriteString(w, `{"offsets":[{"partition":0,"offset":0,"error_code":null,"error":null}],"key_schema_id":null,"value_schema_id":null}`)
})

// echoTarget posts the one-record body to the echo handler.
func echoTarget(conns int) (*benchTarget, error) {
	t, err := httpTarget(echoHandler, produceBody(1), conns)
	if err != nil {
		return nil, err
	}
	t.name = "net/http echo, 1 record/request (ceiling)"
	t.perCall = 1
	return t, nil
}

// directTarget produces perCall records a call with franz-go straight to its own cluster.
func directTarget(perCall int) (*benchTarget, error) {
	cluster, err := benchCluster()
	if err != nil {
		return nil, err
	}
	client, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ProducerLinger(0))
	if err != nil {
		cluster.Close()
		return nil, fmt.Errorf("connect bench producer: %w", err)
	}
	value := []byte(benchPin)
	return &benchTarget{
		name:      fmt.Sprintf("franz-go → kafka, %d record/call (ceiling)", perCall),
		perCall:   perCall,
		callBytes: perCall * len(value),
		call: func(ctx context.Context) error {
			records := make([]*kgo.Record, perCall)
			for i := range records {
				records[i] = &kgo.Record{Topic: benchTopic, Value: value}
			}
			return client.ProduceSync(ctx, records...).FirstErr()
		},
		close: func() {
			client.Close()
			cluster.Close()
		},
	}, nil
}

// httpTarget serves h on loopback and posts body to it from conns keep-alive clients.
func httpTarget(h http.Handler, body []byte, conns int) (*benchTarget, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for bench: %w", err)
	}
	server := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(ln) }()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	url := "http://" + ln.Addr().String() + "/topics/" + benchTopic
	return &benchTarget{
		callBytes: len(body),
		call: func(ctx context.Context) error {
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
		},
		close: func() {
			client.CloseIdleConnections()
			_ = server.Close()
		},
	}, nil
}

// deadline returns a stop condition that ends the measurement after d.
func deadline(d time.Duration) func(int64) bool {
	end := time.Now().Add(d)
	return func(int64) bool { return time.Now().After(end) }
}

// meter adds up the slices of one measurement: every call's latency, the wall time and the
// process CPU time.
type meter struct {
	latencies    []time.Duration
	elapsed, cpu time.Duration
}

// run calls t from workers goroutines until stop says so (given the calls started so far in
// this slice) and adds what it measured to t's meter.
func (t *benchTarget) run(ctx context.Context, workers int, stop func(int64) bool) error {
	var (
		started  atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	begin, cpu := time.Now(), processCPU()
	for range workers {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil && !stop(started.Add(1)-1) {
				t0 := time.Now()
				if err := t.call(ctx); err != nil {
					mu.Lock()
					firstErr = keepFirst(firstErr, err)
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			t.latencies = append(t.latencies, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	t.elapsed += time.Since(begin)
	t.cpu += processCPU() - cpu
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return fmt.Errorf("ingest bench: %s: %w", t.name, firstErr)
	}
	return nil
}

// throughput is the measurement so far.
func (t *benchTarget) throughput() Throughput {
	n := int64(len(t.latencies))
	m := Throughput{Name: t.name, Requests: n, Records: n * int64(t.perCall), Bytes: n * int64(t.callBytes),
		Elapsed: t.elapsed, CPU: t.cpu}
	if n > 0 {
		slices.Sort(t.latencies)
		m.P50 = t.latencies[(n-1)/2]
		m.P99 = t.latencies[(n*99-1)/100]
	}
	return m
}

// keepFirst keeps the first real failure; cancellation is reported from the context instead.
func keepFirst(first, err error) error {
	if first != nil || errors.Is(err, context.Canceled) {
		return first
	}
	return err
}
