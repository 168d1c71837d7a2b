package local

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/dag"
)

const apiToken = "secret-token"

// airflowAPI is a client of the scheduler's API over real HTTP.
type airflowAPI struct {
	t     *testing.T
	base  string
	token string
}

func serveTestScheduler(t *testing.T, s *scheduler) airflowAPI {
	srv := httptest.NewServer(s.handler(apiToken))
	t.Cleanup(srv.Close)
	return airflowAPI{t: t, base: srv.URL, token: apiToken}
}

// call sends a request and returns the status, the content type and the body.
func (a airflowAPI) call(method, path, body, accept string) (int, string, string) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.base+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(data)
}

// expect sends a request and checks its status and JSON answer exactly ("": any answer).
func (a airflowAPI) expect(method, path, body string, status int, want string) map[string]any {
	a.t.Helper()
	gotStatus, _, got := a.call(method, path, body, "")
	var gotV, wantV map[string]any
	if err := json.Unmarshal([]byte(got), &gotV); err != nil {
		a.t.Fatalf("%s %s answered %d %q: %v", method, path, gotStatus, got, err)
	}
	if want == "" {
		if gotStatus != status {
			a.t.Errorf("%s %s answered %d %s, want %d", method, path, gotStatus, got, status)
		}
		return gotV
	}
	if err := json.Unmarshal([]byte(want), &wantV); err != nil {
		a.t.Fatalf("bad expectation %s: %v", want, err)
	}
	if gotStatus != status || !reflect.DeepEqual(gotV, wantV) {
		a.t.Errorf("%s %s answered %d\n%s\nwant %d\n%s", method, path, gotStatus, got, status, want)
	}
	return gotV
}

func problemJSON(status int, title, kind, detail string) string {
	b, _ := json.Marshal(map[string]any{
		"status": status, "title": title, "detail": detail,
		"type": "https://airflow.apache.org/docs/apache-airflow/2.10.3/stable-rest-api-ref.html#section/Errors/" + kind,
	})
	return string(b)
}

const wantDAG = `{
	"dag_id": "0a1b2c3d4e5f_dag", "dag_display_name": "0a1b2c3d4e5f_dag", "root_dag_id": null,
	"is_paused": false, "is_active": true, "is_subdag": false,
	"last_parsed_time": "2026-01-10T10:00:00+00:00", "last_pickled": null, "last_expired": null,
	"scheduler_lock": null, "pickle_id": null, "default_view": "grid",
	"fileloc": "DAGFILE", "file_token": "0a1b2c3d4e5f_dag", "owners": ["pintui"], "description": null,
	"schedule_interval": {"__type": "CronExpression", "value": "@daily"}, "timetable_description": "@daily",
	"tags": [], "max_active_tasks": 5, "max_active_runs": 1,
	"has_task_concurrency_limits": false, "has_import_errors": false,
	"next_dagrun": "2026-01-11T00:00:00+00:00", "next_dagrun_data_interval_start": "2026-01-11T00:00:00+00:00",
	"next_dagrun_data_interval_end": "2026-01-12T00:00:00+00:00", "next_dagrun_create_after": "2026-01-12T00:00:00+00:00",
	"max_consecutive_failed_dag_runs": 0
}`

// dagJSONIn is wantDAG for a data dir: its DAG file is where a local deploy puts it.
func dagJSONIn(dir string) string {
	return strings.Replace(wantDAG, "DAGFILE", filepath.Join(dir, "airflow", "dags", "0a1b2c3d4e5f_dag.py"), 1)
}

