package command

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/connect/connecttest"
)

const (
	cloudUID  = "0a1b2c3d4e5f"
	sinkName  = cloudUID + "-s3-sink"
	sinkARN   = "arn:aws:kafkaconnect:eu-west-1:123456789012:connector/0a1b2c3d4e5f-s3-sink/8f2c1e4a-1111-2222-3333-444455556666-2"
	pluginARN = "arn:aws:kafkaconnect:eu-west-1:123456789012:custom-plugin/confluentinc-kafka-connect-s3-10-0-3/5b6c7d8e-2"
)

var runningSink = connecttest.Connector{Name: sinkName, ARN: sinkARN, State: "RUNNING", Version: "K3AEZGBJ8T9QVX", Workers: 2, MaxWorkers: 2, MCUs: 1, PluginARN: pluginARN}

// cloudStack is a cloud profile whose MSK is a kfake cluster holding the three topics, with 5
// pins, 3 geos and 2 users of which the connector's group committed 4, 3 and 0, and whose MSK
// Connect is the fake server holding the connector of runningSink and another user's.
func cloudStack(t *testing.T, extra map[string]string) (*Env, *connecttest.Server) {
	t.Helper()
	topics := []string{cloudUID + ".pin", cloudUID + ".geo", cloudUID + ".user"}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	cl, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()
	commits := kadm.Offsets{}
	for i, n := range []int{5, 3, 2} {
		for range n {
			if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topics[i], Value: []byte("{}")}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
		if at := []int64{4, 3, 0}[i]; at > 0 {
			commits.Add(kadm.Offset{Topic: topics[i], Partition: 0, At: at})
		}
	}
	if _, err := kadm.NewClient(cl).CommitOffsets(ctx, "connect-"+sinkName, commits); err != nil {
		t.Fatal(err)
	}
	srv := connecttest.New(t, []connecttest.Plugin{{ARN: pluginARN, Name: "confluentinc-kafka-connect-s3-10-0-3"}},
		connecttest.Connector{Name: "another-users-sink", ARN: "arn:aws:kafkaconnect:eu-west-1:123456789012:connector/another-users-sink/1", State: "RUNNING", Version: "1", Workers: 1, MCUs: 1},
		runningSink)
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "AWS_SESSION_TOKEN": "",
		"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "",
		"AWS_ENDPOINT_URL_KAFKACONNECT": srv.URL,
	} {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(file, []byte("profiles:\n  prod:\n    aws: {region: eu-west-1}\n    s3: {bucket: user-0a1b2c3d4e5f-bucket}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PINTUI_CONFIG": file, "PINTUI_PROFILE": "prod", "PINTUI_DATA_DIR": dir, "HOME": dir,
		"PINTUI_KAFKA_BROKERS": strings.Join(cluster.ListenAddrs(), ",")}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := config.Load(config.Options{Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(context.Background()) })
	return &Env{Config: cfg, Backends: b}, srv
}

// component returns the row of status of that name.
func component(t *testing.T, reg *Registry, name string) Component {
	t.Helper()
	res, err := reg.Run(context.Background(), "status")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Data.([]Component) {
		if c.Component == name {
			return c
		}
	}
	t.Fatalf("no %s in status", name)
	return Component{}
}

func TestSinkStatusInACloudProfileIsTheConnectorAndItsGroupsLag(t *testing.T) {
	env, _ := cloudStack(t, nil)
	res, err := New(env).Run(context.Background(), "sink status")
	if err != nil {
		t.Fatal(err)
	}
	want := ConnectorStatus{
		Connector: sinkName, ARN: sinkARN, State: "RUNNING", Workers: 2, MaxWorkers: 2, Plugin: "confluentinc-kafka-connect-s3-10-0-3",
		Group: "connect-" + sinkName, Lag: []PartitionLag{
			{Topic: cloudUID + ".geo", Partition: 0, Committed: 3, End: 3, Lag: 0},
			{Topic: cloudUID + ".pin", Partition: 0, Committed: 4, End: 5, Lag: 1},
			{Topic: cloudUID + ".user", Partition: 0, Committed: -1, End: 2, Lag: 2},
		},
	}
	if !reflect.DeepEqual(res.Data, want) {
		t.Errorf("got  %+v\nwant %+v", res.Data, want)
	}
	if res.Message != "connector 0a1b2c3d4e5f-s3-sink RUNNING, 2 workers, plugin confluentinc-kafka-connect-s3-10-0-3" {
		t.Errorf("message %q", res.Message)
	}
}

func TestStatusShowsAFailedConnectorDownWithItsReason(t *testing.T) {
	env, srv := cloudStack(t, nil)
	reg := New(env)
	sk := component(t, reg, "sink")
	want := Component{Component: "sink", State: StateRunning, Count: counted(7),
		Detail: "connector 0a1b2c3d4e5f-s3-sink RUNNING, 2 workers, plugin confluentinc-kafka-connect-s3-10-0-3; 7 landed, lag 3"}
	if !reflect.DeepEqual(sk, want) {
		t.Errorf("running: %+v (count %v)", sk, *sk.Count)
	}
	if s3c := component(t, reg, "s3"); s3c.State != StateReady || *s3c.Count != 7 || s3c.Detail != "7 records landed in s3://user-0a1b2c3d4e5f-bucket" {
		t.Errorf("s3: %+v", s3c)
	}
	failed := runningSink
	failed.State, failed.FailureCode, failed.FailureMessage = "FAILED", "UnknownError", "The worker could not write to bucket user-0a1b2c3d4e5f-bucket: Access Denied"
	srv.Set(failed)
	sk = component(t, reg, "sink")
	want.State = StateDown
	want.Detail = "The worker could not write to bucket user-0a1b2c3d4e5f-bucket: Access Denied (UnknownError); connector 0a1b2c3d4e5f-s3-sink FAILED, 2 workers, plugin confluentinc-kafka-connect-s3-10-0-3; 7 landed, lag 3"
	if !reflect.DeepEqual(sk, want) {
		t.Errorf("failed: %+v", sk)
	}
	res, err := reg.Run(context.Background(), "sink status")
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Data.(ConnectorStatus); st.State != "FAILED" || st.FailureReason != "The worker could not write to bucket user-0a1b2c3d4e5f-bucket: Access Denied (UnknownError)" ||
		res.Message != "connector 0a1b2c3d4e5f-s3-sink FAILED, 2 workers, plugin confluentinc-kafka-connect-s3-10-0-3; failed: The worker could not write to bucket user-0a1b2c3d4e5f-bucket: Access Denied (UnknownError)" {
		t.Errorf("sink status: %+v", st)
	}
}

func TestStatusOfAnUnreachableConnectorSaysWhatToDo(t *testing.T) {
	env, srv := cloudStack(t, map[string]string{"PINTUI_SINK_CONNECTOR": "pins-sink"})
	reg := New(env)
	want := "find the MSK Connect connector in eu-west-1: no connector named pins-sink; the connectors there are 0a1b2c3d4e5f-s3-sink, another-users-sink: set sink.connector to the connector that lands the topics"
	if sk := component(t, reg, "sink"); sk.State != StateDown || sk.Detail != want || sk.Count != nil {
		t.Errorf("unknown name: %+v", sk)
	}
	if _, err := reg.Run(context.Background(), "sink status"); err == nil || err.Error() != "sink status: "+want {
		t.Errorf("sink status: %v", err)
	}
	srv.Fail("ListConnectors", 403, "ForbiddenException", "User is not authorized to perform: kafkaconnect:ListConnectors")
	_, err := reg.Run(context.Background(), "sink status")
	want = "sink status: list MSK Connect connectors in eu-west-1: access denied (ForbiddenException: User is not authorized to perform: kafkaconnect:ListConnectors): give the profile's role the kafkaconnect:ListConnectors, DescribeConnector, DescribeCustomPlugin and UpdateConnector permissions"
	if err == nil || err.Error() != want {
		t.Errorf("403: %v", err)
	}
}

func TestSinkRestartAsksThenUpdatesTheConnector(t *testing.T) {
	env, srv := cloudStack(t, nil)
	reg := New(env)
	_, err := reg.Run(context.Background(), "sink restart")
	var ask *ConfirmError
	if !errors.As(err, &ask) || ask.Question != "restart the workers of MSK Connect the connector whose name holds 0a1b2c3d4e5f in eu-west-1 (an UpdateConnector to its current capacity)" {
		t.Fatalf("without --yes: %v", err)
	}
	if len(srv.Updates()) != 0 {
		t.Fatal("updated before asking")
	}
	res, err := reg.Run(context.Background(), "sink restart --yes")
	if err != nil {
		t.Fatal(err)
	}
	if want := (SinkRestart{Sink: "msk connect", Connector: sinkName, ARN: sinkARN, State: "UPDATING"}); res.Data != want {
		t.Errorf("got %+v", res.Data)
	}
	up := srv.Updates()
	if len(up) != 1 || up[0].CurrentVersion != "K3AEZGBJ8T9QVX" ||
		!reflect.DeepEqual(up[0].Capacity, map[string]any{"provisionedCapacity": map[string]any{"mcuCount": 1.0, "workerCount": 2.0}}) {
		t.Errorf("updates %+v", up)
	}
}

func TestSinkRestartInTheLocalProfileRestartsTheOwnersSink(t *testing.T) {
	env := openStack(t)
	reg := New(env)
	before, _ := env.Backends.SinkStatus()
	res, err := reg.Run(context.Background(), "sink restart")
	if err != nil {
		t.Fatal(err)
	}
	if res.Data != (SinkRestart{Sink: "pintui", State: StateRunning}) {
		t.Errorf("got %+v", res.Data)
	}
	after, running := env.Backends.SinkStatus()
	if !running || after.Stopped || after.Group != before.Group {
		t.Errorf("after restart: %+v", after)
	}
	for _, line := range []string{"seed --rows 20", "emulate batch --count 3 --rate 0"} {
		if _, err := reg.Run(context.Background(), line); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := reg.Run(context.Background(), "wait landings >= 9 --timeout 60s"); err != nil {
		t.Fatalf("the restarted sink lands nothing: %v", err)
	}
}

// TestAConnectorGoneIsLookedUpAgain describes the connector found once by its ARN, and lists the
// connectors again when that ARN is gone, as after the connector was deleted and created anew.
func TestAConnectorGoneIsLookedUpAgain(t *testing.T) {
	env, srv := cloudStack(t, nil)
	reg := New(env)
	for range 2 {
		if _, err := reg.Run(context.Background(), "sink status"); err != nil {
			t.Fatal(err)
		}
	}
	srv.Fail("DescribeConnector", 404, "NotFoundException", "Resource with arn "+sinkARN+" not found.")
	_, err := reg.Run(context.Background(), "sink status")
	if err == nil || !strings.Contains(err.Error(), "it does not exist (NotFoundException") {
		t.Errorf("got %v", err)
	}
	want := []string{"ListConnectors", "DescribeConnector", "DescribeCustomPlugin", "DescribeConnector",
		"DescribeConnector", "ListConnectors", "DescribeConnector"}
	if got := srv.Calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls %q\nwant  %q", got, want)
	}
}
