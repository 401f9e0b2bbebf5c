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

// capped is the UI server's listener: at most n connections at once. When
// all n are open, a new one first closes the connection idle the longest
// (a keep-alive nobody uses: 5,000 of them held 168 MB), so a client
// hoarding idle connections cannot lock the page out; only when all n are
// busy answering does a new one wait. Its state hook is the server's
// ConnState.
type capped struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	idle     map[net.Conn]time.Time // open connections waiting for a next request
	wentIdle chan struct{}          // told (without blocking) when one goes idle
}

func limitListener(ln net.Listener, n int) *capped {
	return &capped{Listener: ln, sem: make(chan struct{}, n), done: make(chan struct{}), idle: map[net.Conn]time.Time{},
		wentIdle: make(chan struct{}, 1)}
}

func (l *capped) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	for {
		select {
		case l.sem <- struct{}{}:
			return &cappedConn{Conn: c, release: func() { <-l.sem }}, nil
		default:
		}
		if l.evictIdle() {
			continue // its Close frees a place
		}
		select { // every connection is busy: wait for one to end or go idle
		case l.sem <- struct{}{}:
			return &cappedConn{Conn: c, release: func() { <-l.sem }}, nil
		case <-l.wentIdle:
		case <-l.done:
			c.Close()
			return nil, net.ErrClosed
		}
	}
}

// evictIdle closes the connection idle the longest; false if none is idle.
func (l *capped) evictIdle() bool {
	l.mu.Lock()
	var oldest net.Conn
	var at time.Time
	for c, t := range l.idle {
		if oldest == nil || t.Before(at) {
			oldest, at = c, t
		}
	}
	delete(l.idle, oldest)
	l.mu.Unlock()
	if oldest == nil {
		return false
	}
	oldest.Close()
	return true
}

// state is the server's ConnState: it keeps the idle set.
func (l *capped) state(c net.Conn, st http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st == http.StateIdle {
		l.idle[c] = time.Now()
		select {
		case l.wentIdle <- struct{}{}:
		default:
		}
	} else {
		delete(l.idle, c)
	}
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
