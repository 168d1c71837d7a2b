package local

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// TokenName is the file in the data dir that holds the control endpoint's bearer token, readable
// only by the user who runs the stack.
const TokenName = "control.token"

// controlAddr is where the owner serves its control endpoint: a free loopback port, since every
// client finds the address in stack.json.
const controlAddr = "127.0.0.1:0"

// MaxControlPoll is the longest a control request may hold its answer back, well inside the
// write timeout of defaultLimits.
const MaxControlPoll = 25 * time.Second

// newToken returns 32 random bytes as hex.
func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// writeToken stores the control token as a 0600 file, atomically: a client sees the old token or
// the new one, never part of one, and a file left wider by hand is replaced, not reused.
func writeToken(dir, token string) error {
	name := filepath.Join(dir, TokenName)
	tmp, err := os.CreateTemp(dir, ".control-*.token")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := tmp.WriteString(token); err != nil {
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

// readToken reads the control token an owner wrote.
func readToken(dir string) (string, error) {
	name := filepath.Join(dir, TokenName)
	data, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("read the control token %s: %w: run pintui as the user who owns the data dir", name, err)
	}
	return strings.TrimSpace(string(data)), nil
}

// removeToken withdraws the token with the endpoint it opened.
func removeToken(dir string) error {
	if err := os.Remove(filepath.Join(dir, TokenName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", filepath.Join(dir, TokenName), err)
	}
	return nil
}

// requireToken lets through only requests that carry token as their bearer token.
func requireToken(dir, token string, h http.Handler) http.Handler {
	denied := fmt.Sprintf(`{"error":%q}`+"\n", "the control endpoint needs the bearer token in "+filepath.Join(dir, TokenName))
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("WWW-Authenticate", "Bearer")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(denied))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// startControl serves the control endpoint behind a fresh token, which it writes before the
// endpoint is published in stack.json.
func (s *Stack) startControl(opts Options) error {
	if opts.Control == nil {
		return nil
	}
	token := newToken()
	if err := writeToken(opts.DataDir, token); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", controlAddr)
	if err != nil {
		return fmt.Errorf("start the control endpoint on %s: %w", controlAddr, err)
	}
	s.endpoints.Control = "http://" + ln.Addr().String()
	s.controlToken = token
	s.control = serve(ln, requireToken(opts.DataDir, token, opts.Control), opts.limits.orDefault())
	return nil
}
