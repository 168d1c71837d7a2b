package local

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/pintui/pintui/pipeline/dag"
)

// The local workspace stands in for a Databricks workspace on loopback: it serves the subset of
// the Jobs API 2.2 and the Workspace API that databricks-sdk-go calls for pintui (jobs, one-time
// and job runs, their outputs, notebook import and listing), so the same SDK client runs jobs
// locally and in the cloud. Runs execute through Options.RunNotebook on the embedded pipeline and
// persist under <data-dir>/jobs/.

// maxWorkspaceBody bounds a request body: a notebook of the documented 10 MB limit, base64.
const maxWorkspaceBody = 16 << 20

// batchJobID is the id of the one job the workspace holds from its first start.
const batchJobID = 1

// apiError is an answer in the Databricks error envelope.
type apiError struct {
	status int
	Code   string `json:"error_code"`
	// Message says what was wrong and what to do.
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func noSuchResource(format string, args ...any) *apiError {
	return &apiError{http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", fmt.Sprintf(format, args...)}
}

func invalidParameter(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "INVALID_PARAMETER_VALUE", fmt.Sprintf(format, args...)}
}

// workspace is the local workspace's state: its notebooks, its job, and its runs.
type workspace struct {
	uid string
	// notebookDir is the folder the batch job's notebook is in.
	notebookDir string
	store       *jobStore
	run         NotebookFunc
	now         func() time.Time

	mu sync.Mutex
	// base is the URL the workspace serves on, for run_page_url.
	base      string
	notebooks map[string]*notebook
	folders   map[string]bool
	runs      map[int64]*runFile
	// taskRuns maps a task run's id to the run it belongs to.
	taskRuns map[int64]int64
	tokens   map[string]int64
	nextID   int64
	// active cancels the runs still executing; closing says the workspace is stopping them.
	active  map[int64]context.CancelFunc
	closing bool
	wg      sync.WaitGroup
}

// openWorkspace loads the workspace kept in dir, ends the runs an earlier owner left running as
// INTERNAL_ERROR, and imports each of notebooks whose path holds nothing yet.
func openWorkspace(dir, uid, notebookDir string, run NotebookFunc, notebooks map[string][]byte) (*workspace, error) {
	store := &jobStore{dir: dir}
	if notebookDir == "" {
		notebookDir = dag.DefaultNotebookDir
	}
	w := &workspace{uid: uid, notebookDir: notebookDir, store: store, run: run, now: time.Now, runs: map[int64]*runFile{},
		taskRuns: map[int64]int64{}, tokens: map[string]int64{}, active: map[int64]context.CancelFunc{}, nextID: 1}
	objects, err := store.loadObjects()
	if err != nil {
		return nil, err
	}
	w.notebooks, w.folders = objects.Notebooks, map[string]bool{}
	for _, f := range objects.Folders {
		w.folders[f] = true
	}
	added := false
	for path, source := range notebooks {
		if _, ok := w.notebooks[path]; !ok {
			w.importNotebook(path, "PYTHON", source)
			added = true
		}
	}
	if added {
		if err := w.saveObjects(); err != nil {
			return nil, err
		}
	}
	runs, err := store.loadRuns()
	if err != nil {
		return nil, err
	}
	for _, f := range runs {
		w.addRun(f)
		if !f.Run.terminal() {
			f.endInterrupted(w.now())
			if err := store.saveRun(f); err != nil {
				return nil, err
			}
		}
	}
	return w, nil
}

// addRun indexes a run and moves nextID past its ids.
func (w *workspace) addRun(f *runFile) {
	w.runs[f.Run.RunID] = f
	w.nextID = max(w.nextID, f.Run.RunID+1)
	for _, t := range f.Run.Tasks {
		w.taskRuns[t.RunID] = f.Run.RunID
		w.nextID = max(w.nextID, t.RunID+1)
	}
	if f.IdempotencyToken != "" {
		w.tokens[f.IdempotencyToken] = f.Run.RunID
	}
}

// batchJob is the workspace's one job: the batch notebook with no step, so a run does every step.
func (w *workspace) batchJob() apiJob {
	return apiJob{
		JobID: batchJobID, CreatorUserName: localUser, CreatedTime: 0,
		Settings: jobSettings{
			Name: dag.JobName(w.uid, dag.BatchNotebook), MaxConcurrentRuns: 1, Format: "MULTI_TASK",
			Tasks: []jobTask{{TaskKey: dag.BatchNotebook, NotebookTask: &notebookTask{
				NotebookPath: dag.NotebookPath(w.notebookDir, w.uid, dag.BatchNotebook), Source: "WORKSPACE"}}},
		},
	}
}

// localUser is who the workspace says created its jobs and runs.
const localUser = "pintui"

// handler serves the workspace's API behind the bearer token.
func (w *workspace) handler(dir, token string) http.Handler {
	mux := http.NewServeMux()
	routes := map[string]func(*http.Request) (any, error){
		"GET /api/2.2/jobs/list":            w.listJobs,
		"GET /api/2.2/jobs/get":             w.getJob,
		"POST /api/2.2/jobs/run-now":        w.runNow,
		"POST /api/2.2/jobs/runs/submit":    w.submit,
		"GET /api/2.2/jobs/runs/get":        w.getRun,
		"GET /api/2.2/jobs/runs/list":       w.listRuns,
		"POST /api/2.2/jobs/runs/cancel":    w.cancelRun,
		"GET /api/2.2/jobs/runs/get-output": w.getOutput,
		"POST /api/2.0/workspace/import":    w.importObject,
		"GET /api/2.0/workspace/list":       w.listObjects,
		"POST /api/2.0/workspace/mkdirs":    w.mkdirs,
		"GET /api/2.0/workspace/get-status": w.getStatus,
		"GET /api/2.0/workspace/export":     w.exportObject,
	}
	for pattern, h := range routes {
		mux.HandleFunc(pattern, func(rw http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(rw, r.Body, maxWorkspaceBody)
			v, err := h(r)
			writeAnswer(rw, v, err)
		})
	}
	mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		writeAnswer(rw, nil, &apiError{http.StatusNotFound, "ENDPOINT_NOT_FOUND",
			fmt.Sprintf("%s %s is not an API the local workspace serves", r.Method, r.URL.Path)})
	})
	want := []byte("Bearer " + token)
	denied := &apiError{http.StatusUnauthorized, "UNAUTHENTICATED",
		"the local workspace needs the bearer token in " + filepath.Join(dir, TokenName)}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			writeAnswer(rw, nil, denied)
			return
		}
		mux.ServeHTTP(rw, r)
	})
}

