package connect

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/pintui/pintui/ops/internal/awsconf"
)

// ErrNotFound is what a call on a connector MSK Connect does not have wraps (NotFoundException).
var ErrNotFound = errors.New("no such connector")

// marked is the SDK's credentials provider whose failures are credentialsError, so a call that
// could not sign is told from one the service refused.
type marked struct{ aws.CredentialsProvider }

// Retrieve returns the provider's credentials, or its error marked as a credentials failure.
func (m marked) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := m.CredentialsProvider.Retrieve(ctx)
	if err != nil {
		return creds, &credentialsError{err}
	}
	return creds, nil
}

// credentialsError is a failure to get credentials for a call: none configured, or an SSO
// session that expired.
type credentialsError struct{ err error }

func (e *credentialsError) Error() string { return e.err.Error() }
func (e *credentialsError) Unwrap() error { return e.err }

// failed wraps the error of the call op with what happened and what to do, by MSK Connect's
// error code (restJson1's X-Amzn-ErrorType).
func (c *Client) failed(op string, err error) error {
	login := "run aws sso login"
	if c.profile != "" {
		login += " --profile " + c.profile
	}
	var ce *credentialsError
	if errors.As(err, &ce) {
		return &awsconf.APIError{Err: err, Text: fmt.Sprintf("%s: no usable AWS credentials (%v): %s, or set credentials for the SDK's standard chain", op, ce.err, login)}
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("%s: %w: check the network and aws.region", op, err)
	}
	said := ae.ErrorCode()
	if msg := ae.ErrorMessage(); msg != "" && msg != said {
		said += ": " + msg
	}
	e := &awsconf.APIError{Err: err}
	switch ae.ErrorCode() {
	case "NotFoundException":
		e.Kind = ErrNotFound
		e.Text = fmt.Sprintf("%s: it does not exist (%s): sink status lists the connectors there are", op, said)
	case "TooManyRequestsException":
		wait := "a few seconds"
		var re *awshttp.ResponseError
		if errors.As(err, &re) && re.Response != nil {
			if after := strings.TrimSpace(re.Response.Header.Get("Retry-After")); after != "" {
				wait = after + " s"
			}
		}
		e.Text = fmt.Sprintf("%s: MSK Connect throttled the call (%s): try again in %s, or ask less often", op, said, wait)
	case "UnauthorizedException", "ExpiredTokenException", "UnrecognizedClientException", "InvalidSignatureException":
		e.Text = fmt.Sprintf("%s: the credentials were refused (%s): %s, or check aws.profile", op, said, login)
	case "ForbiddenException", "AccessDeniedException":
		e.Text = fmt.Sprintf("%s: access denied (%s): give the profile's role the kafkaconnect:ListConnectors, DescribeConnector, DescribeCustomPlugin and UpdateConnector permissions", op, said)
	case "ConflictException":
		e.Text = fmt.Sprintf("%s: another operation is under way (%s): wait until sink status shows RUNNING, then try again", op, said)
	case "BadRequestException":
		e.Text = fmt.Sprintf("%s: MSK Connect refused the request (%s): check the connector's state with sink status", op, said)
	case "ServiceUnavailableException", "InternalServerErrorException":
		e.Text = fmt.Sprintf("%s: MSK Connect failed (%s): try again in a minute", op, said)
	default:
		e.Text = fmt.Sprintf("%s: %s", op, said)
	}
	return e
}
