package backend

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pintui/pintui/ops/databricks"
	"github.com/pintui/pintui/ops/local"
	"github.com/pintui/pintui/pipeline/dag"
)

// localPollEvery is how often runs on the local workspace are polled: they are on loopback and
// a DAG task is short, so waiting for one should not add seconds.
const localPollEvery = 200 * time.Millisecond

// workspaceConn is the Databricks client of this process, made on first use, since a cloud
// profile that never runs a job needs no Databricks settings.
type workspaceConn struct {
	mu     sync.Mutex
	client *databricks.Client
}

// Databricks returns the client of the profile's workspace: locally the local workspace, reached
// at the current owner's address with its control token, so it follows a new owner as the
// Kinesis client does; in a cloud profile the workspace the databricks.* settings (or Databricks
// unified auth) name.
func (b *Backends) Databricks(ctx context.Context) (*databricks.Client, error) {
	b.workspace.mu.Lock()
	defer b.workspace.mu.Unlock()
	if b.workspace.client != nil {
		return b.workspace.client, nil
	}
	set := databricks.Settings{Host: b.cfg.Databricks.Host, Token: b.cfg.Databricks.Token, Profile: b.cfg.Databricks.Profile}
	if b.Stack != nil {
		e := b.Stack.Endpoints()
		if e.Workspace == "" {
			return nil, b.noWorkspace()
		}
		set = databricks.Settings{Host: e.Workspace, Token: b.Stack.ControlToken(), Explicit: true, PollEvery: localPollEvery,
			HTTPClient: &http.Client{Transport: &ownerWorkspace{b: b, next: http.DefaultTransport}}}
	}
	c, err := databricks.New(ctx, set)
	if err != nil {
		return nil, err
	}
	b.workspace.client = c
	return c, nil
}

// noWorkspace says why the local stack reaches no workspace.
func (b *Backends) noWorkspace() error {
	if b.Owned() {
		return errors.New("the local workspace is not running in this pintui: restart it, or check the log for why the workspace did not start")
	}
	return fmt.Errorf("the local workspace is not running: the pintui that owns %s (pid %d) serves none; stop it and start pintui again", b.cfg.DataDir, b.Stack.OwnerPID())
}

// ownerWorkspace carries a request to the local workspace of the stack's current owner, with
// that owner's control token, which each new owner rotates.
type ownerWorkspace struct {
	b    *Backends
	next http.RoundTripper
}

// RoundTrip sends the request to the current owner's workspace.
func (o *ownerWorkspace) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := o.b.Owner().Err; err != nil {
		return nil, err
	}
	e := o.b.Stack.Endpoints()
	if e.Workspace == "" {
		return nil, o.b.noWorkspace()
	}
	u, err := url.Parse(e.Workspace)
	if err != nil {
		return nil, fmt.Errorf("the stack's workspace endpoint %q: %w", e.Workspace, err)
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = u.Scheme, u.Host, ""
	out.Header.Set("Authorization", "Bearer "+o.b.Stack.ControlToken())
	return o.next.RoundTrip(out)
}

// localTasks is the stack's Options.Tasks: the scheduler in the owner submits each DAG task's
// notebook run to the owner's own workspace, with the control token the owner has just written.
// A stack without a workspace still starts, and each task fails saying why.
func localTasks(e local.Endpoints) (dag.TaskRunner, error) {
	if e.Workspace == "" {
		return noWorkspaceTasks{}, nil
	}
	token, err := os.ReadFile(filepath.Join(e.DataDir, local.TokenName))
	if err != nil {
		return nil, fmt.Errorf("read the control token for the local workspace: %w", err)
	}
	return databricks.New(context.Background(), databricks.Settings{
		Host: e.Workspace, Token: strings.TrimSpace(string(token)), Explicit: true, PollEvery: localPollEvery,
	})
}

// noWorkspaceTasks fails every task of a stack that serves no workspace.
type noWorkspaceTasks struct{}

var errNoLocalWorkspace = errors.New("the local workspace is not running, so the DAG's tasks have nowhere to run: restart pintui, or check its log for why the workspace did not start")

func (noWorkspaceTasks) Submit(context.Context, dag.NotebookTask) (int64, error) {
	return 0, errNoLocalWorkspace
}

func (noWorkspaceTasks) Wait(context.Context, int64) (dag.RunOutcome, error) {
	return dag.RunOutcome{}, errNoLocalWorkspace
}
