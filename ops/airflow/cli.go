package airflow

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/mwaa"
)

// cli reaches an MWAA environment through its CLI endpoint: each REST call becomes one Airflow
// CLI command, whose JSON output is rewritten into the REST API v1's answer. MWAA runs one CLI
// command at a time, so calls wait their turn.
type cli struct {
	mwaaEnv
	client *http.Client
	// now stamps the run ids of triggered runs.
	now func() time.Time

	mu      sync.Mutex
	token   string
	host    string
	expires time.Time
}

func newCLI(ctx context.Context, s Settings) (*cli, error) {
	m, err := newMWAA(ctx, s)
	if err != nil {
		return nil, err
	}
	return &cli{mwaaEnv: m, client: s.HTTPClient, now: time.Now}, nil
}

func (t *cli) where() string { return "MWAA environment " + t.env + " (CLI)" }

func (t *cli) maxPath() int { return 0 }

func (t *cli) credentials(int) string {
	return "give your IAM identity the airflow:CreateCliToken permission on the environment"
}

func (t *cli) version(context.Context) (string, error) { return APIv1, nil }

// cliToken returns a CLI token and the web server's host; a token lasts 60 s.
func (t *cli) cliToken(ctx context.Context) (string, string, error) {
	if t.token != "" && time.Until(t.expires) > 10*time.Second {
		return t.token, t.host, nil
	}
	out, err := t.api.CreateCliToken(ctx, &mwaa.CreateCliTokenInput{Name: aws.String(t.env)})
	if err != nil {
		return "", "", t.refused("CreateCliToken", err)
	}
	t.token, t.host, t.expires = aws.ToString(out.CliToken), aws.ToString(out.WebServerHostname), time.Now().Add(60*time.Second)
	return t.token, t.host, nil
}

