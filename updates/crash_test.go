package updates

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCrashChild is the child side of TestCrashSafety: it runs one update
// cycle and, when told, SIGKILLs itself at the Nth time a named step is
// reached (otherwise the parent kills it at a random moment).
func TestCrashChild(t *testing.T) {
	state := os.Getenv("SAPAR_CRASH_STATE")
	if state == "" {
		t.Skip("child of TestCrashSafety only")
	}
	root, err := os.ReadFile(os.Getenv("SAPAR_CRASH_ROOT"))
	if err != nil {
		t.Fatal(err)
	}
	step, n := os.Getenv("SAPAR_CRASH_STEP"), 0
	want, _ := strconv.Atoi(os.Getenv("SAPAR_CRASH_N"))
	c := &Client{StateDir: state, Mirrors: []string{os.Getenv("SAPAR_CRASH_URL")}, TrustedRoot: root,
		Limits: fastLimits(), Deadline: 20 * time.Second, Index: testIndex{}}
	c.hook = func(s string) {
		fmt.Fprintf(os.Stderr, "STEP %s\n", s)
		if s == step {
			n++
			if n >= want {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
	}
	if _, err := c.Update(context.Background()); err != nil {
		t.Fatal(err)
	}
}

var crashSteps = []string{"refreshed", "staging", "object", "index", "verified", "prepared", "synced", "renamed", "previous-kept", "swapped", "healthy"}

// TestCrashSafety kills `update` (a re-exec of this test binary) with
// SIGKILL at 100+ moments: at every named step of an install and at random
// delays across download, build, fsync and swap. After each kill the state
// must hold a complete, verified release, old or new, never a mix; the next
// cycle (sometimes another crashed one first) must complete.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("re-execs the test binary 100+ times")
	}
	f := newFixture(t, InitOptions{})
	old := guideFiles(100, 2000, "")
	v1 := f.publish("v1", old)
	next := guideFiles(100, 2000, "")
	for i := 0; i < 100; i += 2 { // half the guides change
		k := fmt.Sprintf("guides/g%03d.md", i)
		next[k] = append([]byte("revised\n"), next[k]...)
	}
	next["guides/new.md"] = []byte("a new guide")
	f.publish("v2", next)
	srv := serve(t, f.pub.Repo)
	rootFile := filepath.Join(f.dir, "root.json")
	os.WriteFile(rootFile, f.rootBytes(), 0o644)

	// a kiosk freshly seeded with v1 (copied from a template: cp -a keeps the symlinks)
	template := filepath.Join(t.TempDir(), "state")
	if _, err := InstallLocal(template, v1, testIndex{}); err != nil {
		t.Fatal(err)
	}
	fresh := func() string {
		s := filepath.Join(t.TempDir(), "state")
		if out, err := exec.Command("cp", "-a", template, s).CombinedOutput(); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		return s
	}
	child := func(state, step string, n int) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SAPAR_CRASH_STATE="+state, "SAPAR_CRASH_ROOT="+rootFile,
			"SAPAR_CRASH_URL="+srv.URL, "SAPAR_CRASH_STEP="+step, "SAPAR_CRASH_N="+strconv.Itoa(n))
		return cmd
	}
	// How long does an uninterrupted child take?
	s := fresh()
	start := time.Now()
	if out, err := child(s, "", 0).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted child: %v\n%s", err, out)
	}
	full := time.Since(start)
	if v := mustActive(t, s); v != "v2" {
		t.Fatalf("uninterrupted child left %s", v)
	}
	t.Logf("uninterrupted child run: %s", full.Round(time.Millisecond))

	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	kills, completed, chains, resumed := 0, 0, 0, 0
	seen := map[string]int{}
	lastStep := map[string]int{} // where random kills landed
	state, chain := fresh(), 0
	// 100 kills always (every named step twice, the rest at random moments);
	// the time budget only decides how many more, never pass or fail.
	deadline := time.Now().Add(30 * time.Second)
	for kills < 120 && (kills < 100 || time.Now().Before(deadline)) {
		var cmd *exec.Cmd
		var how string
		if kills < 2*len(crashSteps) {
			// every named step, twice (object: an early and a late one)
			step := crashSteps[kills%len(crashSteps)]
			n := 1
			if step == "object" && kills >= len(crashSteps) {
				n = 20
			}
			cmd, how = child(state, step, n), fmt.Sprintf("at step %s#%d", step, n)
			if err := cmd.Run(); err == nil {
				completed++
			}
		} else {
			d := time.Duration(rng.Int64N(int64(full)))
			cmd, how = child(state, "", 0), "after "+d.String()
			var trace bytes.Buffer
			cmd.Stderr = &trace
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(d)
			cmd.Process.Kill()
			if err := cmd.Wait(); err == nil {
				completed++
			}
			last := "before refresh"
			for _, l := range strings.Split(trace.String(), "\n") {
				if strings.HasPrefix(l, "STEP ") {
					last = "after " + strings.TrimPrefix(l, "STEP ")
				}
			}
			lastStep[last]++
		}
		kills++
		v := mustActiveOr(t, state, how)
		seen[v]++
		chain++
		if v == "v2" || chain >= 4 || rng.IntN(3) == 0 {
			if chain > 1 {
				resumed++
			}
			// the next cycle completes, from whatever the crashes left
			c := f.client(state, srv.URL)
			c.Logf = nil
			res, err := c.Update(ctxT(t))
			if err != nil || res.Version != "v2" {
				t.Fatalf("cycle after crash %s: %+v %v", how, res, err)
			}
			mustActive(t, state)
			state, chain = fresh(), 0
			chains++
		}
	}
	if kills < 100 {
		t.Fatalf("only %d kills", kills)
	}
	t.Logf("%d kills (%d children finished before the kill), active after kill: %v; %d recoveries checked (%d after repeated crashes)",
		kills, completed, seen, chains, resumed)
	t.Logf("random kills landed (last step reached): %v", lastStep)
}

func mustActiveOr(t *testing.T, state, how string) string {
	t.Helper()
	defer func() {
		if t.Failed() {
			t.Logf("crash %s", how)
		}
	}()
	v := mustActive(t, state)
	if v != "v1" && v != "v2" {
		t.Fatalf("crash %s: active %q", how, v)
	}
	return v
}
