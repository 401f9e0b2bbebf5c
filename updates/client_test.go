package updates

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestUpdateEndToEnd(t *testing.T) {
	f := newFixture(t, InitOptions{})
	f.publish("2026.01", guideFiles(20, 2000, ""))
	srv := serve(t, f.pub.Repo)
	state := filepath.Join(t.TempDir(), "state")
	c := f.client(state, srv.URL)
	var changes []Release
	c.OnChange = func(r Release) { changes = append(changes, r) }

	// first install
	res, err := c.Update(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.Version != "2026.01" || res.ObjectsFetched != 20 {
		t.Fatalf("first install: %+v", res)
	}
	if got := mustActive(t, state); got != "2026.01" {
		t.Fatalf("active %s", got)
	}
	// no change: only timestamp
	res, err = c.Update(ctxT(t))
	if err != nil || res.Changed {
		t.Fatalf("no-change cycle: %+v %v", res, err)
	}
	t.Logf("no-change cycle fetched %d bytes", res.BytesFetched)

	// one guide changes: one object downloaded, the rest hard-linked
	f.publish("2026.02", guideFiles(20, 2000, "new rule"))
	res, err = c.Update(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.ObjectsFetched != 1 || res.ObjectsReused != 19 || res.Previous != "2026.01" {
		t.Fatalf("one-guide change: %+v", res)
	}
	if len(changes) != 2 || changes[1].Version != "2026.02" {
		t.Fatalf("OnChange calls: %+v", changes)
	}
	// hard links, not copies
	cur, _ := ActiveDir(state)
	prev, err := os.Readlink(filepath.Join(state, "content", "previous"))
	if err != nil {
		t.Fatalf("previous release not kept: %v", err)
	}
	st1, _ := os.Stat(filepath.Join(cur, "objects"))
	_ = st1
	ents, _ := os.ReadDir(filepath.Join(cur, "objects"))
	linked := 0
	for _, e := range ents {
		a, _ := os.Stat(filepath.Join(cur, "objects", e.Name()))
		b, err := os.Stat(filepath.Join(state, "content", prev, "objects", e.Name()))
		if err == nil && os.SameFile(a, b) {
			linked++
		}
	}
	if linked != 19 {
		t.Fatalf("%d objects hard-linked, want 19", linked)
	}
	st, err := ReadStatus(state)
	if err != nil || st.Version != "2026.02" || st.Succeeded != 3 || st.Error != "" {
		t.Fatalf("status %+v %v", st, err)
	}
}

func TestHealthFailureRollsBack(t *testing.T) {
	f := newFixture(t, InitOptions{})
	f.publish("v1", guideFiles(5, 100, ""))
	srv := serve(t, f.pub.Repo)
	state := t.TempDir()
	c := f.client(state, srv.URL)
	if _, err := c.Update(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	f.publish("v2", guideFiles(5, 100, "broken"))
	c.Index = testIndex{unhealthy: func(dir string) error {
		if strings.Contains(dir, "v2") {
			return errors.New("search returns nothing")
		}
		return nil
	}}
	_, err := c.Update(ctxT(t))
	if err == nil || !strings.Contains(err.Error(), "rolled back") {
		t.Fatalf("want rollback error, got %v", err)
	}
	if v := mustActive(t, state); v != "v1" {
		t.Fatalf("active %s after rollback", v)
	}
	// the failed release is not retried every cycle
	_, err = c.Update(ctxT(t))
	if err == nil || !strings.Contains(err.Error(), "failed its health check on this kiosk before") {
		t.Fatalf("second cycle: %v", err)
	}
	f.publish("v3", guideFiles(5, 100, "fixed"))
	if res, err := c.Update(ctxT(t)); err != nil || res.Version != "v3" {
		t.Fatalf("v3: %+v %v", res, err)
	}
}

func TestUSBDirAndMirrorFallback(t *testing.T) {
	f := newFixture(t, InitOptions{})
	f.publish("usb-1", guideFiles(4, 100, ""))
	state := t.TempDir()
	c := f.client(state)
	c.USBDir = f.pub.Repo
	res, err := c.Update(ctxT(t))
	if err != nil || res.Version != "usb-1" || !strings.HasPrefix(res.Source, "usb:") {
		t.Fatalf("usb: %+v %v", res, err)
	}
	// a dead mirror then a good one
	f.publish("usb-2", guideFiles(4, 100, "x"))
	good := serve(t, f.pub.Repo)
	bad := serve(t, t.TempDir())
	c2 := f.client(state, bad.URL, good.URL)
	res, err = c2.Update(ctxT(t))
	if err != nil || res.Version != "usb-2" || res.Source != good.URL {
		t.Fatalf("fallback: %+v %v", res, err)
	}
}

func TestClock1970DoesNotBrickUpdates(t *testing.T) {
	f := newFixture(t, InitOptions{})
	f.publish("v1", guideFiles(3, 100, ""))
	srv := serve(t, f.pub.Repo)
	state := t.TempDir()
	c := f.client(state, srv.URL)
	c.Clock = func() time.Time { return time.Unix(0, 0) }
	c.BuildTime = f.clock.Add(-24 * time.Hour)
	var logs []string
	c.Logf = func(format string, a ...any) { logs = append(logs, format); t.Logf(format, a...) }
	res, err := c.Update(ctxT(t))
	if err != nil || res.Version != "v1" {
		t.Fatalf("1970 clock: %+v %v", res, err)
	}
	if res.ClockNote == "" || !strings.Contains(res.ClockNote, "1970") {
		t.Fatalf("no clock note: %q", res.ClockNote)
	}
	if floor := readFloor(state); floor.Before(f.clock.Add(-time.Second)) {
		t.Fatalf("floor %s not raised to signed time %s", floor, f.clock)
	}
	// Years-expired metadata: a repository signed two years ago whose
	// timestamp expired long before this binary was built.
	old := newFixture(t, InitOptions{})
	old.clock = time.Now().Add(-2 * 365 * 24 * time.Hour)
	old2 := newFixture(t, InitOptions{})
	_ = old2
	oldState := t.TempDir()
	oldFix := &fixture{t: t, dir: t.TempDir(), clock: time.Now().Add(-2 * 365 * 24 * time.Hour)}
	oldFix.pub = &Publisher{Repo: filepath.Join(oldFix.dir, "repo"), Keys: filepath.Join(oldFix.dir, "keys"), Clock: func() time.Time { return oldFix.clock }}
	if err := oldFix.pub.Init(InitOptions{Expiries: Expiries{Root: 3 * 365 * day, Targets: 90 * day, Snapshot: 21 * day, Timestamp: day}}); err != nil {
		t.Fatal(err)
	}
	oldFix.publish("ancient", guideFiles(2, 10, ""))
	oldSrv := serve(t, oldFix.pub.Repo)
	oc := oldFix.client(oldState, oldSrv.URL)
	oc.Clock = func() time.Time { return time.Unix(0, 0) }
	oc.BuildTime = time.Now().Add(-30 * 24 * time.Hour)
	_, err = oc.Update(ctxT(t))
	if err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("years-expired metadata accepted with a 1970 clock: %v", err)
	}
}

func TestInstallLocalSeedsAndWatchActive(t *testing.T) {
	f := newFixture(t, InitOptions{})
	seed := f.makeBundle("image", guideFiles(3, 100, ""))
	state := t.TempDir()
	res, err := InstallLocal(state, seed, testIndex{})
	if err != nil || !res.Changed || res.Version != "image" {
		t.Fatalf("seed: %+v %v", res, err)
	}
	if v := mustActive(t, state); v != "image" {
		t.Fatal(v)
	}
	// seeding again never replaces the active release
	res, err = InstallLocal(state, f.makeBundle("image2", guideFiles(3, 100, "z")), testIndex{})
	if err != nil || res.Changed || res.Version != "image" {
		t.Fatalf("re-seed: %+v %v", res, err)
	}
	// a running kiosk hears about a swap done by another process
	ctx := ctxT(t)
	got := make(chan string, 4)
	ready := make(chan struct{})
	go func() {
		close(ready)
		WatchActive(ctx, state, func(dir string) { got <- dir })
	}()
	<-ready
	time.Sleep(100 * time.Millisecond)
	f.publish("net-1", guideFiles(3, 100, "y"))
	srv := serve(t, f.pub.Repo)
	if _, err := f.client(state, srv.URL).Update(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case dir := <-got:
		if !strings.Contains(dir, "net-1") {
			t.Fatalf("watch reported %s", dir)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WatchActive did not report the swap")
	}
}

func TestUSBWatcherRunsOnMount(t *testing.T) {
	f := newFixture(t, InitOptions{})
	f.publish("stick", guideFiles(3, 100, ""))
	media := t.TempDir()
	state := t.TempDir()
	c := f.client(state)
	ctx := ctxT(t)
	done := make(chan Result, 2)
	w := &USBWatcher{Root: media, Settle: 3 * time.Second, Rescan: time.Hour, Logf: testLogf(t),
		Run: func(ctx context.Context, repo string) {
			res, err := c.UpdateUSB(ctx, repo)
			if err != nil {
				t.Errorf("usb update: %v", err)
			}
			done <- res
		}}
	go w.Watch(ctx)
	time.Sleep(100 * time.Millisecond)
	// the automounter creates the mount point, then the files appear
	mnt := filepath.Join(media, "SAPAR-USB")
	os.Mkdir(mnt, 0o755)
	time.Sleep(200 * time.Millisecond)
	if err := os.CopyFS(filepath.Join(mnt, "sapar"), os.DirFS(f.pub.Repo)); err != nil {
		t.Fatal(err)
	}
	select {
	case res := <-done:
		if res.Version != "stick" {
			t.Fatalf("%+v", res)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("USB watcher did not update from the stick")
	}
}

func TestTornMetadataCacheRecovers(t *testing.T) {
	f := newFixture(t, InitOptions{})
	f.publish("v1", guideFiles(3, 100, ""))
	srv := serve(t, f.pub.Repo)
	state := t.TempDir()
	c := f.client(state, srv.URL)
	if _, err := c.Update(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	// a power cut after go-tuf's un-fsynced rename: empty and garbage files
	md := filepath.Join(state, "tuf", "metadata")
	os.WriteFile(filepath.Join(md, "timestamp.json"), nil, 0o644)
	os.WriteFile(filepath.Join(md, "snapshot.json"), []byte("{\"sig"), 0o644)
	os.WriteFile(filepath.Join(md, "root.json"), []byte{0, 0, 0}, 0o644)
	os.WriteFile(filepath.Join(md, "tuf_tmp123"), []byte("x"), 0o644)
	f.publish("v2", guideFiles(3, 100, "b"))
	res, err := c.Update(ctxT(t))
	if err != nil || res.Version != "v2" {
		t.Fatalf("after torn cache: %+v %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(md, "tuf_tmp123")); err == nil {
		t.Fatal("temp file left")
	}
}

func TestCrashBeforeHealthCheckIsFinishedNextCycle(t *testing.T) {
	f := newFixture(t, InitOptions{})
	f.publish("v1", guideFiles(3, 100, ""))
	srv := serve(t, f.pub.Repo)
	state := t.TempDir()
	c := f.client(state, srv.URL)
	if _, err := c.Update(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	f.publish("v2", guideFiles(3, 100, "bad"))
	// "crash" right after the swap: the goroutine stops, deferred unlock runs
	c.hook = func(s string) {
		if s == "swapped" {
			runtime.Goexit()
		}
	}
	done := make(chan struct{})
	go func() { defer close(done); c.Update(ctxT(t)) }()
	<-done
	if v := mustActive(t, state); v != "v2" {
		t.Fatalf("setup: active %s", v)
	}
	// next boot: v2 turns out unhealthy; it must not stay active unchecked
	c.hook = nil
	c.Index = testIndex{unhealthy: func(dir string) error {
		if strings.Contains(dir, "v2") {
			return errors.New("search broken")
		}
		return nil
	}}
	if err := Recover(state, c.Index, testLogf(t)); err != nil {
		t.Fatal(err)
	}
	if v := mustActive(t, state); v != "v1" {
		t.Fatalf("unchecked release stayed active: %s", v)
	}
	// and the same release is not installed again
	if _, err := c.Update(ctxT(t)); err == nil || !strings.Contains(err.Error(), "before") {
		t.Fatalf("re-install of failed release: %v", err)
	}
}
