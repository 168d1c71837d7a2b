package databricks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pintui/pintui/ops/databricks/databrickstest"
)

func TestErrorsSayWhatHappenedAndWhatToDo(t *testing.T) {
	f := databrickstest.New(t)
	c := testClient(t, f)
	ctx := context.Background()
	f.FailNext("/api/2.2/jobs/list", 403, "PERMISSION_DENIED", "User does not have permission to view jobs.", "")
	_, err := c.Jobs(ctx)
	want := "list jobs: Databricks at " + f.URL() + " denied it (403 PERMISSION_DENIED: User does not have permission to view jobs.): the token expired or lacks permission; create a new token, set databricks.token or run databricks auth login"
	if err == nil || err.Error() != want {
		t.Fatalf("403:\n%v\nwant\n%s", err, want)
	}
	f.FailNext("/api/2.2/jobs/runs/get", 400, "INVALID_PARAMETER_VALUE", "Invalid run_id", "")
	_, err = c.Run(ctx, 1)
	if want := "get run 1: Databricks at " + f.URL() + " answered 400 INVALID_PARAMETER_VALUE: Invalid run_id: fix what it names and try again"; err == nil || err.Error() != want {
		t.Fatalf("400:\n%v\nwant\n%s", err, want)
	}

	expired := testClient(t, f, func(s *Settings) { s.Token = "dapi-expired" })
	_, err = expired.Jobs(ctx)
	want = "list jobs: Databricks at " + f.URL() + " refused the token (401 UNAUTHENTICATED: Invalid access token.): the token expired or is wrong; create a new token, set databricks.token or run databricks auth login"
	if err == nil || err.Error() != want {
		t.Fatalf("401:\n%v\nwant\n%s", err, want)
	}
	if strings.Contains(err.Error(), "dapi-") {
		t.Fatalf("the error shows the token: %v", err)
	}
}

func TestThrottledRequestsWaitForRetryAfter(t *testing.T) {
	f := databrickstest.New(t)
	c := testClient(t, f)
	ctx := context.Background()
	f.AddJob(11, "j")
	f.FailNext("/api/2.2/jobs/list", 429, "REQUEST_LIMIT_EXCEEDED", "Too many requests.", "2")
	if _, err := c.Jobs(ctx); err != nil {
		t.Fatal(err)
	}
	if len(f.Times()) != 2 {
		t.Fatalf("%d requests, want the throttled one and its retry: %v", len(f.Times()), f.Requests())
	}
	// The SDK's own backoff before a second try is 1 s and at most 0.75 s of jitter.
	if gap := f.Times()[1].Sub(f.Times()[0]); gap < 2*time.Second {
		t.Fatalf("retried %s after a 429 asking for 2 s", gap)
	}
}

func TestThrottlingThatLastsGivesUpSayingSo(t *testing.T) {
	f := databrickstest.New(t)
	c := testClient(t, f, func(s *Settings) { s.RetryTimeout = time.Second })
	for range 10 {
		f.FailNext("/api/2.2/jobs/list", 429, "REQUEST_LIMIT_EXCEEDED", "Too many requests.", "1")
	}
	_, err := c.Jobs(context.Background())
	want := "list jobs: Databricks at " + f.URL() + " kept throttling the requests (429 Too many requests., each time asking to wait 1s), and pintui gave up after retrying for 1s: wait a minute and try again, or run fewer requests at once"
	if err == nil || err.Error() != want {
		t.Fatalf("err\n%v\nwant\n%s", err, want)
	}
}

func TestNewResolvesUnifiedAuth(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "databrickscfg")
	if err := os.WriteFile(cfgFile, []byte("[DEFAULT]\nhost = https://default.example\ntoken = dapi-default\n\n[prod]\nhost = https://prod.example\ntoken = dapi-prod\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CONFIG_PROFILE", "DATABRICKS_AUTH_TYPE", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"} {
		t.Setenv(k, "")
	}
	t.Setenv("DATABRICKS_CONFIG_FILE", cfgFile)
	ctx := context.Background()
	host := func(s Settings) string {
		t.Helper()
		c, err := New(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		return c.Host()
	}
	if got := host(Settings{}); got != "https://default.example" {
		t.Fatalf("no settings: %s, want the DEFAULT profile's host", got)
	}
	if got := host(Settings{Profile: "prod"}); got != "https://prod.example" {
		t.Fatalf("profile prod: %s", got)
	}
	t.Setenv("DATABRICKS_CONFIG_PROFILE", "prod")
	if got := host(Settings{}); got != "https://prod.example" {
		t.Fatalf("DATABRICKS_CONFIG_PROFILE=prod: %s", got)
	}
	t.Setenv("DATABRICKS_HOST", "https://env.example")
	t.Setenv("DATABRICKS_TOKEN", "dapi-env")
	if got := host(Settings{}); got != "https://env.example" {
		t.Fatalf("DATABRICKS_HOST: %s, want it over the profile", got)
	}
	if got := host(Settings{Host: "https://explicit.example", Token: "dapi-x"}); got != "https://explicit.example" {
		t.Fatalf("explicit: %s, want it over the environment", got)
	}

	t.Setenv("DATABRICKS_HOST", "")
	t.Setenv("DATABRICKS_TOKEN", "")
	t.Setenv("DATABRICKS_CONFIG_PROFILE", "")
	t.Setenv("DATABRICKS_CONFIG_FILE", filepath.Join(dir, "none"))
	_, err := New(ctx, Settings{})
	want := "no Databricks workspace to reach: set databricks.host and databricks.token in the profile, or DATABRICKS_HOST and DATABRICKS_TOKEN, or name a ~/.databrickscfg section with databricks.profile or DATABRICKS_CONFIG_PROFILE"
	if err == nil || err.Error() != want {
		t.Fatalf("nothing set:\n%v\nwant\n%s", err, want)
	}
	_, err = New(ctx, Settings{Host: "http://127.0.0.1:1", Explicit: true})
	if err == nil || !strings.HasPrefix(err.Error(), "no Databricks credentials for http://127.0.0.1:1 (") ||
		!strings.HasSuffix(err.Error(), "): set databricks.token or DATABRICKS_TOKEN, or run databricks auth login --host http://127.0.0.1:1") {
		t.Fatalf("no token: %v", err)
	}
}
