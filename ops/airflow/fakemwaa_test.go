package airflow

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeMWAA answers as the MWAA control plane (REST-JSON, host prefix env.) and an environment's
// web server do: POST /restapi/{Name} (InvokeRestApi) passes the call to the environment's
// Airflow and wraps its answer, an error status in RestApiClientException or
// RestApiServerException; POST /clitoken/{Name} (CreateCliToken) gives a 60-second token for
// POST /aws_mwaa/cli on the web server, which runs one CLI command at a time and answers 200
// with base64 stdout and stderr, even when the command failed.
type fakeMWAA struct {
	t   *testing.T
	env string
	af  *fakeAirflow
	// fail, when set, is the error code every control-plane call answers with.
	fail    string
	tokens  atomic.Int32
	running atomic.Int32
	lines   []string
	// cliStderr is printed on stderr by every CLI command, as MWAA's warnings are.
	cliStderr string
}

const webHost = "web.example.com"

func (m *fakeMWAA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Host == webHost && r.URL.Path == "/aws_mwaa/cli":
		m.cli(w, r)
	case !strings.HasPrefix(r.Host, "env."):
		m.t.Errorf("%s %s reached host %s, not the env. prefix MWAA's API has", r.Method, r.URL.Path, r.Host)
		http.Error(w, "wrong host", 400)
	case !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDTEST/"):
		m.awsError(w, 403, "MissingAuthenticationTokenException", "Missing Authentication Token", nil)
	case m.fail != "":
		status := map[string]int{"AccessDeniedException": 403, "ExpiredTokenException": 403, "ValidationException": 400}[m.fail]
		m.awsError(w, status, m.fail, "fake "+m.fail, nil)
	case r.URL.Path == "/restapi/"+m.env && r.Method == "POST":
		m.invoke(w, r)
	case r.URL.Path == "/clitoken/"+m.env && r.Method == "POST":
		n := m.tokens.Add(1)
		writeJSON(w, 200, map[string]any{"CliToken": fmt.Sprintf("cli-token-%d", n), "WebServerHostname": webHost})
	case strings.HasPrefix(r.URL.Path, "/restapi/"), strings.HasPrefix(r.URL.Path, "/clitoken/"):
		m.awsError(w, 404, "ResourceNotFoundException", "Environment "+strings.Split(r.URL.Path, "/")[2]+" not found", nil)
	default:
		http.NotFound(w, r)
	}
}

func (m *fakeMWAA) awsError(w http.ResponseWriter, status int, code, msg string, extra map[string]any) {
	w.Header().Set("X-Amzn-ErrorType", code)
	body := map[string]any{"message": msg}
	for k, v := range extra {
		body[k] = v
	}
	writeJSON(w, status, body)
}

func (m *fakeMWAA) invoke(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Method          string
		Path            string
		QueryParameters map[string]any
		Body            json.RawMessage
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		m.awsError(w, 400, "ValidationException", err.Error(), nil)
		return
	}
	if len(in.Path) > 64 || !slices.Contains([]string{"GET", "PUT", "POST", "PATCH", "DELETE"}, in.Method) {
		m.awsError(w, 400, "ValidationException", "1 validation error detected: Value at 'path' failed to satisfy constraint: Member must have length less than or equal to 64", nil)
		return
	}
	q := url.Values{}
	for k, v := range in.QueryParameters {
		q.Set(k, fmt.Sprint(v))
	}
	req := httptest.NewRequest(in.Method, "/api/"+m.af.api+in.Path+"?"+q.Encode(), bytes.NewReader(in.Body))
	rec := httptest.NewRecorder()
	m.af.serve(rec, req, true)
	var doc any
	json.Unmarshal(rec.Body.Bytes(), &doc)
	switch status := rec.Code; {
	case status < 400:
		writeJSON(w, 200, map[string]any{"RestApiStatusCode": status, "RestApiResponse": doc})
	case status < 500:
		m.awsError(w, 400, "RestApiClientException", "An error occurred when invoking the Apache Airflow REST API.", map[string]any{"RestApiStatusCode": status, "RestApiResponse": doc})
	default:
		m.awsError(w, 400, "RestApiServerException", "The Apache Airflow REST API returned a server error.", map[string]any{"RestApiStatusCode": status, "RestApiResponse": doc})
	}
}

// split splits a CLI line as the endpoint's shell-like parser does.
func split(line string) []string {
	var words []string
	var cur strings.Builder
	in, quoted, escaped := false, false, false
	for _, c := range line {
		switch {
		case escaped:
			cur.WriteRune(c)
			escaped = false
		case c == '\\' && !in:
			escaped = true
		case c == '\'':
			in, quoted = !in, true
		case c == ' ' && !in:
			if cur.Len() > 0 || quoted {
				words = append(words, cur.String())
			}
			cur.Reset()
			quoted = false
		default:
			cur.WriteRune(c)
		}
	}
	if cur.Len() > 0 || quoted {
		words = append(words, cur.String())
	}
	return words
}

