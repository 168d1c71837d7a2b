package local

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/dag"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters map[chan time.Time]time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, waiters: map[chan time.Time]time.Time{}}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) At(t time.Time) (<-chan time.Time, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if !t.After(c.now) {
		ch <- c.now
		return ch, func() {}
	}
	c.waiters[ch] = t
	return ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.waiters, ch)
	}
}

// set moves the clock to now and fires every timer that has come due.
func (c *fakeClock) set(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
	for ch, at := range c.waiters {
		if !at.After(now) {
			ch <- now
			delete(c.waiters, ch)
		}
	}
}

func (c *fakeClock) advance(d time.Duration) { c.set(c.Now().Add(d)) }

// waitsFor reports whether the scheduler waits for the clock to reach t.
func (c *fakeClock) waitsFor(t time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, at := range c.waiters {
		if at.Equal(t) {
			return true
		}
	}
	return false
}

// submission is one notebook run the fake runner was given.
type submission struct {
	task dag.NotebookTask
	at   time.Time
	id   int64
}

// fakeRunner is a Jobs API that ends every run at once: in failure for the tasks in fails,
// never (until ctx ends) for those in holds.
type fakeRunner struct {
	clock *fakeClock
	fails map[string]bool
	holds map[string]bool

	mu    sync.Mutex
	subs  []submission
	tasks map[int64]string
}

func newFakeRunner(clock *fakeClock) *fakeRunner {
	return &fakeRunner{clock: clock, fails: map[string]bool{}, holds: map[string]bool{}, tasks: map[int64]string{}}
}

func (f *fakeRunner) Submit(_ context.Context, t dag.NotebookTask) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := int64(100 + len(f.subs))
	f.subs = append(f.subs, submission{task: t, at: f.clock.Now(), id: id})
	f.tasks[id] = t.TaskKey
	return id, nil
}

func (f *fakeRunner) Wait(ctx context.Context, id int64) (dag.RunOutcome, error) {
	f.mu.Lock()
	task := f.tasks[id]
	f.mu.Unlock()
	out := dag.RunOutcome{RunID: id, LifeCycleState: "TERMINATED", ResultState: "SUCCESS", RunPageURL: fmt.Sprintf("http://workspace/#job/1/run/%d", id)}
	switch {
	case f.holds[task]:
		<-ctx.Done()
		return dag.RunOutcome{}, ctx.Err()
	case f.fails[task]:
		out.ResultState, out.StateMessage = "FAILED", "Task "+task+" failed with message: step failed"
	}
	return out, nil
}

// submitted returns what the runner was given, in order.
func (f *fakeRunner) submitted() []submission {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.subs)
}

func (f *fakeRunner) submittedTasks() []string {
	var ids []string
	for _, s := range f.submitted() {
		ids = append(ids, s.task.TaskKey)
	}
	return ids
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// at parses an RFC 3339 time.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// testDir is a fresh data dir under the home folder, where files are quick to create.
func testDir(t *testing.T) string {
	t.Helper()
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(home, "pintui-airflow-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func startTestScheduler(t *testing.T, dir string, settings dag.Settings, clock *fakeClock, runner dag.TaskRunner) *scheduler {
	t.Helper()
	s, err := startScheduler(schedulerConfig{
		dir: dir, uid: uid, settings: settings, notebook: dag.NotebookPath(dag.DefaultNotebookDir, uid, dag.BatchNotebook),
		clusterID: "0101-cluster", runner: runner, clock: clock,
	})
	if err != nil {
		t.Fatalf("start the scheduler: %v", err)
	}
	t.Cleanup(s.close)
	return s
}

// runs returns a copy of the scheduler's runs.
func (s *scheduler) snapshot() []*runRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	var runs []*runRecord
	for _, r := range s.runs {
		runs = append(runs, r.clone())
	}
	return runs
}

// ended reports whether the scheduler has n runs, all of them ended.
func (s *scheduler) ended(n int) func() bool {
	return func() bool {
		runs := s.snapshot()
		if len(runs) != n {
			return false
		}
		for _, r := range runs {
			if r.State != stateSuccess && r.State != stateFailed {
				return false
			}
		}
		return true
	}
}

func taskStates(r *runRecord) map[string]string {
	states := map[string]string{}
	for _, ti := range r.Tasks {
		states[ti.TaskID] = ti.State
	}
	return states
}

func runIDs(runs []*runRecord) []string {
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.RunID)
	}
	return ids
}