func TestAirflowAPIServesTheDAGAndItsRunsAsAirflow2Does(t *testing.T) {
	clock := newFakeClock(at(t, "2026-01-10T10:00:00Z"))
	s := startTestScheduler(t, testDir(t), daily(), clock, newFakeRunner(clock))
	api := serveTestScheduler(t, s)

	api.expect("GET", "/api/v1/dags", "", 200, `{"dags": [`+dagJSONIn(s.cfg.dir)+`], "total_entries": 1}`)
	api.expect("GET", "/api/v1/dags/0a1b2c3d4e5f_dag", "", 200, dagJSONIn(s.cfg.dir))
	api.expect("GET", "/api/v1/health", "", 200, `{"metadatabase": {"status": "healthy"},
		"scheduler": {"status": "healthy", "latest_scheduler_heartbeat": "2026-01-10T10:00:00+00:00"}}`)
	api.expect("GET", "/api/v1/version", "", 200, `{"version": "2.10.3", "git_version": null}`)

	api.expect("POST", "/api/v1/dags/0a1b2c3d4e5f_dag/dagRuns", `{"logical_date": "2026-01-10T09:30:00Z", "conf": {"reason": "test"}}`, 200, `{
		"dag_run_id": "manual__2026-01-10T09:30:00+00:00", "dag_id": "0a1b2c3d4e5f_dag",
		"logical_date": "2026-01-10T09:30:00+00:00", "execution_date": "2026-01-10T09:30:00+00:00",
		"start_date": null, "end_date": null,
		"data_interval_start": "2026-01-09T00:00:00+00:00", "data_interval_end": "2026-01-10T00:00:00+00:00",
		"last_scheduling_decision": null, "run_type": "manual", "state": "queued", "external_trigger": true,
		"conf": {"reason": "test"}, "note": null}`)
	waitFor(t, "the run to end", s.ended(1))
	api.expect("GET", "/api/v1/dags/0a1b2c3d4e5f_dag/dagRuns/manual__2026-01-10T09:30:00+00:00", "", 200, `{
		"dag_run_id": "manual__2026-01-10T09:30:00+00:00", "dag_id": "0a1b2c3d4e5f_dag",
		"logical_date": "2026-01-10T09:30:00+00:00", "execution_date": "2026-01-10T09:30:00+00:00",
		"start_date": "2026-01-10T10:00:00+00:00", "end_date": "2026-01-10T10:00:00+00:00",
		"data_interval_start": "2026-01-09T00:00:00+00:00", "data_interval_end": "2026-01-10T00:00:00+00:00",
		"last_scheduling_decision": "2026-01-10T10:00:00+00:00", "run_type": "manual", "state": "success", "external_trigger": true,
		"conf": {"reason": "test"}, "note": null}`)

	tis := api.expect("GET", "/api/v1/dags/0a1b2c3d4e5f_dag/dagRuns/manual__2026-01-10T09:30:00+00:00/taskInstances", "", 200, "")
	first, _ := json.Marshal(tis["task_instances"].([]any)[0])
	var got, want map[string]any
	json.Unmarshal(first, &got)
	json.Unmarshal([]byte(`{
		"task_id": "load_landings", "task_display_name": "load_landings", "dag_id": "0a1b2c3d4e5f_dag",
		"dag_run_id": "manual__2026-01-10T09:30:00+00:00", "execution_date": "2026-01-10T09:30:00+00:00",
		"start_date": "2026-01-10T10:00:00+00:00", "end_date": "2026-01-10T10:00:00+00:00", "duration": 0,
		"state": "success", "try_number": 1, "map_index": -1, "max_tries": 1, "hostname": "", "unixname": "",
		"pool": "default_pool", "pool_slots": 1, "queue": "default", "priority_weight": 5,
		"operator": "DatabricksSubmitRunOperator", "queued_when": "2026-01-10T10:00:00+00:00", "pid": null,
		"executor": null, "executor_config": "{}", "sla_miss": null, "rendered_map_index": null,
		"rendered_fields": {}, "trigger": null, "triggerer_job": null, "note": null}`), &want)
	if !reflect.DeepEqual(got, want) || tis["total_entries"] != float64(5) {
		t.Errorf("task instance\n%s\nof %v, want\n%v\nof 5", first, tis["total_entries"], want)
	}
	api.expect("GET", "/api/v1/dags/0a1b2c3d4e5f_dag/dagRuns/manual__2026-01-10T09:30:00+00:00/taskInstances/load_landings", "", 200, string(first))

	logPath := "/api/v1/dags/0a1b2c3d4e5f_dag/dagRuns/manual__2026-01-10T09:30:00+00:00/taskInstances/load_landings/logs/1"
	status, kind, text := api.call("GET", logPath, "", "text/plain")
	if status != 200 || kind != "text/plain; charset=utf-8" || !strings.Contains(text, "INFO - Run submitted with run_id: 100\n") {
		t.Errorf("the text log answered %d %s:\n%s", status, kind, text)
	}
	token := base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"end_of_log":true,"log_pos":%d}`, len(text)))
	api.expect("GET", logPath, "", 200, `{"content": `+jsonString(text)+`, "continuation_token": "`+token+`"}`)
	api.expect("GET", logPath+"?token="+token, "", 200, `{"content": "", "continuation_token": "`+token+`"}`)
	api.expect("GET", logPath+"?token=forged", "", 400, problemJSON(400, "Bad Request", "BadRequest", "Bad Signature. Please use only the tokens provided by the API."))
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestAirflowAPIListsRunsAPageAtATime(t *testing.T) {
	clock := newFakeClock(at(t, "2026-01-10T10:00:00Z"))
	s := startTestScheduler(t, testDir(t), daily(), clock, newFakeRunner(clock))
	if err := s.setPaused(true); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"b", "c", "a"} {
		if _, err := s.trigger(triggerRequest{runID: id, logical: clock.Now().Add(-time.Duration(len(s.runs)+1) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	api := serveTestScheduler(t, s)
	for query, want := range map[string][]string{
		"":                                {"b", "c", "a"},
		"?order_by=-id":                   {"a", "c", "b"},
		"?order_by=dag_run_id":            {"a", "b", "c"},
		"?order_by=execution_date":        {"a", "c", "b"},
		"?limit=1&offset=1":               {"c"},
		"?offset=5":                       {},
		"?order_by=-logical_date&limit=2": {"b", "c"},
	} {
		got := api.expect("GET", "/api/v1/dags/0a1b2c3d4e5f_dag/dagRuns"+query, "", 200, "")
		var ids []string
		for _, r := range got["dag_runs"].([]any) {
			ids = append(ids, r.(map[string]any)["dag_run_id"].(string))
		}
		if strings.Join(ids, ",") != strings.Join(want, ",") || got["total_entries"] != float64(3) {
			t.Errorf("runs%s are %v of %v, want %v of 3", query, ids, got["total_entries"], want)
		}
	}
}

func TestAirflowAPIAnswersErrorsAsAirflowsProblemJSON(t *testing.T) {
	clock := newFakeClock(at(t, "2026-01-10T10:00:00Z"))
	s := startTestScheduler(t, testDir(t), daily(), clock, newFakeRunner(clock))
	api := serveTestScheduler(t, s)
	runs := "/api/v1/dags/0a1b2c3d4e5f_dag/dagRuns"
	api.expect("POST", runs, `{"dag_run_id": "once"}`, 200, "")
	waitFor(t, "the run to end", s.ended(1))
	for _, c := range []struct {
		method, path, body  string
		status              int
		title, kind, detail string
	}{
		{"GET", "/api/v1/dags/other_dag", "", 404, "DAG not found", "NotFound", "DAG with dag_id: 'other_dag' not found"},
		{"POST", "/api/v1/dags/other_dag/dagRuns", "{}", 404, "DAG not found", "NotFound", "DAG with dag_id: 'other_dag' not found"},
		{"GET", runs + "/missing", "", 404, "DAGRun not found", "NotFound", "DAGRun with DAG ID: '0a1b2c3d4e5f_dag' and DagRun ID: 'missing' not found"},
		{"GET", runs + "/once/taskInstances/clean_pin/logs/7", "", 404, "TaskInstance not found", "NotFound", "try 7 of task clean_pin in once has not run: its tries so far are 1 to 1"},
		{"GET", runs + "/once/taskInstances/nope", "", 404, "TaskInstance not found", "NotFound", "Task instance did not exist in the DB: task nope of once"},
		{"GET", runs + "/once/taskInstances/nope/logs/1", "", 404, "TaskInstance not found", "NotFound", "Task instance did not exist in the DB: task nope of once"},
		{"POST", runs, `{"dag_run_id": "once"}`, 409, "Conflict", "AlreadyExists", "DAGRun with DAG ID: '0a1b2c3d4e5f_dag' and DAGRun ID: 'once' already exists"},
		{"POST", runs, `{"logical_date": "2026-01-10T10:00:00+00:00"}`, 409, "Conflict", "AlreadyExists", "DAGRun with DAG ID: '0a1b2c3d4e5f_dag' and DAGRun logical date: '2026-01-10T10:00:00+00:00' already exists"},
		{"POST", runs, `{"dag_run_id": "a/b"}`, 400, "Bad Request", "BadRequest", `dag_run_id "a/b" is not valid: use up to 250 letters, digits and _ . ~ : + -`},
		{"POST", runs, `{"conf": [1]}`, 400, "Bad Request", "BadRequest", `conf must be a JSON object, e.g. {"key": "value"}`},
		{"POST", runs, `{"colour": "red"}`, 400, "Bad Request", "BadRequest", `the request body is not valid: json: unknown field "colour"`},
		{"POST", runs, `{"logical_date": "yesterday"}`, 400, "Bad Request", "BadRequest", `logical_date "yesterday" is not valid: use an RFC 3339 time such as 2026-01-02T15:04:05+00:00`},
		{"GET", runs + "?order_by=colour", "", 400, "Bad Request", "BadRequest", "Ordering with 'colour' is disallowed or the attribute does not exist on the model"},
		{"GET", runs + "?limit=-1", "", 400, "Bad Request", "BadRequest", `limit "-1" is not valid: use a whole number, 0 or more`},
		{"PATCH", "/api/v1/dags/0a1b2c3d4e5f_dag?update_mask=owners", `{"is_paused": true}`, 400, "Bad Request", "BadRequest", "Only `is_paused` field can be updated through the REST API, not \"owners\""},
		{"PATCH", "/api/v1/dags/0a1b2c3d4e5f_dag", `{}`, 400, "Bad Request", "BadRequest", `the body must set is_paused, e.g. {"is_paused": false}`},
		{"DELETE", "/api/v1/dags/0a1b2c3d4e5f_dag", "", 404, "Not Found", "NotFound", "DELETE /api/v1/dags/0a1b2c3d4e5f_dag is not part of the local scheduler's Airflow REST API"},
	} {
		api.expect(c.method, c.path, c.body, c.status, problemJSON(c.status, c.title, c.kind, c.detail))
	}

	anonymous := api
	anonymous.token = ""
	status, kind, body := anonymous.call("GET", "/api/v1/dags", "", "")
	if want := problemJSON(401, "Unauthorized", "Unauthenticated", "the local scheduler needs the bearer token in control.token in the data dir"); status != 401 || kind != "application/problem+json" || !sameJSON(body, want) {
		t.Errorf("without the token: %d %s %s, want 401 %s", status, kind, body, want)
	}
	wrong := api
	wrong.token = "guess"
	if status, _, _ := wrong.call("GET", runs, "", ""); status != 401 {
		t.Errorf("a wrong token answered %d, want 401", status)
	}
	if status, _, _ := anonymous.call("GET", "/api/v1/health", "", ""); status != 200 {
		t.Errorf("health without a token answered %d, want 200 as on Airflow", status)
	}
}

func TestAirflowAPIPausesAndUnpausesTheDAG(t *testing.T) {
	dir := testDir(t)
	clock := newFakeClock(at(t, "2026-01-10T10:00:00Z"))
	s := startTestScheduler(t, dir, daily(), clock, newFakeRunner(clock))
	api := serveTestScheduler(t, s)
	paused := strings.Replace(dagJSONIn(dir), `"is_paused": false`, `"is_paused": true`, 1)
	api.expect("PATCH", "/api/v1/dags/0a1b2c3d4e5f_dag?update_mask=is_paused", `{"is_paused": true}`, 200, paused)
	api.expect("POST", "/api/v1/dags/0a1b2c3d4e5f_dag/dagRuns", `{"dag_run_id": "waits"}`, 200, "")
	s.close()

	s = startTestScheduler(t, dir, daily(), clock, newFakeRunner(clock))
	api = serveTestScheduler(t, s)
	api.expect("GET", "/api/v1/dags/0a1b2c3d4e5f_dag", "", 200, paused)
	if got := api.expect("GET", "/api/v1/dags/0a1b2c3d4e5f_dag/dagRuns/waits", "", 200, "")["state"]; got != "queued" {
		t.Errorf("a run triggered while paused is %v, want queued", got)
	}
	api.expect("PATCH", "/api/v1/dags/0a1b2c3d4e5f_dag", `{"is_paused": false}`, 200, dagJSONIn(dir))
	waitFor(t, "the run to end once unpaused", s.ended(1))
}

func sameJSON(a, b string) bool {
	var va, vb any
	return json.Unmarshal([]byte(a), &va) == nil && json.Unmarshal([]byte(b), &vb) == nil && reflect.DeepEqual(va, vb)
}

func TestStackServesTheSchedulerBehindTheControlToken(t *testing.T) {
	clock := newFakeClock(at(t, "2026-01-10T10:00:00Z"))
	runner := newFakeRunner(clock)
	opts := freePorts(testDir(t))
	opts.AirflowAddr, opts.clock, opts.Control, opts.NotebookDir = "127.0.0.1:0", clock, http.NotFoundHandler(), "/Team/pipelines"
	var given Endpoints
	opts.Tasks = func(e Endpoints) (dag.TaskRunner, error) { given = e; return runner, nil }
	s := start(t, opts)
	e := s.Endpoints()
	if e.Airflow == "" || given.Airflow != e.Airflow || given.Kafka != e.Kafka {
		t.Fatalf("the stack serves the scheduler on %q and gave the runner %+v", e.Airflow, given)
	}
	api := airflowAPI{t: t, base: e.Airflow, token: s.ControlToken()}
	api.expect("GET", "/api/v1/dags/0a1b2c3d4e5f_dag", "", 200, dagJSONIn(opts.DataDir))
	api.expect("POST", "/api/v1/dags/0a1b2c3d4e5f_dag/dagRuns", `{"dag_run_id": "now"}`, 200, "")
	waitFor(t, "the run to end", func() bool {
		_, _, body := api.call("GET", "/api/v1/dags/0a1b2c3d4e5f_dag/dagRuns/now", "", "")
		return strings.Contains(body, `"state":"success"`)
	})
	if got := runner.submitted()[0].task.NotebookPath; got != "/Team/pipelines/0a1b2c3d4e5f_batch" {
		t.Errorf("the tasks ran notebook %s, want the batch notebook in Options.NotebookDir, /Team/pipelines/0a1b2c3d4e5f_batch", got)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	opts.Control = nil
	if _, err := Start(context.Background(), opts); err == nil || err.Error() != "start the scheduler: its API takes the control endpoint's token, and the stack serves no control endpoint" {
		t.Errorf("a stack with a scheduler and no control endpoint started: %v", err)
	}
}

// A task instance's answer is encoded after the scheduler's lock is released, so it must not
// share memory with the record the scheduler goes on changing.
func TestTaskInstanceAnswerKeepsTheStateItWasBuiltWith(t *testing.T) {
	s := &scheduler{dagID: "0a1b2c3d4e5f_dag"}
	ti := &taskRecord{TaskID: "clean_pin", State: stateRunning}
	answer := s.taskInstanceJSON(&runRecord{RunID: "manual__1"}, ti)
	ti.State = stateFailed
	body, err := json.Marshal(answer["state"])
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `"running"` {
		t.Fatalf("state encoded after the task failed = %s, want the state when the answer was built, \"running\"", body)
	}
}
