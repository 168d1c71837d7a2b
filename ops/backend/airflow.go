package backend

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/pintui/pintui/ops/airflow"
)

// openAirflow connects the Airflow client: locally to the stack's scheduler with the control
// token, following the owner to its new address after a reattach as the Kinesis client does; in
// a cloud profile to a self-hosted Airflow (airflow.url) or an MWAA environment
// (airflow.environment, through its CLI endpoint with airflow.cli). It leaves Airflow nil when
// there is none to reach, and AirflowMissing says why.
func (b *Backends) openAirflow(ctx context.Context) error {
	cfg := b.cfg
	if b.Stack != nil {
		e := b.Stack.Endpoints()
		if e.Airflow == "" {
			return nil
		}
		set := airflow.Settings{URL: e.Airflow, API: airflow.APIv1, BearerToken: b.Stack.ControlToken, Name: "the local scheduler"}
		if !b.Stack.Owned() {
			b.airflowTransport = http.DefaultTransport.(*http.Transport).Clone()
			b.airflowTransport.Proxy, b.airflowTransport.DialContext = nil, b.dialAirflow
			set.HTTPClient = &http.Client{Transport: b.airflowTransport, Timeout: 30 * time.Second}
		}
		c, err := airflow.New(ctx, set)
		if err != nil {
			return err
		}
		b.Airflow = c
		return nil
	}
	a := cfg.Airflow
	if a.Environment == "" && a.URL == "" {
		return nil
	}
	c, err := airflow.New(ctx, airflow.Settings{
		URL: a.URL, API: a.API, Username: a.Username, Password: a.Password, Token: a.Token,
		Environment: a.Environment, CLI: a.CLI, Region: cfg.AWS.Region, Profile: cfg.AWS.Profile,
	})
	if err != nil {
		return fmt.Errorf("reach Airflow: %w", err)
	}
	b.Airflow = c
	return nil
}

// AirflowMissing says why Airflow is nil and what to do.
func (b *Backends) AirflowMissing() error {
	if b.Stack != nil {
		return errors.New("the local scheduler is not running: start pintui again with a build that runs it, or use a cloud profile with airflow.environment or airflow.url")
	}
	return fmt.Errorf("profile %s names no Airflow: set airflow.environment to an MWAA environment, or airflow.url to a self-hosted Airflow", b.cfg.Profile)
}

// dialAirflow connects an attached process to the scheduler of the stack's current owner.
func (b *Backends) dialAirflow(ctx context.Context, network, _ string) (net.Conn, error) {
	if err := b.Owner().Err; err != nil {
		return nil, err
	}
	e := b.Stack.Endpoints()
	if e.Airflow == "" {
		return nil, fmt.Errorf("the pintui that owns %s (pid %d) runs no scheduler: stop it and start pintui again", e.DataDir, b.Stack.OwnerPID())
	}
	u, err := url.Parse(e.Airflow)
	if err != nil {
		return nil, fmt.Errorf("the stack's Airflow endpoint %q: %w", e.Airflow, err)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, u.Host)
}