// run runs one CLI command; a reply with a status other than 200 is the endpoint's refusal.
func (t *cli) run(ctx context.Context, line string) (stdout string, refusal *reply, err error) {
	tok, host, err := t.cliToken(ctx)
	if err != nil {
		return "", nil, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", "https://"+host+"/aws_mwaa/cli", strings.NewReader(line))
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := t.client.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return "", nil, fmt.Errorf("read the answer of %q: %w", line, err)
	}
	if resp.StatusCode != http.StatusOK {
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			t.token = ""
		}
		r := reply{status: resp.StatusCode, body: data}
		r.retryAfter, r.hasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return "", &r, nil
	}
	var out struct {
		Stdout string `json:"stdout"`
		Stderr string `json:"stderr"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return "", nil, fmt.Errorf("the answer to %q is not MWAA's {stdout, stderr} (%v)", line, err)
	}
	so, err1 := base64.StdEncoding.DecodeString(out.Stdout)
	se, err2 := base64.StdEncoding.DecodeString(out.Stderr)
	if err1 != nil || err2 != nil {
		return "", nil, fmt.Errorf("the answer to %q has stdout or stderr that is not base64", line)
	}
	if status, msg := cliFailure(string(so), string(se)); status != 0 {
		body, _ := json.Marshal(map[string]string{"detail": msg})
		return "", &reply{status: status, body: body}, nil
	}
	return string(so), nil, nil
}

// cliFailure reads whether a CLI command failed, which MWAA answers with 200 all the same: a
// traceback or an error line on stderr, or a missing DAG on stdout. It returns the status the
// REST API would have answered and Airflow's message.
func cliFailure(stdout, stderr string) (int, string) {
	var msg string
	for _, l := range strings.Split(stderr+"\n"+stdout, "\n") {
		l = strings.TrimSpace(l)
		low := strings.ToLower(l)
		switch {
		case strings.Contains(low, "not found"), strings.Contains(low, "does not exist"), strings.Contains(low, "could not be found"):
			return http.StatusNotFound, l
		case strings.HasPrefix(l, "airflow.exceptions."), strings.Contains(low, "error:"), strings.HasSuffix(l, "Error") && !strings.Contains(l, " "):
			msg = l
		case strings.HasPrefix(l, "Traceback") && msg == "":
			msg = l
		}
	}
	if msg != "" {
		return http.StatusBadRequest, msg
	}
	return 0, ""
}

// quote quotes a word for the CLI endpoint's shell-like split, when it needs quoting.
func quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:+-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (t *cli) roundTrip(ctx context.Context, c call) (reply, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	parts := strings.Split(strings.TrimPrefix(c.path, "/"), "/")
	for i, p := range parts {
		if u, err := url.PathUnescape(p); err == nil {
			parts[i] = u
		}
	}
	switch {
	case c.method == "GET" && len(parts) == 1 && parts[0] == "dags":
		return t.dags(ctx, "")
	case c.method == "GET" && len(parts) == 2:
		return t.dags(ctx, parts[1])
	case c.method == "PATCH" && len(parts) == 2:
		verb := "unpause"
		if b, _ := c.body.(map[string]any); b["is_paused"] == true {
			verb = "pause"
		}
		if _, r, err := t.run(ctx, "dags "+verb+" "+quote(parts[1])); r != nil || err != nil {
			return deref(r), err
		}
		return t.dags(ctx, parts[1])
	case c.method == "POST" && len(parts) == 3 && parts[2] == "dagRuns":
		id := "manual__" + t.now().UTC().Format("2006-01-02T15:04:05.000000+00:00")
		conf := "{}"
		if b, _ := c.body.(map[string]any); b["conf"] != nil {
			data, err := json.Marshal(b["conf"])
			if err != nil {
				return reply{}, fmt.Errorf("conf is not JSON: %w", err)
			}
			conf = string(data)
		}
		if _, r, err := t.run(ctx, fmt.Sprintf("dags trigger %s -c %s -r %s", quote(parts[1]), quote(conf), quote(id))); r != nil || err != nil {
			return deref(r), err
		}
		return t.runs(ctx, parts[1], id, c)
	case c.method == "GET" && len(parts) == 3 && parts[2] == "dagRuns":
		return t.runs(ctx, parts[1], "", c)
	case c.method == "GET" && len(parts) == 4 && parts[2] == "dagRuns":
		return t.runs(ctx, parts[1], parts[3], c)
	case c.method == "GET" && len(parts) == 5 && parts[4] == "taskInstances":
		return t.tasks(ctx, parts[1], parts[3])
	case len(parts) == 8 && parts[6] == "logs":
		return reply{}, fmt.Errorf("the MWAA CLI gives no task logs: read them in CloudWatch Logs, log group airflow-%s-Task, or use InvokeRestApi (leave airflow.cli off) on Airflow 2.4.3 or later", t.env)
	}
	return reply{}, fmt.Errorf("%s %s has no Airflow CLI command", c.method, c.path)
}

func deref(r *reply) reply {
	if r == nil {
		return reply{}
	}
	return *r
}

// ok is a 200 reply with v as its JSON.
func ok(v any) (reply, error) {
	body, err := json.Marshal(v)
	return reply{status: http.StatusOK, body: body}, err
}

func notFoundReply(msg string) (reply, error) {
	body, _ := json.Marshal(map[string]string{"detail": msg})
	return reply{status: http.StatusNotFound, body: body}, nil
}

// cliBool reads the CLI's paused column, a JSON boolean or Python's True/False.
type cliBool bool

func (b *cliBool) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(data), `"`)
	*b = cliBool(strings.EqualFold(s, "true"))
	return nil
}

// dags lists the DAGs as GET /dags answers, or with id one DAG as GET /dags/{id} does.
func (t *cli) dags(ctx context.Context, id string) (reply, error) {
	out, r, err := t.run(ctx, "dags list -o json")
	if r != nil || err != nil {
		return deref(r), err
	}
	var list []struct {
		DAGID  string  `json:"dag_id"`
		Paused cliBool `json:"paused"`
	}
	if err := json.Unmarshal([]byte(jsonPart(out)), &list); err != nil {
		return reply{}, fmt.Errorf("dags list -o json printed no JSON list (%v)", err)
	}
	dags := make([]map[string]any, 0, len(list))
	for _, d := range list {
		dag := map[string]any{"dag_id": d.DAGID, "is_paused": bool(d.Paused)}
		if id == d.DAGID {
			return ok(dag)
		}
		dags = append(dags, dag)
	}
	if id != "" {
		return notFoundReply(fmt.Sprintf("DAG with dag_id: '%s' not found", id))
	}
	return ok(map[string]any{"dags": dags, "total_entries": len(dags)})
}

