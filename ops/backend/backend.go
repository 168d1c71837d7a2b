// Package backend opens the running parts of the pipeline for the selected profile: in the local
// profile the embedded stack (Kafka, S3, the gateway) with the S3 sink beside it, in a cloud
// profile clients of MSK, S3 and the API Gateway. The command registry and the console work
// through one Backends value, whatever the profile.
package backend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/ops/airflow"
	"github.com/pintui/pintui/ops/kafka"
	"github.com/pintui/pintui/ops/kinesis"
	"github.com/pintui/pintui/ops/local"
	"github.com/pintui/pintui/ops/s3"
	"github.com/pintui/pintui/pipeline/assets"
	"github.com/pintui/pintui/pipeline/dag"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/sink"
	"github.com/pintui/pintui/pipeline/stream"
)

// Backends are the pipeline's running parts as one process sees them.
type Backends struct {
	cfg *config.Loaded
	// Stack is the local stack, owned or attached; nil in a cloud profile.
	Stack *local.Stack
	// Kafka reaches the embedded cluster or MSK.
	Kafka *kafka.Client
	// S3 reaches the embedded S3 or AWS S3.
	S3 *s3.Client
	// Kinesis reaches the local Kinesis or AWS Kinesis; nil while the local stack serves none.
	Kinesis *kinesis.Client
	// Airflow reaches the local scheduler, MWAA or a self-hosted Airflow; nil when there is none
	// (AirflowMissing says why).
	Airflow *airflow.Client
	// Bucket is the landing bucket.
	Bucket string
	// GatewayURL is where the emulators post: the local gateway or the API Gateway invoke URL.
	GatewayURL string
	// Brokers are the Kafka bootstrap addresses.
	Brokers []string

	// sink is the S3 sink this process runs, nil when it runs none; it, sinkErr, stopSink and
	// sinkDone change under mu when sink restart starts it again.
	sink     *sink.Sink
	sinkErr  error
	stopSink context.CancelFunc
	sinkDone chan struct{}
	// kset reaches Kafka as the sink does; connector is the managed sink of a cloud profile.
	kset        kafka.Settings
	connector   *managedSink
	sinkRestart sync.Mutex

	mu sync.Mutex
	// emulators are the last emulator of each kind started here, indexed as EmulatorKinds.
	emulators [2]*emulation
	// streamReader is the Kinesis the stream job reads; streamJob the job once started and
	// streamJobErr why it last failed to start.
	streamReader stream.Reader
	streamJob    *streamJobRun
	streamJobErr string

	// owner is who runs the local stack, kept current by watchOwner in an attached process.
	owner atomic.Pointer[Owner]
	// closing is closed when the owner starts closing, which ends the control endpoint's long polls.
	closing     chan struct{}
	closingOnce sync.Once
	// ready is closed once Open has set up everything the control endpoint serves.
	ready chan struct{}
	// remote reaches the owner's control endpoint; nil unless this process attached to a stack.
	remote *remote
	// s3Transport carries the S3 client of an attached process to the owner's current address.
	s3Transport *http.Transport
	stopWatch   context.CancelFunc
	watchDone   chan struct{}

	// kinesisTransport carries the Kinesis client of an attached process to the owner's current
	// address, as s3Transport does.
	kinesisTransport *http.Transport
	// airflowTransport carries the Airflow client of an attached process to the owner's
	// scheduler, as kinesisTransport does.
	airflowTransport *http.Transport

	// workspace is the Databricks client, made by Databricks on first use.
	workspace workspaceConn
}

// Open starts (or attaches to) the local stack in the local profile, or connects the cloud
// clients, and in the local stack's owner runs the S3 sink. Close releases everything.
func Open(ctx context.Context, cfg *config.Loaded) (*Backends, error) {
	b := &Backends{cfg: cfg, Bucket: cfg.Bucket(), closing: make(chan struct{}), ready: make(chan struct{})}
	if err := b.open(ctx); err != nil {
		b.Close(context.Background())
		return nil, err
	}
	close(b.ready)
	return b, nil
}

