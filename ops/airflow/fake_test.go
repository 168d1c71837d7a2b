package airflow

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fakeAirflow answers as the Airflow stable REST API v1 (Airflow 2.10) or v2 (Airflow 3.0)
// does, from its OpenAPI: field names, total_entries, limit/offset paging, problem JSON errors
// on v1 and FastAPI's on v2 (422 for unknown or missing body fields), 429 with Retry-After.
type fakeAirflow struct {
	api string

	mu sync.Mutex
	// user and pass are the account; token a static bearer token it takes too.
	user, pass, token string
	// jwts are v2's issued access tokens that are still good; logins counts /auth/token calls.
	jwts   map[string]bool
	logins int
	dags   []*fakeDAG
	runs   map[string][]*fakeRun
	// throttle answers the next calls with 429 and retryAfter ("" for none).
	throttle   int
	retryAfter string
	// status, when set, answers every call to the API with it.
	status int
	clock  time.Time
	calls  []string
}

type fakeDAG struct {
	id     string
	paused bool
}

type fakeRun struct {
	id, state, runType string
	logical            *time.Time
	// runAfter orders the runs: the logical date, or when a run without one was triggered.
	runAfter   time.Time
	start, end *time.Time
	conf       map[string]any
	tasks      []fakeTask
}

type fakeTask struct {
	id, state string
	try       int
}

var fakeTasks = []string{"load_landings", "clean_pin", "clean_geo", "clean_user", "analytics"}

