package web

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// limits are the server's Limits with zero fields defaulted.
func (s *Server) limits() Limits {
	l, d := s.opt.Limits, DefaultLimits()
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = d.ReadTimeout
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = d.WriteTimeout
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = d.IdleTimeout
	}
	if l.MaxConns <= 0 {
		l.MaxConns = d.MaxConns
	}
	if l.SpeakStall <= 0 {
		l.SpeakStall = d.SpeakStall
	}
	return l
}

// limitListener accepts at most n connections at once; Accept waits for
// one to close (golang.org/x/net/netutil.LimitListener, which this module
// does not otherwise need).
func limitListener(ln net.Listener, n int) net.Listener {
	return &capped{Listener: ln, sem: make(chan struct{}, n), done: make(chan struct{})}
}

type capped struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *capped) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &cappedConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *capped) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

type cappedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *cappedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// stallWriter gives each write to a streaming response its own deadline: a
// listener that stops taking bytes for d fails the write (and frees what
// it held) instead of holding it until the server's WriteTimeout, which a
// long guide read aloud outlasts. failed says a write failed: the handler
// then aborts the connection (net/http would otherwise keep it for the
// next request).
type stallWriter struct {
	w      http.ResponseWriter
	rc     *http.ResponseController
	d      time.Duration
	failed *bool
}

func (sw stallWriter) Write(p []byte) (int, error) {
	sw.rc.SetWriteDeadline(time.Now().Add(sw.d))
	n, err := sw.w.Write(p)
	if err != nil {
		*sw.failed = true
	}
	return n, err
}
