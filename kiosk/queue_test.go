package kiosk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sapar/content"
	"sapar/content/sample"
	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/drivers/printer"
	"sapar/drivers/receipt"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// virtualRig is a Virtual printer on a pty, opened through the serial
// driver by a PortPrinter (reconnect and backoff included).
type virtualRig struct {
	v     *emulator.Virtual
	pp    *PortPrinter
	slips chan *emulator.Slip
}

func newVirtualRig(t *testing.T, vo emulator.VirtualOpts, tune ...func(*printer.ReconnectOpts)) *virtualRig {
	t.Helper()
	prof, err := escpos.ProfileByName("TM-T20III")
	if err != nil {
		t.Fatal(err)
	}
	r := &virtualRig{slips: make(chan *emulator.Slip, 8)}
	vo.Profile = prof
	vo.OnSlip = func(_ int, s *emulator.Slip, _, _ string) { r.slips <- s }
	vo.Link = filepath.Join(t.TempDir(), "sapar-printer") // the udev rule's stable name
	if r.v, err = emulator.NewVirtual(vo); err != nil {
		t.Fatal(err)
	}
	o := printer.DefaultReconnectOpts()
	o.Send.StatusTimeout = 500 * time.Millisecond
	o.MinBackoff = 50 * time.Millisecond
	for _, f := range tune {
		f(&o)
	}
	r.pp = NewPortPrinter(SerialDialer(vo.Link, 115200), prof, o)
	t.Cleanup(func() { r.pp.Close(); r.v.Close() })
	return r
}

func (r *virtualRig) slip(t *testing.T, within time.Duration) *emulator.Slip {
	t.Helper()
	select {
	case s := <-r.slips:
		return s
	case <-time.After(within):
		t.Fatalf("no slip within %v", within)
		return nil
	}
}

func testDoc(title string) receipt.Document {
	return receipt.Document{Lang: "ky", Title: title, Steps: []string{"Паспортуңузду текшериңиз.", "Келишимдин көчүрмөсүн алыңыз."},
		QRURL: "https://example.org/" + title, QRCaption: "Толук маалымат"}
}

