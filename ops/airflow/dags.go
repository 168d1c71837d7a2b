package airflow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DAG is one DAG as Airflow describes it.
type DAG struct {
	ID     string
	Paused bool
	// Schedule is the DAG's schedule as Airflow reports it, e.g. @daily or 0 0 * * *.
	Schedule string
	// NextRun is when the scheduler next starts a run; nil when Airflow does not say.
	NextRun *time.Time
}

// Run is one DAG run.
type Run struct {
	DAG, ID string
	// State is queued, running, success or failed.
	State string
	// Type is manual, scheduled, backfill, dataset_triggered or asset_triggered.
	Type                    string
	LogicalDate, Start, End *time.Time
	Conf                    map[string]any
}

// Runs is one page of a DAG's runs, newest first.
type Runs struct {
	Runs []Run
	// Total is how many runs the DAG has.
	Total int
}

// TaskInstance is one task of one DAG run.
type TaskInstance struct {
	Task string
	// State is Airflow's task state, "" for its null.
	State string
	// TryNumber is the current try, MaxTries the tries allowed after the first.
	TryNumber, MaxTries int
	Start, End          *time.Time
	Operator            string
}

type dagJSON struct {
	DAGID    string `json:"dag_id"`
	IsPaused bool   `json:"is_paused"`
	// ScheduleInterval is v1's: {"__type": "CronExpression", "value": "0 0 * * *"} or a TimeDelta.
	ScheduleInterval *struct {
		Type    string `json:"__type"`
		Value   string `json:"value"`
		Days    int    `json:"days"`
		Seconds int    `json:"seconds"`
	} `json:"schedule_interval"`
	TimetableSummary     string     `json:"timetable_summary"`
	TimetableDescription string     `json:"timetable_description"`
	NextDagrun           *time.Time `json:"next_dagrun"`
	NextDagrunCreateAt   *time.Time `json:"next_dagrun_create_after"`
	NextDagrunRunAfter   *time.Time `json:"next_dagrun_run_after"`
	NextDagrunLogical    *time.Time `json:"next_dagrun_logical_date"`
}

func (d dagJSON) dag() DAG {
	out := DAG{ID: d.DAGID, Paused: d.IsPaused, Schedule: d.TimetableSummary}
	if s := d.ScheduleInterval; s != nil && out.Schedule == "" {
		out.Schedule = s.Value
		if s.Type == "TimeDelta" {
			out.Schedule = (time.Duration(s.Days)*24*time.Hour + time.Duration(s.Seconds)*time.Second).String()
		}
	}
	if out.Schedule == "" {
		out.Schedule = d.TimetableDescription
	}
	for _, t := range []*time.Time{d.NextDagrunRunAfter, d.NextDagrunCreateAt, d.NextDagrun, d.NextDagrunLogical} {
		if t != nil {
			out.NextRun = utc(t)
			break
		}
	}
	return out
}

type runJSON struct {
	DAGID         string         `json:"dag_id"`
	RunID         string         `json:"dag_run_id"`
	State         string         `json:"state"`
	RunType       string         `json:"run_type"`
	LogicalDate   *time.Time     `json:"logical_date"`
	ExecutionDate *time.Time     `json:"execution_date"`
	StartDate     *time.Time     `json:"start_date"`
	EndDate       *time.Time     `json:"end_date"`
	Conf          map[string]any `json:"conf"`
}

func (r runJSON) run() Run {
	logical := r.LogicalDate
	if logical == nil {
		logical = r.ExecutionDate
	}
	conf := r.Conf
	if conf == nil {
		conf = map[string]any{}
	}
	return Run{DAG: r.DAGID, ID: r.RunID, State: r.State, Type: r.RunType, LogicalDate: utc(logical), Start: utc(r.StartDate), End: utc(r.EndDate), Conf: conf}
}

type taskJSON struct {
	TaskID    string     `json:"task_id"`
	State     *string    `json:"state"`
	TryNumber int        `json:"try_number"`
	MaxTries  int        `json:"max_tries"`
	StartDate *time.Time `json:"start_date"`
	EndDate   *time.Time `json:"end_date"`
	Operator  string     `json:"operator"`
}