func daily() dag.Settings {
	return dag.Settings{Schedule: "@daily", Retries: 1, RetryDelay: 2 * time.Minute}
}

func TestSchedulerRunsTheDAGOnItsSchedule(t *testing.T) {
	clock := newFakeClock(at(t, "2026-01-10T10:00:00Z"))
	runner := newFakeRunner(clock)
	s := startTestScheduler(t, testDir(t), daily(), clock, runner)

	// The first interval starts at the first tick after the start date and runs when it ends.
	waitFor(t, "the scheduler to wait for the first interval's end", func() bool { return clock.waitsFor(at(t, "2026-01-12T00:00:00Z")) })
	if runs := s.snapshot(); len(runs) != 0 {
		t.Fatalf("a fresh scheduler started runs %v at once", runIDs(runs))
	}
	clock.set(at(t, "2026-01-12T00:00:00Z"))
	waitFor(t, "the scheduled run to end", s.ended(1))
	r := s.snapshot()[0]
	if r.RunID != "scheduled__2026-01-11T00:00:00+00:00" || r.State != stateSuccess || r.RunType != runScheduled {
		t.Fatalf("run %s %s %s, want scheduled__2026-01-11T00:00:00+00:00 scheduled success", r.RunID, r.RunType, r.State)
	}
	if !r.DataIntervalStart.Equal(at(t, "2026-01-11T00:00:00Z")) || !r.DataIntervalEnd.Equal(at(t, "2026-01-12T00:00:00Z")) {
		t.Errorf("data interval [%s, %s), want [2026-01-11, 2026-01-12)", r.DataIntervalStart, r.DataIntervalEnd)
	}
	subs := runner.submittedTasks()
	if len(subs) != 5 || subs[0] != dag.TaskLoadLandings || subs[4] != dag.TaskAnalytics {
		t.Fatalf("submitted %v, want load_landings, the three clean tasks, analytics", subs)
	}
	if cleans := slices.Sorted(slices.Values(subs[1:4])); !slices.Equal(cleans, []string{dag.TaskCleanGeo, dag.TaskCleanPin, dag.TaskCleanUser}) {
		t.Errorf("the middle tasks are %v, want the three clean tasks", cleans)
	}
	want := dag.NotebookTask{
		RunName: "0a1b2c3d4e5f_dag.load_landings", TaskKey: "load_landings", NotebookPath: "/Shared/pintui/0a1b2c3d4e5f_batch",
		Parameters: map[string]string{"step": "load_landings"}, ClusterID: "0101-cluster",
	}
	if got := runner.submitted()[0].task; !reflect.DeepEqual(got, want) {
		t.Errorf("submitted %+v, want %+v", got, want)
	}
	waitFor(t, "the scheduler to wait for the next tick", func() bool { return clock.waitsFor(at(t, "2026-01-13T00:00:00Z")) })
	clock.set(at(t, "2026-01-13T00:00:00Z"))
	waitFor(t, "the second scheduled run to end", s.ended(2))
	if got := runIDs(s.snapshot()); got[1] != "scheduled__2026-01-12T00:00:00+00:00" {
		t.Errorf("runs %v, want the second scheduled__2026-01-12T00:00:00+00:00", got)
	}
}

// downtime runs a scheduler to its first scheduled run, stops it for three and a half days and
// starts it again, returning the run ids once the restarted one is idle.
func downtime(t *testing.T, catchup bool) []string {
	dir := testDir(t)
	clock := newFakeClock(at(t, "2026-01-10T10:00:00Z"))
	settings := daily()
	settings.Catchup = catchup
	s := startTestScheduler(t, dir, settings, clock, newFakeRunner(clock))
	waitFor(t, "the scheduler to wait for the first interval's end", func() bool { return clock.waitsFor(at(t, "2026-01-12T00:00:00Z")) })
	clock.set(at(t, "2026-01-12T00:00:00Z"))
	waitFor(t, "the first run to end", s.ended(1))
	s.close()

	clock.set(at(t, "2026-01-15T12:00:00Z"))
	s = startTestScheduler(t, dir, settings, clock, newFakeRunner(clock))
	waitFor(t, "the missed runs to end", func() bool {
		return clock.waitsFor(at(t, "2026-01-16T00:00:00Z")) && s.ended(len(s.snapshot()))()
	})
	runs := s.snapshot()
	for _, r := range runs {
		if r.State != stateSuccess {
			t.Errorf("run %s is %s, want success", r.RunID, r.State)
		}
	}
	return runIDs(runs)
}

