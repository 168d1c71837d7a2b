// Package local runs the embedded stand-ins of local mode on loopback: a Kafka cluster (kfake)
// persisted under <data-dir>/kafka, an S3 server (gofakes3) over <data-dir>/s3, pintui's own
// Kinesis over <data-dir>/kinesis, and the gateway the emulators post to. They speak the real
// wire protocols, so pintui's own clients and any standard tool (kcat, the AWS CLI, curl) work
// against them unchanged. One data dir has one owner: a second pintui started on the same dir
// attaches to the running stack instead.
package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/pintui/pintui/ops/kafka"
	"github.com/pintui/pintui/pipeline/dag"
	"github.com/pintui/pintui/pipeline/gateway"
	"github.com/pintui/pintui/pipeline/stream"
)

// Default loopback addresses, the ports the original pipeline's tools expect.
const (
	DefaultKafkaAddr   = "127.0.0.1:9092"
	DefaultS3Addr      = "127.0.0.1:9000"
	DefaultGatewayAddr = "127.0.0.1:8082"
)

// DefaultAttachTimeout bounds how long Start waits for another owner of the data dir to publish its endpoints.
const DefaultAttachTimeout = 30 * time.Second

// GatewayFunc builds the gateway once Kafka and S3 serve: it gets their endpoints and returns the
// handler to serve on the gateway address and a function that releases what it holds (its
// producer), called after the gateway stopped serving.
type GatewayFunc func(ctx context.Context, e Endpoints) (http.Handler, func(), error)

// Options configure a stack; the zero value of every field but DataDir and UID means its default.
type Options struct {
	// DataDir is the folder the stack keeps its state in (kafka/, s3/, stack.json).
	DataDir string
	// UID names the topics <uid>.pin, <uid>.geo, <uid>.user and the bucket user-<uid>-bucket.
	UID string
	// KafkaAddr, S3Addr and GatewayAddr are loopback host:port listeners; port 0 picks a free one.
	// Kafka always listens on 127.0.0.1.
	KafkaAddr, S3Addr, GatewayAddr string
	// Gateway builds the gateway handler; nil means RESTProxy.
	Gateway GatewayFunc
	// Partitions is the partition count of topics the stack creates; 0 means 1.
	Partitions int32
	// SyncWrites fsyncs every Kafka batch, surviving an OS crash at the cost of throughput;
	// without it a killed pintui still loses nothing that was acknowledged.
	SyncWrites bool
	// AttachTimeout bounds the wait for another owner's endpoints; 0 means DefaultAttachTimeout.
	AttachTimeout time.Duration
	// S3Anonymous serves S3 requests that carry no signature too; without it every request must
	// be signed (SigV4) with s3.LocalAccessKey and s3.LocalSecretKey.
	S3Anonymous bool
	// KinesisAddr is the local Kinesis's loopback host:port; "" means DefaultKinesisAddr, port 0
	// picks a free one.
	KinesisAddr string
	// KinesisLimits enforces AWS's per-shard throughput limits on the local Kinesis.
	KinesisLimits bool
	// KinesisShards is the shard count of the streams the stack creates; 0 means
	// DefaultKinesisShards. Streams that exist keep theirs.
	KinesisShards int
	// AirflowAddr is the local scheduler's loopback host:port, where it serves the Airflow REST API
	// v1 subset; "" means DefaultAirflowAddr, port 0 picks a free one.
	AirflowAddr string
	// DAG says when the local scheduler runs the DAG and how it retries a failing task; the zero
	// value means dag.DefaultSettings.
	DAG dag.Settings
	// NotebookDir is the workspace folder of the batch notebook the DAG's tasks and the
	// workspace's batch job run; "" means dag.DefaultNotebookDir. ClusterID is the cluster they
	// run on; "" lets the workspace choose.
	NotebookDir, ClusterID string
	// Tasks returns what the scheduler submits each DAG task's notebook run to and waits on (the
	// local workspace's Jobs API, through the Databricks client), once the stack's endpoints are
	// known; nil runs no scheduler.
	Tasks func(e Endpoints) (dag.TaskRunner, error)
	// WorkspaceAddr is the local workspace's loopback host:port, where it serves the Databricks
	// Jobs API 2.2 and Workspace API subset; "" means DefaultWorkspaceAddr, port 0 picks a free one.
	WorkspaceAddr string
	// RunNotebook executes one notebook run of the local workspace on the embedded pipeline; nil
	// serves no workspace. The workspace takes the control endpoint's token, so it needs Control.
	RunNotebook NotebookFunc
	// Notebooks are the workspace's notebooks by workspace path, imported at start into each
	// path that holds none yet, so a fresh data dir runs the DAG without a deploy.
	Notebooks map[string][]byte
	// Control serves the owner's control endpoint on a free loopback port, behind the bearer
	// token in <data-dir>/control.token; nil serves none.
	Control http.Handler
	// limits bound the clients of every listener; the zero value means defaultLimits. Tests
	// shorten them.
	limits serverLimits
	// clock is the scheduler's time; nil means the wall clock. Tests run it by hand.
	clock airflowClock
}

