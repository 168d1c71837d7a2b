package local

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/pintui/pintui/pipeline/dag"
)

// The states of a DAG run and of a task instance, in Airflow's words; a task instance that has
// not been scheduled yet has none ("").
const (
	stateQueued         = "queued"
	stateRunning        = "running"
	stateSuccess        = "success"
	stateFailed         = "failed"
	stateUpForRetry     = "up_for_retry"
	stateUpstreamFailed = "upstream_failed"
)

// The run types of the DAG runs the scheduler makes.
const (
	runManual    = "manual"
	runScheduled = "scheduled"
)

// errStopped is what a try that was running when the owner stopped fails with on the next start.
var errStopped = errors.New("the scheduler stopped while it ran")

// airflowClock is the scheduler's time: the wall clock, or a fake one in tests.
type airflowClock interface {
	Now() time.Time
	// At returns a channel that receives once the clock reaches t, and a function that releases it.
	At(t time.Time) (<-chan time.Time, func())
}

// wallClock is the real time.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now().UTC() }

func (wallClock) At(t time.Time) (<-chan time.Time, func()) {
	timer := time.NewTimer(time.Until(t))
	return timer.C, func() { timer.Stop() }
}

// schedulerConfig is what the scheduler runs the DAG with.
type schedulerConfig struct {
	dir, uid string
	settings dag.Settings
	// notebook is the batch notebook's workspace path, clusterID the cluster its runs use.
	notebook, clusterID string
	runner              dag.TaskRunner
	clock               airflowClock
}

