package backend

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/pintui/pintui/ops/connect"
)

// managedSink reaches the MSK Connect connector that lands the topics in a cloud profile, and
// the cluster its consumer group commits on.
type managedSink struct {
	api *connect.Client
	// err is why the client could not be made; every question about the connector fails with it.
	err error
	kgo *kgo.Client
	adm *kadm.Client

	// restart keeps two restarts of the sink from crossing.
	restart sync.Mutex
	mu      sync.Mutex
	// arn is the connector found by the first lookup; it is looked up again once it is gone.
	arn string
}

// ConnectorReport is the managed sink as one process sees it: the connector and its
// group's lag on the three topics.
type ConnectorReport struct {
	connect.Connector
	// Region is where the connector runs.
	Region string
	// Group is the connector's consumer group; Lag its lag per topic partition.
	Group string
	Lag   []connect.PartitionLag
	// LagErr is why the lag could not be read; the connector's state is known regardless.
	LagErr error
}

// ManagedSink reports that MSK Connect lands the topics: a cloud profile where pintui runs no
// sink itself (sink.in_cloud is off).
func (b *Backends) ManagedSink() bool { return !b.cfg.IsLocal() && !b.cfg.Sink.InCloud }

// openConnector makes the MSK Connect client and the Kafka admin client of a managed sink; a
// failure is kept for the commands to report, as the rest of the pipeline works without it.
func (b *Backends) openConnector(ctx context.Context) {
	if !b.ManagedSink() {
		return
	}
	m := &managedSink{}
	b.connector = m
	m.api, m.err = connect.New(ctx, connect.Settings{Region: b.cfg.AWS.Region, Profile: b.cfg.AWS.Profile})
	if m.err != nil {
		return
	}
	opts, err := b.kset.Options(ctx)
	if err == nil {
		m.kgo, err = kgo.NewClient(opts...)
	}
	if err != nil {
		m.err = fmt.Errorf("kafka client for the connector's lag: %w", err)
		return
	}
	m.adm = kadm.NewClient(m.kgo)
}

func (b *Backends) closeConnector() {
	if b.connector != nil && b.connector.kgo != nil {
		b.connector.kgo.Close()
	}
}

// errNoConnector is the error of a connector question in a profile whose sink is not managed.
var errNoConnector = errors.New("no MSK Connect connector in this profile: the S3 sink runs in pintui; sink status shows it")

// find describes the connector, looking it up by name or uid the first time and again once the
// one found is gone.
func (m *managedSink) find(ctx context.Context, name, uid string) (connect.Connector, error) {
	m.mu.Lock()
	arn := m.arn
	m.mu.Unlock()
	if arn != "" {
		k, err := m.api.Describe(ctx, arn)
		if !errors.Is(err, connect.ErrNotFound) {
			return k, err
		}
	}
	arn, err := m.api.Lookup(ctx, name, uid)
	if err != nil {
		return connect.Connector{}, err
	}
	m.mu.Lock()
	m.arn = arn
	m.mu.Unlock()
	return m.api.Describe(ctx, arn)
}

// Connector describes the managed sink's connector and reads its group's lag.
func (b *Backends) Connector(ctx context.Context) (ConnectorReport, error) {
	m := b.connector
	if m == nil {
		return ConnectorReport{}, errNoConnector
	}
	if m.err != nil {
		return ConnectorReport{}, m.err
	}
	k, err := m.find(ctx, b.cfg.Sink.Connector, b.cfg.UID)
	if err != nil {
		return ConnectorReport{}, err
	}
	r := ConnectorReport{Connector: k, Region: m.api.Region(), Group: b.cfg.Sink.Group}
	if r.Group == "" {
		r.Group = connect.Group(k.Name)
	}
	r.Lag, r.LagErr = connect.Lag(ctx, m.adm, r.Group, b.Topics()...)
	return r, nil
}

// RestartConnector restarts the managed sink's workers (connect.Client.Restart: an update to the
// capacity it has) and returns the connector as it was and the state MSK Connect answered with.
func (b *Backends) RestartConnector(ctx context.Context) (connect.Connector, string, error) {
	m := b.connector
	if m == nil {
		return connect.Connector{}, "", errNoConnector
	}
	if m.err != nil {
		return connect.Connector{}, "", m.err
	}
	m.restart.Lock()
	defer m.restart.Unlock()
	k, err := m.find(ctx, b.cfg.Sink.Connector, b.cfg.UID)
	if err != nil {
		return connect.Connector{}, "", err
	}
	state, err := m.api.Restart(ctx, k)
	return k, state, err
}

// RestartSink stops the S3 sink this process runs and starts it again: it resumes from its
// group's committed offsets, lands the same keys again for what it had not committed, and
// forgets the error it stopped on. Only the process that runs the sink can restart it.
func (b *Backends) RestartSink() error {
	b.sinkRestart.Lock()
	defer b.sinkRestart.Unlock()
	b.mu.Lock()
	running := b.sink != nil
	b.mu.Unlock()
	switch {
	case running:
	case b.Stack != nil && !b.Owned():
		return fmt.Errorf("the S3 sink runs in pintui pid %d, the stack's owner: run sink restart in that process, or quit it and start pintui again", b.Owner().PID)
	default:
		return errors.New("no S3 sink runs in this process: in a cloud profile set sink.in_cloud: true to run one here")
	}
	b.endSink(0)
	return b.startSink()
}

// endSink stops the sink this process runs and waits for it, at most wait when wait is above 0.
func (b *Backends) endSink(wait time.Duration) {
	b.mu.Lock()
	stop, done := b.stopSink, b.sinkDone
	b.mu.Unlock()
	if stop == nil {
		return
	}
	stop()
	if wait <= 0 {
		<-done
		return
	}
	select {
	case <-done:
	case <-time.After(wait):
	}
}
