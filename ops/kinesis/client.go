// Package kinesis operates the streaming side of the pipeline: the Kinesis streams
// streaming-<uid>-pin, -geo and -user that the gateway's Kinesis proxy puts records into and the
// stream job reads. The same aws-sdk-go-v2 code talks to pintui's own Kinesis API of local mode
// (plain http on loopback, the local credentials) and to AWS Kinesis (the SDK's default
// credential chain). It lists and describes streams, puts records, tails a stream's shards and
// is the stream job's pipeline/stream.Reader.
package kinesis

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awskinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"

	"github.com/pintui/pintui/ops/internal/awsconf"
	"github.com/pintui/pintui/ops/s3"
	"github.com/pintui/pintui/pipeline/stream"
)

// Settings say how to reach Kinesis: an Endpoint means a local server, none means AWS.
type Settings struct {
	// Endpoint is the server's base URL (http://127.0.0.1:port) for the local Kinesis or another
	// Kinesis-compatible one such as kinesalite. Empty means AWS Kinesis.
	Endpoint string
	// Region signs requests; empty means the profile's region, or us-east-1 for an Endpoint.
	Region string
	// Profile selects the AWS shared-config profile; unused with an Endpoint.
	Profile string
	// AccessKey and SecretKey are static credentials; with an Endpoint they default to the local
	// ones the local S3 takes too.
	AccessKey, SecretKey string
	// HTTPClient replaces the SDK's HTTP client; nil means a plain client with an Endpoint and
	// the SDK default (which honours AWS_CA_BUNDLE) for AWS.
	HTTPClient *http.Client
}

// Client runs the stream operations.
type Client struct {
	api *awskinesis.Client
}

// New returns a client for the Kinesis the settings name.
func New(ctx context.Context, s Settings) (*Client, error) {
	if s.Endpoint != "" {
		return newLocal(s), nil
	}
	cfg, err := awsconf.Load(ctx, "Kinesis", awsconf.Settings{Profile: s.Profile, Region: s.Region, AccessKey: s.AccessKey, SecretKey: s.SecretKey})
	if err != nil {
		return nil, err
	}
	// The HTTP client goes through the service options, not config.WithHTTPClient, which
	// conflicts with AWS_CA_BUNDLE.
	api := awskinesis.NewFromConfig(cfg, func(o *awskinesis.Options) {
		if s.HTTPClient != nil {
			o.HTTPClient = s.HTTPClient
		}
		o.Retryer = retryer()
	})
	return &Client{api: api}, nil
}

// retryer is the SDK's standard retryer without its retry quota: a tail or the stream job runs
// for hours and is throttled often under Kinesis's limits, and once the quota ran dry every
// throttled call would fail at once instead of backing off.
func retryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) { o.RateLimiter = ratelimit.None })
}

func newLocal(s Settings) *Client {
	region := s.Region
	if region == "" {
		region = "us-east-1"
	}
	key, secret := s.AccessKey, s.SecretKey
	if key == "" {
		key, secret = s3.LocalAccessKey, s3.LocalSecretKey
	}
	httpClient := s.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	api := awskinesis.New(awskinesis.Options{
		Region:       region,
		BaseEndpoint: aws.String(strings.TrimRight(s.Endpoint, "/")),
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, ""),
		HTTPClient:   httpClient,
		Retryer:      retryer(),
	})
	return &Client{api: api}
}

// API returns the SDK client, for callers that need a Kinesis call this package does not wrap.
func (c *Client) API() *awskinesis.Client { return c.api }

// ErrNotFound is what a call on a stream or shard the server does not have wraps
// (ResourceNotFoundException).
var ErrNotFound = errors.New("no such stream or shard")

// ErrThrottled is what a call that exceeded a shard's or the account's limits wraps
// (ProvisionedThroughputExceededException, LimitExceededException): the caller backs off and
// tries again.
var ErrThrottled = errors.New("throughput limit exceeded")

// failed wraps the error of the call op (such as "describe stream streaming-…") with what
// happened and what to do, by Kinesis's error code.
func failed(op string, err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("%s: %w", op, err)
	}
	said := ae.ErrorCode()
	if msg := ae.ErrorMessage(); msg != "" {
		said += ": " + msg
	}
	e := &awsconf.APIError{Err: err}
	switch ae.ErrorCode() {
	case "ResourceNotFoundException":
		e.Kind = ErrNotFound
		e.Text = fmt.Sprintf("%s: it does not exist (%s): run streams for the streams there are", op, said)
	case "ExpiredIteratorException":
		e.Kind = stream.ErrIteratorExpired
		e.Text = fmt.Sprintf("%s: the shard iterator expired (%s): get a new iterator after the last record read", op, said)
	case "ProvisionedThroughputExceededException":
		e.Kind = ErrThrottled
		e.Text = fmt.Sprintf("%s: over the shard's throughput (%s): back off and try again, or read and write less often", op, said)
	case "LimitExceededException":
		e.Kind = ErrThrottled
		e.Text = fmt.Sprintf("%s: over a limit of the account (%s): wait and try again, or ask for less at a time", op, said)
	case "InvalidArgumentException", "ValidationException", "SerializationException":
		e.Text = fmt.Sprintf("%s: the request was refused (%s): check the stream, shard, iterator or record it names", op, said)
	case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException", "MissingAuthenticationTokenException", "IncompleteSignature":
		e.Text = fmt.Sprintf("%s: the credentials were refused (%s): check the profile, or run aws sso login", op, said)
	default:
		e.Text = fmt.Sprintf("%s: %s", op, said)
	}
	return e
}
