package updates

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/fetcher"
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
	t.Logf("our fetcher gave up after %s (2 attempts x 500 ms + backoff): %v", took.Round(time.Millisecond), err)
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
