// Package connect reads the managed sink of a cloud profile: the MSK Connect connector (the
// Confluent S3 sink on Amazon MSK Connect) that lands the topics in the bucket, and its consumer
// group's lag on them. It finds the connector, describes its state, capacity, plugin and last
// failure, and restarts its workers, through aws-sdk-go-v2's kafkaconnect client; the lag comes
// from the cluster itself through kadm.
package connect

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafkaconnect"
	"github.com/aws/aws-sdk-go-v2/service/kafkaconnect/types"

	"github.com/pintui/pintui/ops/internal/awsconf"
)

// Settings say how to reach MSK Connect.
type Settings struct {
	// Region is the connector's region; empty means the profile's.
	Region string
	// Profile selects the AWS shared-config profile; credentials come from the SDK's standard chain.
	Profile string
	// Endpoint replaces MSK Connect's endpoint for the region, e.g. with a test server; empty
	// means AWS's (or AWS_ENDPOINT_URL_KAFKACONNECT).
	Endpoint string
	// HTTPClient replaces the SDK's HTTP client; nil keeps the SDK's, which honours AWS_CA_BUNDLE.
	HTTPClient *http.Client
	// MaxAttempts bounds the tries of a throttled or failing call; 0 means the SDK's default (3).
	MaxAttempts int
}

// Client reads and restarts connectors.
type Client struct {
	api     *kafkaconnect.Client
	region  string
	profile string

	mu sync.Mutex
	// plugins are the custom plugins' names by ARN, as DescribeCustomPlugin gave them; a name
	// never changes, so each is asked once.
	plugins map[string]string
}

// New returns a client of MSK Connect in the settings' region.
func New(ctx context.Context, s Settings) (*Client, error) {
	cfg, err := awsconf.Load(ctx, "MSK Connect", awsconf.Settings{Profile: s.Profile, Region: s.Region})
	if err != nil {
		return nil, err
	}
	creds := cfg.Credentials
	// The HTTP client goes through the service options, not config.WithHTTPClient, which
	// conflicts with AWS_CA_BUNDLE.
	api := kafkaconnect.NewFromConfig(cfg, func(o *kafkaconnect.Options) {
		if s.Endpoint != "" {
			o.BaseEndpoint = aws.String(strings.TrimRight(s.Endpoint, "/"))
		}
		if s.HTTPClient != nil {
			o.HTTPClient = s.HTTPClient
		}
		if s.MaxAttempts > 0 {
			o.RetryMaxAttempts = s.MaxAttempts
		}
		if creds != nil {
			o.Credentials = marked{creds}
		}
	})
	return &Client{api: api, region: cfg.Region, profile: s.Profile, plugins: map[string]string{}}, nil
}

// Region is the region the client asks.
func (c *Client) Region() string { return c.region }

// Connector is one connector as DescribeConnector describes it.
type Connector struct {
	Name string
	ARN  string
	// State is MSK Connect's: CREATING, RUNNING, UPDATING, DELETING or FAILED.
	State string
	// CurrentVersion is what an update must name, so two updates never cross.
	CurrentVersion string
	// Workers is the provisioned worker count, or the autoscaling minimum; MaxWorkers is the
	// autoscaling maximum, equal to Workers for provisioned capacity.
	Workers, MaxWorkers int
	Autoscaled          bool
	// Plugin is the custom plugin's name, or its ARN when DescribeCustomPlugin does not answer.
	Plugin string
	// Failure is the state description, its message then its code: why the connector or its
	// last operation failed; "" when nothing failed.
	Failure string

	capacity *types.CapacityDescription
}

// Group is the consumer group Kafka Connect gives a sink connector: connect-<name>.
func Group(connector string) string { return "connect-" + connector }

// Lookup returns the ARN of the connector named name, or with no name of the only connector
// whose name holds uid; when there is none, or several, the error lists the connectors there are.
func (c *Client) Lookup(ctx context.Context, name, uid string) (string, error) {
	summaries, err := c.list(ctx, name)
	if err != nil {
		return "", err
	}
	var names []string
	byName := map[string]string{}
	for _, s := range summaries {
		n := aws.ToString(s.ConnectorName)
		names = append(names, n)
		byName[n] = aws.ToString(s.ConnectorArn)
	}
	slices.Sort(names)
	if name != "" {
		if arn, ok := byName[name]; ok {
			return arn, nil
		}
		all, err := c.names(ctx)
		if err != nil {
			return "", err
		}
		return "", c.missing("no connector named "+name, all, "set sink.connector to the connector that lands the topics")
	}
	var holding []string
	for _, n := range names {
		if strings.Contains(n, uid) {
			holding = append(holding, n)
		}
	}
	switch len(holding) {
	case 1:
		return byName[holding[0]], nil
	case 0:
		return "", c.missing(fmt.Sprintf("no connector name holds the user id %s", uid), names, "set sink.connector to the connector that lands the topics")
	}
	return "", fmt.Errorf("find the MSK Connect connector in %s: %s all hold the user id %s: set sink.connector to the one that lands the topics", c.region, strings.Join(holding, ", "), uid)
}

// missing is the error of a lookup that found no connector, naming those there are.
func (c *Client) missing(what string, names []string, fix string) error {
	if len(names) == 0 {
		return fmt.Errorf("find the MSK Connect connector in %s: %s, and there are no connectors there: create the S3 sink connector, or check aws.region", c.region, what)
	}
	return fmt.Errorf("find the MSK Connect connector in %s: %s; the connectors there are %s: %s", c.region, what, strings.Join(names, ", "), fix)
}

