// Package kafka operates the Kafka side of the pipeline, the topics <uid>.pin, <uid>.geo and
// <uid>.user that the gateway produces to and the S3 sink consumes from. The same code runs
// against the embedded cluster of local mode and against MSK: it lists topics with their offsets
// and consumer-group lag, tails records, and makes sure the pipeline's topics exist.
package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	msk "github.com/twmb/franz-go/pkg/sasl/aws"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/pintui/pintui/ops/internal/awsconf"
)

// SASL mechanisms the client can authenticate with; the empty mechanism means no authentication.
const (
	SASLNone      = ""
	SASLMSKIAM    = "AWS_MSK_IAM"
	SASLScram512  = "SCRAM-SHA-512"
	SASLScram256  = "SCRAM-SHA-256"
	SASLPlainText = "PLAIN"
)

// Settings says how to reach a cluster: the embedded one has only Brokers, MSK adds TLS and SASL.
type Settings struct {
	// Brokers are the bootstrap host:port addresses.
	Brokers []string
	// TLS dials brokers over TLS with the system roots; AWS_MSK_IAM always uses TLS.
	TLS bool
	// SASL is one of SASLNone (or "none"), SASLMSKIAM, SASLScram512, SASLScram256 or SASLPlainText, in any case.
	SASL string
	// User and Password authenticate SCRAM and PLAIN.
	User, Password string
	// AWSProfile and AWSRegion select the credentials AWS_MSK_IAM signs with (the AWS SDK default chain).
	AWSProfile, AWSRegion string
	// ClientID names the client in broker logs; empty means "pintui".
	ClientID string
	// Dialer opens the connections to the brokers instead of a plain dial, so a process attached
	// to the local stack can follow its owner to new addresses; not for TLS.
	Dialer func(ctx context.Context, network, host string) (net.Conn, error)
}

// Options turns the settings into franz-go client options, so producers and consumers elsewhere
// (the gateway, the S3 sink) connect exactly as the operations do.
func (s Settings) Options(ctx context.Context) ([]kgo.Opt, error) {
	if len(s.Brokers) == 0 {
		return nil, errors.New("kafka settings: no brokers: set the Kafka bootstrap addresses (host:port)")
	}
	id := s.ClientID
	if id == "" {
		id = "pintui"
	}
	opts := []kgo.Opt{kgo.SeedBrokers(s.Brokers...), kgo.ClientID(id)}
	mechanism, err := s.mechanism(ctx)
	if err != nil {
		return nil, err
	}
	if mechanism != nil {
		opts = append(opts, kgo.SASL(mechanism))
	}
	if s.Dialer != nil {
		opts = append(opts, kgo.Dialer(s.Dialer))
	}
	if s.TLS || strings.EqualFold(s.SASL, SASLMSKIAM) {
		opts = append(opts, kgo.DialTLSConfig(&tls.Config{MinVersion: tls.VersionTLS12}))
	}
	return opts, nil
}

func (s Settings) mechanism(ctx context.Context) (sasl.Mechanism, error) {
	switch strings.ToUpper(s.SASL) {
	case SASLNone, "NONE":
		return nil, nil
	case SASLScram512:
		return scram.Auth{User: s.User, Pass: s.Password}.AsSha512Mechanism(), nil
	case SASLScram256:
		return scram.Auth{User: s.User, Pass: s.Password}.AsSha256Mechanism(), nil
	case SASLPlainText:
		return plain.Auth{User: s.User, Pass: s.Password}.AsMechanism(), nil
	case SASLMSKIAM:
		cfg, err := awsconf.Load(ctx, "MSK IAM", awsconf.Settings{Profile: s.AWSProfile, Region: s.AWSRegion})
		if err != nil {
			return nil, err
		}
		// The SDK caches and refreshes the credentials; franz-go asks on every new connection.
		return msk.ManagedStreamingIAM(func(ctx context.Context) (msk.Auth, error) {
			creds, err := cfg.Credentials.Retrieve(ctx)
			if err != nil {
				return msk.Auth{}, fmt.Errorf("retrieve AWS credentials for MSK IAM: %w: run aws sso login --profile %s", err, s.AWSProfile)
			}
			return msk.Auth{AccessKey: creds.AccessKeyID, SecretKey: creds.SecretAccessKey, SessionToken: creds.SessionToken}, nil
		}), nil
	default:
		return nil, fmt.Errorf("kafka settings: unknown SASL mechanism %q: use none, AWS_MSK_IAM, SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN", s.SASL)
	}
}

// Client runs the topic operations against one cluster.
type Client struct {
	opts []kgo.Opt
	kgo  *kgo.Client
	adm  *kadm.Client
}

// New returns a client for the cluster the settings name; it connects lazily, on first use.
func New(ctx context.Context, s Settings) (*Client, error) {
	opts, err := s.Options(ctx)
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka client for %s: %w", strings.Join(s.Brokers, ","), err)
	}
	return &Client{opts: opts, kgo: cl, adm: kadm.NewClient(cl)}, nil
}

// Close releases the client's connections.
func (c *Client) Close() { c.kgo.Close() }
