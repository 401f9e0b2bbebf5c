package updates

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// trickle answers path with a 16 000-byte body sent one byte every
// interval, recording when the first byte left and how often it was asked.
type trickle struct {
	path     string
	interval time.Duration
	mu       sync.Mutex
	first    time.Time
	requests int
}

func (tr *trickle) handler(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != tr.path {
		return false
	}
	tr.mu.Lock()
	tr.requests++
	tr.mu.Unlock()
	w.Header().Set("Content-Length", "16000")
	w.WriteHeader(200)
	for i := 0; i < 16000; i++ {
		if _, err := w.Write([]byte{'{'}); err != nil {
			return true
		}
		w.(http.Flusher).Flush()
		if i == 0 {
			tr.mu.Lock()
			if tr.first.IsZero() {
				tr.first = time.Now()
			}
			tr.mu.Unlock()
		}
		select {
		case <-r.Context().Done():
			return true
		case <-time.After(tr.interval):
		}
	}
	return true
}

// logRecorder keeps the client's log lines for assertions.
type logRecorder struct {
	t     testing.TB
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) logf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
	l.t.Log(s)
}

func (l *logRecorder) matching(subs ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.lines {
		ok := true
		for _, sub := range subs {
			ok = ok && strings.Contains(s, sub)
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

// TestSlowMirrorAbandonedForNext: the first mirror sends its timestamp at
// one byte per second (the slow-retrieval attack, or a dying link); with
// the shipped limits the cycle gives it up as too slow, never retries it,
// and installs from the second mirror. Before the throughput floor this
// took 136 s (4 attempts of 30 s + size allowance, plus backoff).
func TestSlowMirrorAbandonedForNext(t *testing.T) {
	t.Parallel()
	f := newFixture(t, InitOptions{})
	f.publish("v1", guideFiles(3, 100, ""))
	slow, good := serve(t, f.pub.Repo), serve(t, f.pub.Repo)
	tr := &trickle{path: "/metadata/timestamp.json", interval: time.Second}
	slow.setIntercept(tr.handler)
	var mu sync.Mutex
	var goodFirst time.Time
	good.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		if goodFirst.IsZero() {
			goodFirst = time.Now()
		}
		mu.Unlock()
		return false
	})
	logs := &logRecorder{t: t}
	c := f.client(t.TempDir(), slow.URL, good.URL)
	c.Limits = DefaultFetchLimits() // the shipped floor, grace and window
	c.Deadline = 5 * time.Minute
	c.Logf = logs.logf
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	res, err := c.Update(ctx)
	if err != nil || res.Source != good.URL || res.Version != "v1" {
		t.Fatalf("want v1 from the second mirror, got %+v %v", res, err)
	}
	tr.mu.Lock()
	first, n := tr.first, tr.requests
	tr.mu.Unlock()
	mu.Lock()
	switched := goodFirst.Sub(first)
	mu.Unlock()
	t.Logf("first byte from the slow mirror to the first request to the next: %s (cycle %s)",
		switched.Round(10*time.Millisecond), time.Since(start).Round(10*time.Millisecond))
	if n != 1 {
		t.Errorf("slow mirror asked %d times for its timestamp: a too-slow mirror must not be retried", n)
	}
	if got := logs.matching("update from "+slow.URL+" refused", "too slow"); len(got) != 1 {
		t.Errorf("no 'too slow' refusal of the slow mirror in the log: %q", got)
	}
	if got := logs.matching("retrying"); len(got) != 0 {
		t.Errorf("retried: %q", got)
	}
	if switched > 90*time.Second {
		t.Errorf("switch took %s: the slow mirror held the cycle", switched)
	}
}