// names lists every connector's name, sorted.
func (c *Client) names(ctx context.Context) ([]string, error) {
	all, err := c.list(ctx, "")
	if err != nil {
		return nil, err
	}
	names := make([]string, len(all))
	for i, s := range all {
		names[i] = aws.ToString(s.ConnectorName)
	}
	slices.Sort(names)
	return names, nil
}

// list pages through ListConnectors, under a name prefix when one is given.
func (c *Client) list(ctx context.Context, prefix string) ([]types.ConnectorSummary, error) {
	in := &kafkaconnect.ListConnectorsInput{}
	if prefix != "" {
		in.ConnectorNamePrefix = aws.String(prefix)
	}
	var out []types.ConnectorSummary
	pages := kafkaconnect.NewListConnectorsPaginator(c.api, in, func(o *kafkaconnect.ListConnectorsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, c.failed("list MSK Connect connectors in "+c.region, err)
		}
		out = append(out, page.Connectors...)
	}
	return out, nil
}

// Describe returns the connector with that ARN.
func (c *Client) Describe(ctx context.Context, arn string) (Connector, error) {
	out, err := c.api.DescribeConnector(ctx, &kafkaconnect.DescribeConnectorInput{ConnectorArn: aws.String(arn)})
	if err != nil {
		return Connector{}, c.failed("describe MSK Connect connector "+arn, err)
	}
	k := Connector{
		Name: aws.ToString(out.ConnectorName), ARN: aws.ToString(out.ConnectorArn), State: string(out.ConnectorState),
		CurrentVersion: aws.ToString(out.CurrentVersion), capacity: out.Capacity,
	}
	if size := out.Capacity; size != nil {
		switch {
		case size.ProvisionedCapacity != nil:
			k.Workers = int(size.ProvisionedCapacity.WorkerCount)
			k.MaxWorkers = k.Workers
		case size.AutoScaling != nil:
			k.Autoscaled = true
			k.Workers, k.MaxWorkers = int(size.AutoScaling.MinWorkerCount), int(size.AutoScaling.MaxWorkerCount)
		}
	}
	if d := out.StateDescription; d != nil {
		code, msg := aws.ToString(d.Code), aws.ToString(d.Message)
		k.Failure = msg + code
		if code != "" && msg != "" {
			k.Failure = msg + " (" + code + ")"
		}
	}
	var plugins []string
	for _, p := range out.Plugins {
		if p.CustomPlugin != nil {
			plugins = append(plugins, c.pluginName(ctx, aws.ToString(p.CustomPlugin.CustomPluginArn)))
		}
	}
	k.Plugin = strings.Join(plugins, ", ")
	return k, nil
}

// pluginName is the custom plugin's name, asked once per ARN; the ARN itself when
// DescribeCustomPlugin fails, since the name only labels the plugin.
func (c *Client) pluginName(ctx context.Context, arn string) string {
	c.mu.Lock()
	name, ok := c.plugins[arn]
	c.mu.Unlock()
	if ok {
		return name
	}
	out, err := c.api.DescribeCustomPlugin(ctx, &kafkaconnect.DescribeCustomPluginInput{CustomPluginArn: aws.String(arn)})
	if err != nil || aws.ToString(out.Name) == "" {
		return arn
	}
	c.mu.Lock()
	c.plugins[arn] = aws.ToString(out.Name)
	c.mu.Unlock()
	return aws.ToString(out.Name)
}

// Restart replaces the connector's workers. MSK Connect of this SDK has no restart call, so it
// updates the connector to the capacity it has (UpdateConnector with its current version):
// MSK Connect runs that update as an operation that brings up new workers, which resume from
// the group's committed offsets, and the connector is UPDATING until they run. It returns the
// state MSK Connect answered with.
func (c *Client) Restart(ctx context.Context, k Connector) (string, error) {
	update, err := sameCapacity(k)
	if err != nil {
		return "", err
	}
	out, err := c.api.UpdateConnector(ctx, &kafkaconnect.UpdateConnectorInput{
		ConnectorArn: aws.String(k.ARN), CurrentVersion: aws.String(k.CurrentVersion), Capacity: update,
	})
	if err != nil {
		return "", c.failed("update MSK Connect connector "+k.Name+" to restart its workers", err)
	}
	return string(out.ConnectorState), nil
}

// sameCapacity is the update that asks for the capacity the connector has.
func sameCapacity(k Connector) (*types.CapacityUpdate, error) {
	size := k.capacity
	switch {
	case size != nil && size.ProvisionedCapacity != nil:
		p := size.ProvisionedCapacity
		return &types.CapacityUpdate{ProvisionedCapacity: &types.ProvisionedCapacityUpdate{McuCount: p.McuCount, WorkerCount: p.WorkerCount}}, nil
	case size != nil && size.AutoScaling != nil:
		a := size.AutoScaling
		u := &types.AutoScalingUpdate{MaxWorkerCount: a.MaxWorkerCount, MinWorkerCount: a.MinWorkerCount, McuCount: a.McuCount, MaxAutoscalingTaskCount: a.MaxAutoscalingTaskCount}
		if a.ScaleInPolicy != nil {
			u.ScaleInPolicy = &types.ScaleInPolicyUpdate{CpuUtilizationPercentage: a.ScaleInPolicy.CpuUtilizationPercentage}
		}
		if a.ScaleOutPolicy != nil {
			u.ScaleOutPolicy = &types.ScaleOutPolicyUpdate{CpuUtilizationPercentage: a.ScaleOutPolicy.CpuUtilizationPercentage}
		}
		return &types.CapacityUpdate{AutoScaling: u}, nil
	}
	return nil, fmt.Errorf("restart MSK Connect connector %s: DescribeConnector gave no capacity to update it to: restart it from the MSK console", k.Name)
}