func TestSchedulerWithoutCatchupRunsOnlyTheLatestMissedInterval(t *testing.T) {
	got := downtime(t, false)
	want := []string{"scheduled__2026-01-11T00:00:00+00:00", "scheduled__2026-01-14T00:00:00+00:00"}
	if !slices.Equal(got, want) {
		t.Errorf("runs %v, want %v", got, want)
	}
}

func TestSchedulerWithCatchupRunsEveryMissedInterval(t *testing.T) {
	got := downtime(t, true)
	want := []string{
		"scheduled__2026-01-11T00:00:00+00:00", "scheduled__2026-01-12T00:00:00+00:00",
		"scheduled__2026-01-13T00:00:00+00:00", "scheduled__2026-01-14T00:00:00+00:00",
	}
	if !slices.Equal(got, want) {
		t.Errorf("runs %v, want %v", got, want)
	}
}

func TestSchedulerRetriesAFailingTaskThenFailsTheRun(t *testing.T) {
	start := at(t, "2026-01-10T10:00:00Z")
	clock := newFakeClock(start)
	runner := newFakeRunner(clock)
	runner.fails[dag.TaskCleanPin] = true
	settings := dag.Settings{Schedule: "@daily", Retries: 2, RetryDelay: 3 * time.Minute}
	s := startTestScheduler(t, testDir(t), settings, clock, runner)
	if _, err := s.trigger(triggerRequest{}); err != nil {
		t.Fatal(err)
	}
	for retry := 1; retry <= settings.Retries; retry++ {
		due := start.Add(time.Duration(retry) * settings.RetryDelay)
		waitFor(t, fmt.Sprintf("retry %d to be due at %s", retry, due), func() bool { return clock.waitsFor(due) })
		clock.set(due)
	}
	waitFor(t, "the run to end", s.ended(1))

	var tries []time.Time
	var firstRun int64
	for _, sub := range runner.submitted() {
		if sub.task.TaskKey == dag.TaskCleanPin {
			tries = append(tries, sub.at)
			firstRun = cmp.Or(firstRun, sub.id)
		}
	}
	wantTries := []time.Time{start, start.Add(3 * time.Minute), start.Add(6 * time.Minute)}
	if !slices.EqualFunc(tries, wantTries, time.Time.Equal) {
		t.Errorf("clean_pin was tried at %v, want %v", tries, wantTries)
	}
	r := s.snapshot()[0]
	wantStates := map[string]string{
		dag.TaskLoadLandings: stateSuccess, dag.TaskCleanPin: stateFailed, dag.TaskCleanGeo: stateSuccess,
		dag.TaskCleanUser: stateSuccess, dag.TaskAnalytics: stateUpstreamFailed,
	}
	if r.State != stateFailed || !reflect.DeepEqual(taskStates(r), wantStates) {
		t.Errorf("run %s with tasks %v, want failed with %v", r.State, taskStates(r), wantStates)
	}
	pin := r.task(dag.TaskCleanPin)
	if pin.TryNumber != 3 || len(pin.Tries) != 3 {
		t.Errorf("clean_pin has try number %d and %d logs, want 3 and 3", pin.TryNumber, len(pin.Tries))
	}
	first := pin.Tries[0].Log
	for _, line := range []string{
		fmt.Sprintf("{databricks.py} INFO - Run submitted with run_id: %d", firstRun),
		fmt.Sprintf("{databricks.py} INFO - View run status, Spark UI, and logs at http://workspace/#job/1/run/%d", firstRun),
		"{databricks.py} INFO - clean_pin in run state: {life_cycle_state: TERMINATED, result_state: FAILED, state_message: \"Task clean_pin failed with message: step failed\"}",
		"{taskinstance.py} ERROR - Task failed with exception: job run failed with terminal state: TERMINATED FAILED and with the error Task clean_pin failed with message: step failed",
		"{taskinstance.py} INFO - Marking task as UP_FOR_RETRY, to be tried again at 2026-01-10T10:03:00+00:00.",
	} {
		if !strings.Contains(first, line) {
			t.Errorf("the first try's log lacks %q:\n%s", line, first)
		}
	}
	if last := pin.Tries[2].Log; !strings.Contains(last, "Marking task as FAILED.") {
		t.Errorf("the last try's log does not say the task failed:\n%s", last)
	}
}

