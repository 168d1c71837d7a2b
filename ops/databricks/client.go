// Package databricks operates the Databricks side of the pipeline: the jobs and runs of the
// batch notebook, the one-time runs the DAG's tasks submit, the notebooks deploy imports into the
// workspace, and the cloud tables read through a SQL warehouse. The same databricks-sdk-go code
// talks to pintui's local workspace on loopback (plain http, the stack's control token) and to a
// real workspace (Databricks unified auth), so one client code path serves both.
package databricks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/databricks/databricks-sdk-go/client"
	"github.com/databricks/databricks-sdk-go/config"
	"github.com/databricks/databricks-sdk-go/service/jobs"
	"github.com/databricks/databricks-sdk-go/service/sql"
	"github.com/databricks/databricks-sdk-go/service/workspace"
)

// Settings say how to reach a workspace. Host and Token, when set, win over DATABRICKS_HOST and
// DATABRICKS_TOKEN, which win over the ~/.databrickscfg profile (Profile, else
// DATABRICKS_CONFIG_PROFILE, else DEFAULT), as Databricks unified auth has it.
type Settings struct {
	// Host is the workspace URL, e.g. https://dbc-123.cloud.databricks.com or the local
	// workspace's http://127.0.0.1:port.
	Host string
	// Token is a personal access token (or the local stack's control token).
	Token string
	// Profile names a ~/.databrickscfg section.
	Profile string
	// HTTPClient carries the requests; nil means the SDK's own transport.
	HTTPClient *http.Client
	// Explicit takes Host and Token as they are and reads neither DATABRICKS_* variables nor
	// ~/.databrickscfg, as the local workspace needs: a user's cloud profile must not leak into it.
	Explicit bool
	// PollEvery is how often Wait asks for a run's state and a statement's; 0 means 2 s.
	PollEvery time.Duration
	// RetryTimeout bounds the SDK's retries of throttled (429) and unavailable (503) answers;
	// 0 means the SDK's 5 minutes.
	RetryTimeout time.Duration
}

// DefaultPollEvery is how often a run or statement is polled when Settings say nothing.
const DefaultPollEvery = 2 * time.Second

// Client runs jobs, runs, workspace imports and SQL statements against one workspace. It
// implements dag.TaskRunner.
type Client struct {
	host       string
	api        *client.DatabricksClient
	jobs       *jobs.JobsAPI
	workspace  *workspace.WorkspaceAPI
	warehouses *sql.WarehousesAPI
	pollEvery  time.Duration
	retryFor   time.Duration
}

// explicitOnly is a config loader that loads nothing, so Settings.Explicit ignores the
// environment and the config file.
type explicitOnly struct{}

func (explicitOnly) Name() string                   { return "pintui settings" }
func (explicitOnly) Configure(*config.Config) error { return nil }

// New returns a client for the workspace the settings name, with its credentials checked, or an
// error saying which setting to give.
func New(ctx context.Context, s Settings) (*Client, error) {
	cfg := &config.Config{Host: s.Host, Token: s.Token, Profile: s.Profile}
	if s.Explicit {
		cfg.Loaders = []config.Loader{explicitOnly{}}
		cfg.Credentials = config.PatCredentials{}
	}
	if s.RetryTimeout > 0 {
		cfg.RetryTimeoutSeconds = max(1, int(s.RetryTimeout/time.Second))
	}
	var base http.RoundTripper
	if s.HTTPClient != nil {
		base = s.HTTPClient.Transport
	}
	cfg.HTTPTransport = honourRetryAfter(base)
	if err := cfg.EnsureResolved(); err != nil {
		return nil, fmt.Errorf("databricks settings: %w: fix ~/.databrickscfg or the DATABRICKS_* variables, or set databricks.host and databricks.token", err)
	}
	if cfg.Host == "" {
		return nil, errors.New("no Databricks workspace to reach: set databricks.host and databricks.token in the profile, or DATABRICKS_HOST and DATABRICKS_TOKEN, or name a ~/.databrickscfg section with databricks.profile or DATABRICKS_CONFIG_PROFILE")
	}
	probe, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.Host, nil)
	if err != nil {
		return nil, fmt.Errorf("databricks.host %q is not a URL: give one like https://dbc-123.cloud.databricks.com", cfg.Host)
	}
	if err := cfg.Authenticate(probe); err != nil {
		return nil, fmt.Errorf("no Databricks credentials for %s (%v): set databricks.token or DATABRICKS_TOKEN, or run databricks auth login --host %s", cfg.Host, err, cfg.Host)
	}
	api, err := client.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("databricks client for %s: %w", cfg.Host, err)
	}
	poll := s.PollEvery
	if poll <= 0 {
		poll = DefaultPollEvery
	}
	retryFor := s.RetryTimeout
	if retryFor <= 0 {
		retryFor = 5 * time.Minute
	}
	return &Client{
		host: cfg.Host, api: api,
		jobs: jobs.NewJobs(api), workspace: workspace.NewWorkspace(api), warehouses: sql.NewWarehouses(api),
		pollEvery: poll, retryFor: retryFor,
	}, nil
}

// Host returns the workspace URL the client reaches.
func (c *Client) Host() string { return c.host }

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