func (t taskJSON) task() TaskInstance {
	ti := TaskInstance{Task: t.TaskID, TryNumber: t.TryNumber, MaxTries: t.MaxTries, Start: utc(t.StartDate), End: utc(t.EndDate), Operator: t.Operator}
	if t.State != nil {
		ti.State = *t.State
	}
	return ti
}

// utc gives a time Airflow sent in UTC, whatever offset it was written with.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func dagPath(dag string) string { return "/dags/" + url.PathEscape(dag) }

func runPath(dag, run string) string { return dagPath(dag) + "/dagRuns/" + url.PathEscape(run) }

func unknownDAG(dag string) string {
	return fmt.Sprintf("unknown DAG %s: deploy it with pintui deploy, then wait for Airflow to parse it (a minute or two)", dag)
}

func unknownRun(dag, run string) string {
	return fmt.Sprintf("DAG %s has no run %s, or the DAG is unknown: list its runs with pintui dag runs %s", dag, run, dag)
}

// DAGs lists every DAG Airflow has parsed.
func (c *Client) DAGs(ctx context.Context) ([]DAG, error) {
	out := []DAG{}
	for offset := 0; ; {
		var page struct {
			DAGs  []dagJSON `json:"dags"`
			Total int       `json:"total_entries"`
		}
		q := url.Values{"limit": {"100"}, "offset": {strconv.Itoa(offset)}}
		if err := c.do(ctx, "GET", "/dags", q, nil, &page, ""); err != nil {
			return nil, err
		}
		for _, d := range page.DAGs {
			out = append(out, d.dag())
		}
		offset += len(page.DAGs)
		if len(page.DAGs) == 0 || offset >= page.Total {
			return out, nil
		}
	}
}

// DAG returns one DAG.
func (c *Client) DAG(ctx context.Context, dag string) (DAG, error) {
	var d dagJSON
	if err := c.do(ctx, "GET", dagPath(dag), nil, nil, &d, unknownDAG(dag)); err != nil {
		return DAG{}, err
	}
	return d.dag(), nil
}

// SetPaused pauses or unpauses a DAG and returns it as Airflow then describes it.
func (c *Client) SetPaused(ctx context.Context, dag string, paused bool) (DAG, error) {
	var d dagJSON
	q := url.Values{"update_mask": {"is_paused"}}
	if err := c.do(ctx, "PATCH", dagPath(dag), q, map[string]any{"is_paused": paused}, &d, unknownDAG(dag)); err != nil {
		return DAG{}, err
	}
	return d.dag(), nil
}

// Trigger starts a manual run of a DAG with conf, now.
func (c *Client) Trigger(ctx context.Context, dag string, conf map[string]any) (Run, error) {
	api, err := c.API(ctx)
	if err != nil {
		return Run{}, err
	}
	if conf == nil {
		conf = map[string]any{}
	}
	body := map[string]any{"conf": conf}
	if api == APIv2 {
		// v2 requires the key; null means a run not tied to a data interval, started now.
		body["logical_date"] = nil
	}
	var r runJSON
	if err := c.do(ctx, "POST", dagPath(dag)+"/dagRuns", nil, body, &r, unknownDAG(dag)); err != nil {
		return Run{}, err
	}
	return r.run(), nil
}

// Runs returns one page of a DAG's runs, newest first: at most limit from offset.
func (c *Client) Runs(ctx context.Context, dag string, limit, offset int) (Runs, error) {
	api, err := c.API(ctx)
	if err != nil {
		return Runs{}, err
	}
	order := "-execution_date"
	if api == APIv2 {
		order = "-run_after"
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}, "order_by": {order}}
	var page struct {
		Runs  []runJSON `json:"dag_runs"`
		Total int       `json:"total_entries"`
	}
	if err := c.do(ctx, "GET", dagPath(dag)+"/dagRuns", q, nil, &page, unknownDAG(dag)); err != nil {
		return Runs{}, err
	}
	out := Runs{Runs: make([]Run, 0, len(page.Runs)), Total: page.Total}
	for _, r := range page.Runs {
		out.Runs = append(out.Runs, r.run())
	}
	return out, nil
}

