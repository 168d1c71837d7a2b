package command

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/databricks/databrickstest"
)

// cloudEnv opens a cloud profile whose Databricks workspace is the fake one; extra adds lines
// to the profile's databricks settings.
func cloudEnv(t *testing.T, f *databrickstest.Server, extra ...string) (*Env, *Registry) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	db := "      host: " + f.URL() + "\n      token: " + databrickstest.Token + "\n"
	for _, e := range extra {
		db += "      " + e + "\n"
	}
	yaml := "profiles:\n  cloud:\n    kafka:\n      brokers: [127.0.0.1:1]\n    aws:\n      region: us-east-1\n    databricks:\n" + db
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": dir, "PINTUI_DATA_DIR": dir, "PINTUI_CONFIG": file, "PINTUI_PROFILE": "cloud",
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_EC2_METADATA_DISABLED": "true"}
	cfg, err := config.Load(config.Options{Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(context.Background()) })
	e := &Env{Config: cfg, Backends: b}
	return e, New(e)
}

func run(t *testing.T, r *Registry, line string) *Result {
	t.Helper()
	res, err := r.Run(context.Background(), line)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return res
}

func TestJobRunAsksFirstInTheCloudAndRemembersTheRun(t *testing.T) {
	f := databrickstest.New(t)
	f.AddJob(11, "0a1b2c3d4e5f_batch_job", "step")
	_, r := cloudEnv(t, f)
	_, err := r.Run(context.Background(), "job run 0a1b2c3d4e5f_batch_job --param step=analytics")
	var ce *ConfirmError
	want := "job run: this would start a run of Databricks job 0a1b2c3d4e5f_batch_job in the workspace " + f.URL() + ", which runs on its clusters: answer yes in the console, or add --yes to run it from a script"
	if !errors.As(err, &ce) || err.Error() != want {
		t.Fatalf("without --yes: %v\nwant %s", err, want)
	}
	if got := f.Bodies("/api/2.2/jobs/run-now"); len(got) != 0 {
		t.Fatalf("a run started without --yes: %v", got)
	}
	res := run(t, r, "job run 0a1b2c3d4e5f_batch_job --param step=analytics --param note=a=b --yes")
	if got := f.Bodies("/api/2.2/jobs/run-now"); !reflect.DeepEqual(got, []string{`{"job_id":11,"job_parameters":{"note":"a=b","step":"analytics"}}`}) {
		t.Fatalf("run-now %v", got)
	}
	jr := res.Data.(JobRun)
	if jr.RunID != 101 || jr.JobID != 11 || res.Message != "started run 101 of job 0a1b2c3d4e5f_batch_job (11) with note=a=b, step=analytics; job wait --last waits for it" {
		t.Fatalf("run %+v, message %q", jr, res.Message)
	}
	res = run(t, r, "job wait --last")
	if w := res.Data.(JobRun); w.RunID != 101 || w.ResultState != "SUCCESS" || len(w.Tasks) != 1 || w.Tasks[0].TaskKey != "batch" || *w.DurationMS != 60000 {
		t.Fatalf("wait: %+v", w)
	}
	if res.Message != "run 101 (0a1b2c3d4e5f_batch_job) ended SUCCESS after 1m0s" {
		t.Fatalf("wait message %q", res.Message)
	}
	f.SetOutput(1010, `{"analytics":9}`, "")
	out := run(t, r, "job output --last").Data.(JobOutput)
	if !reflect.DeepEqual(out, JobOutput{RunID: 101, Tasks: []JobTaskOutput{{RunID: 1010, TaskKey: "batch", Result: `{"analytics":9}`}}}) {
		t.Fatalf("output %+v", out)
	}
	runs := run(t, r, "job runs 0a1b2c3d4e5f_batch_job").Data.(JobRuns)
	if runs.JobID != 11 || len(runs.Runs) != 1 || runs.Runs[0].RunID != 101 {
		t.Fatalf("runs %+v", runs)
	}
	jobs := run(t, r, "jobs").Data.([]JobSummary)
	if len(jobs) != 1 || jobs[0].LastRunID != 101 || jobs[0].LastRunState != "SUCCESS" || !reflect.DeepEqual(jobs[0].Tasks, []string{"batch"}) {
		t.Fatalf("jobs %+v", jobs)
	}
}

