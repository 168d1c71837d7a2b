package overview

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/pintui/pintui/ops/command"
)

// TestSinkBoxShowsAFailedConnectorsReason draws the Overview of a cloud profile whose MSK Connect
// connector failed: status reports the sink down with the failure first in its detail, and the
// sink box turns red with that reason while its neighbours keep their rates.
func TestSinkBoxShowsAFailedConnectorsReason(t *testing.T) {
	reg := command.NewRegistry()
	reg.Add(&command.Command{Name: "status", Run: func(context.Context, *command.Invocation) (*command.Result, error) {
		return &command.Result{Data: []command.Component{
			{Component: "kafka", State: command.StateReady, Detail: "3612 records in 3 topics at b-1.msk.eu-west-1.amazonaws.com:9098", Count: count(3612)},
			{Component: "sink", State: command.StateDown, Count: count(3588),
				Detail: "The worker could not write to bucket user-0a1b2c3d4e5f-bucket: Access Denied (UnknownError); connector 0a1b2c3d4e5f-s3-sink FAILED, 2 workers, plugin confluentinc-kafka-connect-s3-10-0-3; 3588 landed, lag 24"},
			{Component: "s3", State: command.StateReady, Detail: "3588 records landed in s3://user-0a1b2c3d4e5f-bucket", Count: count(3588)},
		}}, nil
	}})
	out := plain(shown(reg), 120, 16)
	golden.RequireEqual(t, out)
	if !strings.Contains(out, "✗ down") || !strings.Contains(out, "The worker could not") {
		t.Errorf("the sink box does not show the failure:\n%s", out)
	}
}
