package airflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/mwaa"
	"github.com/aws/aws-sdk-go-v2/service/mwaa/document"
	"github.com/aws/aws-sdk-go-v2/service/mwaa/types"
	"github.com/aws/smithy-go"
	smithydoc "github.com/aws/smithy-go/document"

	"github.com/pintui/pintui/ops/internal/awsconf"
)

// invokeMaxPath is the longest Path InvokeRestApi takes.
const invokeMaxPath = 64

// mwaaEnv is what the two MWAA transports share: the control plane client and the names errors
// give.
type mwaaEnv struct {
	api     *mwaa.Client
	env     string
	profile string
	region  string
}

func newMWAA(ctx context.Context, s Settings) (mwaaEnv, error) {
	cfg, err := awsconf.Load(ctx, "MWAA", awsconf.Settings{Profile: s.Profile, Region: s.Region, AccessKey: s.AccessKey, SecretKey: s.SecretKey})
	if err != nil {
		return mwaaEnv{}, err
	}
	api := mwaa.NewFromConfig(cfg, func(o *mwaa.Options) {
		o.HTTPClient = s.HTTPClient
		if s.MWAAEndpoint != "" {
			o.BaseEndpoint = aws.String(s.MWAAEndpoint)
		}
	})
	return mwaaEnv{api: api, env: s.Environment, profile: s.Profile, region: cfg.Region}, nil
}

// refused turns an error of the MWAA control plane into one that says what to do.
func (m mwaaEnv) refused(op string, err error) error {
	login := "run aws sso login"
	if m.profile != "" {
		login += " --profile " + m.profile
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		if strings.Contains(err.Error(), "credentials") {
			return fmt.Errorf("%s: no usable AWS credentials (%v): %s, or set credentials for the SDK's standard chain", op, err, login)
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	said := ae.ErrorCode()
	if msg := ae.ErrorMessage(); msg != "" {
		said += ": " + msg
	}
	switch ae.ErrorCode() {
	case "AccessDeniedException":
		return fmt.Errorf("%s: AWS refused it (%s): give the IAM identity of aws.profile the airflow:%s permission on environment %s", op, said, op, m.env)
	case "ResourceNotFoundException":
		return fmt.Errorf("%s: there is no MWAA environment %s in %s (%s): check airflow.environment and aws.region", op, m.env, m.region, said)
	case "ValidationException":
		return fmt.Errorf("%s: MWAA rejected the request (%s): check airflow.environment", op, said)
	case "ExpiredToken", "ExpiredTokenException", "RequestExpired", "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException":
		return fmt.Errorf("%s: the AWS credentials were refused (%s): %s", op, said, login)
	}
	return fmt.Errorf("%s: %s", op, said)
}

// invoke reaches an MWAA environment's Airflow REST API through InvokeRestApi.
type invoke struct{ mwaaEnv }

func newInvoke(ctx context.Context, s Settings) (*invoke, error) {
	m, err := newMWAA(ctx, s)
	if err != nil {
		return nil, err
	}
	return &invoke{m}, nil
}

func (t *invoke) where() string { return "MWAA environment " + t.env }

func (t *invoke) maxPath() int { return invokeMaxPath }

func (t *invoke) credentials(int) string {
	return "the Airflow role your IAM identity maps to may not do this: give it the airflow:InvokeRestApi permission with an Airflow role that may (Op or User)"
}

// version asks Airflow for its version: MWAA serves either API under the same calls.
func (t *invoke) version(ctx context.Context) (string, error) {
	r, err := t.roundTrip(ctx, call{method: "GET", path: "/version"})
	if err != nil {
		return "", err
	}
	var v struct {
		Version string `json:"version"`
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body, &v) != nil {
		return "", fmt.Errorf("GET /version answered HTTP %d (%s): set airflow.api to v1 or v2", r.status, detail(r.body))
	}
	return majorAPI(v.Version)
}

func (t *invoke) roundTrip(ctx context.Context, c call) (reply, error) {
	in := &mwaa.InvokeRestApiInput{Name: aws.String(t.env), Method: types.RestApiMethod(c.method), Path: aws.String(c.path)}
	if len(c.query) > 0 {
		q := map[string]any{}
		for k, v := range c.query {
			q[k] = v[0]
		}
		in.QueryParameters = document.NewLazyDocument(q)
	}
	if c.body != nil {
		in.Body = document.NewLazyDocument(c.body)
	}
	out, err := t.api.InvokeRestApi(ctx, in)
	var ce *types.RestApiClientException
	var se *types.RestApiServerException
	switch {
	case errors.As(err, &ce):
		return restReply(ce.RestApiStatusCode, ce.RestApiResponse, ce.ErrorMessage())
	case errors.As(err, &se):
		return restReply(se.RestApiStatusCode, se.RestApiResponse, se.ErrorMessage())
	case err != nil:
		return reply{}, t.refused("InvokeRestApi", err)
	}
	return restReply(out.RestApiStatusCode, out.RestApiResponse, "")
}

// restReply turns InvokeRestApi's status and document into a reply.
func restReply(status *int32, doc document.Interface, message string) (reply, error) {
	r := reply{status: int(aws.ToInt32(status))}
	if r.status == 0 {
		r.status = http.StatusBadGateway
	}
	if doc == nil {
		if message != "" {
			r.body, _ = json.Marshal(map[string]string{"detail": message})
		}
		return r, nil
	}
	var v any
	if err := doc.UnmarshalSmithyDocument(&v); err != nil {
		return reply{}, fmt.Errorf("read the RestApiResponse: %w", err)
	}
	body, err := json.Marshal(plainJSON(v))
	if err != nil {
		return reply{}, fmt.Errorf("read the RestApiResponse: %w", err)
	}
	r.body = body
	return r, nil
}

// plainJSON turns a smithy document's numbers back into JSON numbers.
func plainJSON(v any) any {
	switch v := v.(type) {
	case smithydoc.Number:
		return json.Number(v)
	case map[string]any:
		for k, e := range v {
			v[k] = plainJSON(e)
		}
	case []any:
		for i, e := range v {
			v[i] = plainJSON(e)
		}
	}
	return v
}
