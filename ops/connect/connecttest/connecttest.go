// Package connecttest is an MSK Connect for tests: an httptest server that answers the calls
// pintui makes (ListConnectors, DescribeConnector, DescribeCustomPlugin, UpdateConnector) as
// MSK Connect's REST API does, restJson1 on the wire: its paths and query parameters, its JSON
// members, its paging by nextToken and its errors (X-Amzn-ErrorType and a message, 429 with
// Retry-After). Requests must be signed with SigV4 for the kafkaconnect service.
package connecttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Connector is one connector the server holds, in the members DescribeConnector answers with.
type Connector struct {
	Name, ARN, State, Version string
	// Workers and MCUs are a provisioned capacity unless Autoscaled, when Workers is the
	// minimum and MaxWorkers the maximum.
	Workers, MaxWorkers, MCUs int
	Autoscaled                bool
	PluginARN                 string
	// FailureCode and FailureMessage are the stateDescription.
	FailureCode, FailureMessage string
}

// Plugin is a custom plugin DescribeCustomPlugin answers for.
type Plugin struct{ ARN, Name string }

// Update is one UpdateConnector call the server took.
type Update struct {
	ARN, CurrentVersion string
	// Capacity is the request's capacity member as sent.
	Capacity map[string]any
}

// Server is the fake MSK Connect.
type Server struct {
	// URL is the server's base URL, for connect.Settings.Endpoint or AWS_ENDPOINT_URL_KAFKACONNECT.
	URL string
	// PageSize is the most connectors one ListConnectors page holds, whatever maxResults asks.
	PageSize int

	mu         sync.Mutex
	connectors []Connector
	plugins    map[string]string
	failures   map[string]failure
	throttled  int
	retryAfter string
	updates    []Update
	calls      []string
}

type failure struct {
	status  int
	code    string
	message string
}

// New starts a server holding the connectors and plugins, closed when the test ends.
func New(t testing.TB, plugins []Plugin, connectors ...Connector) *Server {
	s := &Server{PageSize: 2, connectors: connectors, plugins: map[string]string{}, failures: map[string]failure{}}
	for _, p := range plugins {
		s.plugins[p.ARN] = p.Name
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/connectors", s.list)
	mux.HandleFunc("GET /v1/connectors/{arn}", s.describe)
	mux.HandleFunc("PUT /v1/connectors/{arn}", s.update)
	mux.HandleFunc("GET /v1/custom-plugins/{arn}", s.plugin)
	srv := httptest.NewServer(s.guard(mux))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Fail makes every later call of the operation (ListConnectors, DescribeConnector,
// UpdateConnector, DescribeCustomPlugin) answer status with the error code and message.
func (s *Server) Fail(op string, status int, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[op] = failure{status, code, message}
}

// Throttle makes the next n calls answer 429 TooManyRequestsException with Retry-After.
func (s *Server) Throttle(n int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttled, s.retryAfter = n, retryAfter
}

// Set replaces the connector of the same ARN, e.g. to fail it.
func (s *Server) Set(k Connector) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.connectors {
		if s.connectors[i].ARN == k.ARN {
			s.connectors[i] = k
		}
	}
}

// Updates returns the UpdateConnector calls taken.
func (s *Server) Updates() []Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.updates)
}

