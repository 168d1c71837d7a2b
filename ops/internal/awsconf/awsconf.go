// Package awsconf loads the AWS SDK configuration every cloud client of pintui starts from (S3,
// Kinesis, MWAA, MSK Connect, MSK IAM), so the profile, region and static keys are read one way
// and a failure says the same thing whichever service asked.
package awsconf

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Settings name the credentials: a shared-config profile and region, or static keys; empty
// fields leave the SDK's standard chain to find them.
type Settings struct {
	Profile, Region      string
	AccessKey, SecretKey string
}

// Load returns the SDK configuration for service (named in the error, e.g. "S3"). The HTTP
// client is left to each service's options, since config.WithHTTPClient conflicts with
// AWS_CA_BUNDLE.
func Load(ctx context.Context, service string, s Settings) (aws.Config, error) {
	var load []func(*awsconfig.LoadOptions) error
	if s.Profile != "" {
		load = append(load, awsconfig.WithSharedConfigProfile(s.Profile))
	}
	if s.Region != "" {
		load = append(load, awsconfig.WithRegion(s.Region))
	}
	if s.AccessKey != "" {
		load = append(load, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, "")))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config for %s (profile %q): %w: check the profile, or run aws sso login", service, s.Profile, err)
	}
	return cfg, nil
}

// APIError is a failed AWS call in words a person can act on; the SDK's error and the calling
// package's sentinel for its kind stay reachable for errors.As and errors.Is.
type APIError struct {
	// Text is the whole message: the call, what happened, what to do.
	Text string
	// Kind is the calling package's sentinel, such as its ErrNotFound; nil when none fits.
	Kind error
	// Err is the SDK's error.
	Err error
}

// Error returns Text.
func (e *APIError) Error() string { return e.Text }

// Unwrap returns Kind, when set, and Err.
func (e *APIError) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}
