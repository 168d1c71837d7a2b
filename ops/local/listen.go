package local

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// serverLimits bound what one client can hold of a listener of the stack: how long it may take
// to send a request's header and whole body, to read the answer, how long an idle keep-alive
// connection lives, and how many connections are served at once.
type serverLimits struct {
	readHeader, read, write, idle time.Duration
	conns                         int
}

// defaultLimits serve every listener of the stack (gateway, S3, Kinesis, control endpoint). The write
// timeout leaves room for the control endpoint's long polls (MaxControlPoll) and a large object
// on loopback; 256 connections are far more than the emulators, the sink and a few consoles
// open, while a flood of half-sent bodies waits instead of taking every file descriptor.
var defaultLimits = serverLimits{
	readHeader: 10 * time.Second,
	read:       30 * time.Second,
	write:      60 * time.Second,
	idle:       2 * time.Minute,
	conns:      256,
}

// orDefault returns the limits, or defaultLimits for the zero value.
func (l serverLimits) orDefault() serverLimits {
	if l == (serverLimits{}) {
		return defaultLimits
	}
	return l
}

// serve serves h on ln in the background within lim until the returned server is shut down.
func serve(ln net.Listener, h http.Handler, lim serverLimits) *http.Server {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.readHeader,
		ReadTimeout:       lim.read,
		WriteTimeout:      lim.write,
		IdleTimeout:       lim.idle,
	}
	go srv.Serve(limitListener(ln, lim.conns))
	return srv
}

// limitListener accepts at most n connections at once: the next waits in the kernel's backlog
// until one of them closes.
func limitListener(ln net.Listener, n int) net.Listener {
	return &boundedListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

// boundedListener is a listener that holds a slot for every connection it accepted.
type boundedListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// Accept waits for a free slot, then for a connection that gives the slot back when closed.
func (l *boundedListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &slotConn{Conn: c, release: func() { <-l.slots }}, nil
}

// Close stops accepting, also in an Accept that waits for a slot.
func (l *boundedListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// slotConn is an accepted connection that frees its listener's slot once, on its first Close.
type slotConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// Close closes the connection and frees its slot.
func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