// Calls returns the operations asked, in order, each with its query when it had one.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// guard checks the signature's service and answers the throttled and failing calls.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := operation(r)
		s.mu.Lock()
		call := op
		if r.URL.RawQuery != "" {
			call += "?" + r.URL.RawQuery
		}
		s.calls = append(s.calls, call)
		f, failing := s.failures[op]
		throttled := s.throttled > 0
		if throttled {
			s.throttled--
		}
		after := s.retryAfter
		s.mu.Unlock()
		auth := r.Header.Get("Authorization")
		switch {
		case !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || !strings.Contains(auth, "/kafkaconnect/aws4_request"):
			fail(w, http.StatusUnauthorized, "UnauthorizedException", "Request is missing Authentication Token")
		case throttled:
			w.Header().Set("Retry-After", after)
			fail(w, http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded")
		case failing:
			fail(w, f.status, f.code, f.message)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// operation names the call a request makes.
func operation(r *http.Request) string {
	switch {
	case strings.HasPrefix(r.URL.Path, "/v1/custom-plugins/"):
		return "DescribeCustomPlugin"
	case r.Method == http.MethodPut:
		return "UpdateConnector"
	case r.URL.Path == "/v1/connectors":
		return "ListConnectors"
	}
	return "DescribeConnector"
}

// fail answers a restJson1 error: the code in X-Amzn-ErrorType, the message in the body.
func fail(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	reply(w, status, map[string]string{"message": message})
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size := s.PageSize
	if n, err := strconv.Atoi(q.Get("maxResults")); err == nil && n > 0 {
		size = min(size, n)
	}
	from := 0
	if tok := q.Get("nextToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		if err != nil {
			fail(w, http.StatusBadRequest, "BadRequestException", "Invalid nextToken")
			return
		}
		from = n
	}
	s.mu.Lock()
	var matching []Connector
	for _, k := range s.connectors {
		if strings.HasPrefix(k.Name, q.Get("connectorNamePrefix")) {
			matching = append(matching, k)
		}
	}
	s.mu.Unlock()
	page := []any{}
	for _, k := range matching[min(from, len(matching)):min(from+size, len(matching))] {
		page = append(page, k.summary())
	}
	out := map[string]any{"connectors": page}
	if from+size < len(matching) {
		out["nextToken"] = fmt.Sprintf("page-%d", from+size)
	}
	reply(w, http.StatusOK, out)
}

func (s *Server) find(arn string) (Connector, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.connectors {
		if k.ARN == arn {
			return k, true
		}
	}
	return Connector{}, false
}

func (s *Server) describe(w http.ResponseWriter, r *http.Request) {
	k, ok := s.find(r.PathValue("arn"))
	if !ok {
		fail(w, http.StatusNotFound, "NotFoundException", "Resource with arn "+r.PathValue("arn")+" not found.")
		return
	}
	out := k.summary()
	if k.FailureCode != "" || k.FailureMessage != "" {
		out["stateDescription"] = map[string]string{"code": k.FailureCode, "message": k.FailureMessage}
	}
	out["connectorConfiguration"] = map[string]string{"connector.class": "io.confluent.connect.s3.S3SinkConnector"}
	reply(w, http.StatusOK, out)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request) {
	arn, version := r.PathValue("arn"), r.URL.Query().Get("currentVersion")
	k, ok := s.find(arn)
	switch {
	case !ok:
		fail(w, http.StatusNotFound, "NotFoundException", "Resource with arn "+arn+" not found.")
		return
	case version != k.Version:
		fail(w, http.StatusBadRequest, "BadRequestException", "The provided version "+version+" does not match the current version of the connector.")
		return
	case k.State != "RUNNING":
		fail(w, http.StatusBadRequest, "BadRequestException", "The connector is in "+k.State+" state and cannot be updated.")
		return
	}
	var body struct {
		Capacity map[string]any `json:"capacity"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Capacity == nil {
		fail(w, http.StatusBadRequest, "BadRequestException", "capacity or connectorConfiguration is required")
		return
	}
	s.mu.Lock()
	s.updates = append(s.updates, Update{ARN: arn, CurrentVersion: version, Capacity: body.Capacity})
	s.mu.Unlock()
	reply(w, http.StatusOK, map[string]any{"connectorArn": arn, "connectorState": "UPDATING", "connectorOperationArn": arn + "/operation/1"})
}

func (s *Server) plugin(w http.ResponseWriter, r *http.Request) {
	arn := r.PathValue("arn")
	s.mu.Lock()
	name, ok := s.plugins[arn]
	s.mu.Unlock()
	if !ok {
		fail(w, http.StatusNotFound, "NotFoundException", "Resource with arn "+arn+" not found.")
		return
	}
	reply(w, http.StatusOK, map[string]any{"customPluginArn": arn, "name": name, "customPluginState": "ACTIVE"})
}

// summary is the connector in ListConnectors' and DescribeConnector's shared members.
func (k Connector) summary() map[string]any {
	capacity := map[string]any{"provisionedCapacity": map[string]any{"mcuCount": k.MCUs, "workerCount": k.Workers}}
	if k.Autoscaled {
		capacity = map[string]any{"autoScaling": map[string]any{
			"maxWorkerCount": k.MaxWorkers, "mcuCount": k.MCUs, "minWorkerCount": k.Workers,
			"scaleInPolicy": map[string]any{"cpuUtilizationPercentage": 20}, "scaleOutPolicy": map[string]any{"cpuUtilizationPercentage": 80},
		}}
	}
	out := map[string]any{
		"connectorArn": k.ARN, "connectorName": k.Name, "connectorState": k.State, "currentVersion": k.Version,
		"capacity": capacity, "kafkaConnectVersion": "2.7.1", "creationTime": "2026-03-14T09:00:00.000Z",
	}
	if k.PluginARN != "" {
		out["plugins"] = []any{map[string]any{"customPlugin": map[string]any{"customPluginArn": k.PluginARN, "revision": 1}}}
	}
	return out
}
