package databricks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/retries"
)

// loginAdvice is what to do about a token the workspace refuses.
const loginAdvice = "create a new token, set databricks.token or run databricks auth login"

// fail turns an error of the Databricks API into what happened and what to do: op names the
// operation and its resource (get run 42), missing what to do when the resource does not exist.
func (c *Client) fail(op string, err error, missing string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, contextErr(err))
	}
	var api *apierr.APIError
	if !errors.As(err, &api) {
		var timedOut *retries.ErrTimedOut
		if errors.As(err, &timedOut) {
			return fmt.Errorf("%s: Databricks at %s did not answer within %s (%v): check the workspace is up, and try again", op, c.host, c.retryFor, err)
		}
		return fmt.Errorf("%s: cannot reach Databricks at %s (%v): check databricks.host and the network", op, c.host, err)
	}
	what := api.ErrorCode
	if what == "" {
		what = http.StatusText(api.StatusCode)
	}
	switch {
	case api.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("%s: Databricks at %s refused the token (401 %s: %s): the token expired or is wrong; %s", op, c.host, what, api.Message, loginAdvice)
	case api.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%s: Databricks at %s denied it (403 %s: %s): the token expired or lacks permission; %s", op, c.host, what, api.Message, loginAdvice)
	case api.ErrorCode == "RESOURCE_DOES_NOT_EXIST" || api.StatusCode == http.StatusNotFound || doesNotExist(api.Message):
		return fmt.Errorf("%s: %s (%s): %s", op, api.Message, what, missing)
	case api.StatusCode == http.StatusTooManyRequests:
		wait := ""
		if api.ResponseWrapper != nil && api.ResponseWrapper.Response != nil {
			if d, ok := retryAfterOf(api.ResponseWrapper.Response.Header); ok {
				wait = fmt.Sprintf(", each time asking to wait %s", d)
			}
		}
		return fmt.Errorf("%s: Databricks at %s kept throttling the requests (429 %s%s), and pintui gave up after retrying for %s: wait a minute and try again, or run fewer requests at once", op, c.host, api.Message, wait, c.retryFor)
	}
	return fmt.Errorf("%s: Databricks at %s answered %d %s: %s: fix what it names and try again", op, c.host, api.StatusCode, what, api.Message)
}

// doesNotExist reports an answer such as runs/get's INVALID_PARAMETER_VALUE "Run 7 does not
// exist.", which the Jobs API gives for an unknown id instead of RESOURCE_DOES_NOT_EXIST.
func doesNotExist(message string) bool {
	return strings.HasSuffix(strings.TrimSuffix(message, "."), "does not exist")
}

// contextErr is the context's own error under the SDK's wrapping.
func contextErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return context.Canceled
}