// cliTime reads the CLI's times: ISO 8601, or "" for none.
func cliTime(s string) any {
	if s == "" || s == "None" {
		return nil
	}
	return s
}

// cliRun is one run as dags list-runs -o json prints it.
type cliRun struct {
	RunID         string `json:"run_id"`
	State         string `json:"state"`
	ExecutionDate string `json:"execution_date"`
	StartDate     string `json:"start_date"`
	EndDate       string `json:"end_date"`
}

// runs lists a DAG's runs as GET /dags/{id}/dagRuns answers (newest first, paged by the
// call's limit and offset), or with run one run as GET …/dagRuns/{run} does.
func (t *cli) runs(ctx context.Context, dag, run string, c call) (reply, error) {
	out, r, err := t.run(ctx, "dags list-runs -d "+quote(dag)+" -o json")
	if r != nil || err != nil {
		return deref(r), err
	}
	var list []cliRun
	if err := json.Unmarshal([]byte(jsonPart(out)), &list); err != nil {
		return reply{}, fmt.Errorf("dags list-runs -o json printed no JSON list (%v)", err)
	}
	slices.SortStableFunc(list, func(a, b cliRun) int {
		return strings.Compare(b.ExecutionDate, a.ExecutionDate)
	})
	runs := make([]map[string]any, 0, len(list))
	for _, l := range list {
		typ, _, _ := strings.Cut(l.RunID, "__")
		v := map[string]any{"dag_id": dag, "dag_run_id": l.RunID, "state": l.State, "run_type": typ,
			"logical_date": cliTime(l.ExecutionDate), "execution_date": cliTime(l.ExecutionDate),
			"start_date": cliTime(l.StartDate), "end_date": cliTime(l.EndDate), "conf": map[string]any{}}
		if run == l.RunID {
			return ok(v)
		}
		runs = append(runs, v)
	}
	if run != "" {
		return notFoundReply(fmt.Sprintf("DAGRun with DAG ID: '%s' and DagRun ID: '%s' not found", dag, run))
	}
	offset, _ := strconv.Atoi(c.query.Get("offset"))
	limit, err := strconv.Atoi(c.query.Get("limit"))
	if err != nil {
		limit = 100
	}
	page := runs[min(offset, len(runs)):min(offset+limit, len(runs))]
	return ok(map[string]any{"dag_runs": page, "total_entries": len(runs)})
}

// tasks lists a run's task instances as GET …/taskInstances answers.
func (t *cli) tasks(ctx context.Context, dag, run string) (reply, error) {
	out, r, err := t.run(ctx, "tasks states-for-dag-run "+quote(dag)+" "+quote(run)+" -o json")
	if r != nil || err != nil {
		return deref(r), err
	}
	var list []struct {
		TaskID    string `json:"task_id"`
		State     string `json:"state"`
		StartDate string `json:"start_date"`
		EndDate   string `json:"end_date"`
	}
	if err := json.Unmarshal([]byte(jsonPart(out)), &list); err != nil {
		return reply{}, fmt.Errorf("tasks states-for-dag-run -o json printed no JSON list (%v)", err)
	}
	tis := make([]map[string]any, 0, len(list))
	for _, l := range list {
		var state any = l.State
		if l.State == "" || l.State == "None" {
			state = nil
		}
		tis = append(tis, map[string]any{"task_id": l.TaskID, "dag_id": dag, "dag_run_id": run, "state": state,
			"start_date": cliTime(l.StartDate), "end_date": cliTime(l.EndDate)})
	}
	return ok(map[string]any{"task_instances": tis, "total_entries": len(tis)})
}

// jsonPart is the JSON a CLI command printed, without the lines a plugin or a warning printed
// before it.
func jsonPart(out string) string {
	if i := strings.IndexByte(out, '['); i >= 0 {
		return string(bytes.TrimSpace([]byte(out[i:])))
	}
	return out
}
