package local

import (
	"cmp"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pintui/pintui/pipeline/dag"
)

// airflowVersion is the Airflow release whose stable REST API v1 the scheduler answers like.
const airflowVersion = "2.10.3"

// maxPageLimit is Airflow's default maximum_page_limit, the most items one page lists.
const maxPageLimit = 100

// runIDPattern is what a dag_run_id given to a trigger may hold: it also names the run's file.
var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.~:+-]{1,250}$`)

// problem is an Airflow API error, served as problem JSON.
type problem struct {
	status        int
	title, detail string
}

func (p *problem) Error() string { return p.detail }

// problemTypes are the anchors of Airflow's API reference that each status's type names.
var problemTypes = map[int]string{
	http.StatusBadRequest:          "BadRequest",
	http.StatusUnauthorized:        "Unauthenticated",
	http.StatusNotFound:            "NotFound",
	http.StatusConflict:            "AlreadyExists",
	http.StatusInternalServerError: "Unknown",
}

func badRequest(format string, args ...any) *problem {
	return &problem{status: http.StatusBadRequest, title: "Bad Request", detail: fmt.Sprintf(format, args...)}
}

func notFound(title, format string, args ...any) *problem {
	return &problem{status: http.StatusNotFound, title: title, detail: fmt.Sprintf(format, args...)}
}

func writeProblem(w http.ResponseWriter, p *problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.status)
	json.NewEncoder(w).Encode(map[string]any{
		"detail": p.detail, "status": p.status, "title": p.title,
		"type": "https://airflow.apache.org/docs/apache-airflow/" + airflowVersion + "/stable-rest-api-ref.html#section/Errors/" + problemTypes[p.status],
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// apiHandler is a route that answers a value as JSON or fails with a problem.
type apiHandler func(r *http.Request) (any, error)

func (h apiHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, err := h(r)
	var p *problem
	switch {
	case errors.As(err, &p):
		writeProblem(w, p)
	case err != nil:
		writeProblem(w, &problem{status: http.StatusInternalServerError, title: "Internal Server Error", detail: err.Error()})
	default:
		writeJSON(w, v)
	}
}

// handler serves the Airflow REST API v1 subset the Airflow client uses. Health and version need
// no token, as on Airflow; everything else takes the control token as its bearer token.
func (s *scheduler) handler(token string) http.Handler {
	api := http.NewServeMux()
	api.Handle("GET /api/v1/dags", apiHandler(s.listDAGs))
	api.Handle("GET /api/v1/dags/{dag_id}", apiHandler(s.getDAG))
	api.Handle("PATCH /api/v1/dags/{dag_id}", apiHandler(s.patchDAG))
	api.Handle("GET /api/v1/dags/{dag_id}/dagRuns", apiHandler(s.listRuns))
	api.Handle("POST /api/v1/dags/{dag_id}/dagRuns", apiHandler(s.postRun))
	api.Handle("GET /api/v1/dags/{dag_id}/dagRuns/{run_id}", apiHandler(s.getRun))
	api.Handle("GET /api/v1/dags/{dag_id}/dagRuns/{run_id}/taskInstances", apiHandler(s.listTaskInstances))
	api.Handle("GET /api/v1/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}", apiHandler(s.getTaskInstance))
	api.HandleFunc("GET /api/v1/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try}", s.taskLog)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, notFound("Not Found", "%s %s is not part of the local scheduler's Airflow REST API", r.Method, r.URL.Path))
	})
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/health", apiHandler(s.health))
	mux.Handle("GET /api/v1/version", apiHandler(func(*http.Request) (any, error) {
		return map[string]any{"version": airflowVersion, "git_version": nil}, nil
	}))
	want := []byte("Bearer " + token)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeProblem(w, &problem{status: http.StatusUnauthorized, title: "Unauthorized",
				detail: "the local scheduler needs the bearer token in " + TokenName + " in the data dir"})
			return
		}
		api.ServeHTTP(w, r)
	})
	return mux
}

func (s *scheduler) health(*http.Request) (any, error) {
	beat := airflowTime(s.cfg.clock.Now())
	healthy := map[string]any{"status": "healthy", "latest_scheduler_heartbeat": beat}
	return map[string]any{"metadatabase": map[string]any{"status": "healthy"}, "scheduler": healthy}, nil
}

// optTime is a time as the API gives it, null when it has not happened.
func optTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := airflowTime(t)
	return &s
}

// checkDAG fails with Airflow's 404 unless the request names the scheduler's DAG.
func (s *scheduler) checkDAG(r *http.Request) error {
	if id := r.PathValue("dag_id"); id != s.dagID {
		return notFound("DAG not found", "DAG with dag_id: '%s' not found", id)
	}
	return nil
}

// dagJSON is the DAG as Airflow's DAG schema has it, with the owner and tags of the deployed DAG
// file (pipeline/assets) and where a local deploy puts it; mu must be held.
func (s *scheduler) dagJSON() map[string]any {
	next := s.nextInterval(s.cfg.clock.Now())
	return map[string]any{
		"dag_id": s.dagID, "dag_display_name": s.dagID, "root_dag_id": nil,
		"is_paused": s.dag.IsPaused, "is_active": true, "is_subdag": false,
		"last_parsed_time": optTime(s.dag.StartDate), "last_pickled": nil, "last_expired": nil,
		"scheduler_lock": nil, "pickle_id": nil, "default_view": "grid",
		"fileloc": filepath.Join(s.store.dir, "dags", dag.FileName(s.cfg.uid)), "file_token": s.dagID,
		"owners": []string{"pintui"}, "description": nil,
		"schedule_interval":     map[string]any{"__type": "CronExpression", "value": s.cfg.settings.Schedule},
		"timetable_description": s.cfg.settings.Schedule,
		"tags":                  []map[string]string{},
		"max_active_tasks":      len(dag.Tasks()), "max_active_runs": 1,
		"has_task_concurrency_limits": false, "has_import_errors": false,
		"next_dagrun":                     optTime(next.start),
		"next_dagrun_data_interval_start": optTime(next.start),
		"next_dagrun_data_interval_end":   optTime(next.end),
		"next_dagrun_create_after":        optTime(next.end),
		"max_consecutive_failed_dag_runs": 0,
	}
}

func (s *scheduler) listDAGs(*http.Request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]any{"dags": []any{s.dagJSON()}, "total_entries": 1}, nil
}

func (s *scheduler) getDAG(r *http.Request) (any, error) {
	if err := s.checkDAG(r); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dagJSON(), nil
}

// patchDAG pauses or unpauses the DAG, the one field Airflow lets the API change.
func (s *scheduler) patchDAG(r *http.Request) (any, error) {
	if err := s.checkDAG(r); err != nil {
		return nil, err
	}
	for _, mask := range r.URL.Query()["update_mask"] {
		for _, field := range strings.Split(mask, ",") {
			if strings.TrimSpace(field) != "is_paused" {
				return nil, badRequest("Only `is_paused` field can be updated through the REST API, not %q", field)
			}
		}
	}
	var body struct {
		IsPaused *bool `json:"is_paused"`
	}
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	if body.IsPaused == nil {
		return nil, badRequest("the body must set is_paused, e.g. {\"is_paused\": false}")
	}
	if err := s.setPaused(*body.IsPaused); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dagJSON(), nil
}

// decodeBody reads a JSON object into v, refusing fields v does not have, as Airflow's schema does.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("the request body is not valid: %v", err)
	}
	return nil
}

// runJSON is a run as Airflow's DAGRun schema has it.
func (s *scheduler) runJSON(r *runRecord) map[string]any {
	conf := r.Conf
	if conf == nil {
		conf = map[string]any{}
	}
	logical := airflowTime(r.LogicalDate)
	return map[string]any{
		"dag_run_id": r.RunID, "dag_id": s.dagID, "logical_date": logical, "execution_date": logical,
		"start_date": optTime(r.StartDate), "end_date": optTime(r.EndDate),
		"data_interval_start": optTime(r.DataIntervalStart), "data_interval_end": optTime(r.DataIntervalEnd),
		"last_scheduling_decision": optTime(r.LastSchedulingDecision),
		"run_type":                 r.RunType, "state": r.State, "external_trigger": r.RunType == runManual,
		"conf": conf, "note": r.Note,
	}
}

// runOrders are the order_by fields of a run list.
var runOrders = map[string]func(a, b *runRecord) int{
	"id":             func(a, b *runRecord) int { return cmp.Compare(a.Seq, b.Seq) },
	"dag_run_id":     func(a, b *runRecord) int { return cmp.Compare(a.RunID, b.RunID) },
	"state":          func(a, b *runRecord) int { return cmp.Compare(a.State, b.State) },
	"execution_date": func(a, b *runRecord) int { return a.LogicalDate.Compare(b.LogicalDate) },
	"logical_date":   func(a, b *runRecord) int { return a.LogicalDate.Compare(b.LogicalDate) },
	"start_date":     func(a, b *runRecord) int { return a.StartDate.Compare(b.StartDate) },
	"end_date":       func(a, b *runRecord) int { return a.EndDate.Compare(b.EndDate) },
}

// listRuns lists the DAG's runs a page at a time; ~ stands for every DAG, as on Airflow.
func (s *scheduler) listRuns(r *http.Request) (any, error) {
	if r.PathValue("dag_id") != "~" {
		if err := s.checkDAG(r); err != nil {
			return nil, err
		}
	}
	q := r.URL.Query()
	limit, err := queryInt(q.Get("limit"), "limit", maxPageLimit)
	if err != nil {
		return nil, err
	}
	offset, err := queryInt(q.Get("offset"), "offset", 0)
	if err != nil {
		return nil, err
	}
	order := cmp.Or(q.Get("order_by"), "id")
	by, ok := runOrders[strings.TrimPrefix(order, "-")]
	if !ok {
		return nil, badRequest("Ordering with '%s' is disallowed or the attribute does not exist on the model", strings.TrimPrefix(order, "-"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	runs := slices.Clone(s.runs)
	slices.SortStableFunc(runs, func(a, b *runRecord) int {
		if strings.HasPrefix(order, "-") {
			return by(b, a)
		}
		return by(a, b)
	})
	page := []any{}
	for _, run := range runs[min(offset, len(runs)):min(offset+min(limit, maxPageLimit), len(runs))] {
		page = append(page, s.runJSON(run))
	}
	return map[string]any{"dag_runs": page, "total_entries": len(runs)}, nil
}

// queryInt reads a non-negative integer query parameter; "" is def.
func queryInt(v, name string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badRequest("%s %q is not valid: use a whole number, 0 or more", name, v)
	}
	return n, nil
}

// triggerBody is the body of POST .../dagRuns, as Airflow 2's DAGRun schema takes it.
type triggerBody struct {
	DagRunID          string          `json:"dag_run_id"`
	LogicalDate       *string         `json:"logical_date"`
	ExecutionDate     *string         `json:"execution_date"`
	DataIntervalStart *string         `json:"data_interval_start"`
	DataIntervalEnd   *string         `json:"data_interval_end"`
	Conf              json.RawMessage `json:"conf"`
	Note              *string         `json:"note"`
}

func (s *scheduler) postRun(r *http.Request) (any, error) {
	if err := s.checkDAG(r); err != nil {
		return nil, err
	}
	var body triggerBody
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	req, err := body.request()
	if err != nil {
		return nil, err
	}
	run, err := s.trigger(req)
	if errors.Is(err, errRunExists) {
		return nil, &problem{status: http.StatusConflict, title: "Conflict", detail: strings.TrimPrefix(err.Error(), errRunExists.Error()+": ")}
	}
	if err != nil {
		return nil, err
	}
	return s.runJSON(run), nil
}

// request checks a trigger's body.
func (b triggerBody) request() (triggerRequest, error) {
	req := triggerRequest{runID: b.DagRunID, note: b.Note}
	if b.DagRunID != "" && !runIDPattern.MatchString(b.DagRunID) {
		return req, badRequest("dag_run_id %q is not valid: use up to 250 letters, digits and _ . ~ : + -", b.DagRunID)
	}
	var times [4]time.Time
	for i, f := range []struct {
		name  string
		value *string
	}{{"logical_date", b.LogicalDate}, {"execution_date", b.ExecutionDate}, {"data_interval_start", b.DataIntervalStart}, {"data_interval_end", b.DataIntervalEnd}} {
		if f.value == nil {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, *f.value)
		if err != nil {
			return req, badRequest("%s %q is not valid: use an RFC 3339 time such as 2026-01-02T15:04:05+00:00", f.name, *f.value)
		}
		times[i] = t.UTC()
	}
	logical, execution, start, end := times[0], times[1], times[2], times[3]
	if !logical.IsZero() && !execution.IsZero() && !logical.Equal(execution) {
		return req, badRequest("logical_date conflicts with execution_date: give one of them")
	}
	req.logical = cmp.Or(logical, execution)
	if start.IsZero() != end.IsZero() {
		return req, badRequest("give both data_interval_start and data_interval_end, or neither")
	}
	if !start.IsZero() {
		if end.Before(start) {
			return req, badRequest("data_interval_end is before data_interval_start")
		}
		req.interval = &interval{start: start, end: end}
	}
	if len(b.Conf) > 0 && string(b.Conf) != "null" {
		if err := json.Unmarshal(b.Conf, &req.conf); err != nil {
			return req, badRequest("conf must be a JSON object, e.g. {\"key\": \"value\"}")
		}
	}
	return req, nil
}

// findRun returns the run a request names; mu must be held.
func (s *scheduler) findRun(r *http.Request) (*runRecord, error) {
	if err := s.checkDAG(r); err != nil {
		return nil, err
	}
	id := r.PathValue("run_id")
	run := s.run(id)
	if run == nil {
		return nil, notFound("DAGRun not found", "DAGRun with DAG ID: '%s' and DagRun ID: '%s' not found", s.dagID, id)
	}
	return run, nil
}

func (s *scheduler) getRun(r *http.Request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	run, err := s.findRun(r)
	if err != nil {
		return nil, err
	}
	return s.runJSON(run), nil
}

func (s *scheduler) listTaskInstances(r *http.Request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	run, err := s.findRun(r)
	if err != nil {
		return nil, err
	}
	tis := []any{}
	for _, ti := range run.Tasks {
		tis = append(tis, s.taskInstanceJSON(run, ti))
	}
	return map[string]any{"task_instances": tis, "total_entries": len(tis)}, nil
}

// findTaskInstance returns the run and task instance a request names; mu must be held.
func (s *scheduler) findTaskInstance(r *http.Request) (*runRecord, *taskRecord, error) {
	run, err := s.findRun(r)
	if err != nil {
		return nil, nil, err
	}
	ti := run.task(r.PathValue("task_id"))
	if ti == nil {
		return nil, nil, notFound("TaskInstance not found", "Task instance did not exist in the DB: task %s of %s", r.PathValue("task_id"), run.RunID)
	}
	return run, ti, nil
}

func (s *scheduler) getTaskInstance(r *http.Request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	run, ti, err := s.findTaskInstance(r)
	if err != nil {
		return nil, err
	}
	return s.taskInstanceJSON(run, ti), nil
}

// taskInstanceJSON is a task instance as Airflow's TaskInstance schema has it.
func (s *scheduler) taskInstanceJSON(run *runRecord, ti *taskRecord) map[string]any {
	var duration *float64
	if !ti.StartDate.IsZero() && !ti.EndDate.IsZero() {
		d := ti.EndDate.Sub(ti.StartDate).Seconds()
		duration = &d
	}
	var state *string
	if ti.State != "" {
		st := ti.State
		state = &st
	}
	return map[string]any{
		"task_id": ti.TaskID, "task_display_name": ti.TaskID, "dag_id": s.dagID, "dag_run_id": run.RunID,
		"execution_date": airflowTime(run.LogicalDate),
		"start_date":     optTime(ti.StartDate), "end_date": optTime(ti.EndDate), "duration": duration,
		"state": state, "try_number": ti.TryNumber, "map_index": -1, "max_tries": s.cfg.settings.Retries,
		"hostname": "", "unixname": "", "pool": "default_pool", "pool_slots": 1, "queue": "default",
		"priority_weight": priorityWeight(ti.TaskID), "operator": "DatabricksSubmitRunOperator",
		"queued_when": optTime(ti.QueuedWhen), "pid": nil, "executor": nil, "executor_config": "{}",
		"sla_miss": nil, "rendered_map_index": nil, "rendered_fields": map[string]any{},
		"trigger": nil, "triggerer_job": nil, "note": nil,
	}
}

// priorityWeight is Airflow's default (downstream) weight: one more than the tasks below the task.
func priorityWeight(task string) int {
	below := map[string]bool{}
	var walk func(id string)
	walk = func(id string) {
		for _, t := range dag.Tasks() {
			if slices.Contains(t.Upstream, id) && !below[t.ID] {
				below[t.ID] = true
				walk(t.ID)
			}
		}
	}
	walk(task)
	return 1 + len(below)
}

// logToken is the continuation token of a task log: where the next read starts.
type logToken struct {
	EndOfLog bool `json:"end_of_log"`
	LogPos   int  `json:"log_pos"`
}

// taskLog serves one try's log as JSON, or as text/plain when the client accepts only that.
// A token from an earlier answer returns what was logged since.
func (s *scheduler) taskLog(w http.ResponseWriter, r *http.Request) {
	content, token, err := s.readLog(r)
	var p *problem
	if errors.As(err, &p) {
		writeProblem(w, p)
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "text/plain") && !strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, content)
		return
	}
	writeJSON(w, map[string]any{"content": content, "continuation_token": token})
}

func (s *scheduler) readLog(r *http.Request) (content, token string, err error) {
	try, convErr := strconv.Atoi(r.PathValue("try"))
	from := 0
	if t := r.URL.Query().Get("token"); t != "" {
		var lt logToken
		data, decErr := base64.RawURLEncoding.DecodeString(t)
		if decErr != nil || json.Unmarshal(data, &lt) != nil || lt.LogPos < 0 {
			return "", "", badRequest("Bad Signature. Please use only the tokens provided by the API.")
		}
		from = lt.LogPos
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	run, ti, err := s.findTaskInstance(r)
	if err != nil {
		return "", "", err
	}
	if convErr != nil || try < 1 || try > len(ti.Tries) {
		tried := "it has not run yet"
		if len(ti.Tries) > 0 {
			tried = fmt.Sprintf("its tries so far are 1 to %d", len(ti.Tries))
		}
		return "", "", notFound("TaskInstance not found", "try %s of task %s in %s has not run: %s", r.PathValue("try"), ti.TaskID, run.RunID, tried)
	}
	log := ti.Tries[try-1].Log
	from = min(from, len(log))
	ended := try < ti.TryNumber || ti.State != stateRunning
	data, _ := json.Marshal(logToken{EndOfLog: ended, LogPos: len(log)})
	return log[from:], base64.RawURLEncoding.EncodeToString(data), nil
}
