package local

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// readingHandler reads the whole body of every request and answers 200 with its length.
var readingHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "%d\n", len(body))
})

// limitedStack starts a stack whose listeners have the limits lim, its gateway and control
// endpoint serving readingHandler.
func limitedStack(t *testing.T, lim serverLimits) *Stack {
	t.Helper()
	opts := freePorts(t.TempDir())
	opts.limits = lim
	opts.Gateway = func(context.Context, Endpoints) (http.Handler, func(), error) { return readingHandler, func() {}, nil }
	opts.Control = readingHandler
	return start(t, opts)
}

// listener is one listener of a stack and the head of a request it serves, up to the body,
// and the body of bodyLen bytes it takes: x's, unless body says otherwise.
type listener struct {
	name, addr string
	head       func(bodyLen int) []byte
	body       func(bodyLen int) []byte
}

// bodyOf returns the body of n bytes the listener takes.
func (l listener) bodyOf(n int) []byte {
	if l.body != nil {
		return l.body(n)
	}
	return bytes.Repeat([]byte("x"), n)
}

// listeners returns the gateway, S3, Kinesis and control endpoint of s with a request each lets
// in: a gateway post, a signed S3 put, a signed ListStreams and an authorised control request.
func listeners(t *testing.T, s *Stack) []listener {
	e := s.Endpoints()
	host := func(u string) string {
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		return p.Host
	}
	plain := func(addr, auth string) func(int) []byte {
		return func(n int) []byte {
			return fmt.Appendf(nil, "POST /topics/x HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %d\r\n\r\n", addr, auth, n)
		}
	}
	signed := func(n int) []byte {
		req := s3Request(t, http.MethodPut, e.S3+"/"+Bucket(uid)+"/topics/a.json", bytes.Repeat([]byte("x"), n))
		var b bytes.Buffer
		if err := req.Write(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()[:b.Len()-n]
	}
	// A JSON object padded with spaces to n bytes, so any length is a ListStreams the server takes.
	listStreams := func(n int) []byte { return append(append([]byte("{"), bytes.Repeat([]byte(" "), n-2)...), '}') }
	kinesisHead := func(n int) []byte {
		req := signedKinesisRequest(t, e.Kinesis, "ListStreams", listStreams(n))
		var b bytes.Buffer
		if err := req.Write(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()[:b.Len()-n]
	}
	return []listener{
		{"gateway", host(e.Gateway), plain(host(e.Gateway), ""), nil},
		{"s3", host(e.S3), signed, nil},
		{"kinesis", host(e.Kinesis), kinesisHead, listStreams},
		{"control", host(e.Control), plain(host(e.Control), "Authorization: Bearer "+s.ControlToken()+"\r\n"), nil},
	}
}

// dial connects to addr, closing the connection when the test ends.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// roundTrip sends a request with a body of n bytes on c and reads its answer.
func roundTrip(t *testing.T, c net.Conn, r *bufio.Reader, l listener, n int) *http.Response {
	t.Helper()
	if _, err := c.Write(append(l.head(n), l.bodyOf(n)...)); err != nil {
		t.Fatalf("%s: send: %v", l.name, err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("%s: answer: %v", l.name, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestTrickledBodyIsCutOff(t *testing.T) {
	s := limitedStack(t, serverLimits{readHeader: time.Second, read: 500 * time.Millisecond, write: 10 * time.Second, idle: time.Minute, conns: 8})
	const bodyLen = 1000
	for _, l := range listeners(t, s) {
		c := dial(t, l.addr)
		if _, err := c.Write(l.head(bodyLen)); err != nil {
			t.Fatal(err)
		}
		// One byte every 50 ms would take 50 s; the read timeout ends the request long before.
		stop := make(chan struct{})
		go func() {
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for range bodyLen {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				if _, err := c.Write([]byte("x")); err != nil {
					return
				}
			}
		}()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		answer, err := io.ReadAll(c)
		close(stop)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s: a body trickled at 20 bytes/s still held the connection after 10 s", l.name)
			continue
		}
		if strings.HasPrefix(string(answer), "HTTP/1.1 200") {
			t.Errorf("%s: the trickled body was taken: %q", l.name, answer)
		}
	}
}

func TestIdleConnectionIsClosed(t *testing.T) {
	s := limitedStack(t, serverLimits{readHeader: time.Second, read: time.Second, write: time.Second, idle: 300 * time.Millisecond, conns: 8})
	for _, l := range listeners(t, s) {
		c := dial(t, l.addr)
		r := bufio.NewReader(c)
		if resp := roundTrip(t, c, r, l, 2); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d, want 200", l.name, resp.StatusCode)
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := r.ReadByte(); err != io.EOF {
			t.Errorf("%s: idle keep-alive connection after 10 s: %v, want it closed (EOF)", l.name, err)
		}
	}
}

func TestConnectionBeyondTheLimitWaits(t *testing.T) {
	s := limitedStack(t, serverLimits{readHeader: 10 * time.Second, read: 10 * time.Second, write: 10 * time.Second, idle: time.Minute, conns: 2})
	for _, l := range listeners(t, s) {
		var first net.Conn
		for i := range 2 {
			c := dial(t, l.addr)
			roundTrip(t, c, bufio.NewReader(c), l, 2)
			if i == 0 {
				first = c
			}
		}
		third := dial(t, l.addr)
		if _, err := third.Write(append(l.head(2), l.bodyOf(2)...)); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(third)
		third.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		if _, err := r.ReadByte(); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s: the third of 2 connections was served: %v, want it to wait", l.name, err)
		}
		first.Close()
		third.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("%s: the third connection once the first closed: %v, want an answer", l.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: the third connection's answer: %d, want 200", l.name, resp.StatusCode)
		}
	}
}