// Topics returns the stack's Kafka topics for uid, <uid>.pin, <uid>.geo and <uid>.user.
func Topics(uid string) []string {
	return []string{uid + ".pin", uid + ".geo", uid + ".user"}
}

// Bucket returns the stack's landing bucket for uid, user-<uid>-bucket.
func Bucket(uid string) string { return "user-" + uid + "-bucket" }

// Stack is a running local stack, either owned by this process or attached to from it.
type Stack struct {
	// dir and bucket never change, not even when the stack reattaches to a new owner.
	dir, bucket string
	// mu guards what Reattach changes while other goroutines read it.
	mu        sync.Mutex
	endpoints Endpoints
	owned     bool
	ownerPID  int
	since     time.Time
	// lockToken is the owner's token in stack.lock and stack.json; a new owner writes a new one.
	lockToken    string
	controlToken string

	lock         *os.File
	control      *http.Server
	kafka        *kfake.Cluster
	s3           *http.Server
	s3Store      io.Closer
	kinesis      *http.Server
	streams      *kinesisServer
	gateway      *http.Server
	closeGateway func()
	workspace    *workspace
	workspaceSrv *http.Server
	airflow      *http.Server
	scheduler    *scheduler
}

// Start starts the stack in opts.DataDir, or attaches to the one another process (or another
// Start in this one) already runs there. Stop an owned stack with Close.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	if opts.DataDir == "" || opts.UID == "" {
		return nil, errors.New("start local stack: data dir and uid are required")
	}
	dir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("start local stack in %s: %w", opts.DataDir, err)
	}
	opts.DataDir = dir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if errors.Is(err, errOwned) {
		return attach(ctx, opts)
	}
	if err != nil {
		return nil, err
	}
	s := &Stack{
		dir: dir, bucket: Bucket(opts.UID), owned: true, ownerPID: os.Getpid(), lock: lock,
		endpoints: Endpoints{Bucket: Bucket(opts.UID), DataDir: dir},
	}
	if err := s.start(ctx, opts); err != nil {
		s.stop(context.Background())
		return nil, err
	}
	return s, nil
}

