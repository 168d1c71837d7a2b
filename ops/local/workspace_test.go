package local

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/jobs"
	dbws "github.com/databricks/databricks-sdk-go/service/workspace"

	"github.com/pintui/pintui/pipeline/dag"
)

const testToken = "0123456789abcdef"

var batchPath = dag.NotebookPath(dag.DefaultNotebookDir, uid, dag.BatchNotebook)

// notebooks records the notebook runs of a test workspace and answers them by their step:
// "fail" fails, "block" runs until the run is stopped, anything else exits with the step.
type notebooks struct {
	mu    sync.Mutex
	runs  []NotebookRun
	calls chan NotebookRun
}

func newNotebooks() *notebooks { return &notebooks{calls: make(chan NotebookRun, 100)} }

func (n *notebooks) run(ctx context.Context, run NotebookRun) (string, error) {
	n.mu.Lock()
	n.runs = append(n.runs, run)
	n.mu.Unlock()
	n.calls <- run
	fmt.Fprintf(run.Log, "running %s step %q\n", run.Path, run.Parameters[dag.StepParam])
	switch step := run.Parameters[dag.StepParam]; step {
	case "fail":
		return "", errors.New("no landings under topics/x.pin/: run emulate batch and wait landings first")
	case "block":
		<-ctx.Done()
		return "", ctx.Err()
	default:
		return `{"step":"` + step + `"}`, nil
	}
}

func (n *notebooks) steps() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var steps []string
	for _, r := range n.runs {
		steps = append(steps, r.Parameters[dag.StepParam])
	}
	return steps
}

// testWorkspace serves a workspace kept in dir over HTTP and returns it with an SDK client of it.
func testWorkspace(t *testing.T, dir string, nb *notebooks, sources map[string][]byte) (*workspace, *databricks.WorkspaceClient, string) {
	t.Helper()
	w, err := openWorkspace(filepath.Join(dir, "jobs"), uid, "", nb.run, sources)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w.handler(dir, testToken))
	w.base = srv.URL
	t.Cleanup(func() {
		srv.Close()
		w.close(context.Background())
	})
	return w, sdkClient(t, srv.URL, testToken), srv.URL
}

