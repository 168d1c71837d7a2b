// Package s3 operates the S3 side of the pipeline: the bucket user-<uid>-bucket where the S3
// sink lands Kafka records and the jobs keep their Delta tables. The same code talks to the
// embedded gofakes3 server of local mode (plain http, path-style addressing, dummy credentials)
// and to AWS S3 (the SDK's default credential chain). It provides the pipeline's object store
// over a bucket and the listings behind the `s3 ls` and `s3 cat` commands.
package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/pintui/pintui/ops/internal/awsconf"
)

// LocalAccessKey and LocalSecretKey are the dummy credentials the embedded S3 server accepts.
const (
	LocalAccessKey = "pintui"
	LocalSecretKey = "pintui-local-secret"
)

// Settings says how to reach S3: an Endpoint means a local server, none means AWS.
type Settings struct {
	// Endpoint is the server's base URL (http://127.0.0.1:port) for the embedded server or
	// another S3-compatible one; it switches to path-style addressing. Empty means AWS S3.
	Endpoint string
	// Region signs requests; empty means the profile's region, or us-east-1 for an Endpoint.
	Region string
	// Profile selects the AWS shared-config profile; unused with an Endpoint.
	Profile string
	// AccessKey and SecretKey are static credentials; with an Endpoint they default to the local dummies.
	AccessKey, SecretKey string
	// HTTPClient replaces the SDK's HTTP client; nil means a plain client with an Endpoint and
	// the SDK default (which honours AWS_CA_BUNDLE) for AWS.
	HTTPClient *http.Client
}

// Client runs the bucket operations.
type Client struct {
	api *awss3.Client
}

// New returns a client for the S3 the settings name.
func New(ctx context.Context, s Settings) (*Client, error) {
	if s.Endpoint != "" {
		return newLocal(s), nil
	}
	cfg, err := awsconf.Load(ctx, "S3", awsconf.Settings{Profile: s.Profile, Region: s.Region, AccessKey: s.AccessKey, SecretKey: s.SecretKey})
	if err != nil {
		return nil, err
	}
	// The HTTP client goes through the service options, not config.WithHTTPClient, which
	// conflicts with AWS_CA_BUNDLE.
	api := awss3.NewFromConfig(cfg, func(o *awss3.Options) {
		if s.HTTPClient != nil {
			o.HTTPClient = s.HTTPClient
		}
	})
	return &Client{api: api}, nil
}

func newLocal(s Settings) *Client {
	region := s.Region
	if region == "" {
		region = "us-east-1"
	}
	key, secret := s.AccessKey, s.SecretKey
	if key == "" {
		key, secret = LocalAccessKey, LocalSecretKey
	}
	httpClient := s.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	api := awss3.New(awss3.Options{
		Region:       region,
		BaseEndpoint: aws.String(strings.TrimRight(s.Endpoint, "/")),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, ""),
		HTTPClient:   httpClient,
		// Checksums only where S3 requires them: the local server stores bodies as sent, and
		// streamed checksum trailers would end up inside the objects.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return &Client{api: api}
}

// API returns the SDK client, for callers that need an S3 call this package does not wrap.
func (c *Client) API() *awss3.Client { return c.api }

// EnsureBucket creates the bucket if it does not exist yet.
func (c *Client) EnsureBucket(ctx context.Context, bucket string) error {
	_, err := c.api.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		return nil
	}
	if status(err) != http.StatusNotFound {
		return fmt.Errorf("head bucket %s: %w", bucket, err)
	}
	_, err = c.api.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(bucket)})
	var owned *types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) && code(err) != "BucketAlreadyExists" {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	return nil
}

// status returns the HTTP status code of a failed S3 call, or 0 if it never got a response.
func status(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// code returns the S3 error code (NoSuchKey, PreconditionFailed…) of a failed call, or "".
func code(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
