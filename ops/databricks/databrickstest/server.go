// Package databrickstest is a fake Databricks workspace for tests: an httptest server that
// answers as Jobs API 2.2, Workspace API 2.0 and Statement Execution API 2.0 do (protocols.md A5
// and databricks-sdk-go's types), with their paging (next_page_token, has_more), their
// {"error_code","message"} envelope, throttling (429 with Retry-After) and statements that are
// PENDING until polled. Runs move on one state each time runs/get asks about them.
package databrickstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is the personal access token the server takes; any other gets 401.
const Token = "dapi-test-token"

// Server is a fake workspace.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []string
	times    []time.Time
	bodies   map[string][]string
	fail     map[string][]failure
	runs     map[int64]map[string]any
	runGets  map[int64]int
	outputs  map[int64]map[string]any
	jobs     []map[string]any
	nextRun  int64
	polls    map[string]int
	stmts    map[string]Result
	objects  map[string]bool
	folders  map[string]bool
	whs      map[string]map[string]any
	stmtByID map[string]string
}

type failure struct {
	status              int
	code, msg, retryAft string
}

// Column is one column of a statement's result, with its type_name (STRING, LONG, INT …).
type Column struct {
	Name, TypeName string
}

// Result is what a statement returns: its columns, and its rows in chunks of data_array, each
// value a string or nil (SQL NULL), as the API sends them.
type Result struct {
	Columns []Column
	Chunks  [][][]any
}

// New starts a fake workspace, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{
		bodies: map[string][]string{}, fail: map[string][]failure{},
		runs: map[int64]map[string]any{}, runGets: map[int64]int{}, outputs: map[int64]map[string]any{},
		polls: map[string]int{}, stmts: map[string]Result{}, nextRun: 100,
		objects: map[string]bool{}, folders: map[string]bool{"/": true}, whs: map[string]map[string]any{}, stmtByID: map[string]string{},
	}
	s.srv = httptest.NewServer(s)
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the workspace's base URL.
func (s *Server) URL() string { return s.srv.URL }

// AddJob adds a job with one notebook task, batch, and the job-level parameters named.
func (s *Server) AddJob(id int64, name string, params ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defs := []map[string]any{}
	for _, p := range params {
		defs = append(defs, map[string]any{"name": p, "default": ""})
	}
	s.jobs = append(s.jobs, map[string]any{"job_id": id, "created_time": 1764547200000, "creator_user_name": "someone@example.com",
		"settings": map[string]any{"name": name, "parameters": defs,
			"tasks": []map[string]any{{"task_key": "batch", "notebook_task": map[string]any{"notebook_path": "/Shared/pintui/0a1b2c3d4e5f_batch"}}}}})
}

// SetOutput sets what runs/get-output answers for a task run.
func (s *Server) SetOutput(taskRunID int64, result, logs string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outputs[taskRunID] = map[string]any{"notebook_output": map[string]any{"result": result, "truncated": false}, "logs": logs,
		"metadata": map[string]any{"run_id": taskRunID}}
}

// SetWarehouse adds or replaces a SQL warehouse in a state (RUNNING, STOPPED …).
func (s *Server) SetWarehouse(id, name, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.whs[id] = map[string]any{"id": id, "name": name, "state": state, "cluster_size": "2X-Small", "auto_stop_mins": 10}
}

// SetStatement sets what a statement, given exactly, returns; any other statement fails with
// TABLE_OR_VIEW_NOT_FOUND.
func (s *Server) SetStatement(sql string, r Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stmts[sql] = r
}

// FailNext answers the next request to path with an error envelope, after the failures already
// queued; retryAfter, when not "", is sent as Retry-After.
func (s *Server) FailNext(path string, status int, code, message, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[path] = append(s.fail[path], failure{status, code, message, retryAfter})
}

// Bodies returns the JSON bodies posted to path, in order, as sent.
func (s *Server) Bodies(path string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.bodies[path])
}

// Requests returns every request as "METHOD path?query", in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Times returns when each request arrived.
func (s *Server) Times() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.times)
}

// RunGets returns how often runs/get has been asked about a run.
func (s *Server) RunGets(runID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runGets[runID]
}

// Polls returns how often a statement has been polled.
func (s *Server) Polls(statementID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls[statementID]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"error_code": code, "message": msg})
}

