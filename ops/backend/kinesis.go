package backend

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"github.com/pintui/pintui/ops/kinesis"
	"github.com/pintui/pintui/pipeline/stream"
)

// openKinesis connects the Kinesis client: locally to the stack's Kinesis, following the owner
// to its new address after a reattach as the S3 client does; in a cloud profile to AWS Kinesis
// in aws.region with aws.profile. A local stack that serves no Kinesis leaves Kinesis nil.
func (b *Backends) openKinesis(ctx context.Context) error {
	set := kinesis.Settings{Region: b.cfg.AWS.Region, Profile: b.cfg.AWS.Profile}
	if b.Stack != nil {
		set = kinesis.Settings{Endpoint: b.Stack.Endpoints().Kinesis}
		if set.Endpoint == "" {
			return nil
		}
		if !b.Stack.Owned() {
			b.kinesisTransport = http.DefaultTransport.(*http.Transport).Clone()
			b.kinesisTransport.Proxy, b.kinesisTransport.DialContext = nil, b.dialKinesis
			set.HTTPClient = &http.Client{Transport: b.kinesisTransport}
		}
	}
	c, err := kinesis.New(ctx, set)
	if err != nil {
		return err
	}
	b.Kinesis = c
	return nil
}

// dialKinesis connects an attached process to the Kinesis of the stack's current owner.
func (b *Backends) dialKinesis(ctx context.Context, network, _ string) (net.Conn, error) {
	if err := b.Owner().Err; err != nil {
		return nil, err
	}
	e := b.Stack.Endpoints()
	if e.Kinesis == "" {
		return nil, fmt.Errorf("the pintui that owns %s (pid %d) serves no Kinesis: stop it and start pintui again", e.DataDir, b.Stack.OwnerPID())
	}
	u, err := url.Parse(e.Kinesis)
	if err != nil {
		return nil, fmt.Errorf("the stack's Kinesis endpoint %q: %w", e.Kinesis, err)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, u.Host)
}

// Streams returns the pipeline's three Kinesis streams.
func (b *Backends) Streams() []string { return stream.Streams(b.cfg.UID) }