func (m *fakeMWAA) cli(w http.ResponseWriter, r *http.Request) {
	if n := m.running.Add(1); n > 1 {
		m.t.Errorf("%d CLI commands at once; MWAA runs one at a time", n)
	}
	defer m.running.Add(-1)
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !strings.HasPrefix(tok, "cli-token-") || r.Header.Get("Content-Type") != "text/plain" {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	m.af.mu.Lock()
	throttled := m.af.throttle > 0
	if throttled {
		m.af.throttle--
	}
	m.af.mu.Unlock()
	if throttled {
		if m.af.retryAfter != "" {
			w.Header().Set("Retry-After", m.af.retryAfter)
		}
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
		return
	}
	line := string(readAll(r.Body))
	m.lines = append(m.lines, line)
	stdout, stderr := m.af.runCLI(split(line))
	writeJSON(w, 200, map[string]string{
		"stdout": base64.StdEncoding.EncodeToString([]byte(stdout)),
		"stderr": base64.StdEncoding.EncodeToString([]byte(m.cliStderr + stderr)),
	})
}

// runCLI runs an Airflow 2 CLI command against the fake's state and prints what Airflow does.
func (f *fakeAirflow) runCLI(args []string) (stdout, stderr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	js := func(v any) string { data, _ := json.Marshal(v); return string(data) }
	notDAG := func(id string) (string, string) {
		return "", "Traceback (most recent call last):\n  File \"/usr/local/bin/airflow\", line 8, in <module>\nairflow.exceptions.AirflowException: Dag id " + id + " not found\n"
	}
	switch {
	case len(args) == 4 && args[0] == "dags" && args[1] == "list":
		list := []any{}
		for _, d := range f.dags {
			list = append(list, map[string]any{"dag_id": d.id, "filepath": d.id + ".py", "owner": "airflow", "paused": fmt.Sprint(d.paused)})
		}
		return js(list), ""
	case len(args) == 3 && args[0] == "dags" && (args[1] == "pause" || args[1] == "unpause"):
		d := f.dag(args[2])
		if d == nil {
			return notDAG(args[2])
		}
		d.paused = args[1] == "pause"
		return fmt.Sprintf("Dag: %s, paused: %v\n", d.id, d.paused), ""
	case len(args) == 7 && args[0] == "dags" && args[1] == "trigger" && args[3] == "-c" && args[5] == "-r":
		d := f.dag(args[2])
		if d == nil {
			return notDAG(args[2])
		}
		var conf map[string]any
		if err := json.Unmarshal([]byte(args[4]), &conf); err != nil {
			return "", "airflow command error: argument -c/--conf: invalid JSON\n"
		}
		f.clock = f.clock.Add(time.Minute)
		now := f.clock
		run := &fakeRun{id: args[6], state: "queued", runType: "manual", logical: &now, runAfter: now, conf: conf}
		for _, t := range fakeTasks {
			run.tasks = append(run.tasks, fakeTask{id: t})
		}
		f.runs[d.id] = append(f.runs[d.id], run)
		return fmt.Sprintf("[2026-12-01T10:00:00.000+0000] {__init__.py:42} INFO - Loaded API auth backend\nCreated <DagRun %s @ %s: %s, state:queued, queued_at: %s. externally triggered: True>\n", d.id, now, run.id, now), ""
	case len(args) == 6 && args[0] == "dags" && args[1] == "list-runs" && args[2] == "-d":
		if f.dag(args[3]) == nil {
			return "DAG: " + args[3] + " does not exist in 'dag' table\n", ""
		}
		list := []any{}
		for _, r := range f.runs[args[3]] {
			str := func(t *time.Time) string {
				if t == nil {
					return ""
				}
				return t.Format("2006-01-02T15:04:05+00:00")
			}
			list = append(list, map[string]any{"dag_id": args[3], "run_id": r.id, "state": r.state,
				"execution_date": str(r.logical), "start_date": str(r.start), "end_date": str(r.end)})
		}
		return js(list), ""
	case len(args) == 6 && args[0] == "tasks" && args[1] == "states-for-dag-run":
		r := f.run(args[2], args[3])
		if r == nil {
			return "", "Traceback (most recent call last):\nairflow.exceptions.DagRunNotFound: DagRun for " + args[2] + " with run_id or execution_date of '" + args[3] + "' not found\n"
		}
		list := []any{}
		for _, t := range r.tasks {
			list = append(list, map[string]any{"dag_id": args[2], "execution_date": r.logical.Format(time.RFC3339), "task_id": t.id,
				"state": t.state, "start_date": "", "end_date": ""})
		}
		return js(list), ""
	}
	return "", "airflow command error: argument GROUP_OR_COMMAND: invalid choice: " + strings.Join(args, " ") + "\n"
}

// redirect returns an HTTP client that takes every host to srv, trusting its certificate under
// any name, so the SDK and the CLI transport reach the fake at the hosts they would in AWS.
func redirect(srv *httptest.Server) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, srv.Listener.Addr().String())
		},
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "example.com"},
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}
