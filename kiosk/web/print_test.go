package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/content/sample/sampletest"
	"sapar/drivers/emulator"
	"sapar/drivers/printer"
	"sapar/kiosk/internal/kiosktest"
	"sapar/kiosk/printqueue"
)

// kioskRig is the whole server on loopback with the sample content, a
// persistent queue and a Virtual printer; the test speaks to it like the UI.
type kioskRig struct {
	*kiosktest.VirtualPrinter
	srv    *Server
	url    string
	cancel context.CancelFunc
	done   chan struct{}
}

func newKioskRig(t *testing.T, vo emulator.VirtualOpts, queueDB string, tune ...func(*printer.ReconnectOpts)) *kioskRig {
	t.Helper()
	rig := kiosktest.NewVirtualPrinter(t, vo, tune...)
	return startKiosk(t, rig, queueDB)
}

func startKiosk(t *testing.T, rig *kiosktest.VirtualPrinter, queueDB string) *kioskRig {
	t.Helper()
	srv, err := NewServer(Options{Store: sampletest.Store(t, "test"), Print: rig.P.Print, Log: kiosktest.QuietLog(), QueueDB: queueDB, Place: "test"})
	if err != nil {
		t.Fatal(err)
	}
	rig.P.OnStatus = srv.Queue().PrinterStatus
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	k := &kioskRig{VirtualPrinter: rig, srv: srv, url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan struct{})}
	go func() { srv.Serve(ctx, ln); close(k.done) }()
	t.Cleanup(k.stop)
	return k
}

func (k *kioskRig) stop() {
	k.cancel()
	<-k.done
}

func (k *kioskRig) post(t *testing.T, topic, lang string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"topic": topic, "lang": lang})
	req, _ := http.NewRequest("POST", k.url+"/api/print", bytes.NewReader(body))
	req.Header.Set("X-Sapar-Token", k.srv.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusAccepted || out["job"] == "" {
		t.Fatalf("POST /api/print: %s %v %v", resp.Status, out, err)
	}
	return out["job"]
}

func (k *kioskRig) status(t *testing.T, id string) printqueue.Job {
	t.Helper()
	resp, err := http.Get(k.url + "/api/print/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var job printqueue.Job
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/print/%s: %s", id, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&job); err != nil {
		t.Fatal(err)
	}
	return job
}

// poll asks for the job's status like the UI does (every 100 ms here)
// until it is done or failed, and returns it with the time it was seen.
func (k *kioskRig) poll(t *testing.T, id string, every time.Duration) (printqueue.Job, time.Time) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		job := k.status(t, id)
		if job.State == printqueue.JobDone || job.State == printqueue.JobFailed {
			return job, time.Now()
		}
		time.Sleep(every)
	}
	t.Fatalf("job %s not finished in 30 s", id)
	return printqueue.Job{}, time.Time{}
}

const sampleTopic, sampleLang = "check-agency-licence", "ky"

// Paper runs out mid-slip: the job fails with reason paper-out and the UI
// learns it within 2 s of the roll running out; no half slip is left to
// print when paper is reloaded; printing again gives the whole slip.
func TestPaperOutMidJobThenReprint(t *testing.T) {
	// 4 KB buffer and a mechanism at 3000 B/s: a slip takes about a second
	// to print, long enough to run out of paper in the middle.
	k := newKioskRig(t, emulator.VirtualOpts{BufferBytes: 4096, PrintBytesPerSecond: 3000}, filepath.Join(t.TempDir(), "queue.db"))
	id := k.post(t, sampleTopic, sampleLang)
	for k.V.Stats().Printed < 400 {
		time.Sleep(2 * time.Millisecond)
	}
	k.V.SetPaperOut(true)
	empty := time.Now()
	job, seen := k.poll(t, id, 400*time.Millisecond) // the UI's cadence (app.js)
	latency := seen.Sub(empty)
	t.Logf("paper out → UI sees %q/%q after %v", job.State, job.Reason, latency.Round(time.Millisecond))
	if job.State != printqueue.JobFailed || job.Reason != "paper-out" || !strings.Contains(job.Error, "paper") {
		t.Fatalf("job after paper out: %+v", job)
	}
	if latency > 2*time.Second {
		t.Errorf("the UI learnt of the empty roll after %v; the contract is 2 s", latency)
	}

	k.V.SetPaperOut(false) // staff load a new roll
	select {
	case s := <-k.Slips:
		t.Fatalf("the rest of the failed job printed after the reload: %q", s.Text)
	case <-time.After(300 * time.Millisecond):
	}
	again := k.post(t, sampleTopic, sampleLang)
	job, _ = k.poll(t, again, 100*time.Millisecond)
	if job.State != printqueue.JobDone {
		t.Fatalf("reprint: %+v", job)
	}
	s := k.Slip(t, 10*time.Second)
	g, err := k.srv.Store().Guide(context.Background(), sampleTopic, sampleLang)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Cut || !strings.Contains(strings.ReplaceAll(s.Text, "\n", " "), strings.Fields(g.Title)[0]) || job.QRURL == "" || strings.Join(s.QRData, " ") != job.QRURL {
		t.Errorf("reprinted slip: cut %v qr %q (job %q) text %q", s.Cut, s.QRData, job.QRURL, s.Text)
	}
	if first := k.status(t, id); first.State != printqueue.JobFailed || first.Reason != "paper-out" {
		t.Errorf("the failed job's record changed: %+v", first)
	}
}