// writeAnswer writes v as JSON, or err in the Databricks envelope.
func writeAnswer(rw http.ResponseWriter, v any, err error) {
	rw.Header().Set("Content-Type", "application/json")
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{http.StatusInternalServerError, "INTERNAL_ERROR", err.Error()}
		}
		rw.WriteHeader(ae.status)
		_ = json.NewEncoder(rw).Encode(ae)
		return
	}
	_ = json.NewEncoder(rw).Encode(v)
}

// readJSONBody reads a request's JSON body into v.
func readJSONBody(r *http.Request, v any) error {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return &apiError{http.StatusRequestEntityTooLarge, "REQUEST_LIMIT_EXCEEDED",
				fmt.Sprintf("the request body is larger than %d bytes", maxWorkspaceBody)}
		}
		return &apiError{http.StatusBadRequest, "MALFORMED_REQUEST", "invalid JSON in the request body: " + err.Error()}
	}
	return nil
}

// intParam reads an integer query parameter; absent is 0.
func intParam(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, invalidParameter("%s %q is not an integer", name, s)
	}
	return n, nil
}

// boolParam reads a boolean query parameter; absent is false.
func boolParam(r *http.Request, name string) (bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, invalidParameter("%s %q is not true or false", name, s)
	}
	return b, nil
}

// close stops the runs still executing, which end as INTERNAL_ERROR, and waits for them until
// ctx ends.
func (w *workspace) close(ctx context.Context) error {
	w.mu.Lock()
	w.closing = true
	for _, cancel := range w.active {
		cancel()
	}
	w.mu.Unlock()
	done := make(chan struct{})
	go func() {
		w.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop workspace: runs still ending: %w", ctx.Err())
	}
}

// startWorkspace serves the local workspace when opts.RunNotebook is set, behind the control
// token, and publishes its URL as Endpoints.Workspace.
func (s *Stack) startWorkspace(opts Options) error {
	if opts.RunNotebook == nil {
		return nil
	}
	if s.controlToken == "" {
		return errors.New("start workspace: it takes the control endpoint's token, and the stack serves no control endpoint")
	}
	w, err := openWorkspace(filepath.Join(opts.DataDir, "jobs"), opts.UID, opts.NotebookDir, opts.RunNotebook, opts.Notebooks)
	if err != nil {
		return fmt.Errorf("start workspace: %w", err)
	}
	ln, err := listen(or(opts.WorkspaceAddr, DefaultWorkspaceAddr), "workspace")
	if err != nil {
		return err
	}
	s.endpoints.Workspace = "http://" + ln.Addr().String()
	w.base = s.endpoints.Workspace
	s.workspace = w
	s.workspaceSrv = serve(ln, w.handler(opts.DataDir, s.controlToken), opts.limits.orDefault())
	return nil
}
