package local

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pintui/pintui/pipeline/dag"
)

// dagRecord is the DAG's own state, <data-dir>/airflow/dag.json.
type dagRecord struct {
	DagID string `json:"dag_id"`
	// StartDate is when this data dir's scheduler first started: no scheduled run covers time
	// before it.
	StartDate time.Time `json:"start_date"`
	IsPaused  bool      `json:"is_paused"`
}

// runRecord is one DAG run with its task instances, <data-dir>/airflow/runs/<run id>.json.
type runRecord struct {
	// Seq orders the runs as they were created, Airflow's run id column.
	Seq                    int64          `json:"seq"`
	RunID                  string         `json:"dag_run_id"`
	RunType                string         `json:"run_type"`
	LogicalDate            time.Time      `json:"logical_date"`
	DataIntervalStart      time.Time      `json:"data_interval_start"`
	DataIntervalEnd        time.Time      `json:"data_interval_end"`
	QueuedAt               time.Time      `json:"queued_at"`
	StartDate              time.Time      `json:"start_date"`
	EndDate                time.Time      `json:"end_date"`
	LastSchedulingDecision time.Time      `json:"last_scheduling_decision"`
	State                  string         `json:"state"`
	Conf                   map[string]any `json:"conf"`
	Note                   *string        `json:"note"`
	Tasks                  []*taskRecord  `json:"tasks"`
}

// taskRecord is one task instance of a run.
type taskRecord struct {
	TaskID     string    `json:"task_id"`
	State      string    `json:"state"`
	TryNumber  int       `json:"try_number"`
	QueuedWhen time.Time `json:"queued_when"`
	StartDate  time.Time `json:"start_date"`
	EndDate    time.Time `json:"end_date"`
	// RetryAt is when an up_for_retry task is tried again.
	RetryAt time.Time    `json:"retry_at"`
	Tries   []*tryRecord `json:"tries"`
}

// tryRecord is one try of a task instance and its log.
type tryRecord struct {
	Number     int    `json:"try_number"`
	JobRunID   int64  `json:"job_run_id"`
	RunPageURL string `json:"run_page_url"`
	Log        string `json:"log"`
}

// logf appends a line to the try's log in Airflow's task log format.
func (t *tryRecord) logf(now time.Time, file, level, format string, args ...any) {
	t.Log += fmt.Sprintf("[%s] {%s} %s - %s\n", now.UTC().Format("2006-01-02T15:04:05.000-0700"), file, level, fmt.Sprintf(format, args...))
}

func (r *runRecord) task(id string) *taskRecord {
	for _, ti := range r.Tasks {
		if ti.TaskID == id {
			return ti
		}
	}
	return nil
}

// upstreamState is success once every upstream task succeeded, failed once one of them failed
// (or could not run), else "" while they still run.
func (r *runRecord) upstreamState(t dag.Task) string {
	state := stateSuccess
	for _, up := range t.Upstream {
		switch r.task(up).State {
		case stateSuccess:
		case stateFailed, stateUpstreamFailed:
			return stateFailed
		default:
			state = ""
		}
	}
	return state
}

// ended reports whether the task instance will not run again.
func (ti *taskRecord) ended() bool {
	return ti.State == stateSuccess || ti.State == stateFailed || ti.State == stateUpstreamFailed
}

// clone copies a run deeply enough that the scheduler may go on changing the original.
func (r *runRecord) clone() *runRecord {
	c := *r
	c.Tasks = make([]*taskRecord, len(r.Tasks))
	for i, ti := range r.Tasks {
		t := *ti
		t.Tries = make([]*tryRecord, len(ti.Tries))
		for j, try := range ti.Tries {
			tc := *try
			t.Tries[j] = &tc
		}
		c.Tasks[i] = &t
	}
	return &c
}

// airflowStore keeps the scheduler's state as JSON files, each replaced atomically.
type airflowStore struct {
	dir string
}

func (st airflowStore) dagFile() string { return filepath.Join(st.dir, "dag.json") }

func (st airflowStore) runsDir() string { return filepath.Join(st.dir, "runs") }

// loadDAG reads dag.json; ok is false when there is none, or it could not be read and was moved
// aside.
func (st airflowStore) loadDAG() (dagRecord, bool, error) {
	var d dagRecord
	ok, err := st.read(st.dagFile(), &d)
	if ok && (d.DagID == "" || d.StartDate.IsZero()) {
		setAside(st.dagFile(), errors.New("it names no DAG or start date"))
		ok = false
	}
	return d, ok, err
}

func (st airflowStore) saveDAG(d dagRecord) error { return writeJSONFile(st.dagFile(), d) }

// loadRuns reads every run of the DAG in the order they were created.
func (st airflowStore) loadRuns() ([]*runRecord, error) {
	entries, err := os.ReadDir(st.runsDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the DAG runs in %s: %w", st.runsDir(), err)
	}
	var runs []*runRecord
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		name := filepath.Join(st.runsDir(), e.Name())
		var r runRecord
		ok, err := st.read(name, &r)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if problem := r.invalid(); problem != nil {
			setAside(name, problem)
			continue
		}
		runs = append(runs, &r)
	}
	slices.SortFunc(runs, func(a, b *runRecord) int { return cmp.Compare(a.Seq, b.Seq) })
	return runs, nil
}

// invalid says what makes a run read from disk unusable, or nil.
func (r *runRecord) invalid() error {
	if r.RunID == "" || r.Seq <= 0 {
		return errors.New("it has no run id or sequence number")
	}
	for _, t := range dag.Tasks() {
		ti := r.task(t.ID)
		if ti == nil {
			return fmt.Errorf("it has no task instance %s", t.ID)
		}
		if len(ti.Tries) != ti.TryNumber {
			return fmt.Errorf("task %s has %d tries logged for try number %d", t.ID, len(ti.Tries), ti.TryNumber)
		}
	}
	return nil
}

func (st airflowStore) saveRun(r *runRecord) error {
	return writeJSONFile(filepath.Join(st.runsDir(), r.RunID+".json"), r)
}

// read decodes a JSON file; a file that is there but cannot be decoded is moved aside and
// reported, and ok is false.
func (st airflowStore) read(name string, v any) (bool, error) {
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		setAside(name, err)
		return false, nil
	}
	return true, nil
}

// setAside renames a file the scheduler cannot use to <name>.bad, where it can be looked at, and
// reports it.
func setAside(name string, problem error) {
	aside := name + ".bad"
	if err := os.Rename(name, aside); err != nil {
		reportAirflow("set aside "+name, err)
		return
	}
	reportAirflow("read "+name, fmt.Errorf("%w: moved it to %s and went on without it", problem, aside))
}

// reportAirflow reports what the scheduler could not do but goes on without.
func reportAirflow(what string, err error) {
	slog.Warn("scheduler: "+what, "err", err)
}

// writeJSONFile replaces name with v as JSON: a temporary file beside it, synced, then renamed,
// so a reader or a crash sees the old content or the new, never part of one.
func writeJSONFile(name string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// airflowTime formats a time as Airflow's API does, ISO 8601 with a +00:00 offset and
// microseconds when there are any.
func airflowTime(t time.Time) string {
	t = t.UTC().Truncate(time.Microsecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05-07:00")
	}
	return t.Format("2006-01-02T15:04:05.000000-07:00")
}