func (b *Backends) open(ctx context.Context) error {
	cfg := b.cfg
	var kset kafka.Settings
	var sset s3.Settings
	if cfg.IsLocal() {
		stack, err := local.Start(ctx, local.Options{
			DataDir: cfg.DataDir, UID: cfg.UID,
			KafkaAddr: cfg.Local.KafkaAddr, S3Addr: cfg.Local.S3Addr, GatewayAddr: cfg.Local.GatewayAddr,
			S3Anonymous: cfg.Local.S3Anonymous,
			KinesisAddr: cfg.Local.KinesisAddr, KinesisLimits: cfg.Local.KinesisLimits == "aws", KinesisShards: cfg.Local.KinesisShards,
			AirflowAddr: cfg.Local.AirflowAddr, NotebookDir: cfg.Databricks.NotebookDir, ClusterID: cfg.Databricks.ClusterID,
			DAG:           dag.Settings{Schedule: cfg.DAG.Schedule, Catchup: cfg.DAG.Catchup, Retries: cfg.DAG.Retries, RetryDelay: cfg.DAGRetryDelay()},
			Control:       b.controlHandler(),
			Tasks:         localTasks,
			WorkspaceAddr: cfg.Local.WorkspaceAddr, RunNotebook: b.runNotebook,
			Notebooks: assets.Notebooks(cfg.UID, cfg.Databricks.NotebookDir),
		})
		if err != nil {
			return fmt.Errorf("start the local stack: %w", err)
		}
		b.Stack = stack
		b.noteOwner()
		e := stack.Endpoints()
		b.Brokers = []string{e.Kafka}
		b.GatewayURL = e.Gateway
		kset = kafka.Settings{Brokers: b.Brokers}
		sset = s3.Settings{Endpoint: e.S3}
		if !stack.Owned() {
			// The owner may stop and another take its place on other ports; the clients follow.
			b.remote = newRemote(b)
			kset.Dialer = b.dialKafka
			b.s3Transport = http.DefaultTransport.(*http.Transport).Clone()
			b.s3Transport.Proxy, b.s3Transport.DialContext = nil, b.dialS3
			sset.HTTPClient = &http.Client{Transport: b.s3Transport}
		}
	} else {
		if len(cfg.Kafka.Brokers) == 0 {
			return fmt.Errorf("profile %s has no kafka.brokers: add the MSK bootstrap brokers to the profile", cfg.Profile)
		}
		b.Brokers = cfg.Kafka.Brokers
		b.GatewayURL = cfg.Gateway.InvokeURL
		kset = kafka.Settings{Brokers: cfg.Kafka.Brokers, TLS: cfg.Kafka.TLS, SASL: cfg.Kafka.SASL,
			User: cfg.Kafka.Username, Password: cfg.Kafka.Password, AWSProfile: cfg.AWS.Profile, AWSRegion: cfg.AWS.Region}
		sset = s3.Settings{Endpoint: cfg.S3.Endpoint, Region: cfg.AWS.Region, Profile: cfg.AWS.Profile}
	}
	b.kset = kset
	var err error
	if b.Kafka, err = kafka.New(ctx, kset); err != nil {
		return err
	}
	if b.S3, err = s3.New(ctx, sset); err != nil {
		return err
	}
	if err := b.openKinesis(ctx); err != nil {
		return err
	}
	if err := b.openAirflow(ctx); err != nil {
		return err
	}
	if b.remote != nil {
		watchCtx, cancel := context.WithCancel(context.Background())
		b.stopWatch, b.watchDone = cancel, make(chan struct{})
		go b.watchOwner(watchCtx)
	}
	if b.Owned() || (!cfg.IsLocal() && cfg.Sink.InCloud) {
		if err := b.startSink(); err != nil {
			return err
		}
	}
	b.openStreamJob()
	b.openConnector(ctx)
	return nil
}

// Owned reports whether this process runs the local stack (and with it the sink).
func (b *Backends) Owned() bool { return b.Stack != nil && b.Stack.Owned() }

// Landings returns the landing bucket as an object store.
func (b *Backends) Landings() objstore.Store { return b.S3.Store(b.Bucket, "") }

// Topics returns the pipeline's three topics.
func (b *Backends) Topics() []string { return local.Topics(b.cfg.UID) }

func (b *Backends) startSink() error {
	opts, err := b.kset.Options(context.Background())
	if err != nil {
		return err
	}
	s, err := sink.New(b.Landings(), sink.Brokers(b.Brokers...), sink.Topics(b.Topics()...),
		sink.FlushSize(b.cfg.Sink.FlushSize), sink.ClientOpts(opts...))
	if err != nil {
		return fmt.Errorf("start the S3 sink: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.mu.Lock()
	b.sink, b.sinkErr, b.stopSink, b.sinkDone = s, nil, cancel, done
	b.mu.Unlock()
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			slog.Error("s3 sink stopped", "err", err)
			b.mu.Lock()
			b.sinkErr = err
			b.mu.Unlock()
		}
	}()
	return nil
}

// SinkStatus returns the running sink's status, or false if this process runs no sink; a sink
// that stopped on an error reports it in Status.Error.
func (b *Backends) SinkStatus() (sink.Status, bool) {
	b.mu.Lock()
	s, err := b.sink, b.sinkErr
	b.mu.Unlock()
	if s == nil {
		return sink.Status{}, false
	}
	st := s.Status()
	if err != nil {
		st.Error, st.Stopped = "stopped: "+err.Error(), true
	}
	return st, true
}

// Close stops the emulators and the stream job this process runs and the sink, and releases the stack (stopping it
// if owned). An emulator an attached process started runs in the owner and goes on.
func (b *Backends) Close(ctx context.Context) error {
	b.closingOnce.Do(func() { close(b.closing) })
	if b.stopWatch != nil {
		b.stopWatch()
		<-b.watchDone
		b.remote.transport.CloseIdleConnections()
	}
	for _, kind := range EmulatorKinds {
		b.stopEmulator(kind)
	}
	b.stopStreamJob()
	b.endSink(10 * time.Second)
	b.closeConnector()
	if b.Kafka != nil {
		b.Kafka.Close()
	}
	if b.Stack != nil {
		return b.Stack.Close(ctx)
	}
	return nil
}