// ServeHTTP answers one request of the APIs.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	s.times = append(s.times, time.Now())
	var raw json.RawMessage
	if r.Method == http.MethodPost {
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			apiError(w, 400, "MALFORMED_REQUEST", "Invalid JSON given in the body of the request")
			return
		}
		s.bodies[r.URL.Path] = append(s.bodies[r.URL.Path], string(raw))
	}
	if r.Header.Get("Authorization") != "Bearer "+Token {
		apiError(w, 401, "UNAUTHENTICATED", "Invalid access token.")
		return
	}
	if fs := s.fail[r.URL.Path]; len(fs) > 0 {
		f := fs[0]
		s.fail[r.URL.Path] = fs[1:]
		if f.retryAft != "" {
			w.Header().Set("Retry-After", f.retryAft)
		}
		apiError(w, f.status, f.code, f.msg)
		return
	}
	q := r.URL.Query()
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/api/2.2/jobs/runs/"):
		s.serveRuns(w, strings.TrimPrefix(p, "/api/2.2/jobs/runs/"), q, raw)
	case p == "/api/2.2/jobs/list":
		s.listJobs(w, q.Get("name"), q.Get("page_token"))
	case p == "/api/2.2/jobs/get":
		id, _ := strconv.ParseInt(q.Get("job_id"), 10, 64)
		if j := s.job(id); j != nil {
			writeJSON(w, 200, j)
			return
		}
		apiError(w, 400, "INVALID_PARAMETER_VALUE", fmt.Sprintf("Job %d does not exist.", id))
	case p == "/api/2.2/jobs/run-now":
		s.runNow(w, raw)
	case strings.HasPrefix(p, "/api/2.0/workspace/"):
		s.serveWorkspace(w, strings.TrimPrefix(p, "/api/2.0/workspace/"), q, raw)
	case strings.HasPrefix(p, "/api/2.0/sql/warehouses/"):
		wh, ok := s.whs[strings.TrimPrefix(p, "/api/2.0/sql/warehouses/")]
		if !ok {
			apiError(w, 404, "RESOURCE_DOES_NOT_EXIST", "Unable to find warehouse.")
			return
		}
		writeJSON(w, 200, wh)
	case strings.HasPrefix(p, "/api/2.0/sql/statements"):
		s.statement(w, r.Method, strings.TrimPrefix(p, "/api/2.0/sql/statements"), raw)
	default:
		apiError(w, 404, "ENDPOINT_NOT_FOUND", "No API found for '"+r.Method+" "+p+"'")
	}
}

func (s *Server) job(id int64) map[string]any {
	for _, j := range s.jobs {
		if j["job_id"] == id {
			return j
		}
	}
	return nil
}

// newRun records a run of tasks, each a task key and notebook path, PENDING.
func (s *Server) newRun(jobID int64, name, runType string, tasks [][2]string) int64 {
	s.nextRun++
	id := s.nextRun
	ts := []map[string]any{}
	for i, t := range tasks {
		ts = append(ts, map[string]any{"run_id": id*10 + int64(i), "task_key": t[0], "notebook_task": map[string]any{"notebook_path": t[1]},
			"state": map[string]any{"life_cycle_state": "PENDING"}, "start_time": 1764633600000})
	}
	s.runs[id] = map[string]any{"run_id": id, "job_id": jobID, "run_name": name, "run_type": runType,
		"state": map[string]any{"life_cycle_state": "PENDING", "state_message": ""}, "start_time": 1764633600000, "tasks": ts,
		"run_page_url": fmt.Sprintf("https://dbc.example/#job/run/%d", id)}
	return id
}

func (s *Server) runNow(w http.ResponseWriter, raw json.RawMessage) {
	var in struct {
		JobID int64 `json:"job_id"`
	}
	_ = json.Unmarshal(raw, &in)
	j := s.job(in.JobID)
	if j == nil {
		apiError(w, 400, "INVALID_PARAMETER_VALUE", fmt.Sprintf("Job %d does not exist.", in.JobID))
		return
	}
	settings := j["settings"].(map[string]any)
	var tasks [][2]string
	for _, t := range settings["tasks"].([]map[string]any) {
		tasks = append(tasks, [2]string{t["task_key"].(string), t["notebook_task"].(map[string]any)["notebook_path"].(string)})
	}
	id := s.newRun(in.JobID, settings["name"].(string), "JOB_RUN", tasks)
	writeJSON(w, 200, map[string]any{"run_id": id, "number_in_job": id})
}

