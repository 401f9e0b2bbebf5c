// Package kiosktest holds what the kiosk's tests share: an HTTP client
// that speaks to the kiosk as the page does (its per-boot token), a log
// sink to read while the kiosk writes, and waiting for a condition.
//
// It is for tests only; nothing in the shipped binary imports it.
package kiosktest

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"
)

// SyncBuffer is a log sink tests can read while the kiosk writes.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// QuietLog logs nowhere.
func QuietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// FreeAddr is a loopback address with a free port.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Client speaks to a kiosk server at Base.
type Client struct {
	T    testing.TB
	Base string
	HC   http.Client
}

// Do sends body as JSON with the headers and returns the status and body.
func (c *Client) Do(method, path string, hdr map[string]string, body any) (int, []byte) {
	c.T.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		c.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.HC.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

var bootRE = regexp.MustCompile(`<script type="application/json" id="boot">(.*?)</script>`)

// BootToken reads the per-boot token the page at path carries.
func (c *Client) BootToken(path string) string {
	c.T.Helper()
	code, page := c.Do("GET", path, nil, nil)
	m := bootRE.FindSubmatch(page)
	if code != 200 || m == nil {
		c.T.Fatalf("GET %s: %d, no boot data:\n%.300s", path, code, page)
	}
	var boot struct {
		Token string `json:"token"`
		Mode  string `json:"mode"`
	}
	if err := json.Unmarshal(m[1], &boot); err != nil {
		c.T.Fatal(err)
	}
	return boot.Token
}

// WaitFor polls cond every 50 ms until it holds, or fails the test after d.
func WaitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
