package s3

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
	"github.com/pintui/pintui/ui/theme"
)

// connector is the connector of a cloud profile as sink status answers it there.
var connector = command.ConnectorStatus{
	Connector: "0a1b2c3d4e5f-s3-sink", ARN: "arn:aws:kafkaconnect:eu-west-1:123456789012:connector/0a1b2c3d4e5f-s3-sink/8f2c",
	State: "RUNNING", Workers: 2, MaxWorkers: 2, Plugin: "confluentinc-kafka-connect-s3-10-0-3", Group: "connect-0a1b2c3d4e5f-s3-sink",
	Lag: []command.PartitionLag{
		{Topic: "0a1b2c3d4e5f.geo", Partition: 0, Committed: 1204, End: 1204},
		{Topic: "0a1b2c3d4e5f.pin", Partition: 0, Committed: 1180, End: 1204, Lag: 24},
		{Topic: "0a1b2c3d4e5f.user", Partition: 0, Committed: -1, End: 1204, Lag: 1204},
	},
}

// cloudScreen is the S3 screen of a cloud profile whose sink status answers with k, entered
// and every answer handled.
func cloudScreen(k command.ConnectorStatus) *Model {
	reg := command.NewRegistry()
	reg.Add(&command.Command{Name: "s3 ls", Args: "[PREFIX]", MaxArgs: 1, Run: func(context.Context, *command.Invocation) (*command.Result, error) {
		return &command.Result{Data: command.S3Listing{Bucket: "user-0a1b2c3d4e5f-bucket", Prefixes: []string{"topics/"}, Objects: []command.S3Object{}}}, nil
	}})
	reg.Add(&command.Command{Name: "sink status", Run: func(context.Context, *command.Invocation) (*command.Result, error) {
		return &command.Result{Data: k}, nil
	}})
	ctx := &screen.Context{Ctx: context.Background(), Runner: reg, Styles: theme.New(theme.Default()), Keys: keys.Default(),
		Now:  func() time.Time { return time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC) },
		Tick: func(time.Duration, tea.Msg) tea.Cmd { return nil }}
	m := New(ctx)
	drive(m, m.Enter())
	return m
}

func TestCloudSinkPanelShowsTheConnectorAndItsLag(t *testing.T) {
	golden.RequireEqual(t, ansi.Strip(cloudScreen(connector).View(120, 24)))
}

func TestCloudSinkPanelShowsAFailedConnectorsReason(t *testing.T) {
	failed := connector
	failed.State, failed.FailureReason = "FAILED", "The worker could not write to bucket user-0a1b2c3d4e5f-bucket: Access Denied (UnknownError)"
	out := ansi.Strip(cloudScreen(failed).View(120, 24))
	golden.RequireEqual(t, out)
	for _, want := range []string{"✗ FAILED", "failed: The worker could not write to bucket user-0a1b2c3d4e5f-bucket: Access Denied (UnknownError)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the panel lacks %q:\n%s", want, out)
		}
	}
}
