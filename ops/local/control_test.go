package local

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// controlOpts serves a control endpoint that answers "ok" to whoever gets through.
func controlOpts(dir string) Options {
	opts := freePorts(dir)
	opts.Control = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	return opts
}

func call(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/v1/owner", nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

func TestControlEndpointNeedsTheToken(t *testing.T) {
	dir := t.TempDir()
	s := start(t, controlOpts(dir))
	e := s.Endpoints()
	if !strings.HasPrefix(e.Control, "http://127.0.0.1:") {
		t.Fatalf("control endpoint %q, want loopback http", e.Control)
	}
	info, err := os.Stat(filepath.Join(dir, TokenName))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", TokenName, info.Mode().Perm())
	}
	token, err := os.ReadFile(filepath.Join(dir, TokenName))
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 64 || string(token) != s.ControlToken() {
		t.Fatalf("token file holds %q, the stack %q", token, s.ControlToken())
	}
	want := `{"error":"the control endpoint needs the bearer token in ` + filepath.Join(dir, TokenName) + `"}`
	for _, tok := range []string{"", "wrong", s.ControlToken() + "0"} {
		if code, body := call(t, e.Control, tok); code != http.StatusUnauthorized || body != want {
			t.Errorf("token %q: %d %s, want 401 %s", tok, code, body, want)
		}
	}
	if code, body := call(t, e.Control, s.ControlToken()); code != http.StatusOK || body != "ok" {
		t.Errorf("right token: %d %s", code, body)
	}

	// An attached process finds the endpoint in stack.json and the token in the file.
	a := start(t, controlOpts(dir))
	if a.Owned() || a.Endpoints() != e || a.ControlToken() != s.ControlToken() || !a.Since().Equal(s.Since()) {
		t.Fatalf("attached: %+v token %q since %v; owner: %+v since %v", a.Endpoints(), a.ControlToken(), a.Since(), e, s.Since())
	}
}

func TestReattachFollowsTheNextOwner(t *testing.T) {
	dir := t.TempDir()
	first := start(t, controlOpts(dir))
	a := start(t, freePorts(dir))
	if !a.OwnerAlive() {
		t.Fatal("attached stack reports its running owner dead")
	}
	if ok, err := a.Reattach(); ok || err != nil {
		t.Fatalf("Reattach with the same owner = %v, %v; want nothing new", ok, err)
	}
	if err := first.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a.OwnerAlive() {
		t.Fatal("attached stack reports its closed owner alive")
	}
	if ok, err := a.Reattach(); ok || err != nil {
		t.Fatalf("Reattach with no owner = %v, %v; want nothing yet", ok, err)
	}
	second := start(t, controlOpts(dir))
	ok, err := a.Reattach()
	if !ok || err != nil {
		t.Fatalf("Reattach to a new owner = %v, %v", ok, err)
	}
	if a.Endpoints() != second.Endpoints() || a.ControlToken() != second.ControlToken() || !a.OwnerAlive() || !a.Since().Equal(second.Since()) {
		t.Fatalf("reattached to %+v, want %+v", a.Endpoints(), second.Endpoints())
	}
}