func TestSchedulerRetriesATryTheOwnerStoppedDuring(t *testing.T) {
	dir := testDir(t)
	clock := newFakeClock(at(t, "2026-01-10T10:00:00Z"))
	runner := newFakeRunner(clock)
	runner.holds[dag.TaskLoadLandings] = true
	s := startTestScheduler(t, dir, daily(), clock, runner)
	if _, err := s.trigger(triggerRequest{runID: "by_hand"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "load_landings to be submitted", func() bool { return len(runner.submitted()) == 1 })
	s.close()

	s = startTestScheduler(t, dir, daily(), clock, newFakeRunner(clock))
	r := s.snapshot()[0]
	ti := r.task(dag.TaskLoadLandings)
	if r.RunID != "by_hand" || ti.State != stateUpForRetry || ti.TryNumber != 1 {
		t.Fatalf("after the restart %s's load_landings is %s at try %d, want up_for_retry at try 1", r.RunID, ti.State, ti.TryNumber)
	}
	if !strings.Contains(ti.Tries[0].Log, "ERROR - Task failed with exception: the scheduler stopped while it ran") {
		t.Errorf("the interrupted try's log does not say why it failed:\n%s", ti.Tries[0].Log)
	}
	clock.advance(2 * time.Minute)
	waitFor(t, "the retried run to end", s.ended(1))
	if r := s.snapshot()[0]; r.State != stateSuccess || r.task(dag.TaskLoadLandings).TryNumber != 2 {
		t.Errorf("run %s, load_landings at try %d, want success at try 2", r.State, r.task(dag.TaskLoadLandings).TryNumber)
	}
}

func TestSchedulerKeepsPauseAndQueuedRunsAcrossARestart(t *testing.T) {
	dir := testDir(t)
	clock := newFakeClock(at(t, "2026-01-10T10:00:00Z"))
	runner := newFakeRunner(clock)
	s := startTestScheduler(t, dir, daily(), clock, runner)
	if err := s.setPaused(true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.trigger(triggerRequest{conf: map[string]any{"reason": "test"}}); err != nil {
		t.Fatal(err)
	}
	s.close()
	if subs := runner.submitted(); len(subs) != 0 {
		t.Fatalf("a paused DAG submitted %v", subs)
	}

	s = startTestScheduler(t, dir, daily(), clock, runner)
	if !s.dag.IsPaused {
		t.Fatal("the DAG is unpaused after a restart, want paused")
	}
	runs := s.snapshot()
	if len(runs) != 1 || runs[0].State != stateQueued || runs[0].Conf["reason"] != "test" {
		t.Fatalf("after a restart the runs are %v, want one queued with its conf", runs)
	}
	if err := s.setPaused(false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the queued run to end", s.ended(1))
}

func TestSchedulerSetsAsideAFileItCannotRead(t *testing.T) {
	dir := testDir(t)
	runs := filepath.Join(dir, "airflow", "runs")
	if err := os.MkdirAll(runs, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"broken.json": "{not json", "empty.json": "{}"} {
		if err := os.WriteFile(filepath.Join(runs, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "airflow", "dag.json"), []byte("\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock(at(t, "2026-01-10T10:00:00Z"))
	s := startTestScheduler(t, dir, daily(), clock, newFakeRunner(clock))
	if len(s.snapshot()) != 0 || s.dag.StartDate.IsZero() {
		t.Errorf("the scheduler read runs %v and start date %s from files it cannot use", s.snapshot(), s.dag.StartDate)
	}
	for _, name := range []string{filepath.Join(runs, "broken.json.bad"), filepath.Join(runs, "empty.json.bad"), filepath.Join(dir, "airflow", "dag.json.bad")} {
		if _, err := os.Stat(name); err != nil {
			t.Errorf("the unreadable file was not set aside: %v", err)
		}
	}
}

func TestSchedulerRefusesAnInvalidSchedule(t *testing.T) {
	clock := newFakeClock(at(t, "2026-01-10T10:00:00Z"))
	_, err := startScheduler(schedulerConfig{dir: testDir(t), uid: uid, settings: dag.Settings{Schedule: "every day"}, runner: newFakeRunner(clock), clock: clock})
	want := `start the scheduler: dag.schedule "every day" is not valid: expected exactly 5 fields, found 2: [every day]: use a cron expression of 5 fields (minute hour day month weekday) or @hourly, @daily, @weekly, @monthly, @quarterly, @yearly`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}