func (s *Server) serveRuns(w http.ResponseWriter, op string, q map[string][]string, raw json.RawMessage) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	id, _ := strconv.ParseInt(get("run_id"), 10, 64)
	switch op {
	case "submit":
		var in struct {
			RunName string `json:"run_name"`
			Tasks   []struct {
				TaskKey      string `json:"task_key"`
				NotebookTask struct {
					NotebookPath string `json:"notebook_path"`
				} `json:"notebook_task"`
			} `json:"tasks"`
		}
		_ = json.Unmarshal(raw, &in)
		var tasks [][2]string
		for _, t := range in.Tasks {
			tasks = append(tasks, [2]string{t.TaskKey, t.NotebookTask.NotebookPath})
		}
		writeJSON(w, 200, map[string]any{"run_id": s.newRun(0, in.RunName, "SUBMIT_RUN", tasks)})
	case "get":
		run, ok := s.runs[id]
		if !ok {
			apiError(w, 400, "INVALID_PARAMETER_VALUE", fmt.Sprintf("Run %d does not exist.", id))
			return
		}
		s.runGets[id]++
		advance(run, s.runGets[id])
		writeJSON(w, 200, run)
	case "list":
		s.listRuns(w, get)
	case "get-output":
		if _, parent := s.runs[id]; parent {
			apiError(w, 400, "INVALID_PARAMETER_VALUE", "Retrieving the output of runs with multiple tasks is not supported. Please retrieve the output of each individual task run instead.")
			return
		}
		o, ok := s.outputs[id]
		if !ok {
			apiError(w, 400, "INVALID_PARAMETER_VALUE", fmt.Sprintf("Run %d does not exist.", id))
			return
		}
		writeJSON(w, 200, o)
	case "cancel":
		var in struct {
			RunID int64 `json:"run_id"`
		}
		_ = json.Unmarshal(raw, &in)
		run, ok := s.runs[in.RunID]
		if !ok {
			apiError(w, 400, "INVALID_PARAMETER_VALUE", fmt.Sprintf("Run %d does not exist.", in.RunID))
			return
		}
		run["cancelled"] = true
		writeJSON(w, 200, map[string]any{})
	default:
		apiError(w, 404, "ENDPOINT_NOT_FOUND", "No API found for 'runs/"+op+"'")
	}
}

// advance moves a run on by one state each time runs/get asks: PENDING, RUNNING, then
// TERMINATED with SUCCESS, FAILED for a run whose name ends in .fail, CANCELED for one cancelled.
func advance(run map[string]any, gets int) {
	state := map[string]any{"life_cycle_state": "PENDING", "state_message": "Waiting for cluster"}
	switch {
	case gets == 2:
		state = map[string]any{"life_cycle_state": "RUNNING", "state_message": "In run"}
	case gets >= 3:
		state = map[string]any{"life_cycle_state": "TERMINATED", "result_state": "SUCCESS", "state_message": ""}
		if strings.HasSuffix(run["run_name"].(string), ".fail") {
			state = map[string]any{"life_cycle_state": "TERMINATED", "result_state": "FAILED", "state_message": "Workload failed, see run output for details"}
		}
		if run["cancelled"] == true {
			state = map[string]any{"life_cycle_state": "TERMINATED", "result_state": "CANCELED", "state_message": "Run cancelled."}
		}
		run["end_time"] = 1764633660000
	}
	run["state"] = state
	for _, t := range run["tasks"].([]map[string]any) {
		t["state"] = state
		if gets >= 3 {
			t["end_time"] = 1764633660000
		}
	}
}

