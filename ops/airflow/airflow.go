// Package airflow operates the pipeline's orchestrator: the DAG <uid>_dag and its runs, on the
// local scheduler, on a self-hosted Airflow or on Amazon MWAA. One Client speaks the Airflow
// stable REST API v1 (Airflow 2) and v2 (Airflow 3) over one of three transports: direct HTTP
// (basic auth, a bearer token, or v2's JWT from /auth/token), MWAA's InvokeRestApi, and MWAA's
// CLI token endpoint for environments too old for InvokeRestApi. The commands map its types to
// their typed results.
package airflow

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The REST API versions.
const (
	APIAuto = "auto"
	APIv1   = "v1"
	APIv2   = "v2"
)

// Settings say how to reach Airflow: an Environment means MWAA, else URL names the server.
type Settings struct {
	// URL is the base URL of a self-hosted Airflow or of the local scheduler; the API is under
	// /api/v1 or /api/v2 beneath it.
	URL string
	// API is auto (find out once), v1 or v2; "" means auto.
	API string
	// Username and Password log in: basic auth on v1, a JWT from /auth/token on v2.
	Username, Password string
	// Token is a bearer token used instead of a user and password.
	Token string
	// BearerToken, when set, gives the bearer token of each call, for a token that changes while
	// the client lives, as the local stack's control token does with each new owner.
	BearerToken func() string
	// Name names the server in errors, e.g. "the local scheduler"; "" means its URL.
	Name string

	// Environment is the MWAA environment; with it, URL is unused.
	Environment string
	// CLI reaches MWAA through CreateCliToken and its /aws_mwaa/cli endpoint instead of
	// InvokeRestApi, for environments before Airflow 2.4.3.
	CLI bool
	// Region and Profile choose the AWS region and shared-config profile of the MWAA calls.
	Region, Profile string
	// MWAAEndpoint replaces the MWAA control plane's endpoint, e.g. a VPC endpoint.
	MWAAEndpoint string
	// AccessKey and SecretKey are static AWS credentials instead of the SDK's standard chain.
	AccessKey, SecretKey string

	// HTTPClient carries every call; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
}

// Client runs the DAG operations against one Airflow.
type Client struct {
	tr transport
	// sleep waits between tries of a throttled call; tests replace it to see the waits.
	sleep func(ctx context.Context, d time.Duration) error

	mu sync.Mutex
	// api is the REST API version, once known.
	api string
}

// New returns a client for the Airflow the settings name. It makes no call: an API version of
// auto is found on the first operation.
func New(ctx context.Context, s Settings) (*Client, error) {
	if s.HTTPClient == nil {
		s.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	api := s.API
	switch api {
	case "", APIAuto:
		api = ""
	case APIv1, APIv2:
	default:
		return nil, fmt.Errorf("the Airflow REST API version %q is not known: use auto, v1 or v2", s.API)
	}
	var tr transport
	switch {
	case s.Environment != "" && s.CLI:
		t, err := newCLI(ctx, s)
		if err != nil {
			return nil, err
		}
		tr, api = t, APIv1
	case s.Environment != "":
		t, err := newInvoke(ctx, s)
		if err != nil {
			return nil, err
		}
		tr = t
	case s.URL != "":
		tr = newDirect(s)
	default:
		return nil, fmt.Errorf("no Airflow to reach: set airflow.url for a self-hosted Airflow or airflow.environment for MWAA")
	}
	return &Client{tr: tr, sleep: sleepCtx, api: api}, nil
}

// API returns the REST API version the client speaks, finding it out first if need be.
func (c *Client) API(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.api != "" {
		return c.api, nil
	}
	v, err := c.tr.version(ctx)
	if err != nil {
		return "", fmt.Errorf("find the REST API version of %s: %w", c.tr.where(), err)
	}
	c.api = v
	return v, nil
}

// Where names the Airflow the client reaches, as errors do, e.g. "MWAA environment prod".
func (c *Client) Where() string { return c.tr.where() }

// majorAPI maps an Airflow version such as 2.10.3 or 3.0.6 to the REST API it serves.
func majorAPI(version string) (string, error) {
	major, _, _ := strings.Cut(strings.TrimSpace(version), ".")
	switch major {
	case "2":
		return APIv1, nil
	case "3":
		return APIv2, nil
	}
	return "", fmt.Errorf("the Airflow version %q is not 2.x or 3.x: set airflow.api to v1 or v2", version)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
