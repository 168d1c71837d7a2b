package databricks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeWorkspace answers as Jobs API 2.2, Workspace API 2.0 and Statement Execution API 2.0 do
// (protocols.md A5 and the SDK's types): paging with next_page_token and has_more, the
// {"error_code","message"} envelope, 429 with Retry-After, statements that are PENDING until
// polled.
type fakeWorkspace struct {
	t     *testing.T
	token string

	mu       sync.Mutex
	requests []string
	bodies   map[string][]string
	// fail answers the next requests to a path with these errors, in turn.
	fail map[string][]fakeError
	// runs are the runs by id, runsGets how often runs/get has been asked about each.
	runs      map[int64]map[string]any
	runGets   map[int64]int
	outputs   map[int64]map[string]any
	jobs      []map[string]any
	nextRun   int64
	polls     map[string]int
	stmts     map[string]map[string]any
	objects   []map[string]any
	stamps    []time.Time
	warehouse map[string]any
}

type fakeError struct {
	status     int
	code, msg  string
	retryAfter string
}

func newFakeWorkspace(t *testing.T) (*fakeWorkspace, *httptest.Server) {
	f := &fakeWorkspace{
		t: t, token: "dapi-secret", bodies: map[string][]string{}, fail: map[string][]fakeError{},
		runs: map[int64]map[string]any{}, runGets: map[int64]int{}, outputs: map[int64]map[string]any{},
		polls: map[string]int{}, stmts: map[string]map[string]any{}, nextRun: 100,
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeWorkspace) client(t *testing.T, srv *httptest.Server, opts ...func(*Settings)) *Client {
	t.Helper()
	s := Settings{Host: srv.URL, Token: f.token, Explicit: true, PollEvery: time.Millisecond, RetryTimeout: 20 * time.Second}
	for _, o := range opts {
		o(&s)
	}
	c, err := New(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fakeWorkspace) failNext(path string, errs ...fakeError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[path] = append(f.fail[path], errs...)
}

func (f *fakeWorkspace) body(path string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies[path]...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeWorkspace) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	f.stamps = append(f.stamps, time.Now())
	var raw json.RawMessage
	if r.Body != nil && r.Method == http.MethodPost {
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			writeJSON(w, 400, map[string]string{"error_code": "MALFORMED_REQUEST", "message": "Invalid JSON given in the body of the request"})
			return
		}
		f.bodies[r.URL.Path] = append(f.bodies[r.URL.Path], string(raw))
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		writeJSON(w, 401, map[string]string{"error_code": "UNAUTHENTICATED", "message": "Invalid access token."})
		return
	}
	if errs := f.fail[r.URL.Path]; len(errs) > 0 {
		e := errs[0]
		f.fail[r.URL.Path] = errs[1:]
		if e.retryAfter != "" {
			w.Header().Set("Retry-After", e.retryAfter)
		}
		writeJSON(w, e.status, map[string]string{"error_code": e.code, "message": e.msg})
		return
	}
	q := r.URL.Query()
	switch {
	case r.URL.Path == "/api/2.2/jobs/list":
		f.listJobs(w, q.Get("name"), q.Get("page_token"))
	case r.URL.Path == "/api/2.2/jobs/get":
		id, _ := strconv.ParseInt(q.Get("job_id"), 10, 64)
		for _, j := range f.jobs {
			if j["job_id"] == id {
				writeJSON(w, 200, j)
				return
			}
		}
		writeJSON(w, 400, map[string]string{"error_code": "INVALID_PARAMETER_VALUE", "message": fmt.Sprintf("Job %d does not exist.", id)})
	case r.URL.Path == "/api/2.2/jobs/run-now", r.URL.Path == "/api/2.2/jobs/runs/submit":
		f.nextRun++
		id := f.nextRun
		var in struct {
			RunName string `json:"run_name"`
			JobID   int64  `json:"job_id"`
			Tasks   []struct {
				TaskKey      string         `json:"task_key"`
				NotebookTask map[string]any `json:"notebook_task"`
			} `json:"tasks"`
		}
		_ = json.Unmarshal(raw, &in)
		tasks := []map[string]any{}
		for i, t := range in.Tasks {
			tasks = append(tasks, map[string]any{"run_id": id*10 + int64(i), "task_key": t.TaskKey, "notebook_task": t.NotebookTask,
				"state": map[string]any{"life_cycle_state": "PENDING"}})
		}
		f.runs[id] = map[string]any{"run_id": id, "job_id": in.JobID, "run_name": in.RunName, "run_type": "SUBMIT_RUN",
			"state": map[string]any{"life_cycle_state": "PENDING", "state_message": ""}, "start_time": 1764633600000, "tasks": tasks,
			"run_page_url": fmt.Sprintf("%s/#job/run/%d", "https://dbc.example", id)}
		out := map[string]any{"run_id": id}
		if r.URL.Path == "/api/2.2/jobs/run-now" {
			out["number_in_job"] = id
		}
		writeJSON(w, 200, out)
	case r.URL.Path == "/api/2.2/jobs/runs/get":
		id, _ := strconv.ParseInt(q.Get("run_id"), 10, 64)
		run, ok := f.runs[id]
		if !ok {
			writeJSON(w, 400, map[string]string{"error_code": "INVALID_PARAMETER_VALUE", "message": fmt.Sprintf("Run %d does not exist.", id)})
			return
		}
		f.runGets[id]++
		f.advance(run, f.runGets[id])
		writeJSON(w, 200, run)
	case r.URL.Path == "/api/2.2/jobs/runs/list":
		f.listRuns(w, q)
	case r.URL.Path == "/api/2.2/jobs/runs/get-output":
		id, _ := strconv.ParseInt(q.Get("run_id"), 10, 64)
		if _, parent := f.runs[id]; parent {
			writeJSON(w, 400, map[string]string{"error_code": "INVALID_PARAMETER_VALUE",
				"message": "Retrieving the output of runs with multiple tasks is not supported. Please retrieve the output of each individual task run instead."})
			return
		}
		o, ok := f.outputs[id]
		if !ok {
			writeJSON(w, 400, map[string]string{"error_code": "INVALID_PARAMETER_VALUE", "message": fmt.Sprintf("Run %d does not exist.", id)})
			return
		}
		writeJSON(w, 200, o)
	case r.URL.Path == "/api/2.2/jobs/runs/cancel":
		var in struct {
			RunID int64 `json:"run_id"`
		}
		_ = json.Unmarshal(raw, &in)
		if _, ok := f.runs[in.RunID]; !ok {
			writeJSON(w, 400, map[string]string{"error_code": "INVALID_PARAMETER_VALUE", "message": fmt.Sprintf("Run %d does not exist.", in.RunID)})
			return
		}
		writeJSON(w, 200, map[string]any{})
	case r.URL.Path == "/api/2.0/workspace/mkdirs", r.URL.Path == "/api/2.0/workspace/import":
		writeJSON(w, 200, map[string]any{})
	case r.URL.Path == "/api/2.0/workspace/list":
		if q.Get("path") != "/Shared/pintui" {
			writeJSON(w, 404, map[string]string{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": fmt.Sprintf("Path (%s) doesn't exist.", q.Get("path"))})
			return
		}
		writeJSON(w, 200, map[string]any{"objects": f.objects})
	case strings.HasPrefix(r.URL.Path, "/api/2.0/sql/warehouses/"):
		if f.warehouse == nil || strings.TrimPrefix(r.URL.Path, "/api/2.0/sql/warehouses/") != f.warehouse["id"] {
			writeJSON(w, 404, map[string]string{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Unable to find warehouse."})
			return
		}
		writeJSON(w, 200, f.warehouse)
	case strings.HasPrefix(r.URL.Path, "/api/2.0/sql/statements"):
		f.statement(w, r, raw)
	default:
		writeJSON(w, 404, map[string]string{"error_code": "ENDPOINT_NOT_FOUND", "message": "No API found for '" + r.Method + " " + r.URL.Path + "'"})
	}
}

// advance moves a run on by one state each time runs/get asks: PENDING, RUNNING, then
// TERMINATED with the result its name asks for (a name ending in .fail fails).
func (f *fakeWorkspace) advance(run map[string]any, gets int) {
	state := map[string]any{"life_cycle_state": "PENDING", "state_message": "Waiting for cluster"}
	switch {
	case gets == 2:
		state = map[string]any{"life_cycle_state": "RUNNING", "state_message": "In run"}
	case gets >= 3:
		state = map[string]any{"life_cycle_state": "TERMINATED", "result_state": "SUCCESS", "state_message": ""}
		if strings.HasSuffix(run["run_name"].(string), ".fail") {
			state = map[string]any{"life_cycle_state": "TERMINATED", "result_state": "FAILED", "state_message": "Workload failed, see run output for details"}
		}
		run["end_time"] = 1764633660000
	}
	run["state"] = state
	for _, t := range run["tasks"].([]map[string]any) {
		t["state"] = state
	}
}

func (f *fakeWorkspace) listJobs(w http.ResponseWriter, name, token string) {
	var match []map[string]any
	for _, j := range f.jobs {
		if name == "" || j["settings"].(map[string]any)["name"] == name {
			match = append(match, j)
		}
	}
	// One job a page, so paging is always exercised.
	page := 0
	if token != "" {
		page, _ = strconv.Atoi(strings.TrimPrefix(token, "jobs-"))
	}
	out := map[string]any{"has_more": false}
	if page < len(match) {
		out["jobs"] = match[page : page+1]
	}
	if page+1 < len(match) {
		out["has_more"], out["next_page_token"] = true, fmt.Sprintf("jobs-%d", page+1)
	}
	writeJSON(w, 200, out)
}

func (f *fakeWorkspace) listRuns(w http.ResponseWriter, q map[string][]string) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	limit, _ := strconv.Atoi(get("limit"))
	if limit == 0 {
		limit = 20
	}
	if limit > 25 {
		writeJSON(w, 400, map[string]string{"error_code": "INVALID_PARAMETER_VALUE", "message": "The limit must be between 1 and 25."})
		return
	}
	job, _ := strconv.ParseInt(get("job_id"), 10, 64)
	var ids []int64
	for id, r := range f.runs {
		if job == 0 || r["job_id"] == job {
			ids = append(ids, id)
		}
	}
	// Newest first, as runs/list orders them.
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			if ids[j] > ids[i] {
				ids[i], ids[j] = ids[j], ids[i]
			}
		}
	}
	off := 0
	if t := get("page_token"); t != "" {
		off, _ = strconv.Atoi(strings.TrimPrefix(t, "runs-"))
	}
	end := min(off+limit, len(ids))
	runs := []map[string]any{}
	for _, id := range ids[off:end] {
		runs = append(runs, f.runs[id])
	}
	out := map[string]any{"runs": runs, "has_more": end < len(ids)}
	if end < len(ids) {
		out["next_page_token"] = fmt.Sprintf("runs-%d", end)
	}
	if off > 0 {
		out["prev_page_token"] = fmt.Sprintf("runs-%d", max(0, off-limit))
	}
	writeJSON(w, 200, out)
}

func (f *fakeWorkspace) statement(w http.ResponseWriter, r *http.Request, raw json.RawMessage) {
	rest := strings.TrimPrefix(r.URL.Path, "/api/2.0/sql/statements")
	switch {
	case rest == "" && r.Method == http.MethodPost:
		var in struct {
			Statement string `json:"statement"`
		}
		_ = json.Unmarshal(raw, &in)
		st, ok := f.stmts[in.Statement]
		if !ok {
			writeJSON(w, 200, map[string]any{"statement_id": "01ef-fail", "status": map[string]any{"state": "FAILED",
				"error": map[string]any{"error_code": "BAD_REQUEST", "message": "[TABLE_OR_VIEW_NOT_FOUND] The table or view `nope` cannot be found."}}})
			return
		}
		f.polls[st["statement_id"].(string)] = 0
		writeJSON(w, 200, map[string]any{"statement_id": st["statement_id"], "status": map[string]any{"state": "PENDING"}})
	case strings.HasSuffix(rest, "/cancel"):
		writeJSON(w, 200, map[string]any{})
	case strings.Contains(rest, "/result/chunks/"):
		id := strings.Split(strings.TrimPrefix(rest, "/"), "/")[0]
		for _, st := range f.stmts {
			if st["statement_id"] == id {
				writeJSON(w, 200, st["chunk1"])
				return
			}
		}
		writeJSON(w, 404, map[string]string{"error_code": "NOT_FOUND", "message": "The statement " + id + " was not found."})
	default:
		id := strings.TrimPrefix(rest, "/")
		for _, st := range f.stmts {
			if st["statement_id"] == id {
				f.polls[id]++
				if f.polls[id] < 2 {
					writeJSON(w, 200, map[string]any{"statement_id": id, "status": map[string]any{"state": "RUNNING"}})
					return
				}
				out := map[string]any{}
				for k, v := range st {
					if k != "chunk1" {
						out[k] = v
					}
				}
				writeJSON(w, 200, out)
				return
			}
		}
		writeJSON(w, 404, map[string]string{"error_code": "NOT_FOUND", "message": "The statement " + id + " was not found."})
	}
}