// listJobs answers jobs/list one job a page, so paging is always exercised.
func (s *Server) listJobs(w http.ResponseWriter, name, token string) {
	var match []map[string]any
	for _, j := range s.jobs {
		if name == "" || j["settings"].(map[string]any)["name"] == name {
			match = append(match, j)
		}
	}
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

func (s *Server) listRuns(w http.ResponseWriter, get func(string) string) {
	limit, _ := strconv.Atoi(get("limit"))
	if limit == 0 {
		limit = 20
	}
	if limit < 1 || limit > 25 {
		apiError(w, 400, "INVALID_PARAMETER_VALUE", "The limit must be between 1 and 25.")
		return
	}
	job, _ := strconv.ParseInt(get("job_id"), 10, 64)
	var ids []int64
	for id, r := range s.runs {
		if job == 0 || r["job_id"] == job {
			ids = append(ids, id)
		}
	}
	// Newest first, as runs/list orders them.
	slices.SortFunc(ids, func(a, b int64) int { return int(b - a) })
	off := 0
	if t := get("page_token"); t != "" {
		off, _ = strconv.Atoi(strings.TrimPrefix(t, "runs-"))
	}
	off = min(off, len(ids))
	end := min(off+limit, len(ids))
	runs := []map[string]any{}
	for _, id := range ids[off:end] {
		runs = append(runs, s.runs[id])
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

func (s *Server) serveWorkspace(w http.ResponseWriter, op string, q map[string][]string, raw json.RawMessage) {
	var in struct {
		Path string `json:"path"`
	}
	_ = json.Unmarshal(raw, &in)
	switch op {
	case "mkdirs":
		for p := in.Path; p != "/" && p != "."; p = path.Dir(p) {
			s.folders[p] = true
		}
		writeJSON(w, 200, map[string]any{})
	case "import":
		if !s.folders[path.Dir(in.Path)] {
			apiError(w, 404, "RESOURCE_DOES_NOT_EXIST", fmt.Sprintf("The parent folder (%s) does not exist.", path.Dir(in.Path)))
			return
		}
		s.objects[in.Path] = true
		writeJSON(w, 200, map[string]any{})
	case "list":
		dir := ""
		if v := q["path"]; len(v) > 0 {
			dir = v[0]
		}
		if !s.folders[dir] {
			apiError(w, 404, "RESOURCE_DOES_NOT_EXIST", fmt.Sprintf("Path (%s) doesn't exist.", dir))
			return
		}
		objs := []map[string]any{}
		for p := range s.objects {
			if path.Dir(p) == dir {
				objs = append(objs, map[string]any{"path": p, "object_type": "NOTEBOOK", "language": "PYTHON"})
			}
		}
		writeJSON(w, 200, map[string]any{"objects": objs})
	default:
		apiError(w, 404, "ENDPOINT_NOT_FOUND", "No API found for 'workspace/"+op+"'")
	}
}

func (s *Server) statement(w http.ResponseWriter, method, rest string, raw json.RawMessage) {
	switch {
	case rest == "" && method == http.MethodPost:
		var in struct {
			Statement string `json:"statement"`
		}
		_ = json.Unmarshal(raw, &in)
		if _, ok := s.stmts[in.Statement]; !ok {
			writeJSON(w, 200, map[string]any{"statement_id": "01ef-failed", "status": map[string]any{"state": "FAILED",
				"error": map[string]any{"error_code": "BAD_REQUEST", "message": "[TABLE_OR_VIEW_NOT_FOUND] The table or view cannot be found."}}})
			return
		}
		id := fmt.Sprintf("01ef-%d", len(s.stmtByID)+1)
		s.stmtByID[id] = in.Statement
		writeJSON(w, 200, map[string]any{"statement_id": id, "status": map[string]any{"state": "PENDING"}})
	case strings.HasSuffix(rest, "/cancel"):
		writeJSON(w, 200, map[string]any{})
	case strings.Contains(rest, "/result/chunks/"):
		parts := strings.Split(strings.TrimPrefix(rest, "/"), "/")
		r, ok := s.stmts[s.stmtByID[parts[0]]]
		n, _ := strconv.Atoi(parts[len(parts)-1])
		if !ok || n < 1 || n >= len(r.Chunks) {
			apiError(w, 404, "NOT_FOUND", "The statement "+parts[0]+" was not found.")
			return
		}
		writeJSON(w, 200, chunk(r, n))
	default:
		id := strings.TrimPrefix(rest, "/")
		r, ok := s.stmts[s.stmtByID[id]]
		if !ok {
			apiError(w, 404, "NOT_FOUND", "The statement "+id+" was not found.")
			return
		}
		s.polls[id]++
		if s.polls[id] < 2 {
			writeJSON(w, 200, map[string]any{"statement_id": id, "status": map[string]any{"state": "RUNNING"}})
			return
		}
		cols := []map[string]any{}
		for i, c := range r.Columns {
			cols = append(cols, map[string]any{"name": c.Name, "position": i, "type_name": c.TypeName, "type_text": c.TypeName})
		}
		rows := 0
		for _, c := range r.Chunks {
			rows += len(c)
		}
		out := map[string]any{"statement_id": id, "status": map[string]any{"state": "SUCCEEDED"},
			"manifest": map[string]any{"format": "JSON_ARRAY", "schema": map[string]any{"column_count": len(cols), "columns": cols},
				"total_chunk_count": len(r.Chunks), "total_row_count": rows, "truncated": false}}
		if len(r.Chunks) > 0 {
			out["result"] = chunk(r, 0)
		}
		writeJSON(w, 200, out)
	}
}

// chunk is the n-th chunk of a result, with the index of the next when there is one.
func chunk(r Result, n int) map[string]any {
	offset := 0
	for _, c := range r.Chunks[:n] {
		offset += len(c)
	}
	out := map[string]any{"chunk_index": n, "row_offset": offset, "row_count": len(r.Chunks[n]), "data_array": r.Chunks[n]}
	if n+1 < len(r.Chunks) {
		out["next_chunk_index"] = n + 1
	}
	return out
}
