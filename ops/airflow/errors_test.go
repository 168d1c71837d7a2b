package airflow

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestAutoFindsTheAPI(t *testing.T) {
	ctx := context.Background()
	for kind, want := range map[string][]string{
		directV1: {"GET /api/v2/version", "GET /api/v1/version", "GET /api/v1/dags?limit=100&offset=0"},
		directV2: {"GET /api/v2/version", "POST /auth/token", "GET /api/v2/dags?limit=100&offset=0"},
		invokeV1: {"GET /api/v1/version?", "GET /api/v1/dags?limit=100&offset=0"},
		invokeV2: {"GET /api/v2/version?", "GET /api/v2/dags?limit=100&offset=0"},
	} {
		r := newRig(t, kind, Settings{API: APIAuto})
		for range 2 {
			if _, err := r.c.DAGs(ctx); err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
		}
		if got, _ := r.c.API(ctx); got != apiOf(kind) {
			t.Errorf("%s: found API %s", kind, got)
		}
		want = append(want, want[len(want)-1])
		if !slices.Equal(r.af.calls, want) {
			t.Errorf("%s: calls %q, want %q", kind, r.af.calls, want)
		}
	}
}

func TestNoAPIAtTheURL(t *testing.T) {
	r := newRig(t, directV1, Settings{})
	r.c, _ = New(context.Background(), Settings{URL: r.url + "/wrong"})
	_, err := r.c.DAGs(context.Background())
	if want := "find the REST API version of Airflow at " + r.url + "/wrong: neither /api/v2/version nor /api/v1/version is there (HTTP 404): check airflow.url, the base URL the API is under"; err == nil || err.Error() != want {
		t.Fatalf("%v\nwant %s", err, want)
	}
}

// TestJWT checks that v2 logs in once, keeps its token, and logs in again when a call answers 401.
func TestWrongURL(t *testing.T) {
	r := newRig(t, directV1, Settings{})
	r.c, _ = New(context.Background(), Settings{URL: r.url + "/wrong", API: APIv1})
	_, err := r.c.DAGs(context.Background())
	if want := "GET /dags: Airflow at " + r.url + "/wrong has no such path (HTTP 404: Not Found): check that airflow.url is where the API is"; err == nil || err.Error() != want {
		t.Fatalf("%v\nwant %s", err, want)
	}
}

func TestWhereShowsNoPassword(t *testing.T) {
	c, err := New(context.Background(), Settings{URL: "https://admin:hunter2@airflow.example.com/"})
	if err != nil || c.Where() != "Airflow at https://airflow.example.com" {
		t.Fatalf("%q, %v", c.Where(), err)
	}
}

func TestJWT(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, directV2, Settings{API: APIv2})
	for range 3 {
		if _, err := r.c.DAGs(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if r.af.logins != 1 {
		t.Fatalf("%d logins for 3 calls", r.af.logins)
	}
	clear(r.af.jwts)
	if _, err := r.c.DAGs(ctx); err != nil {
		t.Fatal(err)
	}
	if r.af.logins != 2 {
		t.Fatalf("%d logins after the token was revoked", r.af.logins)
	}
	r.af.pass = "changed"
	clear(r.af.jwts)
	_, err := r.c.DAGs(ctx)
	if want := "GET /dags on Airflow at " + r.url + ": log in to Airflow at " + r.url + " as admin (POST /auth/token answered HTTP 401: Invalid credentials): check airflow.username and airflow.password"; err == nil || err.Error() != want {
		t.Fatalf("%v\nwant %s", err, want)
	}
}

func TestRefused(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, directV1, Settings{API: APIv1, Username: "admin", Password: "wrong"})
	_, err := r.c.DAGs(ctx)
	if want := "GET /dags: Airflow at " + r.url + " refused the call (HTTP 401: Not authenticated): check airflow.username and airflow.password"; err == nil || err.Error() != want {
		t.Fatalf("401: %v\nwant %s", err, want)
	}
	r = newRig(t, directV1, Settings{API: APIv1})
	r.af.status = 403
	_, err = r.c.DAGs(ctx)
	if want := "GET /dags: Airflow at " + r.url + " refused the call (HTTP 403: Forbidden): user admin may not do this: give the user an Airflow role that may (e.g. Op or User)"; err == nil || err.Error() != want {
		t.Fatalf("403: %v\nwant %s", err, want)
	}
	r = newRig(t, directV1, Settings{API: APIv1, Token: "expired", Name: "the local scheduler"})
	_, err = r.c.DAGs(ctx)
	if want := "GET /dags: the local scheduler refused the call (HTTP 401: Not authenticated): check airflow.token (it may have expired)"; err == nil || err.Error() != want {
		t.Fatalf("token: %v\nwant %s", err, want)
	}
	r = newRig(t, invokeV1, Settings{API: APIv1})
	r.af.status = 403
	_, err = r.c.DAGs(ctx)
	if want := "GET /dags: MWAA environment prod refused the call (HTTP 403: Forbidden): the Airflow role your IAM identity maps to may not do this: give it the airflow:InvokeRestApi permission with an Airflow role that may (Op or User)"; err == nil || err.Error() != want {
		t.Fatalf("invoke 403: %v\nwant %s", err, want)
	}
}