func attach(ctx context.Context, opts Options) (*Stack, error) {
	timeout := opts.AttachTimeout
	if timeout == 0 {
		timeout = DefaultAttachTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	st, err := readState(ctx, opts.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Stack{dir: opts.DataDir, bucket: Bucket(opts.UID)}
	if err := s.follow(st); err != nil {
		return nil, err
	}
	return s, nil
}

// follow points an attached stack at the owner that published st.
func (s *Stack) follow(st stateFile) error {
	if st.Endpoints.Bucket != s.bucket {
		return fmt.Errorf("attach to the stack in %s: it serves bucket %s, not %s: use the same uid or another data dir",
			s.dir, st.Endpoints.Bucket, s.bucket)
	}
	var token string
	if st.Endpoints.Control != "" {
		var err error
		if token, err = readToken(s.dir); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endpoints, s.ownerPID, s.since, s.lockToken, s.controlToken = st.Endpoints, st.PID, st.Started, st.Token, token
	return nil
}

// OwnerAlive reports whether the owner this stack is attached to still serves it: its stack.json
// is still published and its process still runs. An owned stack is its own owner.
func (s *Stack) OwnerAlive() bool {
	s.mu.Lock()
	owned, token := s.owned, s.lockToken
	s.mu.Unlock()
	if owned {
		return true
	}
	st, ok, err := readPublished(s.dir)
	return err == nil && ok && st.Token == token && processRuns(st.PID)
}

// Reattach points an attached stack at a new owner of the data dir, once one has published its
// endpoints; it reports false while none other than the one attached to has. The error says why
// the new owner cannot be attached to.
func (s *Stack) Reattach() (bool, error) {
	s.mu.Lock()
	owned, token := s.owned, s.lockToken
	s.mu.Unlock()
	if owned {
		return false, nil
	}
	st, ok, err := readPublished(s.dir)
	if err != nil || !ok || st.Token == token {
		return false, err
	}
	if err := s.follow(st); err != nil {
		return false, err
	}
	return true, nil
}

// processRuns reports whether process pid exists; one of another user counts too.
func processRuns(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func (s *Stack) start(ctx context.Context, opts Options) error {
	token := make([]byte, 16)
	rand.Read(token)
	s.lockToken = hex.EncodeToString(token)
	if err := claimDir(s.lock, s.lockToken); err != nil {
		return err
	}
	// A stack.json left by a crashed owner must not be read by attachers while this one starts.
	if err := removeState(opts.DataDir); err != nil {
		return err
	}
	if err := s.startKafka(ctx, opts); err != nil {
		return err
	}
	if err := s.startS3(opts); err != nil {
		return err
	}
	// The gateway's Kinesis proxy is built on Endpoints.Kinesis, so Kinesis serves first.
	if err := s.startKinesis(opts); err != nil {
		return err
	}
	if err := s.startGateway(ctx, opts); err != nil {
		return err
	}
	if err := s.startControl(opts); err != nil {
		return err
	}
	// The scheduler's tasks submit to the workspace, so it serves first.
	if err := s.startWorkspace(opts); err != nil {
		return err
	}
	if err := s.startAirflow(opts); err != nil {
		return err
	}
	s.since = time.Now().UTC().Truncate(time.Millisecond)
	return writeState(opts.DataDir, stateFile{Token: s.lockToken, PID: s.ownerPID, Started: s.since, Endpoints: s.endpoints})
}

func (s *Stack) startKafka(ctx context.Context, opts Options) error {
	port, err := loopbackPort(or(opts.KafkaAddr, DefaultKafkaAddr), "kafka")
	if err != nil {
		return err
	}
	partitions := opts.Partitions
	if partitions == 0 {
		partitions = 1
	}
	kopts := []kfake.Opt{
		kfake.Ports(port),
		kfake.DataDir(filepath.Join(opts.DataDir, "kafka")),
		kfake.DefaultNumPartitions(int(partitions)),
		kfake.ClusterID("pintui-local"),
	}
	if opts.SyncWrites {
		kopts = append(kopts, kfake.SyncWrites())
	}
	s.kafka, err = kfake.NewCluster(kopts...)
	if err != nil {
		return fmt.Errorf("start kafka on 127.0.0.1:%d: %w: free the port or set local.kafka_addr (port 0 picks a free one)", port, err)
	}
	s.endpoints.Kafka = s.kafka.ListenAddrs()[0]
	cl, err := kafka.New(ctx, kafka.Settings{Brokers: []string{s.endpoints.Kafka}})
	if err != nil {
		return err
	}
	defer cl.Close()
	if err := cl.EnsureTopics(ctx, partitions, Topics(opts.UID)...); err != nil {
		return fmt.Errorf("start kafka: %w", err)
	}
	return nil
}

func (s *Stack) startS3(opts Options) error {
	fake, store, err := newS3(filepath.Join(opts.DataDir, "s3"), s.endpoints.Bucket)
	if err != nil {
		return err
	}
	s.s3Store = store
	ln, err := listen(or(opts.S3Addr, DefaultS3Addr), "s3")
	if err != nil {
		return err
	}
	s.endpoints.S3 = "http://" + ln.Addr().String()
	h := fake
	if !opts.S3Anonymous {
		h = requireSignature(h)
	}
	s.s3 = serve(ln, h, opts.limits.orDefault())
	return nil
}

func (s *Stack) startKinesis(opts Options) error {
	shards := opts.KinesisShards
	if shards == 0 {
		shards = DefaultKinesisShards
	}
	if shards < 1 || shards > maxShards {
		return fmt.Errorf("start kinesis: %d shards per stream is not valid: use 1 to %d", shards, maxShards)
	}
	srv, err := openKinesis(filepath.Join(opts.DataDir, "kinesis"), withLimits(opts.KinesisLimits))
	if err != nil {
		return fmt.Errorf("start kinesis: %w", err)
	}
	s.streams = srv
	if err := srv.ensureStreams(stream.Streams(opts.UID), shards); err != nil {
		return fmt.Errorf("start kinesis: %w", err)
	}
	ln, err := listen(or(opts.KinesisAddr, DefaultKinesisAddr), "kinesis")
	if err != nil {
		return err
	}
	s.endpoints.Kinesis = "http://" + ln.Addr().String()
	s.kinesis = serve(ln, srv, opts.limits.orDefault())
	return nil
}

// RESTProxy is the default gateway: the REST Proxy v2 produce routes of pipeline/gateway over a
// franz-go producer to the stack's Kafka and, once the stack serves Kinesis, the API Gateway
// Kinesis proxy routes over signed calls to it.
func RESTProxy(_ context.Context, e Endpoints) (http.Handler, func(), error) {
	producer, err := gateway.NewKafka([]string{e.Kafka})
	if err != nil {
		return nil, nil, err
	}
	if e.Kinesis == "" {
		return gateway.NewHandler(producer, gateway.Options{}), producer.Close, nil
	}
	upstream := NewKinesisUpstream(e.Kinesis)
	release := func() {
		producer.Close()
		upstream.CloseIdleConnections()
	}
	return gateway.NewHandler(producer, gateway.Options{Kinesis: upstream}), release, nil
}

func (s *Stack) startGateway(ctx context.Context, opts Options) error {
	ln, err := listen(or(opts.GatewayAddr, DefaultGatewayAddr), "gateway")
	if err != nil {
		return err
	}
	s.endpoints.Gateway = "http://" + ln.Addr().String()
	build := opts.Gateway
	if build == nil {
		build = RESTProxy
	}
	h, closeGateway, err := build(ctx, s.endpoints)
	if err != nil {
		ln.Close()
		return fmt.Errorf("start gateway: %w", err)
	}
	s.closeGateway = closeGateway
	s.gateway = serve(ln, h, opts.limits.orDefault())
	return nil
}

// listen opens a loopback listener, refusing addresses off loopback: local mode never listens outside.
func listen(addr, what string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%s address %q: %w: use host:port, e.g. 127.0.0.1:0", what, addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("%s address %q is not loopback: local mode listens on 127.0.0.1 only", what, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("start %s on %s: %w: free the port or set local.%s_addr (port 0 picks a free one)", what, addr, err, what)
	}
	return ln, nil
}

// loopbackPort returns the port of a Kafka address, which must be on 127.0.0.1 because kfake
// always listens there.
func loopbackPort(addr, what string) (int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, fmt.Errorf("%s address %q: %w: use host:port, e.g. 127.0.0.1:9092", what, addr, err)
	}
	if host != "127.0.0.1" && host != "localhost" {
		return 0, fmt.Errorf("%s address %q: the embedded Kafka listens on 127.0.0.1 only", what, addr)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return 0, fmt.Errorf("%s address %q: bad port", what, addr)
	}
	return port, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// Endpoints returns the addresses of the stack, owned or attached.
func (s *Stack) Endpoints() Endpoints {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.endpoints
}

// Owned reports whether this process runs the stack (true) or attached to another's (false).
func (s *Stack) Owned() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.owned
}

// OwnerPID returns the id of the process that runs the stack.
func (s *Stack) OwnerPID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ownerPID
}

// Since returns when the owner started serving the stack, to the millisecond.
func (s *Stack) Since() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.since
}