func TestJobWaitFailsWithTheStateMessage(t *testing.T) {
	f := databrickstest.New(t)
	f.AddJob(12, "nightly.fail")
	_, r := cloudEnv(t, f)
	run(t, r, "job run 12 --yes")
	_, err := r.Run(context.Background(), "job wait 101")
	want := "job wait: run 101 (nightly.fail) ended FAILED: Workload failed, see run output for details: see what each task left with job output 101"
	if err == nil || err.Error() != want {
		t.Fatalf("err %v\nwant %s", err, want)
	}
	if IsUsage(err) {
		t.Fatal("a failed run is not a usage error")
	}
}

func TestJobCancel(t *testing.T) {
	f := databrickstest.New(t)
	f.AddJob(12, "nightly")
	_, r := cloudEnv(t, f)
	run(t, r, "job run nightly --yes")
	res := run(t, r, "job cancel --last")
	if res.Message != "asked to cancel run 101; job wait 101 shows it end" || !reflect.DeepEqual(f.Bodies("/api/2.2/jobs/runs/cancel"), []string{`{"run_id":101}`}) {
		t.Fatalf("cancel: %q %v", res.Message, f.Bodies("/api/2.2/jobs/runs/cancel"))
	}
	_, err := r.Run(context.Background(), "job wait 101")
	if want := "job wait: run 101 (nightly) ended CANCELED: Run cancelled.: see what each task left with job output 101"; err == nil || err.Error() != want {
		t.Fatalf("err %v\nwant %s", err, want)
	}
}

func TestJobCommandsErrorsSayWhatToDo(t *testing.T) {
	f := databrickstest.New(t)
	env, r := cloudEnv(t, f)
	for _, c := range []struct{ line, want string }{
		{"job run nope --yes", "job run: find job nope: the workspace at " + f.URL() + " has no job named nope: list the jobs with pintui jobs, or run pintui deploy to put the notebooks in place"},
		{"job output 7", "job output: get run 7: Run 7 does not exist. (INVALID_PARAMETER_VALUE): list the runs with pintui job runs"},
		{"job wait --last", "job wait: no job run has been started from " + env.Config.DataDir + " yet: start one first, or give its RUN_ID"},
	} {
		_, err := r.Run(context.Background(), c.line)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s:\n%v\nwant\n%s", c.line, err, c.want)
		}
	}
	f.FailNext("/api/2.2/jobs/list", 403, "PERMISSION_DENIED", "Token expired.", "")
	_, err := r.Run(context.Background(), "jobs")
	if want := "jobs: list jobs: Databricks at " + f.URL() + " denied it (403 PERMISSION_DENIED: Token expired.): the token expired or lacks permission; create a new token, set databricks.token or run databricks auth login"; err == nil || err.Error() != want {
		t.Errorf("403:\n%v\nwant\n%s", err, want)
	}
	for _, c := range []struct{ line, want string }{
		{"job wait abc", `job wait: RUN_ID "abc" is not a Databricks run id, a whole number such as 1042 (usage: job wait RUN_ID [--last] [--timeout D])`},
		{"job run x --param novalue --yes", `job run: --param "novalue" is not KEY=VALUE (usage: job run NAME|ID [--param KEY=VALUE]… [--yes])`},
		{"job runs --limit 0", "job runs: --limit must be at least 1"},
	} {
		_, err := r.Run(context.Background(), c.line)
		if err == nil || err.Error() != c.want || !IsUsage(err) {
			t.Errorf("%s:\n%v\nwant the usage error\n%s", c.line, err, c.want)
		}
	}
}

func TestRepeatedFlagKeepsEveryValue(t *testing.T) {
	r := NewRegistry()
	r.Add(&Command{Name: "go", Flags: []Flag{{Name: "param", Repeated: true, Placeholder: "K=V"}, {Name: "one"}}, Help: "Go.",
		Run: func(context.Context, *Invocation) (*Result, error) { return &Result{}, nil }})
	in, err := r.Parse("go --param a=1 --param 'b=2,3' --one x")
	if err != nil {
		t.Fatal(err)
	}
	if got := in.Values("param"); !reflect.DeepEqual(got, []string{"a=1", "b=2,3"}) {
		t.Fatalf("Values = %q", got)
	}
	if got := in.Values("one"); !reflect.DeepEqual(got, []string{"x"}) {
		t.Fatalf("Values of a plain flag = %q", got)
	}
	if in, _ := r.Parse("go"); len(in.Values("param")) != 0 {
		t.Fatalf("Values without the flag = %q", in.Values("param"))
	}
	if got := in.Command.Usage(); got != "go [--param K=V]… [--one ONE]" {
		t.Fatalf("usage %q", got)
	}
}