// Run returns one run of a DAG.
func (c *Client) Run(ctx context.Context, dag, run string) (Run, error) {
	if max := c.tr.maxPath(); max > 0 && len(runPath(dag, run)) > max {
		return c.findRun(ctx, dag, run)
	}
	var r runJSON
	if err := c.do(ctx, "GET", runPath(dag, run), nil, nil, &r, unknownRun(dag, run)); err != nil {
		return Run{}, err
	}
	return r.run(), nil
}

// findRun looks for a run in the DAG's list of runs, for a transport that cannot carry the
// run's own path.
func (c *Client) findRun(ctx context.Context, dag, run string) (Run, error) {
	const page, pages = 100, 20
	for offset := 0; offset < page*pages; offset += page {
		runs, err := c.Runs(ctx, dag, page, offset)
		if err != nil {
			return Run{}, err
		}
		for _, r := range runs.Runs {
			if r.ID == run {
				return r, nil
			}
		}
		if len(runs.Runs) < page {
			break
		}
	}
	return Run{}, &Error{Status: 404, text: fmt.Sprintf("%s (not among its newest %d runs on %s)", unknownRun(dag, run), page*pages, c.tr.where())}
}

// TaskInstances returns the task instances of one run.
func (c *Client) TaskInstances(ctx context.Context, dag, run string) ([]TaskInstance, error) {
	var page struct {
		Tasks []taskJSON `json:"task_instances"`
	}
	path := runPath(dag, run) + "/taskInstances"
	var err error
	if max := c.tr.maxPath(); max > 0 && len(path) > max {
		body := map[string]any{"dag_ids": []string{dag}, "dag_run_ids": []string{run}}
		err = c.do(ctx, "POST", "/dags/~/dagRuns/~/taskInstances/list", nil, body, &page, unknownRun(dag, run))
	} else {
		err = c.do(ctx, "GET", path, url.Values{"limit": {"100"}}, nil, &page, unknownRun(dag, run))
	}
	if err != nil {
		return nil, err
	}
	out := make([]TaskInstance, 0, len(page.Tasks))
	for _, t := range page.Tasks {
		out = append(out, t.task())
	}
	return out, nil
}

// Log returns the log of one try (from 1) of one task instance.
func (c *Client) Log(ctx context.Context, dag, run, task string, try int) (string, error) {
	path := fmt.Sprintf("%s/taskInstances/%s/logs/%d", runPath(dag, run), url.PathEscape(task), try)
	var out struct {
		Content json.RawMessage `json:"content"`
	}
	notFound := fmt.Sprintf("no log of try %d of task %s in run %s of DAG %s: check the task and try with pintui dag run %s", try, task, run, dag, run)
	if err := c.do(ctx, "GET", path, url.Values{"full_content": {"true"}}, nil, &out, notFound); err != nil {
		return "", err
	}
	return logText(out.Content), nil
}

// logText reads a log's content: v1's text, or v2's list of lines, each text or a structured
// message with an event.
func logText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var lines []json.RawMessage
	if json.Unmarshal(raw, &lines) != nil {
		return string(raw)
	}
	var b strings.Builder
	for _, l := range lines {
		var text string
		var msg struct {
			Timestamp string `json:"timestamp"`
			Level     string `json:"level"`
			Event     string `json:"event"`
		}
		switch {
		case json.Unmarshal(l, &text) == nil:
		case json.Unmarshal(l, &msg) == nil:
			text = strings.Join(slices.DeleteFunc([]string{msg.Timestamp, msg.Level, msg.Event}, func(s string) bool { return s == "" }), " ")
		default:
			text = string(l)
		}
		b.WriteString(text)
		b.WriteByte('\n')
	}
	return b.String()
}
