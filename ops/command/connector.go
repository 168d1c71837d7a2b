// The managed sink of a cloud profile: the MSK Connect connector that lands the topics, as
// `sink status`, `status` and `sink restart` show and restart it.

package command

import (
	"context"
	"fmt"
	"strconv"

	"github.com/pintui/pintui/ops/backend"
)

func (env *Env) connectorCommands() []*Command {
	return []*Command{{
		Name:  "sink restart",
		Help:  "Restart the S3 sink: in a cloud profile the MSK Connect connector's workers, by an UpdateConnector to the capacity it has (MSK Connect has no restart call; the new workers resume from the group's commits), and otherwise the sink pintui runs, stopped and started again from its commits.",
		Flags: []Flag{YesFlag},
		Asks:  env.asksRestart,
		Run:   env.sinkRestart,
	}}
}

// asksRestart asks before restarting a connector's workers, which is work in the cloud; the sink
// pintui runs restarts without asking.
func (env *Env) asksRestart(*Invocation) string {
	cfg := env.Config
	if cfg == nil || cfg.IsLocal() || cfg.Sink.InCloud {
		return ""
	}
	name := "the connector whose name holds " + cfg.UID
	if cfg.Sink.Connector != "" {
		name = "connector " + cfg.Sink.Connector
	}
	return fmt.Sprintf("restart the workers of MSK Connect %s in %s (an UpdateConnector to its current capacity)", name, cfg.AWS.Region)
}

// SinkRestart is what `sink restart` returns: which sink restarted and its state after.
type SinkRestart struct {
	// Sink is "msk connect" for a cloud profile's connector, "pintui" for the sink pintui runs.
	Sink      string `json:"sink"`
	Connector string `json:"connector"`
	ARN       string `json:"arn"`
	// State is what MSK Connect answered the update with (UPDATING), or running for pintui's sink.
	State string `json:"state"`
}

func (env *Env) sinkRestart(ctx context.Context, _ *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	if !b.ManagedSink() {
		if err := b.RestartSink(); err != nil {
			return nil, err
		}
		return &Result{Data: SinkRestart{Sink: "pintui", State: StateRunning}, Message: "S3 sink restarted: it resumes from its group's committed offsets"}, nil
	}
	k, state, err := b.RestartConnector(ctx)
	if err != nil {
		return nil, err
	}
	out := SinkRestart{Sink: "msk connect", Connector: k.Name, ARN: k.ARN, State: state}
	return &Result{Data: out, Message: fmt.Sprintf("connector %s is %s: MSK Connect replaces its workers, which resume from group %s's commits; sink status shows it RUNNING again", k.Name, state, env.connectorGroup(k.Name))}, nil
}

// connectorGroup is the connector's consumer group as the profile names it.
func (env *Env) connectorGroup(connector string) string {
	if g := env.Config.Sink.Group; g != "" {
		return g
	}
	return "connect-" + connector
}

// connectorStatus is `sink status` of a managed sink.
func (env *Env) connectorStatus(ctx context.Context, b *backend.Backends) (*Result, error) {
	st, err := readConnector(ctx, b)
	if err != nil {
		return nil, err
	}
	note := st.Summary()
	if st.LagError != "" {
		note += "\nlag of group " + st.Group + " not known: " + st.LagError
	}
	return &Result{Data: st, Message: note}, nil
}

// readConnector describes the connector as the typed value of `sink status`.
func readConnector(ctx context.Context, b *backend.Backends) (ConnectorStatus, error) {
	r, err := b.Connector(ctx)
	if err != nil {
		return ConnectorStatus{}, err
	}
	st := ConnectorStatus{
		Connector: r.Name, ARN: r.ARN, State: r.State, Workers: r.Workers, MaxWorkers: r.MaxWorkers, Autoscaled: r.Autoscaled,
		Plugin: r.Plugin, FailureReason: r.Failure, Group: r.Group, Lag: []PartitionLag{},
	}
	for _, p := range r.Lag {
		st.Lag = append(st.Lag, PartitionLag{Topic: p.Topic, Partition: p.Partition, Committed: p.Committed, End: p.End, Lag: p.Lag})
	}
	if r.LagErr != nil {
		st.LagError = r.LagErr.Error()
	}
	return st, nil
}

// Summary is the connector in one line: its name, state, workers and plugin, then why it
// failed when it did.
func (s ConnectorStatus) Summary() string {
	if s.FailureReason != "" {
		return s.about() + "; failed: " + s.FailureReason
	}
	return s.about()
}

// about is the connector's name, state, workers and plugin.
func (s ConnectorStatus) about() string {
	line := fmt.Sprintf("connector %s %s, %s", s.Connector, s.State, s.WorkersText())
	if s.Plugin != "" {
		line += ", plugin " + s.Plugin
	}
	return line
}

// WorkersText is the connector's capacity in words: "2 workers", or "1–4 workers, autoscaled".
func (s ConnectorStatus) WorkersText() string {
	if s.Autoscaled {
		return fmt.Sprintf("%d–%d workers, autoscaled", s.Workers, s.MaxWorkers)
	}
	return plural(s.Workers, "worker", "workers")
}

// totals adds up the group's lag: records in Kafka and records the connector has landed.
func (s ConnectorStatus) totals() (end, landed int64) {
	for _, p := range s.Lag {
		end += p.End
		landed += min(max(p.Committed, 0), p.End)
	}
	return end, landed
}

// TextTable lists the group's lag per topic partition.
func (s ConnectorStatus) TextTable() Table {
	t := Table{Columns: []string{"topic", "partition", "committed", "end", "lag"}}
	for _, p := range s.Lag {
		t.Rows = append(t.Rows, []string{p.Topic, strconv.Itoa(int(p.Partition)), i64(p.Committed), i64(p.End), i64(p.Lag)})
	}
	return t
}

// connectorComponents are the sink and s3 rows of `status` when MSK Connect lands the topics:
// the connector's state (FAILED is down, its reason first) and the landings its group committed.
func (env *Env) connectorComponents(ctx context.Context, b *backend.Backends) (sk, s3c Component) {
	sk, s3c = Component{Component: "sink"}, Component{Component: "s3"}
	st, err := readConnector(ctx, b)
	if err != nil {
		sk.State, sk.Detail = StateDown, err.Error()
		s3c.State, s3c.Detail = StateReady, "s3://"+b.Bucket+": what landed is not known while the connector is not described"
		return sk, s3c
	}
	switch st.State {
	case "RUNNING":
		sk.State = StateRunning
	case "FAILED", "DELETING":
		sk.State = StateDown
	default:
		sk.State = StateReady
	}
	// The reason comes first, so the Overview's box of a failed connector shows it.
	sk.Detail = st.about()
	if st.FailureReason != "" {
		sk.Detail = st.FailureReason + "; " + sk.Detail
	}
	if st.LagError != "" {
		sk.Detail += "; lag not known: " + st.LagError
		s3c.State, s3c.Detail = StateReady, "s3://"+b.Bucket+": what landed is not known while the connector's group is not read"
		return sk, s3c
	}
	end, done := st.totals()
	sk.Count = counted(done)
	sk.Detail += fmt.Sprintf("; %d landed, lag %d", done, end-done)
	s3c.State, s3c.Count = StateReady, counted(done)
	s3c.Detail = fmt.Sprintf("%d records landed in s3://%s", done, b.Bucket)
	if done == 0 {
		s3c.State = StateEmpty
	}
	return sk, s3c
}
