package updates

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/fetcher"
	"golang.org/x/sys/unix"
)

// TestSlowLorisIsBounded reproduces the hang of go-tuf's default fetcher
// against a mirror sending one byte every 100 ms, and shows ours gives up
// at its deadline.
func TestSlowLorisIsBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slowLoris("")(w, r)
	}))
	defer srv.Close()
	defer srv.CloseClientConnections()

	def := make(chan error, 1)
	go func() {
		_, err := fetcher.NewDefaultFetcher().DownloadFile(srv.URL+"/metadata/timestamp.json", 16384, time.Second)
		def <- err
	}()

	f := &HTTPFetcher{Limits: FetchLimits{RequestTimeout: 500 * time.Millisecond, MinBytesPerSecond: 1 << 20, Retries: 1, Backoff: 50 * time.Millisecond}}
	start := time.Now()
	_, err := f.DownloadFile(srv.URL+"/metadata/timestamp.json", 16384, 0)
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "too slow") {
		t.Fatalf("want a deadline error, got %v", err)
	}
	if took > 3*time.Second {
		t.Fatalf("bounded fetcher took %s", took)
	}
	t.Logf("our fetcher gave up after %s (one attempt of 500 ms: a mirror too slow is not retried): %v", took.Round(time.Millisecond), err)
	select {
	case err := <-def:
		t.Fatalf("go-tuf's default fetcher returned (%v): expected it to hang", err)
	case <-time.After(1500 * time.Millisecond):
		t.Logf("go-tuf's default fetcher still hanging after %s (the server would keep it for 26 min)", (took + 1500*time.Millisecond).Round(time.Millisecond))
	}
}

func TestFetchLimitsScaleWithSize(t *testing.T) {
	l := DefaultFetchLimits()
	if d := l.deadline(16 << 10); d > 35*time.Second {
		t.Fatalf("timestamp deadline %s", d)
	}
	if d := l.deadline(8 << 20); d < 17*time.Minute {
		t.Fatalf("8 MB deadline %s too short for 8 KB/s", d)
	}
}