// ControlToken returns the bearer token of the owner's control endpoint, or "" if it serves none.
func (s *Stack) ControlToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.controlToken
}

// Close stops an owned stack: it withdraws stack.json, stops the gateway, S3 and Kinesis
// (waiting for requests in flight until ctx ends), then Kafka, which writes its state to disk, and releases
// the data dir. Closing an attached stack only detaches.
func (s *Stack) Close(ctx context.Context) error {
	if !s.Owned() {
		return nil
	}
	return s.stop(ctx)
}

func (s *Stack) stop(ctx context.Context) error {
	var errs []error
	if s.lock != nil {
		errs = append(errs, removeState(s.dir))
	}
	if s.control != nil {
		errs = append(errs, shutdown(ctx, s.control, "control endpoint"), removeToken(s.dir))
	}
	errs = append(errs, s.stopAirflow(ctx))
	if s.workspaceSrv != nil {
		errs = append(errs, shutdown(ctx, s.workspaceSrv, "workspace"))
	}
	if s.workspace != nil {
		errs = append(errs, s.workspace.close(ctx))
	}
	if s.gateway != nil {
		errs = append(errs, shutdown(ctx, s.gateway, "gateway"))
	}
	if s.closeGateway != nil {
		s.closeGateway()
	}
	if s.s3 != nil {
		errs = append(errs, shutdown(ctx, s.s3, "s3"))
	}
	if s.s3Store != nil {
		errs = append(errs, s.s3Store.Close())
	}
	if s.kinesis != nil {
		errs = append(errs, shutdown(ctx, s.kinesis, "kinesis"))
	}
	if s.streams != nil {
		errs = append(errs, s.streams.close())
	}
	if s.kafka != nil {
		s.kafka.Close()
	}
	if s.lock != nil {
		errs = append(errs, unlockDir(s.lock))
	}
	s.mu.Lock()
	s.owned = false
	s.mu.Unlock()
	s.s3Store = nil
	s.lock, s.control, s.kafka, s.s3, s.kinesis, s.streams, s.gateway, s.closeGateway = nil, nil, nil, nil, nil, nil, nil, nil
	s.workspace, s.workspaceSrv = nil, nil
	return errors.Join(errs...)
}

func shutdown(ctx context.Context, srv *http.Server, what string) error {
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
		return fmt.Errorf("stop %s: %w", what, err)
	}
	return nil
}
