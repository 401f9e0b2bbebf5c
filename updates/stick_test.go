package updates

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostileSticks: each stick is refused by Update with a clear error
// within the cycle's deadline (never a hang that holds the update lock), the
// lock is free afterwards, and the status records the failure.
func TestHostileSticks(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, stick, outside string)
		want  string
	}{
		{"FIFO at metadata/timestamp.json", func(t *testing.T, stick, _ string) {
			p := filepath.Join(stick, "metadata", "timestamp.json")
			os.Remove(p)
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "named pipe (FIFO), not a regular file"},
		{"metadata/ symlinked off the stick", func(t *testing.T, stick, outside string) {
			mustRename(t, filepath.Join(stick, "metadata"), filepath.Join(outside, "metadata"))
			mustSymlink(t, filepath.Join(outside, "metadata"), filepath.Join(stick, "metadata"))
		}, "path escapes"},
		{"targets/ symlinked off the stick", func(t *testing.T, stick, outside string) {
			mustRename(t, filepath.Join(stick, "targets"), filepath.Join(outside, "targets"))
			mustSymlink(t, filepath.Join(outside, "targets"), filepath.Join(stick, "targets"))
		}, "path escapes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, InitOptions{})
			f.publish("stick", guideFiles(3, 100, ""))
			stick, outside := filepath.Join(t.TempDir(), "STICK"), t.TempDir()
			if err := os.CopyFS(stick, os.DirFS(f.pub.Repo)); err != nil {
				t.Fatal(err)
			}
			tc.setup(t, stick, outside)
			state := t.TempDir()
			c := f.client(state)
			c.USBDir = stick
			c.Deadline = 20 * time.Second // as `sapar update --usb STICK --timeout 20s`
			start := time.Now()
			res, err := c.Update(context.Background())
			took := time.Since(start)
			if err == nil {
				t.Fatalf("accepted: %+v", res)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error does not say %q: %v", tc.want, err)
			}
			if took > c.Deadline {
				t.Fatalf("took %s, past the %s deadline", took, c.Deadline)
			}
			if st, _ := ReadStatus(state); st.Failed != 1 || st.Error == "" {
				t.Fatalf("status does not record the failure: %+v", st)
			}
			unlock, lerr := lockStateCtx(context.Background(), state, 100*time.Millisecond)
			if lerr != nil {
				t.Fatalf("lock still held after the refusal: %v", lerr)
			}
			unlock()
			t.Logf("refused in %s: %v", took.Round(time.Millisecond), err)
		})
	}
}

func mustRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

// TestUpdateLockContention: a second update does not wait forever for the
// first; it gives up at its wait or its context (SIGTERM, the cycle's
// deadline) and says who holds the lock since when.
func TestUpdateLockContention(t *testing.T) {
	state := t.TempDir()
	unlock, err := lockState(state)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	holder := fmt.Sprintf("(pid %d, ", os.Getpid())
	check := func(t *testing.T, err error, why string) {
		t.Helper()
		if !errors.Is(err, ErrUpdateRunning) {
			t.Fatalf("want ErrUpdateRunning, got %v", err)
		}
		for _, want := range []string{"another update is running since " + time.Now().UTC().Format("2006-01-02T"), holder, why} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error does not say %q: %v", want, err)
			}
		}
	}
	t.Run("wait expires", func(t *testing.T) {
		start := time.Now()
		_, err := lockStateCtx(context.Background(), state, 300*time.Millisecond)
		check(t, err, "gave up after waiting")
		t.Logf("after %s: %v", time.Since(start).Round(time.Millisecond), err)
	})
	t.Run("SIGTERM while waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := lockStateCtx(ctx, state, time.Hour)
		check(t, err, "context canceled after waiting")
	})
	t.Run("Update bounded by its deadline", func(t *testing.T) {
		f := newFixture(t, InitOptions{})
		f.publish("v1", guideFiles(3, 100, ""))
		c := f.client(state, serve(t, f.pub.Repo).URL)
		c.Deadline = 500 * time.Millisecond
		start := time.Now()
		_, err := c.Update(context.Background())
		check(t, err, "deadline passed after waiting")
		t.Logf("after %s: %v", time.Since(start).Round(time.Millisecond), err)
	})
	t.Run("free again once released", func(t *testing.T) {
		unlock()
		u, err := lockStateCtx(context.Background(), state, 100*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		u()
	})
}

// TestUSBWatcherSurvivesHostileStick: a stick with a FIFO for its timestamp
// fails quickly inside the watcher, which then updates from the next stick
// (it used to hang there, holding the lock for every later update).
func TestUSBWatcherSurvivesHostileStick(t *testing.T) {
	f := newFixture(t, InitOptions{})
	f.publish("good-stick", guideFiles(3, 100, ""))
	media, state := t.TempDir(), t.TempDir()
	c := f.client(state)
	ctx, cancel := context.WithCancel(context.Background())
	type outcome struct {
		repo string
		res  Result
		err  error
	}
	done := make(chan outcome, 4)
	w := &USBWatcher{Root: media, Settle: 3 * time.Second, Rescan: time.Hour, Logf: testLogf(t),
		Run: func(ctx context.Context, repo string) {
			res, err := c.UpdateUSB(ctx, repo)
			done <- outcome{repo, res, err}
		}}
	stopped := make(chan error, 1)
	go func() { stopped <- w.Watch(ctx) }()
	time.Sleep(100 * time.Millisecond)
	put := func(name string, hostile bool) {
		tmp := filepath.Join(t.TempDir(), name)
		if err := os.CopyFS(filepath.Join(tmp, "sapar"), os.DirFS(f.pub.Repo)); err != nil {
			t.Fatal(err)
		}
		if hostile {
			p := filepath.Join(tmp, "sapar", "metadata", "timestamp.json")
			os.Remove(p)
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		mustRename(t, tmp, filepath.Join(media, name)) // the mount appears whole
	}
	wait := func() outcome {
		select {
		case o := <-done:
			return o
		case <-time.After(15 * time.Second):
			t.Fatal("USB watcher did not finish with the stick")
		}
		return outcome{}
	}
	start := time.Now()
	put("EVIL", true)
	if o := wait(); o.err == nil || !strings.Contains(o.err.Error(), "named pipe") {
		t.Fatalf("hostile stick: %+v", o)
	}
	t.Logf("hostile stick refused %s after insertion", time.Since(start).Round(time.Millisecond))
	put("GOOD", false)
	if o := wait(); o.err != nil || o.res.Version != "good-stick" {
		t.Fatalf("good stick after the hostile one: %+v", o)
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("watcher did not stop when its context ended")
	}
}

func TestFindReposStaysOnTheStick(t *testing.T) {
	media, outside := t.TempDir(), t.TempDir()
	mk := func(dir string) {
		os.MkdirAll(filepath.Join(dir, "metadata"), 0o755)
		os.WriteFile(filepath.Join(dir, "metadata", "root.json"), []byte("{}"), 0o644)
	}
	mk(filepath.Join(media, "TOP"))
	mk(filepath.Join(media, "SUB", "sapar"))
	mk(filepath.Join(outside, "repo"))
	os.MkdirAll(filepath.Join(media, "EVIL"), 0o755)
	mustSymlink(t, filepath.Join(outside, "repo"), filepath.Join(media, "EVIL", "sapar"))
	os.MkdirAll(filepath.Join(media, "FIFO", "metadata"), 0o755)
	syscall.Mkfifo(filepath.Join(media, "FIFO", "metadata", "root.json"), 0o644)
	got := FindRepos(media)
	want := []string{filepath.Join(media, "SUB", "sapar"), filepath.Join(media, "TOP")}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
