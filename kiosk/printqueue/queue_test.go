package printqueue

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sapar/drivers/emulator"
	"sapar/drivers/receipt"
	"sapar/kiosk/internal/kiosktest"
)

func testDoc(title string) receipt.Document {
	return receipt.Document{Lang: "ky", Title: title, Steps: []string{"Паспортуңузду текшериңиз.", "Келишимдин көчүрмөсүн алыңыз."},
		QRURL: "https://example.org/" + title, QRCaption: "Толук маалымат"}
}

func waitState(t *testing.T, j *Queue, id string, states ...string) Job {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		job, ok := j.Get(id)
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
	j, err := Open(Opts{Path: path}, stuck)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	for _, title := range []string{"A", "B"} {
		job, err := j.Submit("topic-"+title, "ky", testDoc(title))
		if err != nil {
			fmt.Println("error", err)
			return 1
		}
		fmt.Println("job", title, job.ID)
	}
	j.Run(context.Background())
	return 0
}

// Queue survives a crash: the kiosk process is killed (SIGKILL) while job
// A prints and job B waits. On the next start A is failed "interrupted"
// (not printed twice), B prints whole, and both records are still there.
func TestQueueSurvivesKillMidJob(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.db")
	rig := kiosktest.NewVirtualPrinter(t, emulator.VirtualOpts{})

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

	j2, err := Open(Opts{Path: path}, rig.P.Print)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	ja, ok := j2.Get(ids["A"])
	if !ok || ja.State != JobFailed || ja.Reason != ReasonInterrupted || ja.Attempts != 1 {
		t.Fatalf("A after restart: %+v (found %v), want failed/interrupted after 1 attempt", ja, ok)
	}
	// At-most-once across a crash, with the choice given back to the person:
	// the interrupted job offers a reprint (the UI's words), and the page
	// that starts after the restart learns of it.
	if !ja.Reprint {
		t.Errorf("A after restart offers no reprint: %+v", ja)
	}
	if rec := j2.Interrupted(); len(rec) != 1 || rec[0].ID != ids["A"] || rec[0].Topic == "" {
		t.Errorf("jobs interrupted by the restart: %+v, want A", rec)
	}
	if jb, _ := j2.Get(ids["B"]); jb.State != JobQueued || jb.doc.Title != "B" {
		t.Fatalf("B after restart: %+v", jb)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	go j2.Run(ctx2)
	jb := waitState(t, j2, ids["B"], JobDone)
	s := rig.Slip(t, 10*time.Second)
	if strings.Join(s.QRData, " ") != jb.QRURL || !s.Cut {
		t.Errorf("B's slip: text %q qr %q cut %v", s.Text, s.QRData, s.Cut)
	}
	select {
	case s := <-rig.Slips:
		t.Errorf("a second slip printed: %q", s.Text)
	case <-time.After(200 * time.Millisecond):
	}
	hist, err := j2.History(ids["A"])
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
	j, err := Open(Opts{Path: path, MaxQueued: 3, MaxWait: time.Minute, KeepDone: 2, Now: clock}, print)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("full queue refuses", func(t *testing.T) {
		for i := range 3 {
			if _, err := j.Submit("t", "ky", testDoc(fmt.Sprint("old", i))); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := j.Submit("t", "ky", testDoc("x")); !errors.Is(err, ErrFull) {
			t.Fatalf("4th job: %v, want ErrFull", err)
		}
	})
	advance(2 * time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	go j.Run(ctx)

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
			job, err := j.Submit("t", "ky", testDoc(fmt.Sprint("new", i)))
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
				_, ok := j.Get(id)
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
		job, err := j.Submit("t", "ky", testDoc("block"))
		if err != nil {
			t.Fatal(err)
		}
		waitState(t, j, job.ID, JobPrinting)
		cancel()
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		j2, err := Open(Opts{Path: path, Now: clock}, print)
		if err != nil {
			t.Fatal(err)
		}
		defer j2.Close()
		if got, _ := j2.Get(job.ID); got.State != JobFailed || got.Reason != ReasonInterrupted {
			t.Errorf("stopped job: %q/%q", got.State, got.Reason)
		}
	})
}

func TestQueueRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	j, err := Open(Opts{Path: path}, noPrint)
	if err != nil {
		t.Fatal(err)
	}
	j.db.Exec(`PRAGMA user_version = 99`)
	j.Close()
	if _, err := Open(Opts{Path: path}, noPrint); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("opened a newer schema: %v", err)
	}
}

// close stops a worker whose context never ends (Serve returning on a
// listener error) instead of waiting for it for ever.
func TestQueueCloseStopsTheWorker(t *testing.T) {
	j, err := Open(Opts{}, func(ctx context.Context, doc receipt.Document) error { <-ctx.Done(); return ctx.Err() })
	if err != nil {
		t.Fatal(err)
	}
	job, err := j.Submit("t", "ky", testDoc("x"))
	if err != nil {
		t.Fatal(err)
	}
	go j.Run(context.Background())
	waitState(t, j, job.ID, JobPrinting)
	closed := make(chan error)
	go func() { closed <- j.Close() }()
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
	j, err := Open(Opts{Path: filepath.Join(t.TempDir(), "q.db"), MaxQueued: 1000, MaxPerMinute: 1000},
		func(ctx context.Context, doc receipt.Document) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go j.Run(ctx)
	var wg sync.WaitGroup
	ids := make(chan string, 160)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				job, err := j.Submit("t", "ky", testDoc(fmt.Sprint(g, "-", i)))
				if err != nil {
					t.Error(err)
					return
				}
				j.Get(job.ID)
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

func noPrint(context.Context, receipt.Document) error { return nil }

// A local client could drain a roll 16 slips at a time: prints are limited
// per minute (MaxPerMinute), counted from the stored jobs so a restart does
// not reset the count, and the refusal says to wait.
func TestPrintsAreRateLimitedPerMinute(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.db")
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	print := func(context.Context, receipt.Document) error { return nil }
	j, err := Open(Opts{Path: path, MaxPerMinute: 3, Now: clock}, print)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := j.Submit("t", "ky", testDoc(fmt.Sprint(i))); err != nil {
			t.Fatalf("print %d of 3 in a minute: %v", i+1, err)
		}
	}
	if _, err := j.Submit("t", "ky", testDoc("x")); !errors.Is(err, ErrTooMany) {
		t.Fatalf("fourth print in a minute: %v, want ErrTooMany", err)
	}
	j.Close()
	j, err = Open(Opts{Path: path, MaxPerMinute: 3, Now: clock}, print)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, err := j.Submit("t", "ky", testDoc("x")); !errors.Is(err, ErrTooMany) {
		t.Fatalf("after a restart, the fourth print in a minute: %v, want ErrTooMany", err)
	}
	now = now.Add(61 * time.Second)
	if _, err := j.Submit("t", "ky", testDoc("y")); err != nil {
		t.Fatalf("a print a minute later: %v", err)
	}
}