func waitState(t *testing.T, j *jobs, id string, states ...string) Job {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		job, ok := j.get(id)
		if ok {
			for _, s := range states {
				if job.State == s {
					return job
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s: state %q (found %v), want one of %v", id, job.State, ok, states)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// crashChild is set in the child process of TestQueueSurvivesKillMidJob:
// it queues two jobs, starts printing the first and never finishes — the
// parent kills it with SIGKILL, as a power cut or the watchdog would.
var crashChild = os.Getenv("SAPAR_QUEUE_CRASH_CHILD")

func TestMain(m *testing.M) {
	if crashChild != "" {
		os.Exit(runCrashChild(crashChild))
	}
	os.Exit(m.Run())
}

func runCrashChild(path string) int {
	stuck := func(ctx context.Context, doc receipt.Document) error {
		fmt.Println("printing", doc.Title)
		select {} // killed here
	}
	j, err := openJobs(QueueOpts{Path: path}, stuck, quietLog(), noUsage{})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	for _, title := range []string{"A", "B"} {
		job, err := j.submit("topic-"+title, "ky", testDoc(title))
		if err != nil {
			fmt.Println("error", err)
			return 1
		}
		fmt.Println("job", title, job.ID)
	}
	j.run(context.Background(), newMetrics())
	return 0
}

// Queue survives a crash: the kiosk process is killed (SIGKILL) while job
// A prints and job B waits. On the next start A is failed "interrupted"
// (not printed twice), B prints whole, and both records are still there.
func TestQueueSurvivesKillMidJob(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.db")
	rig := newVirtualRig(t, emulator.VirtualOpts{})

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SAPAR_QUEUE_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "job" {
			ids[f[1]] = f[2]
		}
		if len(f) > 0 && f[0] == "error" {
			t.Fatal(sc.Text())
		}
		if len(f) == 2 && f[0] == "printing" {
			break
		}
	}
	cmd.Process.Kill() // no deferred function, no last write
	cmd.Wait()
	if ids["A"] == "" || ids["B"] == "" {
		t.Fatalf("child queued %v", ids)
	}

	j2, err := openJobs(QueueOpts{Path: path}, rig.pp.Print, quietLog(), noUsage{})
	if err != nil {
		t.Fatal(err)
	}
	defer j2.close()
	ja, ok := j2.get(ids["A"])
	if !ok || ja.State != JobFailed || ja.Reason != ReasonInterrupted || ja.Attempts != 1 {
		t.Fatalf("A after restart: %+v (found %v), want failed/interrupted after 1 attempt", ja, ok)
	}
	if jb, _ := j2.get(ids["B"]); jb.State != JobQueued || jb.doc.Title != "B" {
		t.Fatalf("B after restart: %+v", jb)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	go j2.run(ctx2, newMetrics())
	jb := waitState(t, j2, ids["B"], JobDone)
	s := rig.slip(t, 10*time.Second)
	if strings.Join(s.QRData, " ") != jb.QRURL || !s.Cut {
		t.Errorf("B's slip: text %q qr %q cut %v", s.Text, s.QRData, s.Cut)
	}
	select {
	case s := <-rig.slips:
		t.Errorf("a second slip printed: %q", s.Text)
	case <-time.After(200 * time.Millisecond):
	}
	hist, err := j2.history(ids["A"])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range hist {
		got = append(got, e.State+"/"+e.Reason)
	}
	if want := "queued/ printing/ failed/interrupted"; strings.Join(got, " ") != want {
		t.Errorf("A's history %q, want %q", strings.Join(got, " "), want)
	}
}

// The queue's bookkeeping: a full queue refuses, a stale job expires
// instead of printing for nobody, old printed jobs are pruned, and a
// worker stopped mid-job records it.
func TestQueueBookkeeping(t *testing.T) {
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	var printed []string
	print := func(ctx context.Context, doc receipt.Document) error {
		if doc.Title == "block" {
			<-ctx.Done()
			return ctx.Err()
		}
		mu.Lock()
		printed = append(printed, doc.Title)
		mu.Unlock()
		return nil
	}
	path := filepath.Join(t.TempDir(), "q.db")
	j, err := openJobs(QueueOpts{Path: path, MaxQueued: 3, MaxWait: time.Minute, KeepDone: 2, Now: clock}, print, quietLog(), noUsage{})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("full queue refuses", func(t *testing.T) {
		for i := range 3 {
			if _, err := j.submit("t", "ky", testDoc(fmt.Sprint("old", i))); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := j.submit("t", "ky", testDoc("x")); !errors.Is(err, errQueueFull) {
			t.Fatalf("4th job: %v, want errQueueFull", err)
		}
	})
	advance(2 * time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	go j.run(ctx, newMetrics())

	t.Run("stale jobs expire", func(t *testing.T) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			var n int
			if err := j.db.QueryRow(`SELECT count(*) FROM jobs WHERE state = 'failed' AND reason = ?`, ReasonExpired).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d jobs expired, want 3", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(printed) != 0 {
			t.Errorf("printed stale jobs %v", printed)
		}
	})
	t.Run("old printed jobs are pruned", func(t *testing.T) {
		var ids []string
		for i := range 4 {
			job, err := j.submit("t", "ky", testDoc(fmt.Sprint("new", i)))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, job.ID)
			waitState(t, j, job.ID, JobDone)
		}
		// The worker prunes just after recording a job done.
		deadline := time.Now().Add(10 * time.Second)
		for {
			var got []bool
			for _, id := range ids {
				_, ok := j.get(id)
				got = append(got, ok)
			}
			if fmt.Sprint(got) == "[false false true true]" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("answerable %v, want the 2 newest only", got)
			}
			time.Sleep(10 * time.Millisecond)
		}
		var events int
		err := j.db.QueryRow(`SELECT count(*) FROM job_events e LEFT JOIN jobs ON jobs.seq = e.job WHERE jobs.id IS NULL`).Scan(&events)
		if err != nil || events != 0 {
			t.Errorf("%d events of pruned jobs left (%v)", events, err)
		}
	})
	t.Run("worker stopped mid-job records interrupted", func(t *testing.T) {
		job, err := j.submit("t", "ky", testDoc("block"))
		if err != nil {
			t.Fatal(err)
		}
		waitState(t, j, job.ID, JobPrinting)
		cancel()
		if err := j.close(); err != nil {
			t.Fatal(err)
		}
		j2, err := openJobs(QueueOpts{Path: path, Now: clock}, print, quietLog(), noUsage{})
		if err != nil {
			t.Fatal(err)
		}
		defer j2.close()
		if got, _ := j2.get(job.ID); got.State != JobFailed || got.Reason != ReasonInterrupted {
			t.Errorf("stopped job: %q/%q", got.State, got.Reason)
		}
	})
}

func TestQueueRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	j, err := openJobs(QueueOpts{Path: path}, nil, quietLog(), noUsage{})
	if err != nil {
		t.Fatal(err)
	}
	j.db.Exec(`PRAGMA user_version = 99`)
	j.close()
	if _, err := openJobs(QueueOpts{Path: path}, nil, quietLog(), noUsage{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("opened a newer schema: %v", err)
	}
}

// kioskRig is the whole server on loopback with the sample content, a
// persistent queue and a Virtual printer; the test speaks to it like the UI.
type kioskRig struct {
	*virtualRig
	srv    *Server
	url    string
	cancel context.CancelFunc
	done   chan struct{}
}

func newKioskRig(t *testing.T, vo emulator.VirtualOpts, queueDB string, tune ...func(*printer.ReconnectOpts)) *kioskRig {
	t.Helper()
	rig := newVirtualRig(t, vo, tune...)
	return startKiosk(t, rig, queueDB)
}

func startKiosk(t *testing.T, rig *virtualRig, queueDB string) *kioskRig {
	t.Helper()
	set, err := content.Load(sample.FS())
	if err != nil {
		t.Fatal(err)
	}
	store, err := content.OpenStore(filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Replace(context.Background(), set, "test"); err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(Options{Store: store, Print: rig.pp.Print, Log: quietLog(), QueueDB: queueDB, Place: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	k := &kioskRig{virtualRig: rig, srv: srv, url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan struct{})}
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

func (k *kioskRig) status(t *testing.T, id string) Job {
	t.Helper()
	resp, err := http.Get(k.url + "/api/print/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var job Job
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
func (k *kioskRig) poll(t *testing.T, id string, every time.Duration) (Job, time.Time) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		job := k.status(t, id)
		if job.State == JobDone || job.State == JobFailed {
			return job, time.Now()
		}
		time.Sleep(every)
	}
	t.Fatalf("job %s not finished in 30 s", id)
	return Job{}, time.Time{}
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
	for k.v.Stats().Printed < 400 {
		time.Sleep(2 * time.Millisecond)
	}
	k.v.SetPaperOut(true)
	empty := time.Now()
	job, seen := k.poll(t, id, 400*time.Millisecond) // the UI's cadence (app.js)
	latency := seen.Sub(empty)
	t.Logf("paper out → UI sees %q/%q after %v", job.State, job.Reason, latency.Round(time.Millisecond))
	if job.State != JobFailed || job.Reason != "paper-out" || !strings.Contains(job.Error, "paper") {
		t.Fatalf("job after paper out: %+v", job)
	}
	if latency > 2*time.Second {
		t.Errorf("the UI learnt of the empty roll after %v; the contract is 2 s", latency)
	}

	k.v.SetPaperOut(false) // staff load a new roll
	select {
	case s := <-k.slips:
		t.Fatalf("the rest of the failed job printed after the reload: %q", s.Text)
	case <-time.After(300 * time.Millisecond):
	}
	again := k.post(t, sampleTopic, sampleLang)
	job, _ = k.poll(t, again, 100*time.Millisecond)
	if job.State != JobDone {
		t.Fatalf("reprint: %+v", job)
	}
	s := k.slip(t, 10*time.Second)
	g, err := k.srv.Store().Guide(context.Background(), sampleTopic, sampleLang)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Cut || !strings.Contains(strings.ReplaceAll(s.Text, "\n", " "), strings.Fields(g.Title)[0]) || job.QRURL == "" || strings.Join(s.QRData, " ") != job.QRURL {
		t.Errorf("reprinted slip: cut %v qr %q (job %q) text %q", s.Cut, s.QRData, job.QRURL, s.Text)
	}
	if first := k.status(t, id); first.State != JobFailed || first.Reason != "paper-out" {
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
	if job.State != JobDone || !job.PaperLow {
		t.Errorf("near end: %+v, want done with paper_low", job)
	}
	k.slip(t, 5*time.Second)
	resp, err := http.Get(k.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), "sapar_prints_paper_low_total 1") {
		t.Errorf("/metrics does not count the slip printed on a low roll:\n%s", metrics)
	}
	k.v.SetPaperNearEnd(false)
	job, _ = k.poll(t, k.post(t, sampleTopic, sampleLang), 50*time.Millisecond)
	if job.State != JobDone || job.PaperLow {
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
	if job.State != JobDone {
		t.Fatalf("%+v", job)
	}
	k.stop()
	k2 := startKiosk(t, k.virtualRig, path)
	if job := k2.status(t, id); job.State != JobDone || job.Topic != sampleTopic {
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
	for k.v.Stats().Printed < 300 {
		time.Sleep(2 * time.Millisecond)
	}
	k.v.Unplug()
	time.Sleep(500 * time.Millisecond)
	if job := k.status(t, id); job.State != JobPrinting {
		t.Errorf("while unplugged: %q/%q, want printing (the Printer is reconnecting)", job.State, job.Reason)
	}
	if err := k.v.Replug(); err != nil {
		t.Fatal(err)
	}
	job, _ := k.poll(t, id, 100*time.Millisecond)
	if job.State != JobDone || job.Attempts != 1 {
		t.Fatalf("after replug: %+v", job)
	}
	var cut int
	deadline := time.After(10 * time.Second)
	for cut == 0 {
		select {
		case s := <-k.slips:
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
	case s := <-k.slips:
		if s.Cut {
			t.Errorf("printed twice: %d bytes, %d lines; stats %+v", s.Bytes, strings.Count(s.Text, "\n"), k.v.Stats())
		}
	case <-time.After(300 * time.Millisecond):
	}
}

// close stops a worker whose context never ends (Serve returning on a
// listener error) instead of waiting for it for ever.
func TestQueueCloseStopsTheWorker(t *testing.T) {
	j, err := openJobs(QueueOpts{}, func(ctx context.Context, doc receipt.Document) error { <-ctx.Done(); return ctx.Err() }, quietLog(), noUsage{})
	if err != nil {
		t.Fatal(err)
	}
	job, err := j.submit("t", "ky", testDoc("x"))
	if err != nil {
		t.Fatal(err)
	}
	go j.run(context.Background(), newMetrics())
	waitState(t, j, job.ID, JobPrinting)
	closed := make(chan error)
	go func() { closed <- j.close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("close waits for a worker nobody stops")
	}
}

// Many kiosk requests at once (double taps, polls) while the worker
// writes: no submit fails with "database is locked" and every job prints.
func TestQueueConcurrentSubmits(t *testing.T) {
	j, err := openJobs(QueueOpts{Path: filepath.Join(t.TempDir(), "q.db"), MaxQueued: 1000},
		func(ctx context.Context, doc receipt.Document) error { return nil }, quietLog(), noUsage{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go j.run(ctx, newMetrics())
	var wg sync.WaitGroup
	ids := make(chan string, 160)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				job, err := j.submit("t", "ky", testDoc(fmt.Sprint(g, "-", i)))
				if err != nil {
					t.Error(err)
					return
				}
				j.get(job.ID)
				ids <- job.ID
			}
		}()
	}
	wg.Wait()
	close(ids)
	for id := range ids {
		waitState(t, j, id, JobDone)
	}
}