func TestV2RejectsUnknownFields(t *testing.T) {
	if got, want := detail([]byte(`{"detail":[{"type":"extra_forbidden","loc":["body","execution_date"],"msg":"Extra inputs are not permitted","input":"x"},{"type":"missing","loc":["body","logical_date"],"msg":"Field required"}]}`)),
		"body.execution_date: Extra inputs are not permitted; body.logical_date: Field required"; got != want {
		t.Fatalf("detail %q, want %q", got, want)
	}
	r := newRig(t, directV2, Settings{API: APIv2})
	c := &Client{tr: r.c.tr, sleep: r.c.sleep, api: APIv2}
	err := c.do(context.Background(), "POST", "/dags/"+testDAG+"/dagRuns", nil, map[string]any{"conf": map[string]any{}, "execution_date": "2026-12-01T00:00:00Z"}, nil, "")
	if want := "POST /dags/0a1b2c3d4e5f_dag/dagRuns: Airflow at " + r.url + " rejected the request (HTTP 422: body.execution_date: Extra inputs are not permitted; body.logical_date: Field required): check the arguments, and that airflow.api (v2) is the REST API the server speaks"; err == nil || err.Error() != want {
		t.Fatalf("%v\nwant %s", err, want)
	}
}

func TestMWAAErrors(t *testing.T) {
	ctx := context.Background()
	for _, kind := range []string{invokeV1, cliV1} {
		op := map[string]string{invokeV1: "InvokeRestApi", cliV1: "CreateCliToken"}[kind]
		for fail, want := range map[string]string{
			"AccessDeniedException": op + ": AWS refused it (AccessDeniedException: fake AccessDeniedException): give the IAM identity of aws.profile the airflow:" + op + " permission on environment prod",
			"ExpiredTokenException": op + ": the AWS credentials were refused (ExpiredTokenException: fake ExpiredTokenException): run aws sso login --profile dev",
			"ValidationException":   op + ": MWAA rejected the request (ValidationException: fake ValidationException): check airflow.environment",
		} {
			r := newRig(t, kind, Settings{API: APIv1, Profile: "dev"})
			r.mwaa.fail = fail
			_, err := r.c.DAGs(ctx)
			if err == nil || !strings.HasSuffix(err.Error(), want) {
				t.Errorf("%s %s: %v\nwant …%s", kind, fail, err, want)
			}
		}
		r := newRig(t, kind, Settings{API: APIv1, Environment: "nope"})
		_, err := r.c.DAGs(ctx)
		if want := op + ": there is no MWAA environment nope in us-east-1 (ResourceNotFoundException: Environment nope not found): check airflow.environment and aws.region"; err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s unknown environment: %v\nwant …%s", kind, err, want)
		}
	}
}

// TestCLIFailures checks that a CLI command that failed, which MWAA answers with 200, is read
// from its output, and that warnings on stderr are not failures.
func TestCLIFailures(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, cliV1, Settings{})
	r.mwaa.cliStderr = "/usr/local/airflow/.local/lib/python3.11/site-packages/airflow/configuration.py:859 DeprecationWarning: The sql_alchemy_conn option in [core] has been moved\n"
	r.seed()
	if _, err := r.c.DAGs(ctx); err != nil {
		t.Fatalf("a warning on stderr failed the call: %v", err)
	}
	_, err := r.c.Runs(ctx, "nope_dag", 10, 0)
	if err == nil || !NotFound(err) || !strings.HasPrefix(err.Error(), "unknown DAG nope_dag (HTTP 404: DAG: nope_dag does not exist in 'dag' table on MWAA environment prod (CLI))") {
		t.Fatalf("list-runs of an unknown DAG: %v", err)
	}
	_, err = r.c.SetPaused(ctx, "nope_dag", true)
	if err == nil || !strings.HasPrefix(err.Error(), "unknown DAG nope_dag (HTTP 404: airflow.exceptions.AirflowException: Dag id nope_dag not found") {
		t.Fatalf("pause of an unknown DAG: %v", err)
	}
	_, err = r.c.Trigger(ctx, testDAG, map[string]any{"bad": make(chan int)})
	if err == nil {
		t.Fatal("a conf that is not JSON was sent")
	}
	if _, err := r.c.TaskInstances(ctx, testDAG, "manual__nope"); err == nil || !NotFound(err) {
		t.Fatalf("task instances of an unknown run: %v", err)
	}
	if got, want := quote(`{"a":"it's"}`), `'{"a":"it'\''s"}'`; got != want {
		t.Fatalf("quote %s, want %s", got, want)
	}
	if got := split(`dags trigger d -c '{"a":"it'\''s"}' -r r`); !slices.Equal(got, []string{"dags", "trigger", "d", "-c", `{"a":"it's"}`, "-r", "r"}) {
		t.Fatalf("split %q", got)
	}
}
