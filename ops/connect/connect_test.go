package connect

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pintui/pintui/ops/connect/connecttest"
)

const (
	uid       = "0a1b2c3d4e5f"
	sinkARN   = "arn:aws:kafkaconnect:us-east-1:123456789012:connector/0a1b2c3d4e5f-s3-sink/8f2c1e4a-1111-2222-3333-444455556666-2"
	pluginARN = "arn:aws:kafkaconnect:us-east-1:123456789012:custom-plugin/confluentinc-kafka-connect-s3-10-0-3/5b6c7d8e-aaaa-bbbb-cccc-ddddeeeeffff-2"
)

// sinkConnector is the connector that lands the topics, provisioned with two workers.
var sinkConnector = connecttest.Connector{
	Name: uid + "-s3-sink", ARN: sinkARN, State: "RUNNING", Version: "K3AEZGBJ8T9QVX", Workers: 2, MaxWorkers: 2, MCUs: 1, PluginARN: pluginARN,
}

// others are connectors of other users in the same region: more than one page of them.
var others = []connecttest.Connector{
	{Name: "a-users-sink", ARN: "arn:aws:kafkaconnect:us-east-1:123456789012:connector/a-users-sink/1", State: "RUNNING", Version: "1", Workers: 1, MCUs: 1},
	{Name: "b-users-sink", ARN: "arn:aws:kafkaconnect:us-east-1:123456789012:connector/b-users-sink/2", State: "RUNNING", Version: "1", Workers: 1, MCUs: 1},
	{Name: "c-users-sink", ARN: "arn:aws:kafkaconnect:us-east-1:123456789012:connector/c-users-sink/3", State: "CREATING", Version: "1", Workers: 1, MCUs: 1},
}

// fakeAWS points the SDK's standard chain at static credentials and nothing else.
func fakeAWS(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
}