func sdkClient(t *testing.T, url, token string) *databricks.WorkspaceClient {
	t.Helper()
	c, err := databricks.NewWorkspaceClient(&databricks.Config{Host: url, Token: token, AuthType: "pat"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func withBatchNotebook() map[string][]byte {
	return map[string][]byte{batchPath: []byte("# Databricks notebook source\nprint('batch')\n")}
}

func submitNotebook(key, step string, upstream ...string) jobs.SubmitTask {
	t := jobs.SubmitTask{TaskKey: key, ExistingClusterId: "local",
		NotebookTask: &jobs.NotebookTask{NotebookPath: batchPath, BaseParameters: map[string]string{dag.StepParam: step}}}
	for _, u := range upstream {
		t.DependsOn = append(t.DependsOn, jobs.TaskDependency{TaskKey: u})
	}
	return t
}

// apiErrorOf returns the Databricks error err carries, failing the test if it carries none.
func apiErrorOf(t *testing.T, err error) *apierr.APIError {
	t.Helper()
	var ae *apierr.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not a Databricks API error", err)
	}
	return ae
}

func TestWorkspaceRunsASubmittedRunOverTheSDK(t *testing.T) {
	ctx := context.Background()
	nb := newNotebooks()
	_, c, url := testWorkspace(t, t.TempDir(), nb, withBatchNotebook())
	wait, err := c.Jobs.Submit(ctx, jobs.SubmitRun{RunName: uid + "_dag.clean", Tasks: []jobs.SubmitTask{
		submitNotebook("clean_pin", "clean_pin", "load_landings"),
		submitNotebook("load_landings", "load_landings"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := wait.Get()
	if err != nil {
		t.Fatal(err)
	}
	if run.State.LifeCycleState != jobs.RunLifeCycleStateTerminated || run.State.ResultState != jobs.RunResultStateSuccess {
		t.Fatalf("run state %+v, want TERMINATED SUCCESS", run.State)
	}
	if run.RunType != jobs.RunTypeSubmitRun || run.RunName != uid+"_dag.clean" || run.RunPageUrl != fmt.Sprintf("%s/#run/%d", url, run.RunId) {
		t.Errorf("run %d: type %s name %s page %s", run.RunId, run.RunType, run.RunName, run.RunPageUrl)
	}
	if run.StartTime == 0 || run.EndTime < run.StartTime || run.RunDuration != run.EndTime-run.StartTime {
		t.Errorf("run times: start %d end %d duration %d", run.StartTime, run.EndTime, run.RunDuration)
	}
	if got := nb.steps(); !slices.Equal(got, []string{"load_landings", "clean_pin"}) {
		t.Errorf("steps ran %v, want load_landings before clean_pin, which depends on it", got)
	}
	if len(run.Tasks) != 2 || run.Tasks[0].TaskKey != "load_landings" || run.Tasks[0].RunId == run.RunId ||
		run.Tasks[1].RunId == run.Tasks[0].RunId || run.Tasks[1].DependsOn[0].TaskKey != "load_landings" {
		t.Fatalf("tasks %+v", run.Tasks)
	}
	for _, task := range run.Tasks {
		if task.State.ResultState != jobs.RunResultStateSuccess || task.ExistingClusterId != "local" || task.StartTime == 0 {
			t.Errorf("task %s: %+v", task.TaskKey, task)
		}
	}

	out, err := c.Jobs.GetRunOutput(ctx, jobs.GetRunOutputRequest{RunId: run.Tasks[1].RunId})
	if err != nil {
		t.Fatal(err)
	}
	if out.NotebookOutput == nil || out.NotebookOutput.Result != `{"step":"clean_pin"}` || out.Error != "" ||
		out.Logs != "running "+batchPath+" step \"clean_pin\"\n" || out.Metadata.RunId != run.Tasks[1].RunId {
		t.Errorf("output %+v", out)
	}
	_, err = c.Jobs.GetRunOutput(ctx, jobs.GetRunOutputRequest{RunId: run.RunId})
	if ae := apiErrorOf(t, err); ae.StatusCode != 400 || ae.ErrorCode != "INVALID_PARAMETER_VALUE" ||
		!strings.HasPrefix(ae.Message, "Retrieving the output of runs with multiple tasks is not supported.") {
		t.Errorf("output of the parent run: %d %s %s", ae.StatusCode, ae.ErrorCode, ae.Message)
	}
	task, err := c.Jobs.GetRun(ctx, jobs.GetRunRequest{RunId: run.Tasks[0].RunId})
	if err != nil {
		t.Fatal(err)
	}
	if task.RunId != run.Tasks[0].RunId || task.State.ResultState != jobs.RunResultStateSuccess || len(task.Tasks) != 1 {
		t.Errorf("task run as a run: %+v", task)
	}
}

func TestWorkspaceTakesTheLegacySingleTaskForm(t *testing.T) {
	nb := newNotebooks()
	_, c, url := testWorkspace(t, t.TempDir(), nb, withBatchNotebook())
	body := fmt.Sprintf(`{"run_name":"legacy","existing_cluster_id":"local","notebook_task":{"notebook_path":%q,"base_parameters":{"step":"analytics"}}}`, batchPath)
	status, answer := post(t, url, "/api/2.2/jobs/runs/submit", testToken, body)
	var submitted jobs.SubmitRunResponse
	if err := json.Unmarshal([]byte(answer), &submitted); status != 200 || err != nil || submitted.RunId == 0 {
		t.Fatalf("submit answered %d %s", status, answer)
	}
	run, err := c.Jobs.WaitGetRunJobTerminatedOrSkipped(context.Background(), submitted.RunId, time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.State.ResultState != jobs.RunResultStateSuccess || len(run.Tasks) != 1 || run.Tasks[0].TaskKey != legacyTaskKey ||
		run.Tasks[0].ExistingClusterId != "local" {
		t.Errorf("legacy run %+v", run)
	}
	if got := nb.steps(); !slices.Equal(got, []string{"analytics"}) {
		t.Errorf("steps ran %v", got)
	}
}

func post(t *testing.T, url, path, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req, token)
}

func get(t *testing.T, url, path, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req, token)
}

func do(t *testing.T, req *http.Request, token string) (int, string) {
	t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, strings.TrimSpace(string(data))
}

func TestWorkspaceFailedTaskSkipsItsDownstream(t *testing.T) {
	ctx := context.Background()
	nb := newNotebooks()
	_, c, _ := testWorkspace(t, t.TempDir(), nb, withBatchNotebook())
	wait, err := c.Jobs.Submit(ctx, jobs.SubmitRun{RunName: "r", Tasks: []jobs.SubmitTask{
		submitNotebook("load_landings", "fail"),
		submitNotebook("clean_pin", "clean_pin", "load_landings"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := wait.Get()
	if err != nil {
		t.Fatal(err)
	}
	msg := "no landings under topics/x.pin/: run emulate batch and wait landings first"
	if run.State.LifeCycleState != jobs.RunLifeCycleStateTerminated || run.State.ResultState != jobs.RunResultStateFailed ||
		run.State.StateMessage != "task load_landings: "+msg {
		t.Errorf("run state %+v", run.State)
	}
	if s := run.Tasks[1].State; s.LifeCycleState != jobs.RunLifeCycleStateSkipped || s.ResultState != jobs.RunResultStateUpstreamFailed {
		t.Errorf("downstream task state %+v, want SKIPPED UPSTREAM_FAILED", s)
	}
	if got := nb.steps(); !slices.Equal(got, []string{"fail"}) {
		t.Errorf("steps ran %v, want only the failing one", got)
	}
	out, err := c.Jobs.GetRunOutput(ctx, jobs.GetRunOutputRequest{RunId: run.Tasks[0].RunId})
	if err != nil {
		t.Fatal(err)
	}
	if out.Error != msg || !strings.HasSuffix(out.ErrorTrace, "\n"+msg) || out.NotebookOutput != nil {
		t.Errorf("output of the failed task %+v", out)
	}
}

func TestWorkspaceRunOfAMissingNotebookIsAnInternalError(t *testing.T) {
	_, c, _ := testWorkspace(t, t.TempDir(), newNotebooks(), nil)
	wait, err := c.Jobs.Submit(context.Background(), jobs.SubmitRun{RunName: "r", Tasks: []jobs.SubmitTask{submitNotebook("analytics", "analytics")}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = wait.Get()
	want := "failed to reach TERMINATED or SKIPPED, got INTERNAL_ERROR: task analytics: notebook " + batchPath +
		" does not exist in the workspace: import it with pintui deploy"
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
}

// waitStep waits for a notebook run of step to start.
func waitStep(t *testing.T, nb *notebooks, step string) {
	t.Helper()
	for {
		select {
		case run := <-nb.calls:
			if run.Parameters[dag.StepParam] == step {
				return
			}
		case <-time.After(time.Minute):
			t.Fatalf("no notebook run of step %s started", step)
		}
	}
}

func TestWorkspaceCancelsARun(t *testing.T) {
	ctx := context.Background()
	nb := newNotebooks()
	_, c, _ := testWorkspace(t, t.TempDir(), nb, withBatchNotebook())
	wait, err := c.Jobs.Submit(ctx, jobs.SubmitRun{RunName: "r", Tasks: []jobs.SubmitTask{
		submitNotebook("load_landings", "block"), submitNotebook("analytics", "analytics", "load_landings"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	waitStep(t, nb, "block")
	active, err := c.Jobs.ListRunsAll(ctx, jobs.ListRunsRequest{ActiveOnly: true})
	if err != nil || len(active) != 1 || active[0].State.LifeCycleState != jobs.RunLifeCycleStateRunning {
		t.Fatalf("active runs %+v, %v", active, err)
	}
	cancel, err := c.Jobs.CancelRun(ctx, jobs.CancelRun{RunId: wait.RunId})
	if err != nil {
		t.Fatal(err)
	}
	run, err := cancel.Get()
	if err != nil {
		t.Fatal(err)
	}
	if s := run.State; s.ResultState != jobs.RunResultStateCanceled || !s.UserCancelledOrTimedout || s.StateMessage != "task load_landings: Run cancelled." {
		t.Errorf("cancelled run %+v", s)
	}
	if got := nb.steps(); !slices.Equal(got, []string{"block"}) {
		t.Errorf("steps ran %v", got)
	}
	_, err = c.Jobs.CancelRun(ctx, jobs.CancelRun{RunId: 999})
	if ae := apiErrorOf(t, err); ae.StatusCode != 404 || ae.ErrorCode != "RESOURCE_DOES_NOT_EXIST" || ae.Message != "Run 999 does not exist." {
		t.Errorf("cancel of an unknown run: %d %s %s", ae.StatusCode, ae.ErrorCode, ae.Message)
	}
}

func TestWorkspaceHasTheBatchJob(t *testing.T) {
	ctx := context.Background()
	nb := newNotebooks()
	_, c, url := testWorkspace(t, t.TempDir(), nb, withBatchNotebook())
	all, err := c.Jobs.ListAll(ctx, jobs.ListJobsRequest{Name: dag.JobName(uid, dag.BatchNotebook), ExpandTasks: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Settings.Name != uid+"_batch_job" || all[0].Settings.Tasks[0].NotebookTask.NotebookPath != batchPath {
		t.Fatalf("jobs %+v", all)
	}
	if none, err := c.Jobs.ListAll(ctx, jobs.ListJobsRequest{Name: "other"}); err != nil || len(none) != 0 {
		t.Errorf("jobs named other: %+v %v", none, err)
	}
	_, err = c.Jobs.GetByJobId(ctx, 7)
	if ae := apiErrorOf(t, err); ae.StatusCode != 404 || ae.Message != "Job 7 does not exist." {
		t.Errorf("get job 7: %d %s", ae.StatusCode, ae.Message)
	}
	wait, err := c.Jobs.RunNow(ctx, jobs.RunNow{JobId: all[0].JobId, JobParameters: map[string]string{dag.StepParam: "clean_geo"}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := wait.Get()
	if err != nil {
		t.Fatal(err)
	}
	if run.RunType != jobs.RunTypeJobRun || run.JobId != all[0].JobId || run.RunPageUrl != fmt.Sprintf("%s/#job/%d/run/%d", url, run.JobId, run.RunId) ||
		run.State.ResultState != jobs.RunResultStateSuccess {
		t.Errorf("job run %+v", run)
	}
	blocked, err := c.Jobs.RunNow(ctx, jobs.RunNow{JobId: all[0].JobId, NotebookParams: map[string]string{dag.StepParam: "block"}})
	if err != nil {
		t.Fatal(err)
	}
	waitStep(t, nb, "block")
	for _, only := range []struct {
		req  jobs.ListRunsRequest
		want int64
	}{
		{jobs.ListRunsRequest{JobId: all[0].JobId, CompletedOnly: true}, run.RunId},
		{jobs.ListRunsRequest{JobId: all[0].JobId, ActiveOnly: true}, blocked.RunId},
	} {
		runs, err := c.Jobs.ListRunsAll(ctx, only.req)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || runs[0].RunId != only.want {
			t.Errorf("runs listed for %+v: %+v, want run %d alone", only.req, runs, only.want)
		}
	}
	_, err = c.Jobs.RunNow(ctx, jobs.RunNow{JobId: all[0].JobId, JobParameters: map[string]string{"a": "b"}, NotebookParams: map[string]string{"a": "b"}})
	if ae := apiErrorOf(t, err); ae.StatusCode != 400 || ae.ErrorCode != "INVALID_PARAMETER_VALUE" {
		t.Errorf("run now with both kinds of parameters: %d %s", ae.StatusCode, ae.ErrorCode)
	}
}

func TestWorkspacePagesRuns(t *testing.T) {
	ctx := context.Background()
	nb := newNotebooks()
	w, c, url := testWorkspace(t, t.TempDir(), nb, withBatchNotebook())
	var want []int64
	for i := range 30 {
		id, err := w.startRun(&runFile{Run: jobRun{RunName: fmt.Sprint(i), RunType: "SUBMIT_RUN",
			Tasks: []taskRun{{TaskKey: "t", NotebookTask: &notebookTask{NotebookPath: batchPath}}}}})
		if err != nil {
			t.Fatal(err)
		}
		want = append([]int64{id}, want...)
	}
	var got []int64
	it := c.Jobs.ListRuns(ctx, jobs.ListRunsRequest{Limit: 7})
	pages := 0
	for it.HasNext(ctx) {
		r, err := it.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.RunId)
	}
	if !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v, newest first", got, want)
	}
	status, body := get(t, url, "/api/2.2/jobs/runs/list?limit=7", testToken)
	var first jobs.ListRunsResponse
	if err := json.Unmarshal([]byte(body), &first); status != 200 || err != nil || !first.HasMore || first.NextPageToken == "" ||
		first.PrevPageToken != "" || len(first.Runs) != 7 || first.Runs[0].Tasks != nil {
		t.Fatalf("first page %d %s", status, body)
	}
	for status, body = get(t, url, "/api/2.2/jobs/runs/list?limit=7&page_token="+first.NextPageToken, testToken); ; pages++ {
		var page jobs.ListRunsResponse
		if err := json.Unmarshal([]byte(body), &page); err != nil || status != 200 {
			t.Fatalf("page %d %s", status, body)
		}
		if page.PrevPageToken == "" {
			t.Fatalf("page %d has no previous page: %s", pages, body)
		}
		_, prev := get(t, url, "/api/2.2/jobs/runs/list?limit=7&page_token="+page.PrevPageToken, testToken)
		var back jobs.ListRunsResponse
		at := slices.Index(want, page.Runs[0].RunId)
		if err := json.Unmarshal([]byte(prev), &back); err != nil || len(back.Runs) != 7 || back.Runs[6].RunId != want[at-1] {
			t.Fatalf("the page before %s: %s", body, prev)
		}
		if !page.HasMore {
			break
		}
		status, body = get(t, url, "/api/2.2/jobs/runs/list?limit=7&page_token="+page.NextPageToken, testToken)
	}
	if pages != 3 {
		t.Errorf("%d pages after the first, want 3 of 30 runs 7 at a time", pages)
	}
	for query, want := range map[string]string{
		"limit=26":                             `{"error_code":"INVALID_PARAMETER_VALUE","message":"limit 26 is out of range: give 1 to 25"}`,
		"active_only=true&completed_only=true": `{"error_code":"INVALID_PARAMETER_VALUE","message":"active_only and completed_only cannot both be true"}`,
		"page_token=x":                         `{"error_code":"INVALID_PARAMETER_VALUE","message":"page_token \"x\" is not a token runs/list gave"}`,
	} {
		if status, body := get(t, url, "/api/2.2/jobs/runs/list?"+query, testToken); status != 400 || body != want {
			t.Errorf("runs/list?%s answered %d %s, want 400 %s", query, status, body, want)
		}
	}
}

func TestWorkspaceNeedsTheToken(t *testing.T) {
	dir := t.TempDir()
	_, _, url := testWorkspace(t, dir, newNotebooks(), nil)
	want := `{"error_code":"UNAUTHENTICATED","message":"the local workspace needs the bearer token in ` + filepath.Join(dir, TokenName) + `"}`
	for _, token := range []string{"", "wrong"} {
		if status, body := get(t, url, "/api/2.2/jobs/list", token); status != 401 || body != want {
			t.Errorf("token %q: %d %s", token, status, body)
		}
	}
	_, err := sdkClient(t, url, "wrong").Jobs.ListAll(context.Background(), jobs.ListJobsRequest{})
	if ae := apiErrorOf(t, err); ae.StatusCode != 401 {
		t.Errorf("SDK with a wrong token: %v", err)
	}
	if status, body := get(t, url, "/api/2.2/jobs/create", testToken); status != 404 || !strings.Contains(body, `"ENDPOINT_NOT_FOUND"`) {
		t.Errorf("an API the workspace does not serve: %d %s", status, body)
	}
	if status, body := post(t, url, "/api/2.2/jobs/runs/submit", testToken, "{"); status != 400 || !strings.Contains(body, `"MALFORMED_REQUEST"`) {
		t.Errorf("a body that is not JSON: %d %s", status, body)
	}
}

func TestWorkspaceImportsAndListsNotebooks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, c, url := testWorkspace(t, dir, newNotebooks(), withBatchNotebook())
	source := "# Databricks notebook source\nprint('stream')\n"
	streamPath := dag.NotebookPath(dag.DefaultNotebookDir, uid, dag.StreamNotebook)
	imp := dbws.Import{Path: streamPath, Format: dbws.ImportFormatSource, Language: dbws.LanguagePython,
		Content: base64.StdEncoding.EncodeToString([]byte(source))}
	if err := c.Workspace.Import(ctx, imp); err != nil {
		t.Fatal(err)
	}
	err := c.Workspace.Import(ctx, imp)
	if ae := apiErrorOf(t, err); ae.StatusCode != 400 || ae.ErrorCode != "RESOURCE_ALREADY_EXISTS" || ae.Message != "Path ("+streamPath+") already exists." {
		t.Errorf("import over a notebook without overwrite: %d %s %s", ae.StatusCode, ae.ErrorCode, ae.Message)
	}
	imp.Overwrite, imp.Content = true, base64.StdEncoding.EncodeToString([]byte(source+"# v2\n"))
	if err := c.Workspace.Import(ctx, imp); err != nil {
		t.Fatal(err)
	}
	objects, err := c.Workspace.ListAll(ctx, dbws.ListWorkspaceRequest{Path: dag.DefaultNotebookDir})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, o := range objects {
		paths = append(paths, string(o.ObjectType)+" "+o.Path)
	}
	if want := []string{"NOTEBOOK " + batchPath, "NOTEBOOK " + streamPath}; !slices.Equal(paths, want) {
		t.Errorf("listed %v, want %v", paths, want)
	}
	if top, err := c.Workspace.ListAll(ctx, dbws.ListWorkspaceRequest{Path: "/"}); err != nil || len(top) != 1 || top[0].Path != "/Shared" ||
		top[0].ObjectType != dbws.ObjectTypeDirectory {
		t.Errorf("listed / as %+v, %v", top, err)
	}
	_, err = c.Workspace.ListAll(ctx, dbws.ListWorkspaceRequest{Path: "/Users"})
	if ae := apiErrorOf(t, err); ae.StatusCode != 404 || ae.ErrorCode != "RESOURCE_DOES_NOT_EXIST" || ae.Message != "Path (/Users) doesn't exist." {
		t.Errorf("list of a missing folder: %d %s %s", ae.StatusCode, ae.ErrorCode, ae.Message)
	}
	status, err := c.Workspace.GetStatusByPath(ctx, streamPath)
	if err != nil || status.ObjectType != dbws.ObjectTypeNotebook || status.Language != dbws.LanguagePython || status.Size != int64(len(source)+5) {
		t.Errorf("status %+v, %v", status, err)
	}
	exported, err := c.Workspace.Export(ctx, dbws.ExportRequest{Path: streamPath, Format: dbws.ExportFormatSource})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := base64.StdEncoding.DecodeString(exported.Content); string(got) != source+"# v2\n" || exported.FileType != "py" {
		t.Errorf("exported %q as %s", got, exported.FileType)
	}
	for body, want := range map[string]string{
		`{"path":"/Shared/x","format":"SOURCE","language":"PYTHON","content":"%%%"}`:                    `"INVALID_PARAMETER_VALUE"`,
		`{"path":"Shared/x","format":"SOURCE","language":"PYTHON","content":""}`:                        `not an absolute workspace path`,
		`{"path":"/Shared/x","format":"SOURCE","content":""}`:                                           `the language must be given`,
		`{"path":"/Shared/pintui","format":"SOURCE","language":"PYTHON","overwrite":true,"content":""}`: `"RESOURCE_ALREADY_EXISTS"`,
	} {
		if status, answer := post(t, url, "/api/2.0/workspace/import", testToken, body); status != 400 || !strings.Contains(answer, want) {
			t.Errorf("import %s answered %d %s, want 400 with %s", body, status, answer, want)
		}
	}
}

func TestWorkspaceKeepsRunsAndNotebooksAcrossARestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	nb := newNotebooks()
	w, c, _ := testWorkspace(t, dir, nb, withBatchNotebook())
	done, err := c.Jobs.Submit(ctx, jobs.SubmitRun{RunName: "done", Tasks: []jobs.SubmitTask{submitNotebook("analytics", "analytics")}})
	if err != nil {
		t.Fatal(err)
	}
	finished, err := done.Get()
	if err != nil {
		t.Fatal(err)
	}
	running, err := c.Jobs.Submit(ctx, jobs.SubmitRun{RunName: "running", Tasks: []jobs.SubmitTask{submitNotebook("load_landings", "block")}})
	if err != nil {
		t.Fatal(err)
	}
	waitStep(t, nb, "block")
	imp := dbws.Import{Path: batchPath, Format: dbws.ImportFormatSource, Language: dbws.LanguagePython,
		Content: base64.StdEncoding.EncodeToString([]byte("# Databricks notebook source\n# deployed\n")), Overwrite: true}
	if err := c.Workspace.Import(ctx, imp); err != nil {
		t.Fatal(err)
	}
	if err := w.close(ctx); err != nil {
		t.Fatal(err)
	}

	_, c, _ = testWorkspace(t, dir, newNotebooks(), withBatchNotebook())
	again, err := c.Jobs.GetRun(ctx, jobs.GetRunRequest{RunId: finished.RunId})
	if err != nil {
		t.Fatal(err)
	}
	if again.State.ResultState != jobs.RunResultStateSuccess || again.EndTime != finished.EndTime || again.Tasks[0].RunId != finished.Tasks[0].RunId {
		t.Errorf("the finished run after a restart: %+v", again)
	}
	out, err := c.Jobs.GetRunOutput(ctx, jobs.GetRunOutputRequest{RunId: finished.Tasks[0].RunId})
	if err != nil || out.NotebookOutput.Result != `{"step":"analytics"}` {
		t.Errorf("output after a restart: %+v, %v", out, err)
	}
	stopped, err := c.Jobs.GetRun(ctx, jobs.GetRunRequest{RunId: running.RunId})
	if err != nil {
		t.Fatal(err)
	}
	if s := stopped.State; s.LifeCycleState != jobs.RunLifeCycleStateInternalError || s.StateMessage != "task load_landings: the workspace stopped while it ran" {
		t.Errorf("the run the workspace stopped: %+v", s)
	}
	exported, err := c.Workspace.Export(ctx, dbws.ExportRequest{Path: batchPath})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := base64.StdEncoding.DecodeString(exported.Content); string(got) != "# Databricks notebook source\n# deployed\n" {
		t.Errorf("the deployed notebook after a restart is %q; the start's own notebook must not replace it", got)
	}
	next, err := c.Jobs.Submit(ctx, jobs.SubmitRun{RunName: "next", Tasks: []jobs.SubmitTask{submitNotebook("analytics", "analytics")}})
	if err != nil {
		t.Fatal(err)
	}
	if next.RunId <= stopped.Tasks[0].RunId {
		t.Errorf("run id %d after a restart reuses an id up to %d", next.RunId, stopped.Tasks[0].RunId)
	}
}

func TestWorkspaceEndsARunACrashedOwnerLeftRunning(t *testing.T) {
	dir := t.TempDir()
	f := &runFile{Run: jobRun{RunID: 4, RunName: "r", RunType: "SUBMIT_RUN", StartTime: 1000,
		State: runState{LifeCycleState: "RUNNING"}, Status: runStatus{State: "RUNNING"},
		Tasks: []taskRun{{RunID: 5, TaskKey: "clean_pin", State: runState{LifeCycleState: "RUNNING"}, Status: runStatus{State: "RUNNING"}}}}}
	if err := (&jobStore{dir: filepath.Join(dir, "jobs")}).saveRun(f); err != nil {
		t.Fatal(err)
	}
	_, c, _ := testWorkspace(t, dir, newNotebooks(), nil)
	run, err := c.Jobs.GetRun(context.Background(), jobs.GetRunRequest{RunId: 4})
	if err != nil {
		t.Fatal(err)
	}
	if run.State.LifeCycleState != jobs.RunLifeCycleStateInternalError || run.State.StateMessage != "the workspace stopped while it ran" ||
		run.Tasks[0].State.LifeCycleState != jobs.RunLifeCycleStateInternalError || run.EndTime == 0 {
		t.Errorf("run left running: %+v, task %+v", run.State, run.Tasks[0].State)
	}
	out, err := c.Jobs.GetRunOutput(context.Background(), jobs.GetRunOutputRequest{RunId: 5})
	if err != nil || out.Error != "the workspace stopped while it ran" {
		t.Errorf("output %+v, %v", out, err)
	}
}

func TestStackServesTheWorkspace(t *testing.T) {
	nb := newNotebooks()
	opts := freePorts(t.TempDir())
	opts.RunNotebook, opts.Notebooks = nb.run, withBatchNotebook()
	if _, err := Start(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "the stack serves no control endpoint") {
		t.Fatalf("a workspace without a control endpoint started: %v", err)
	}
	opts.Control = http.NotFoundHandler()
	s := start(t, opts)
	e := s.Endpoints()
	if !strings.HasPrefix(e.Workspace, "http://127.0.0.1:") || strings.HasSuffix(e.Workspace, ":0") {
		t.Fatalf("workspace endpoint %q", e.Workspace)
	}
	c := sdkClient(t, e.Workspace, s.ControlToken())
	wait, err := c.Jobs.RunNow(context.Background(), jobs.RunNow{JobId: batchJobID})
	if err != nil {
		t.Fatal(err)
	}
	if run, err := wait.Get(); err != nil || run.State.ResultState != jobs.RunResultStateSuccess {
		t.Fatalf("run of the batch job: %+v, %v", run, err)
	}
	if got := nb.steps(); !slices.Equal(got, []string{""}) {
		t.Errorf("the batch job ran steps %q, want every step (no step parameter)", got)
	}
}