func newFakeAirflow(api string, dags ...string) *fakeAirflow {
	f := &fakeAirflow{api: api, user: "admin", pass: "s3cret", jwts: map[string]bool{}, runs: map[string][]*fakeRun{},
		clock: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	for _, d := range dags {
		f.dags = append(f.dags, &fakeDAG{id: d, paused: true})
	}
	return f
}

func (f *fakeAirflow) dag(id string) *fakeDAG {
	for _, d := range f.dags {
		if d.id == id {
			return d
		}
	}
	return nil
}

// addRun adds a finished or running run to a DAG.
func (f *fakeAirflow) addRun(dag, id, runType, state string, logical time.Time, taskStates ...string) *fakeRun {
	f.mu.Lock()
	defer f.mu.Unlock()
	start := logical.Add(time.Minute)
	r := &fakeRun{id: id, state: state, runType: runType, logical: &logical, runAfter: logical, start: &start, conf: map[string]any{}}
	if state == "success" || state == "failed" {
		end := start.Add(90 * time.Second)
		r.end = &end
	}
	for i, t := range fakeTasks {
		st := ""
		if i < len(taskStates) {
			st = taskStates[i]
		}
		r.tasks = append(r.tasks, fakeTask{id: t, state: st, try: 1})
	}
	f.runs[dag] = append(f.runs[dag], r)
	return r
}

func (f *fakeAirflow) problem(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	if f.api == APIv2 {
		json.NewEncoder(w).Encode(map[string]any{"detail": detail})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"detail": detail, "status": status, "title": title,
		"type": "https://airflow.apache.org/docs/apache-airflow/2.10.3/stable-rest-api-ref.html#section/Errors/" + strings.ReplaceAll(title, " ", "")})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func iso(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Format("2006-01-02T15:04:05.000000+00:00")
}

// authorized checks the credentials of a call to the API.
func (f *fakeAirflow) authorized(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(auth, "Bearer "); ok {
		return (f.token != "" && tok == f.token) || f.jwts[tok]
	}
	u, p, ok := r.BasicAuth()
	return ok && f.api == APIv1 && u == f.user && p == f.pass
}

func (f *fakeAirflow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.serve(w, r, false)
}

// serve answers one call; trusted skips the credentials, as MWAA's own calls do.
func (f *fakeAirflow) serve(w http.ResponseWriter, r *http.Request, trusted bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.RequestURI())
	if r.URL.Path == "/auth/token" && f.api == APIv2 {
		f.login(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/"+f.api)
	if !ok {
		f.problem(w, 404, "Not Found", "Not Found")
		return
	}
	if f.throttle > 0 {
		f.throttle--
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		f.problem(w, 429, "Too Many Requests", "Rate limit exceeded")
		return
	}
	if f.status != 0 {
		f.problem(w, f.status, http.StatusText(f.status), "Forbidden")
		return
	}
	if rest == "/version" {
		v := map[string]any{"version": "2.10.3", "git_version": ".release:c99887ec"}
		if f.api == APIv2 {
			v = map[string]any{"version": "3.0.6", "git_version": nil}
		}
		writeJSON(w, 200, v)
		return
	}
	if !trusted && !f.authorized(r) {
		f.problem(w, 401, "Unauthorized", "Not authenticated")
		return
	}
	f.route(w, r, strings.Split(strings.TrimPrefix(rest, "/"), "/"))
}

func (f *fakeAirflow) login(w http.ResponseWriter, r *http.Request) {
	f.logins++
	var in struct{ Username, Password string }
	if json.NewDecoder(r.Body).Decode(&in) != nil || in.Username != f.user || in.Password != f.pass {
		writeJSON(w, 401, map[string]any{"detail": "Invalid credentials"})
		return
	}
	claims, _ := json.Marshal(map[string]any{"sub": in.Username, "exp": time.Now().Add(time.Hour).Unix()})
	tok := "eyJhbGciOiJIUzUxMiJ9." + base64.RawURLEncoding.EncodeToString(claims) + ".sig" + strconv.Itoa(f.logins)
	f.jwts[tok] = true
	writeJSON(w, 201, map[string]any{"access_token": tok, "token_type": "bearer"})
}

func (f *fakeAirflow) route(w http.ResponseWriter, r *http.Request, p []string) {
	q := r.URL.Query()
	switch {
	case r.Method == "GET" && len(p) == 1 && p[0] == "dags":
		f.listDAGs(w, q.Get("limit"), q.Get("offset"))
		return
	case r.Method == "POST" && strings.Join(p, "/") == "dags/~/dagRuns/~/taskInstances/list":
		var in struct {
			DAGIDs    []string `json:"dag_ids"`
			DAGRunIDs []string `json:"dag_run_ids"`
		}
		json.NewDecoder(r.Body).Decode(&in)
		if len(in.DAGIDs) == 1 && len(in.DAGRunIDs) == 1 {
			if run := f.run(in.DAGIDs[0], in.DAGRunIDs[0]); run != nil {
				f.taskInstances(w, in.DAGIDs[0], run)
				return
			}
		}
		writeJSON(w, 200, map[string]any{"task_instances": []any{}, "total_entries": 0})
		return
	}
	if len(p) < 2 || p[0] != "dags" {
		f.problem(w, 404, "Not Found", "Not Found")
		return
	}
	d := f.dag(p[1])
	if d == nil {
		f.problem(w, 404, "DAG not found", fmt.Sprintf("DAG with dag_id: '%s' not found", p[1]))
		return
	}
	switch {
	case len(p) == 2 && r.Method == "GET":
		writeJSON(w, 200, f.dagJSON(d))
	case len(p) == 2 && r.Method == "PATCH":
		var in map[string]any
		json.NewDecoder(r.Body).Decode(&in)
		paused, isBool := in["is_paused"].(bool)
		if q.Get("update_mask") != "is_paused" || !isBool {
			f.problem(w, 400, "Bad Request", "update_mask is_paused with a boolean is_paused is required")
			return
		}
		d.paused = paused
		writeJSON(w, 200, f.dagJSON(d))
	case len(p) == 3 && p[2] == "dagRuns" && r.Method == "POST":
		f.trigger(w, r, d)
	case len(p) == 3 && p[2] == "dagRuns" && r.Method == "GET":
		f.listRuns(w, d.id, q.Get("limit"), q.Get("offset"), q.Get("order_by"))
	case len(p) >= 4 && p[2] == "dagRuns" && r.Method == "GET":
		run := f.run(d.id, p[3])
		if run == nil {
			f.problem(w, 404, "DAGRun not found", fmt.Sprintf("DAGRun with DAG ID: '%s' and DagRun ID: '%s' not found", d.id, p[3]))
			return
		}
		switch {
		case len(p) == 4:
			writeJSON(w, 200, f.runJSON(d.id, run))
		case len(p) == 5 && p[4] == "taskInstances":
			f.taskInstances(w, d.id, run)
		case len(p) == 8 && p[4] == "taskInstances" && p[6] == "logs":
			f.log(w, run, p[5], p[7])
		default:
			f.problem(w, 404, "Not Found", "Not Found")
		}
	default:
		f.problem(w, 405, "Method Not Allowed", "Method Not Allowed")
	}
}

func (f *fakeAirflow) run(dag, id string) *fakeRun {
	for _, r := range f.runs[dag] {
		if r.id == id {
			return r
		}
	}
	return nil
}

func page(n int, limit, offset string) (int, int) {
	l, err := strconv.Atoi(limit)
	if err != nil {
		l = 100
	}
	o, _ := strconv.Atoi(offset)
	return min(o, n), min(o+l, n)
}

func (f *fakeAirflow) dagJSON(d *fakeDAG) map[string]any {
	next := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	if f.api == APIv2 {
		return map[string]any{"dag_id": d.id, "dag_display_name": d.id, "is_paused": d.paused, "is_stale": false,
			"timetable_summary": "@daily", "timetable_description": "At 00:00", "next_dagrun_logical_date": iso(&next),
			"next_dagrun_run_after": iso(&next), "owners": []string{"airflow"}, "tags": []any{}, "file_token": "x"}
	}
	return map[string]any{"dag_id": d.id, "is_paused": d.paused, "is_active": true, "fileloc": "/usr/local/airflow/dags/" + d.id + ".py",
		"schedule_interval": map[string]any{"__type": "CronExpression", "value": "@daily"}, "timetable_description": "At 00:00",
		"next_dagrun": iso(&next), "next_dagrun_create_after": iso(&next), "owners": []string{"airflow"}, "tags": []any{}}
}

func (f *fakeAirflow) listDAGs(w http.ResponseWriter, limit, offset string) {
	from, to := page(len(f.dags), limit, offset)
	list := []any{}
	for _, d := range f.dags[from:to] {
		list = append(list, f.dagJSON(d))
	}
	writeJSON(w, 200, map[string]any{"dags": list, "total_entries": len(f.dags)})
}

func (f *fakeAirflow) runJSON(dag string, r *fakeRun) map[string]any {
	v := map[string]any{"dag_run_id": r.id, "dag_id": dag, "logical_date": iso(r.logical), "start_date": iso(r.start),
		"end_date": iso(r.end), "data_interval_start": iso(r.logical), "data_interval_end": iso(r.logical), "queued_at": iso(&r.runAfter),
		"last_scheduling_decision": nil, "run_type": r.runType, "state": r.state, "conf": r.conf, "note": nil}
	if f.api == APIv2 {
		v["run_after"], v["triggered_by"], v["duration"] = iso(&r.runAfter), "rest_api", nil
		return v
	}
	v["execution_date"], v["external_trigger"] = iso(r.logical), r.runType == "manual"
	return v
}

func (f *fakeAirflow) listRuns(w http.ResponseWriter, dag, limit, offset, order string) {
	want := "-execution_date"
	if f.api == APIv2 {
		want = "-run_after"
	}
	if order != want {
		f.problem(w, 400, "Bad Request", "order_by "+order+" is not what this fake expects")
		return
	}
	runs := slices.Clone(f.runs[dag])
	slices.SortStableFunc(runs, func(a, b *fakeRun) int { return b.runAfter.Compare(a.runAfter) })
	from, to := page(len(runs), limit, offset)
	list := []any{}
	for _, r := range runs[from:to] {
		list = append(list, f.runJSON(dag, r))
	}
	writeJSON(w, 200, map[string]any{"dag_runs": list, "total_entries": len(runs)})
}

// trigger creates a manual run, checking the body as the version's schema does.
func (f *fakeAirflow) trigger(w http.ResponseWriter, r *http.Request, d *fakeDAG) {
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		f.problem(w, 400, "Bad Request", err.Error())
		return
	}
	allowed := []string{"dag_run_id", "logical_date", "execution_date", "data_interval_start", "data_interval_end", "conf", "note"}
	if f.api == APIv2 {
		allowed = []string{"dag_run_id", "logical_date", "data_interval_start", "data_interval_end", "run_after", "conf", "note"}
		var errs []any
		for k, v := range in {
			if !slices.Contains(allowed, k) {
				errs = append(errs, map[string]any{"type": "extra_forbidden", "loc": []any{"body", k}, "msg": "Extra inputs are not permitted", "input": v})
			}
		}
		if _, ok := in["logical_date"]; !ok {
			errs = append(errs, map[string]any{"type": "missing", "loc": []any{"body", "logical_date"}, "msg": "Field required", "input": in})
		}
		if len(errs) > 0 {
			writeJSON(w, 422, map[string]any{"detail": errs})
			return
		}
	} else {
		for k := range in {
			if !slices.Contains(allowed, k) {
				f.problem(w, 400, "Bad Request", fmt.Sprintf("{'%s': ['Unknown field.']}", k))
				return
			}
		}
	}
	f.clock = f.clock.Add(time.Minute)
	now := f.clock
	conf, _ := in["conf"].(map[string]any)
	run := &fakeRun{id: "manual__" + now.Format("2006-01-02T15:04:05.000000+00:00"), state: "queued", runType: "manual", logical: &now, runAfter: now, conf: conf}
	if f.api == APIv2 && in["logical_date"] == nil {
		run.logical = nil
	}
	for _, t := range fakeTasks {
		run.tasks = append(run.tasks, fakeTask{id: t})
	}
	f.runs[d.id] = append(f.runs[d.id], run)
	writeJSON(w, 200, f.runJSON(d.id, run))
}

func (f *fakeAirflow) taskInstances(w http.ResponseWriter, dag string, r *fakeRun) {
	list := []any{}
	for _, t := range r.tasks {
		var state any
		if t.state != "" {
			state = t.state
		}
		list = append(list, map[string]any{"task_id": t.id, "dag_id": dag, "dag_run_id": r.id, "state": state, "try_number": t.try,
			"max_tries": 1, "start_date": iso(r.start), "end_date": iso(r.end), "duration": 12.5, "map_index": -1,
			"hostname": "", "pool": "default_pool", "queue": "default", "operator": "DatabricksSubmitRunOperator"})
	}
	writeJSON(w, 200, map[string]any{"task_instances": list, "total_entries": len(list)})
}

func (f *fakeAirflow) log(w http.ResponseWriter, r *fakeRun, task, try string) {
	if !slices.ContainsFunc(r.tasks, func(t fakeTask) bool { return t.id == task }) || try != "1" {
		f.problem(w, 404, "TaskInstance not found", "Task instance did not exist in the DB")
		return
	}
	if f.api == APIv2 {
		writeJSON(w, 200, map[string]any{"content": []any{
			map[string]any{"timestamp": "2026-12-01T10:01:00.000000Z", "level": "info", "event": "submitted run 7 of " + task},
			map[string]any{"timestamp": "2026-12-01T10:01:30.000000Z", "level": "info", "event": "run 7 ended SUCCESS"},
		}, "continuation_token": nil})
		return
	}
	writeJSON(w, 200, map[string]any{"content": "submitted run 7 of " + task + "\nrun 7 ended SUCCESS\n", "continuation_token": "eyJlbmQiOjJ9"})
}

// readAll reads a request body for a fake.
func readAll(r io.Reader) []byte {
	data, _ := io.ReadAll(r)
	return data
}