func client(t *testing.T, srv *connecttest.Server, attempts int) *Client {
	t.Helper()
	fakeAWS(t)
	c, err := New(context.Background(), Settings{Region: "us-east-1", Endpoint: srv.URL, HTTPClient: http.DefaultClient, MaxAttempts: attempts})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// find looks the connector up and describes it, as the backend does.
func find(c *Client, name string) (Connector, error) {
	arn, err := c.Lookup(context.Background(), name, uid)
	if err != nil {
		return Connector{}, err
	}
	return c.Describe(context.Background(), arn)
}

func TestFindPagesThroughTheConnectorsToTheOneHoldingTheUID(t *testing.T) {
	srv := connecttest.New(t, []connecttest.Plugin{{ARN: pluginARN, Name: "confluentinc-kafka-connect-s3-10-0-3"}}, append(slices.Clone(others), sinkConnector)...)
	k, err := find(client(t, srv, 0), "")
	if err != nil {
		t.Fatal(err)
	}
	k.capacity = nil
	want := Connector{Name: uid + "-s3-sink", ARN: sinkARN, State: "RUNNING", CurrentVersion: "K3AEZGBJ8T9QVX", Workers: 2, MaxWorkers: 2, Plugin: "confluentinc-kafka-connect-s3-10-0-3"}
	if !reflect.DeepEqual(k, want) {
		t.Errorf("got  %+v\nwant %+v", k, want)
	}
	wantCalls := []string{"ListConnectors", "ListConnectors?nextToken=page-2", "DescribeConnector", "DescribeCustomPlugin"}
	if got := srv.Calls(); !slices.Equal(got, wantCalls) {
		t.Errorf("calls %q, want %q", got, wantCalls)
	}
}

func TestFindByNameAsksUnderItsPrefix(t *testing.T) {
	srv := connecttest.New(t, nil, append(slices.Clone(others), sinkConnector)...)
	k, err := find(client(t, srv, 0), "b-users-sink")
	if err != nil || k.Name != "b-users-sink" || k.Plugin != "" {
		t.Fatalf("got %+v, %v", k, err)
	}
	if got := srv.Calls(); got[0] != "ListConnectors?connectorNamePrefix=b-users-sink" {
		t.Errorf("first call %q", got[0])
	}
}

func TestFindNamesTheConnectorsThereAre(t *testing.T) {
	srv := connecttest.New(t, nil, others...)
	c := client(t, srv, 0)
	_, err := find(c, "")
	want := "find the MSK Connect connector in us-east-1: no connector name holds the user id 0a1b2c3d4e5f; the connectors there are a-users-sink, b-users-sink, c-users-sink: set sink.connector to the connector that lands the topics"
	if err == nil || err.Error() != want {
		t.Errorf("by uid: %v\nwant %s", err, want)
	}
	_, err = find(c, "pins-sink")
	want = "find the MSK Connect connector in us-east-1: no connector named pins-sink; the connectors there are a-users-sink, b-users-sink, c-users-sink: set sink.connector to the connector that lands the topics"
	if err == nil || err.Error() != want {
		t.Errorf("by name: %v\nwant %s", err, want)
	}
	_, err = find(client(t, connecttest.New(t, nil), 0), "")
	want = "find the MSK Connect connector in us-east-1: no connector name holds the user id 0a1b2c3d4e5f, and there are no connectors there: create the S3 sink connector, or check aws.region"
	if err == nil || err.Error() != want {
		t.Errorf("none: %v\nwant %s", err, want)
	}
	twin := sinkConnector
	twin.Name, twin.ARN = uid+"-old-sink", "arn:aws:kafkaconnect:us-east-1:123456789012:connector/old/9"
	_, err = find(client(t, connecttest.New(t, nil, sinkConnector, twin), 0), "")
	want = "find the MSK Connect connector in us-east-1: 0a1b2c3d4e5f-old-sink, 0a1b2c3d4e5f-s3-sink all hold the user id 0a1b2c3d4e5f: set sink.connector to the one that lands the topics"
	if err == nil || err.Error() != want {
		t.Errorf("several: %v\nwant %s", err, want)
	}
}

func TestDescribeAFailedAutoscaledConnector(t *testing.T) {
	failed := sinkConnector
	failed.State, failed.Autoscaled, failed.Workers, failed.MaxWorkers = "FAILED", true, 1, 4
	failed.FailureCode, failed.FailureMessage = "UnknownError", "The last operation failed: the worker could not reach the bootstrap brokers."
	srv := connecttest.New(t, nil, failed)
	k, err := client(t, srv, 0).Describe(context.Background(), sinkARN)
	if err != nil {
		t.Fatal(err)
	}
	if k.State != "FAILED" || !k.Autoscaled || k.Workers != 1 || k.MaxWorkers != 4 || k.Plugin != pluginARN ||
		k.Failure != "The last operation failed: the worker could not reach the bootstrap brokers. (UnknownError)" {
		t.Errorf("got %+v", k)
	}
}

func TestRestartUpdatesToTheSameCapacityAtTheCurrentVersion(t *testing.T) {
	auto := sinkConnector
	auto.Autoscaled, auto.Workers, auto.MaxWorkers = true, 1, 3
	for _, k := range []connecttest.Connector{sinkConnector, auto} {
		srv := connecttest.New(t, nil, k)
		c := client(t, srv, 0)
		found, err := c.Describe(context.Background(), sinkARN)
		if err != nil {
			t.Fatal(err)
		}
		state, err := c.Restart(context.Background(), found)
		if err != nil || state != "UPDATING" {
			t.Fatalf("restart: %q, %v", state, err)
		}
		want := map[string]any{"provisionedCapacity": map[string]any{"mcuCount": 1.0, "workerCount": 2.0}}
		if k.Autoscaled {
			want = map[string]any{"autoScaling": map[string]any{"maxWorkerCount": 3.0, "mcuCount": 1.0, "minWorkerCount": 1.0,
				"scaleInPolicy": map[string]any{"cpuUtilizationPercentage": 20.0}, "scaleOutPolicy": map[string]any{"cpuUtilizationPercentage": 80.0}}}
		}
		got := srv.Updates()
		if len(got) != 1 || got[0].CurrentVersion != "K3AEZGBJ8T9QVX" || got[0].ARN != sinkARN || !reflect.DeepEqual(got[0].Capacity, want) {
			t.Errorf("updates %+v\nwant capacity %v", got, want)
		}
	}
}

func TestRestartOfAFailedConnectorSaysWhatMSKConnectSaid(t *testing.T) {
	failed := sinkConnector
	failed.State = "FAILED"
	srv := connecttest.New(t, nil, failed)
	c := client(t, srv, 0)
	k, err := c.Describe(context.Background(), sinkARN)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Restart(context.Background(), k)
	want := "update MSK Connect connector 0a1b2c3d4e5f-s3-sink to restart its workers: MSK Connect refused the request (BadRequestException: The connector is in FAILED state and cannot be updated.): check the connector's state with sink status"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestErrorsSayWhatToDo(t *testing.T) {
	cases := []struct {
		status      int
		code, msg   string
		want        string
		notFoundErr bool
	}{
		{http.StatusNotFound, "NotFoundException", "Resource with arn x not found.",
			"describe MSK Connect connector " + sinkARN + ": it does not exist (NotFoundException: Resource with arn x not found.): sink status lists the connectors there are", true},
		{http.StatusUnauthorized, "UnauthorizedException", "The security token included in the request is expired",
			"describe MSK Connect connector " + sinkARN + ": the credentials were refused (UnauthorizedException: The security token included in the request is expired): run aws sso login, or check aws.profile", false},
		{http.StatusForbidden, "ExpiredTokenException", "The security token included in the request is expired",
			"describe MSK Connect connector " + sinkARN + ": the credentials were refused (ExpiredTokenException: The security token included in the request is expired): run aws sso login, or check aws.profile", false},
		{http.StatusForbidden, "ForbiddenException", "User is not authorized to perform: kafkaconnect:DescribeConnector",
			"describe MSK Connect connector " + sinkARN + ": access denied (ForbiddenException: User is not authorized to perform: kafkaconnect:DescribeConnector): give the profile's role the kafkaconnect:ListConnectors, DescribeConnector, DescribeCustomPlugin and UpdateConnector permissions", false},
	}
	for _, tc := range cases {
		srv := connecttest.New(t, nil, sinkConnector)
		srv.Fail("DescribeConnector", tc.status, tc.code, tc.msg)
		_, err := client(t, srv, 0).Describe(context.Background(), sinkARN)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.code, err, tc.want)
		}
		if errors.Is(err, ErrNotFound) != tc.notFoundErr {
			t.Errorf("%s: errors.Is(ErrNotFound) = %v", tc.code, !tc.notFoundErr)
		}
	}
}

