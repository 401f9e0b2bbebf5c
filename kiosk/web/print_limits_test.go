package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sapar/content/sample/sampletest"
	"sapar/drivers/receipt"
	"sapar/kiosk/internal/kiosktest"
	"sapar/kiosk/printqueue"
)

// serveWith starts a server on loopback with print and the queue at path;
// stop ends it (the worker records a job cut short as interrupted).
func serveWith(t *testing.T, path string, print printqueue.PrintFunc) (srv *Server, base string, stop func()) {
	t.Helper()
	srv, err := NewServer(Options{Store: sampletest.Store(t, "test"), Print: print, Log: kiosktest.QuietLog(), QueueDB: path})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return srv, "http://" + ln.Addr().String(), stop
}

func postPrint(t *testing.T, base, token string) (int, map[string]string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"topic": sampleTopic, "lang": sampleLang})
	req, _ := http.NewRequest("POST", base+"/api/print", bytes.NewReader(body))
	req.Header.Set("X-Sapar-Token", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// A local client could drain a roll 16 slips at a time: past the per-minute
// limit a print is refused with 429 and a reason the page has words for.
func TestPrintsAreRateLimitedWithAClearMessage(t *testing.T) {
	srv, base, _ := serveWith(t, filepath.Join(t.TempDir(), "q.db"), func(context.Context, receipt.Document) error { return nil })
	limit := printqueue.DefaultOpts().MaxPerMinute
	for i := range limit {
		if code, out := postPrint(t, base, srv.token); code != http.StatusAccepted {
			t.Fatalf("print %d of %d in a minute: %d %v", i+1, limit, code, out)
		}
	}
	code, out := postPrint(t, base, srv.token)
	if code != http.StatusTooManyRequests || out["reason"] != printqueue.ReasonTooMany || !strings.Contains(out["error"], "wait a minute") {
		t.Fatalf("print %d in a minute: %d %v, want 429 too-many saying to wait", limit+1, code, out)
	}
}

// A restart mid-print lost the job in silence. Now: at most once (no
// automatic second slip), and the person is asked — the job answers with a
// reprint offer, and the page served after the restart carries it.
func TestRestartMidPrintOffersAReprint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	printing := make(chan struct{})
	stuck := func(ctx context.Context, doc receipt.Document) error {
		close(printing)
		<-ctx.Done() // the printer is mid-slip when the kiosk stops
		return ctx.Err()
	}
	srv, base, stop := serveWith(t, path, stuck)
	code, out := postPrint(t, base, srv.token)
	if code != http.StatusAccepted {
		t.Fatalf("print: %d %v", code, out)
	}
	select {
	case <-printing:
	case <-time.After(20 * time.Second):
		t.Fatal("the job never started printing")
	}
	stop()

	_, base2, _ := serveWith(t, path, func(context.Context, receipt.Document) error { return nil })
	resp, err := http.Get(base2 + "/api/print/" + out["job"])
	if err != nil {
		t.Fatal(err)
	}
	var job printqueue.Job
	json.NewDecoder(resp.Body).Decode(&job)
	resp.Body.Close()
	if job.State != printqueue.JobFailed || job.Reason != printqueue.ReasonInterrupted || !job.Reprint {
		t.Fatalf("the interrupted job after the restart: %+v, want failed/interrupted with a reprint offer", job)
	}
	resp, err = http.Get(base2 + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`<script type="application/json" id="boot">(.*?)</script>`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no boot data")
	}
	var boot struct {
		Reprint map[string]string `json:"reprint"`
	}
	if err := json.Unmarshal(m[1], &boot); err != nil {
		t.Fatal(err)
	}
	if boot.Reprint["job"] != out["job"] || boot.Reprint["topic"] != sampleTopic || boot.Reprint["lang"] == "" {
		t.Fatalf("the page after the restart offers %v, want job %s (%s)", boot.Reprint, out["job"], sampleTopic)
	}
}