// Paper near end: the job prints, and its status tells the kiosk to get
// the roll changed; a new roll clears it.
func TestPaperNearEndReachesTheKiosk(t *testing.T) {
	// A slow mechanism, so the sender polls status (DLE EOT 2 only) while
	// the slip prints: those polls must not clear the warning.
	k := newKioskRig(t, emulator.VirtualOpts{PaperNearEnd: true, PrintBytesPerSecond: 2000}, "")
	job, _ := k.poll(t, k.post(t, sampleTopic, sampleLang), 50*time.Millisecond)
	if job.State != printqueue.JobDone || !job.PaperLow {
		t.Errorf("near end: %+v, want done with paper_low", job)
	}
	k.Slip(t, 5*time.Second)
	resp, err := http.Get(k.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	exported, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(exported), "sapar_prints_paper_low_total 1") {
		t.Errorf("/metrics does not count the slip printed on a low roll:\n%s", exported)
	}
	k.V.SetPaperNearEnd(false)
	job, _ = k.poll(t, k.post(t, sampleTopic, sampleLang), 50*time.Millisecond)
	if job.State != printqueue.JobDone || job.PaperLow {
		t.Errorf("new roll: %+v, want done without paper_low", job)
	}
}

// The queue survives a whole server restart: a job printed before it is
// still answered after, from the same file.
func TestServerRestartKeepsJobs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.db")
	k := newKioskRig(t, emulator.VirtualOpts{}, path)
	id := k.post(t, sampleTopic, sampleLang)
	start := time.Now()
	job, seen := k.poll(t, id, 20*time.Millisecond)
	t.Logf("POST → done seen by the UI in %v", seen.Sub(start).Round(time.Millisecond))
	if job.State != printqueue.JobDone {
		t.Fatalf("%+v", job)
	}
	k.stop()
	k2 := startKiosk(t, k.VirtualPrinter, path)
	if job := k2.status(t, id); job.State != printqueue.JobDone || job.Topic != sampleTopic {
		t.Errorf("after restart: %+v", job)
	}
}

// The printer's cable is pulled mid-slip and plugged back 0.5 s later (a
// new tty behind the same link): the job stays "printing" meanwhile, then
// is done, with one whole slip — the reconnect happens under the queue.
//
// The job is sent in 256-byte chunks so that part of it is still on the
// kiosk's side when the cable goes. (A job wholly in the printer's buffer
// when the cable is pulled prints there, unacknowledged, and the resend
// prints it again: at least once, never lost — see drivers/README.md.)
func TestUnplugMidJobThroughTheQueue(t *testing.T) {
	k := newKioskRig(t, emulator.VirtualOpts{BufferBytes: 4096, PrintBytesPerSecond: 3000}, filepath.Join(t.TempDir(), "queue.db"),
		func(o *printer.ReconnectOpts) { o.Send.ChunkBytes = 256 })
	id := k.post(t, sampleTopic, sampleLang)
	for k.V.Stats().Printed < 300 {
		time.Sleep(2 * time.Millisecond)
	}
	k.V.Unplug()
	time.Sleep(500 * time.Millisecond)
	if job := k.status(t, id); job.State != printqueue.JobPrinting {
		t.Errorf("while unplugged: %q/%q, want printing (the Printer is reconnecting)", job.State, job.Reason)
	}
	if err := k.V.Replug(); err != nil {
		t.Fatal(err)
	}
	job, _ := k.poll(t, id, 100*time.Millisecond)
	if job.State != printqueue.JobDone || job.Attempts != 1 {
		t.Fatalf("after replug: %+v", job)
	}
	var cut int
	deadline := time.After(10 * time.Second)
	for cut == 0 {
		select {
		case s := <-k.Slips:
			t.Logf("slip: cut %v, %d bytes", s.Cut, s.Bytes)
			if s.Cut {
				cut++
				if strings.Join(s.QRData, " ") != job.QRURL {
					t.Errorf("slip QR %q, want %q", s.QRData, job.QRURL)
				}
			}
		case <-deadline:
			t.Fatal("no whole slip after the replug")
		}
	}
	select {
	case s := <-k.Slips:
		if s.Cut {
			t.Errorf("printed twice: %d bytes, %d lines; stats %+v", s.Bytes, strings.Count(s.Text, "\n"), k.V.Stats())
		}
	case <-time.After(300 * time.Millisecond):
	}
}