// scheduler runs the DAG <uid>_dag as Airflow's scheduler would: one run at a time (the batch
// job rewrites the same tables, so two runs at once would only race), scheduled runs created at
// the end of their data interval, tasks started once their upstream succeeded and retried after a
// delay, and every change written under <data-dir>/airflow before it is served.
type scheduler struct {
	cfg       schedulerConfig
	dagID     string
	timetable timetable
	store     airflowStore

	mu   sync.Mutex
	dag  dagRecord
	runs []*runRecord
	seq  int64

	wake   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startScheduler reads the DAG's state and runs back, fails the tries that were running when the
// last owner stopped, and starts scheduling.
func startScheduler(cfg schedulerConfig) (*scheduler, error) {
	if cfg.settings == (dag.Settings{}) {
		cfg.settings = dag.DefaultSettings()
	}
	tt, err := newTimetable(cfg.settings.Schedule)
	if err != nil {
		return nil, fmt.Errorf("start the scheduler: %w", err)
	}
	s := &scheduler{
		cfg: cfg, dagID: dag.ID(cfg.uid), timetable: tt,
		store: airflowStore{dir: filepath.Join(cfg.dir, "airflow")},
		wake:  make(chan struct{}, 1),
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go s.loop()
	return s, nil
}

// load reads the persisted state, or starts the DAG's history now on a fresh data dir.
func (s *scheduler) load() error {
	now := s.cfg.clock.Now()
	d, ok, err := s.store.loadDAG()
	if err != nil {
		return err
	}
	if !ok || d.DagID != s.dagID {
		d = dagRecord{DagID: s.dagID, StartDate: now}
		if err := s.store.saveDAG(d); err != nil {
			return err
		}
	}
	s.dag = d
	if s.runs, err = s.store.loadRuns(); err != nil {
		return err
	}
	for _, r := range s.runs {
		s.seq = max(s.seq, r.Seq)
		changed := false
		for _, ti := range r.Tasks {
			if ti.State == stateRunning {
				s.failTry(ti, now, errStopped)
				changed = true
			}
		}
		if changed {
			if err := s.store.saveRun(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// close stops scheduling and cancels the tries in flight; they stay running on disk, so the
// next start fails and retries them.
func (s *scheduler) close() {
	s.cancel()
	s.wg.Wait()
}

// poke wakes the loop to look at the state again.
func (s *scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *scheduler) loop() {
	defer s.wg.Done()
	for {
		var timer <-chan time.Time
		release := func() {}
		if at := s.step(); !at.IsZero() {
			timer, release = s.cfg.clock.At(at)
		}
		select {
		case <-s.ctx.Done():
			release()
			return
		case <-s.wake:
		case <-timer:
		}
		release()
	}
}

// step moves the active run on or, with none, starts the oldest queued run or creates the
// scheduled run that is due, and returns when it must look again (zero: only when poked). Like
// Airflow with max_active_runs=1 it creates a scheduled run only while no other is active, so a
// long catchup makes one run at a time rather than a file per missed interval at once.
func (s *scheduler) step() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dag.IsPaused {
		return time.Time{}
	}
	now := s.cfg.clock.Now()
	for {
		run := s.activeRun(now)
		if run == nil {
			iv := s.nextInterval(now)
			if iv.end.IsZero() || iv.end.After(now) {
				return iv.end
			}
			s.persist(s.newRun(runScheduled, iv.start, iv, now, nil))
			continue
		}
		if retryAt, done := s.advance(run, now); !done {
			return retryAt
		}
	}
}

// nextInterval is the data interval of the next scheduled run.
func (s *scheduler) nextInterval(now time.Time) interval {
	var lastEnd time.Time
	for _, r := range s.runs {
		if r.RunType == runScheduled && r.DataIntervalEnd.After(lastEnd) {
			lastEnd = r.DataIntervalEnd
		}
	}
	return s.timetable.nextScheduled(lastEnd, s.dag.StartDate, now, s.cfg.settings.Catchup)
}

// newRun queues a run of the DAG.
func (s *scheduler) newRun(runType string, logical time.Time, iv interval, now time.Time, conf map[string]any) *runRecord {
	s.seq++
	r := &runRecord{
		Seq: s.seq, RunID: runType + "__" + airflowTime(logical), RunType: runType, LogicalDate: logical,
		DataIntervalStart: iv.start, DataIntervalEnd: iv.end, QueuedAt: now, State: stateQueued, Conf: conf,
	}
	for _, t := range dag.Tasks() {
		r.Tasks = append(r.Tasks, &taskRecord{TaskID: t.ID})
	}
	s.runs = append(s.runs, r)
	return r
}

// activeRun returns the running run, or starts the oldest queued one.
func (s *scheduler) activeRun(now time.Time) *runRecord {
	var oldest *runRecord
	for _, r := range s.runs {
		switch {
		case r.State == stateRunning:
			return r
		case r.State == stateQueued && oldest == nil:
			oldest = r
		}
	}
	if oldest != nil {
		oldest.State, oldest.StartDate = stateRunning, now
		s.persist(oldest)
	}
	return oldest
}

// advance starts the run's tasks that may start, fails those whose upstream failed and ends the
// run once every task has ended; it returns the earliest retry still to wait for.
func (s *scheduler) advance(r *runRecord, now time.Time) (retryAt time.Time, done bool) {
	r.LastSchedulingDecision = now
	ended := 0
	for _, t := range dag.Tasks() {
		ti := r.task(t.ID)
		switch ti.State {
		case "":
			switch upstream := r.upstreamState(t); upstream {
			case stateSuccess:
				s.startTry(r, ti, now)
			case stateFailed:
				ti.State, ti.StartDate, ti.EndDate = stateUpstreamFailed, now, now
			}
		case stateUpForRetry:
			if now.Before(ti.RetryAt) {
				if retryAt.IsZero() || ti.RetryAt.Before(retryAt) {
					retryAt = ti.RetryAt
				}
				continue
			}
			s.startTry(r, ti, now)
		}
		if ti.ended() {
			ended++
		}
	}
	if ended == len(r.Tasks) {
		r.State, r.EndDate = stateSuccess, now
		for _, ti := range r.Tasks {
			if ti.State != stateSuccess {
				r.State = stateFailed
			}
		}
	}
	s.persist(r)
	return retryAt, r.State != stateRunning
}

// startTry starts the next try of a task instance in the background.
func (s *scheduler) startTry(r *runRecord, ti *taskRecord, now time.Time) {
	ti.TryNumber++
	ti.State, ti.StartDate, ti.EndDate, ti.RetryAt = stateRunning, now, time.Time{}, time.Time{}
	if ti.QueuedWhen.IsZero() {
		ti.QueuedWhen = now
	}
	try := &tryRecord{Number: ti.TryNumber}
	ti.Tries = append(ti.Tries, try)
	try.logf(now, "taskinstance.py", "INFO", "Starting attempt %d of %d", ti.TryNumber, s.cfg.settings.Retries+1)
	task := dag.NotebookTask{
		RunName: s.dagID + "." + ti.TaskID, TaskKey: ti.TaskID, NotebookPath: s.cfg.notebook,
		Parameters: map[string]string{dag.StepParam: ti.TaskID}, ClusterID: s.cfg.clusterID,
	}
	s.wg.Add(1)
	go s.runTry(r.RunID, task, ti.TryNumber)
}

// runTry submits the task's notebook run and waits for it, as DatabricksSubmitRunOperator does.
// When the scheduler stops meanwhile it records nothing: the next start fails the try.
func (s *scheduler) runTry(runID string, task dag.NotebookTask, try int) {
	defer s.wg.Done()
	jobRun, err := s.cfg.runner.Submit(s.ctx, task)
	if s.ctx.Err() != nil {
		return
	}
	if err != nil {
		s.finishTry(runID, task.TaskKey, try, dag.RunOutcome{}, fmt.Errorf("submit the notebook run: %w", err))
		return
	}
	s.noteSubmitted(runID, task.TaskKey, try, jobRun)
	out, err := s.cfg.runner.Wait(s.ctx, jobRun)
	if s.ctx.Err() != nil {
		return
	}
	if err == nil && !out.Succeeded() {
		err = fmt.Errorf("job run failed with terminal state: %s %s and with the error %s", out.LifeCycleState, out.ResultState, out.StateMessage)
	}
	s.finishTry(runID, task.TaskKey, try, out, err)
}

// tryOf returns a try that is still the task instance's current one and running.
func (s *scheduler) tryOf(runID, taskID string, try int) (*runRecord, *taskRecord) {
	r := s.run(runID)
	if r == nil {
		return nil, nil
	}
	ti := r.task(taskID)
	if ti == nil || ti.TryNumber != try || ti.State != stateRunning {
		return nil, nil
	}
	return r, ti
}

func (s *scheduler) noteSubmitted(runID, taskID string, try int, jobRun int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ti := s.tryOf(runID, taskID, try)
	if ti == nil {
		return
	}
	t := ti.Tries[len(ti.Tries)-1]
	t.JobRunID = jobRun
	t.logf(s.cfg.clock.Now(), "databricks.py", "INFO", "Run submitted with run_id: %d", jobRun)
	s.persist(r)
}

// finishTry records how a try ended: success, a retry after RetryDelay while tries are left, or
// failed.
func (s *scheduler) finishTry(runID, taskID string, try int, out dag.RunOutcome, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ti := s.tryOf(runID, taskID, try)
	if ti == nil {
		return
	}
	now := s.cfg.clock.Now()
	t := ti.Tries[len(ti.Tries)-1]
	if out.RunPageURL != "" {
		t.RunPageURL = out.RunPageURL
		t.logf(now, "databricks.py", "INFO", "View run status, Spark UI, and logs at %s", out.RunPageURL)
	}
	if out.LifeCycleState != "" {
		t.logf(now, "databricks.py", "INFO", "%s in run state: {life_cycle_state: %s, result_state: %s, state_message: %q}",
			taskID, out.LifeCycleState, out.ResultState, out.StateMessage)
	}
	if err != nil {
		s.failTry(ti, now, err)
	} else {
		ti.State, ti.EndDate = stateSuccess, now
		t.logf(now, "databricks.py", "INFO", "%s completed successfully.", taskID)
		t.logf(now, "taskinstance.py", "INFO", "Marking task as SUCCESS.")
	}
	s.persist(r)
	s.poke()
}

// failTry ends the current try with err: the task is retried after RetryDelay while it has tries
// left, else it has failed.
func (s *scheduler) failTry(ti *taskRecord, now time.Time, err error) {
	t := ti.Tries[len(ti.Tries)-1]
	t.logf(now, "taskinstance.py", "ERROR", "Task failed with exception: %v", err)
	ti.EndDate = now
	if ti.TryNumber <= s.cfg.settings.Retries {
		ti.State, ti.RetryAt = stateUpForRetry, now.Add(s.cfg.settings.RetryDelay)
		t.logf(now, "taskinstance.py", "INFO", "Marking task as UP_FOR_RETRY, to be tried again at %s.", airflowTime(ti.RetryAt))
		return
	}
	ti.State = stateFailed
	t.logf(now, "taskinstance.py", "INFO", "Marking task as FAILED.")
}

// persist writes a run; a run that cannot be written is reported, and kept in memory, since
// the tries in flight still need it.
func (s *scheduler) persist(r *runRecord) {
	if err := s.store.saveRun(r); err != nil {
		reportAirflow("save DAG run", err)
	}
}

// run returns the run with the id, or nil.
func (s *scheduler) run(runID string) *runRecord {
	for _, r := range s.runs {
		if r.RunID == runID {
			return r
		}
	}
	return nil
}

// errRunExists is a trigger whose run id or logical date another run has.
var errRunExists = errors.New("run exists")

// triggerRequest is a manual run to queue.
type triggerRequest struct {
	// runID names the run; "" means manual__<logical date>.
	runID string
	// logical is the run's logical date; zero means now.
	logical time.Time
	// interval is the run's data interval; nil means the latest whole interval before logical.
	interval *interval
	conf     map[string]any
	note     *string
}

// trigger queues a manual run.
func (s *scheduler) trigger(req triggerRequest) (*runRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock.Now()
	logical := req.logical
	if logical.IsZero() {
		logical = now
	}
	logical = logical.UTC().Truncate(time.Microsecond)
	for _, r := range s.runs {
		if req.runID != "" && r.RunID == req.runID {
			return nil, fmt.Errorf("%w: DAGRun with DAG ID: '%s' and DAGRun ID: '%s' already exists", errRunExists, s.dagID, req.runID)
		}
		if r.LogicalDate.Equal(logical) {
			return nil, fmt.Errorf("%w: DAGRun with DAG ID: '%s' and DAGRun logical date: '%s' already exists", errRunExists, s.dagID, airflowTime(logical))
		}
	}
	iv := s.timetable.manual(logical)
	if req.interval != nil {
		iv = *req.interval
	}
	r := s.newRun(runManual, logical, iv, now, maps.Clone(req.conf))
	r.Note = req.note
	if req.runID != "" {
		r.RunID = req.runID
	}
	if err := s.store.saveRun(r); err != nil {
		s.runs = slices.DeleteFunc(s.runs, func(x *runRecord) bool { return x == r })
		return nil, err
	}
	s.poke()
	return r.clone(), nil
}

// setPaused pauses or unpauses the DAG; a paused DAG creates no runs and starts no tasks.
func (s *scheduler) setPaused(paused bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.dag
	d.IsPaused = paused
	if err := s.store.saveDAG(d); err != nil {
		return err
	}
	s.dag = d
	s.poke()
	return nil
}

// startAirflow runs the scheduler and serves its Airflow REST API, when the stack has a task
// runner. It starts last, so the runner is built on every other endpoint of the stack.
func (s *Stack) startAirflow(opts Options) error {
	if opts.Tasks == nil {
		return nil
	}
	if s.controlToken == "" {
		return errors.New("start the scheduler: its API takes the control endpoint's token, and the stack serves no control endpoint")
	}
	ln, err := listen(or(opts.AirflowAddr, DefaultAirflowAddr), "airflow")
	if err != nil {
		return err
	}
	s.endpoints.Airflow = "http://" + ln.Addr().String()
	runner, err := opts.Tasks(s.endpoints)
	if err != nil {
		ln.Close()
		return fmt.Errorf("start the scheduler: %w", err)
	}
	clock := opts.clock
	if clock == nil {
		clock = wallClock{}
	}
	sched, err := startScheduler(schedulerConfig{
		dir: opts.DataDir, uid: opts.UID, settings: opts.DAG,
		notebook:  dag.NotebookPath(dag.DefaultNotebookDir, opts.UID, dag.BatchNotebook),
		clusterID: opts.ClusterID, runner: runner, clock: clock,
	})
	if err != nil {
		ln.Close()
		return err
	}
	s.scheduler = sched
	s.airflow = serve(ln, sched.handler(s.controlToken), opts.limits.orDefault())
	return nil
}

// stopAirflow stops serving the API, then the scheduler, whose tries in flight are cancelled.
func (s *Stack) stopAirflow(ctx context.Context) error {
	var err error
	if s.airflow != nil {
		err = shutdown(ctx, s.airflow, "scheduler API")
	}
	if s.scheduler != nil {
		s.scheduler.close()
	}
	s.airflow, s.scheduler = nil, nil
	return err
}