func TestThrottledCallsAreRetriedThenSayWhenToTryAgain(t *testing.T) {
	srv := connecttest.New(t, nil, sinkConnector)
	srv.Throttle(1, "1")
	if _, err := client(t, srv, 0).Describe(context.Background(), sinkARN); err != nil {
		t.Fatalf("one 429 then an answer: %v", err)
	}
	if got := srv.Calls(); !slices.Equal(got, []string{"DescribeConnector", "DescribeConnector", "DescribeCustomPlugin"}) {
		t.Errorf("calls %q", got)
	}
	srv.Throttle(5, "7")
	_, err := client(t, srv, 1).Describe(context.Background(), sinkARN)
	want := "describe MSK Connect connector " + sinkARN + ": MSK Connect throttled the call (TooManyRequestsException: Rate exceeded): try again in 7 s, or ask less often"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestMissingCredentialsSayToLogIn(t *testing.T) {
	srv := connecttest.New(t, nil, sinkConnector)
	fakeAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	c, err := New(context.Background(), Settings{Region: "us-east-1", Endpoint: srv.URL, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Describe(context.Background(), sinkARN)
	if err == nil || !strings.HasPrefix(err.Error(), "describe MSK Connect connector "+sinkARN+": no usable AWS credentials (") ||
		!strings.HasSuffix(err.Error(), "): run aws sso login, or set credentials for the SDK's standard chain") {
		t.Errorf("got %v", err)
	}
	if len(srv.Calls()) != 0 {
		t.Errorf("an unsigned call reached the server: %q", srv.Calls())
	}
}
