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
	"strings"
	"sync"
	"time"
)

// maxAnswer bounds what the client reads of one answer.
const maxAnswer = 16 << 20

// direct reaches a self-hosted Airflow or the local scheduler over HTTP.
type direct struct {
	base   string
	name   string
	client *http.Client
	user   string
	pass   string
	token  string
	bearer func() string

	mu sync.Mutex
	// jwt is v2's access token from /auth/token and exp when it expires.
	jwt string
	exp time.Time
}

func newDirect(s Settings) *direct {
	return &direct{base: strings.TrimRight(s.URL, "/"), name: s.Name, client: s.HTTPClient,
		user: s.Username, pass: s.Password, token: s.Token, bearer: s.BearerToken}
}

func (d *direct) where() string {
	if d.name != "" {
		return d.name
	}
	shown := d.base
	if u, err := url.Parse(d.base); err == nil && u.User != nil {
		u.User = nil
		shown = u.String()
	}
	return "Airflow at " + shown
}

func (d *direct) maxPath() int { return 0 }

func (d *direct) credentials(status int) string {
	switch {
	case d.bearer != nil:
		return "the stack's control token was refused: stop the pintui that owns the data dir and start it again"
	case status == http.StatusForbidden && d.user != "":
		return fmt.Sprintf("user %s may not do this: give the user an Airflow role that may (e.g. Op or User)", d.user)
	case status == http.StatusForbidden:
		return "the token's user may not do this: give the user an Airflow role that may (e.g. Op or User)"
	case d.token != "":
		return "check airflow.token (it may have expired)"
	case d.user != "":
		return "check airflow.username and airflow.password"
	}
	return "set airflow.username and airflow.password, or airflow.token"
}

func (d *direct) version(ctx context.Context) (string, error) {
	r, err := d.send(ctx, "GET", d.base+"/api/v2/version", nil, d.token)
	if err != nil {
		return "", err
	}
	if r.status != http.StatusNotFound {
		return APIv2, nil
	}
	auth := d.token
	if d.user != "" {
		auth = ""
	}
	r, err = d.send(ctx, "GET", d.base+"/api/v1/version", nil, auth)
	if err != nil {
		return "", err
	}
	if r.status == http.StatusNotFound {
		return "", fmt.Errorf("neither /api/v2/version nor /api/v1/version is there (HTTP 404): check airflow.url, the base URL the API is under")
	}
	return APIv1, nil
}

func (d *direct) roundTrip(ctx context.Context, c call) (reply, error) {
	u := d.base + "/api/" + c.api + c.path
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	var body []byte
	if c.body != nil {
		var err error
		if body, err = json.Marshal(c.body); err != nil {
			return reply{}, err
		}
	}
	tok, err := d.auth(ctx, c.api, false)
	if err != nil {
		return reply{}, err
	}
	r, err := d.send(ctx, c.method, u, body, tok)
	if err != nil || r.status != http.StatusUnauthorized || c.api != APIv2 || d.user == "" || d.token != "" || d.bearer != nil {
		return r, err
	}
	// The JWT expired or was revoked: log in again, once.
	if tok, err = d.auth(ctx, c.api, true); err != nil {
		return reply{}, err
	}
	return d.send(ctx, c.method, u, body, tok)
}

// auth returns the bearer token of a call, "" for basic auth or none.
func (d *direct) auth(ctx context.Context, api string, renew bool) (string, error) {
	switch {
	case d.bearer != nil:
		return d.bearer(), nil
	case d.token != "":
		return d.token, nil
	case api != APIv2 || d.user == "":
		return "", nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !renew && d.jwt != "" && time.Until(d.exp) > 30*time.Second {
		return d.jwt, nil
	}
	body, _ := json.Marshal(map[string]string{"username": d.user, "password": d.pass})
	r, err := d.send(ctx, "POST", d.base+"/auth/token", body, "")
	if err != nil {
		return "", fmt.Errorf("log in to %s: %w", d.where(), err)
	}
	if r.status >= 300 {
		return "", &Error{Status: r.status, Detail: detail(r.body), text: fmt.Sprintf(
			"log in to %s as %s (POST /auth/token answered HTTP %d: %s): check airflow.username and airflow.password",
			d.where(), d.user, r.status, detail(r.body))}
	}
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(r.body, &t) != nil || t.AccessToken == "" {
		return "", fmt.Errorf("log in to %s: /auth/token answered no access_token: check that airflow.url is an Airflow 3 with a password auth manager", d.where())
	}
	d.jwt, d.exp = t.AccessToken, jwtExpiry(t.AccessToken)
	return d.jwt, nil
}

// jwtExpiry reads a JWT's exp claim; a token without one is taken to last five minutes.
func jwtExpiry(tok string) time.Time {
	parts := strings.Split(tok, ".")
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if len(parts) == 3 {
		if data, err := base64.RawURLEncoding.DecodeString(parts[1]); err == nil && json.Unmarshal(data, &claims) == nil && claims.Exp > 0 {
			return time.Unix(claims.Exp, 0)
		}
	}
	return time.Now().Add(5 * time.Minute)
}

func (d *direct) send(ctx context.Context, method, u string, body []byte, bearer string) (reply, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case bearer != "":
		req.Header.Set("Authorization", "Bearer "+bearer)
	case d.user != "" && d.bearer == nil && d.token == "":
		req.SetBasicAuth(d.user, d.pass)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return reply{}, fmt.Errorf("read the answer: %w", err)
	}
	r := reply{status: resp.StatusCode, body: data}
	r.retryAfter, r.hasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return r, nil
}