func TestDirFetcher(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "metadata"), 0o755)
	os.WriteFile(filepath.Join(dir, "metadata", "1.root.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(dir, "metadata", "big.json"), make([]byte, 1000), 0o644)
	f := &DirFetcher{Root: dir}
	cases := []struct {
		name, url string
		max       int64
		check     func(error) bool
	}{
		{"present file", dirURL(filepath.Join(dir, "metadata", "1.root.json")), 100, func(e error) bool { return e == nil }},
		{"absent next root answers 404", dirURL(filepath.Join(dir, "metadata", "2.root.json")), 100, func(e error) bool {
			var h *metadata.ErrDownloadHTTP
			return errors.As(e, &h) && h.StatusCode == 404
		}},
		{"oversized file refused", dirURL(filepath.Join(dir, "metadata", "big.json")), 100, func(e error) bool {
			var l *metadata.ErrDownloadLengthMismatch
			return errors.As(e, &l)
		}},
		{"path escaping the stick refused", "file://" + dir + "/../../etc/passwd", 100, func(e error) bool { return e != nil && strings.Contains(e.Error(), "outside") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.DownloadFile(tc.url, tc.max, 0)
			if !tc.check(err) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestHTTPFetcherRetriesThenSucceeds(t *testing.T) {
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		if n < 3 {
			http.Error(w, "busy", 503)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	f := &HTTPFetcher{Limits: fastLimits()}
	data, err := f.DownloadFile(srv.URL, 10, 0)
	if err != nil || string(data) != "ok" || n != 3 {
		t.Fatalf("%q %v after %d requests", data, err, n)
	}
	// 404 is an answer, not a failure: never retried
	n = 100
	srv404 := httptest.NewServer(http.NotFoundHandler())
	defer srv404.Close()
	_, err = f.DownloadFile(srv404.URL+"/2.root.json", 10, 0)
	var h *metadata.ErrDownloadHTTP
	if !errors.As(err, &h) || h.StatusCode != 404 {
		t.Fatalf("404: %v", err)
	}
}

func TestRateFloor(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	type step struct {
		at    time.Duration // since the headers
		total int64         // bytes received by then
		slow  bool
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"one byte a second: cut when the grace ends", []step{{5 * time.Second, 5, false}, {9 * time.Second, 9, false}, {10 * time.Second, 10, true}}},
		{"fast start then a stall: cut once the window holds only the stall", []step{
			{time.Second, 64 << 10, false}, {10 * time.Second, 64 << 10, false}, {11 * time.Second, 64 << 10, true}}},
		{"cell handover: 5 s of nothing inside a 4 KiB/s link is not cut", []step{
			{5 * time.Second, 20 << 10, false}, {10 * time.Second, 20 << 10, false}, {15 * time.Second, 40 << 10, false}, {20 * time.Second, 60 << 10, false}}},
		{"a poor 2G link at 2 KiB/s is never cut", []step{
			{10 * time.Second, 20 << 10, false}, {20 * time.Second, 40 << 10, false}, {60 * time.Second, 120 << 10, false}}},
		{"just under the floor after the grace", []step{{10 * time.Second, 10<<10 - 1, true}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rateFloor{floor: 1 << 10, grace: 10 * time.Second, window: 10 * time.Second}
			r.begin(t0)
			// samples every second in between, as the watcher takes them
			var prev step
			for _, s := range tc.steps {
				for at := prev.at + time.Second; at < s.at; at += time.Second {
					n := prev.total + (s.total-prev.total)*int64(at-prev.at)/int64(s.at-prev.at)
					if slow, _, _ := r.observe(t0.Add(at), n); slow {
						t.Fatalf("cut at %s with %d bytes", at, n)
					}
				}
				if slow, got, over := r.observe(t0.Add(s.at), s.total); slow != s.slow {
					t.Fatalf("at %s with %d bytes (%d over %s): slow=%v, want %v", s.at, s.total, got, over, slow, s.slow)
				}
				prev = s
			}
		})
	}
}

// TestHTTPFetcherFloorAbandonsMirror: under the floor the request is cut
// with the figures, not retried, and the fetcher does not ask that mirror
// again.
func TestHTTPFetcherFloorAbandonsMirror(t *testing.T) {
	tr := &trickle{path: "/metadata/timestamp.json", interval: 100 * time.Millisecond}
	var other atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !tr.handler(w, r) {
			other.Add(1)
			w.Write([]byte("{}"))
		}
	}))
	defer srv.Close()
	l := DefaultFetchLimits()
	l.FloorGrace, l.FloorWindow, l.Backoff = 300*time.Millisecond, 300*time.Millisecond, 10*time.Millisecond
	f := &HTTPFetcher{Limits: l}
	_, err := f.DownloadFile(srv.URL+"/metadata/timestamp.json", 16384, 0)
	if err == nil || !strings.Contains(err.Error(), "too slow") || !strings.Contains(err.Error(), "under the floor of 1024 B/s") {
		t.Fatalf("want a floor error, got %v", err)
	}
	var dl *metadata.ErrDownload
	if !errors.As(err, &dl) {
		t.Fatalf("not an ErrDownload (go-tuf must see a download error): %T", err)
	}
	_, err2 := f.DownloadFile(srv.URL+"/metadata/snapshot.json", 16384, 0)
	if err2 == nil || !strings.Contains(err2.Error(), "not asked") {
		t.Fatalf("abandoned mirror asked again: %v", err2)
	}
	tr.mu.Lock()
	n := tr.requests
	tr.mu.Unlock()
	if n != 1 || other.Load() != 0 {
		t.Fatalf("requests after the verdict: timestamp %d, others %d", n, other.Load())
	}
	t.Logf("%v", err)
}

// TestStickReadsOnlyRegularFilesInside: a stick is read as a stick. A FIFO
// at metadata/timestamp.json once blocked the open forever; devices and
// sockets are refused the same way, before any open; a symlinked metadata/
// or targets/ (or a single file) leading off the stick is not followed,
// while a symlink that stays on the stick is.
func TestStickReadsOnlyRegularFilesInside(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.json"), []byte(`{"secret":1}`), 0o644)
	os.MkdirAll(filepath.Join(outside, "metadata"), 0o755)
	os.WriteFile(filepath.Join(outside, "metadata", "timestamp.json"), []byte(`{"outside":1}`), 0o644)
	stick := t.TempDir()
	md := filepath.Join(stick, "metadata")
	os.MkdirAll(md, 0o755)
	os.WriteFile(filepath.Join(md, "1.root.json"), []byte("{}"), 0o644)
	if err := syscall.Mkfifo(filepath.Join(md, "timestamp.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Symlink("1.root.json", filepath.Join(md, "root.json"))                             // stays on the stick
	os.Symlink(filepath.Join(outside, "secret.json"), filepath.Join(md, "snapshot.json")) // leaves it
	os.Symlink("../../"+filepath.Base(outside)+"/secret.json", filepath.Join(md, "2.root.json"))
	os.Mkdir(filepath.Join(md, "dir.json"), 0o755)
	os.Symlink(filepath.Join(outside, "metadata"), filepath.Join(stick, "meta-out")) // a whole dir off the stick
	os.Symlink(outside, filepath.Join(stick, "targets"))
	l, err := net.Listen("unix", filepath.Join(md, "sock.json"))
	if err == nil {
		defer l.Close()
	}
	devErr := syscall.Mknod(filepath.Join(md, "null.json"), syscall.S_IFCHR|0o666, int(unix.Mkdev(1, 3)))

	f := &DirFetcher{Root: stick, Limits: fastLimits()}
	cases := []struct {
		name, rel, want string
		skip            string
	}{
		{"FIFO refused without blocking", "metadata/timestamp.json", "named pipe (FIFO), not a regular file", ""},
		{"device node refused", "metadata/null.json", "device node", skipIf(devErr)},
		{"socket refused", "metadata/sock.json", "socket", skipIf(err)},
		{"directory refused", "metadata/dir.json", "directory", ""},
		{"symlinked file leaving the stick refused", "metadata/snapshot.json", "refused", ""},
		{"relative symlink climbing out refused", "metadata/2.root.json", "refused", ""},
		{"symlinked metadata dir leaving the stick refused", "meta-out/timestamp.json", "refused", ""},
		{"symlinked targets dir leaving the stick refused", "targets/secret.json", "refused", ""},
		{"symlink within the stick followed", "metadata/root.json", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != "" {
				t.Skip(tc.skip)
			}
			start := time.Now()
			data, err := f.DownloadFile(dirURL(filepath.Join(stick, tc.rel)), 1024, 0)
			took := time.Since(start)
			if tc.want == "" {
				if err != nil || string(data) != "{}" {
					t.Fatalf("%q %v", data, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want %q, got %q %v", tc.want, data, err)
			}
			var r *stickRefused
			if !errors.As(err, &r) {
				t.Fatalf("not a refusal of what is on the stick: %T %v", err, err)
			}
			t.Logf("refused in %s: %v", took.Round(time.Microsecond), err)
		})
	}
}

func skipIf(err error) string {
	if err != nil {
		return "cannot make it here: " + err.Error()
	}
	return ""
}

// TestStickReadBounded: a stick that never answers (a failing flash chip, a
// hung mount) costs the read's deadline, or less when the cycle ends.
func TestStickReadBounded(t *testing.T) {
	stick := t.TempDir()
	block := make(chan struct{})
	defer close(block)
	hang := func(root, rel string, max int64) ([]byte, error) { <-block; return nil, nil }
	l := fastLimits()
	l.RequestTimeout = 200 * time.Millisecond
	f := &DirFetcher{Root: stick, Limits: l, read: hang}
	start := time.Now()
	_, err := f.DownloadFile(dirURL(filepath.Join(stick, "metadata", "timestamp.json")), 16384, 0)
	if err == nil || !strings.Contains(err.Error(), "no answer within") {
		t.Fatalf("want a deadline error, got %v", err)
	}
	t.Logf("deadline: gave up after %s: %v", time.Since(start).Round(time.Millisecond), err)

	ctx, cancel := context.WithCancel(context.Background())
	f = &DirFetcher{Root: stick, Ctx: ctx, Limits: DefaultFetchLimits(), read: hang}
	time.AfterFunc(50*time.Millisecond, cancel)
	start = time.Now()
	_, err = f.DownloadFile(dirURL(filepath.Join(stick, "metadata", "timestamp.json")), 16384, 0)
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("want a cancellation, got %v", err)
	}
	t.Logf("cancelled (SIGTERM): gave up after %s: %v", time.Since(start).Round(time.Millisecond), err)
}

// TestHTTPFetcherNoHeadersNotRetried: a mirror that accepts the connection
// and never answers is too slow once the transport's header timeout passes:
// not retried, the next source is tried.
func TestHTTPFetcherNoHeadersNotRetried(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		<-r.Context().Done()
	}))
	defer srv.Close()
	defer srv.CloseClientConnections()
	hc := &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: 200 * time.Millisecond}}
	l := fastLimits()
	l.RequestTimeout = 30 * time.Second
	f := &HTTPFetcher{Client: hc, Limits: l}
	_, err := f.DownloadFile(srv.URL+"/metadata/timestamp.json", 16384, 0)
	if err == nil || !strings.Contains(err.Error(), "too slow") || !strings.Contains(err.Error(), "awaiting response headers") {
		t.Fatalf("want a too-slow verdict, got %v", err)
	}
	if n.Load() != 1 {
		t.Fatalf("asked %d times", n.Load())
	}
	t.Logf("%v", err)
}
