// Package systemdtest stands in for systemd's side of the notify protocol in
// tests: a real unixgram socket that records the datagrams a process sends,
// so a test can run the kiosk (in process or as a child binary) with
// NOTIFY_SOCKET pointing at it and assert READY=1, WATCHDOG=1 and the rest.
// It is for tests only and must not be imported by the kiosk itself.
package systemdtest

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Socket is a notify socket owned by one test.
type Socket struct {
	// Path is the value for NOTIFY_SOCKET.
	Path string
	conn *net.UnixConn
}

// New listens on a fresh unixgram socket in a short temporary directory
// (socket paths are limited to 107 bytes, and t.TempDir can be longer) and
// closes it when the test ends.
func New(t testing.TB) *Socket {
	t.Helper()
	dir, err := os.MkdirTemp("", "sdn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return listen(t, filepath.Join(dir, "notify"))
}

// NewAbstract listens on a Linux abstract socket ("@name").
func NewAbstract(t testing.TB, name string) *Socket {
	t.Helper()
	return listen(t, "@"+name)
}

func listen(t testing.TB, path string) *Socket {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatalf("systemdtest: listen %s: %v", path, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &Socket{Path: path, conn: conn}
}

// Env is the NOTIFY_SOCKET assignment for a child process's environment.
func (s *Socket) Env() string { return "NOTIFY_SOCKET=" + s.Path }

// ErrTimeout is returned by Next when nothing arrived in time.
var ErrTimeout = errors.New("systemdtest: no datagram in time")

// Next returns the next datagram, waiting at most wait. The wait is only a
// guard against a hung test: assertions should be about which datagrams
// arrive in which order, never about when.
func (s *Socket) Next(wait time.Duration) (string, error) {
	if err := s.conn.SetReadDeadline(time.Now().Add(wait)); err != nil {
		return "", err
	}
	buf := make([]byte, 64<<10)
	n, _, err := s.conn.ReadFromUnix(buf)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "", ErrTimeout
	}
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// WaitFor reads datagrams until one contains the line want (for example
// "READY=1") and returns everything read before it.
func (s *Socket) WaitFor(want string, wait time.Duration) (before []string, err error) {
	deadline := time.Now().Add(wait)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return before, ErrTimeout
		}
		msg, err := s.Next(left)
		if err != nil {
			return before, err
		}
		if HasLine(msg, want) {
			return before, nil
		}
		before = append(before, msg)
	}
}

// HasLine reports whether the datagram msg holds the assignment line.
func HasLine(msg, line string) bool {
	for _, l := range strings.Split(msg, "\n") {
		if l == line {
			return true
		}
	}
	return false
}
