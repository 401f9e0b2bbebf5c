package systemd_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"sapar/systemd"
	"sapar/systemd/systemdtest"
)

// scriptedProbe passes or fails by call number and cancels the watchdog on the
// call after the last scripted one, so tests assert on what was sent per probe result,
// never on timing.
type scriptedProbe struct {
	results []bool // true = healthy
	cancel  context.CancelFunc
	calls   atomic.Int32
}

func (p *scriptedProbe) probe(ctx context.Context) error {
	n := int(p.calls.Add(1))
	if n > len(p.results) { // the script is over: stop the watchdog
		p.cancel()
		return errors.New("end of script")
	}
	if !p.results[n-1] {
		return errors.New("database does not answer")
	}
	return nil
}

func runWatchdog(t *testing.T, results []bool) []string {
	t.Helper()
	sock := systemdtest.New(t)
	t.Setenv("NOTIFY_SOCKET", sock.Path)
	t.Setenv("WATCHDOG_USEC", "20000") // 20 ms: pings every 10 ms
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &scriptedProbe{results: results, cancel: cancel}
	var logs []string
	var mu sync.Mutex
	logf := func(f string, a ...any) { mu.Lock(); logs = append(logs, fmt.Sprintf(f, a...)); mu.Unlock() }
	if err := systemd.Watchdog(ctx, p.probe, logf); err != nil {
		t.Fatalf("Watchdog: %v", err)
	}
	var got []string
	for {
		msg, err := sock.Next(50 * time.Millisecond) // everything was sent before Watchdog returned
		if errors.Is(err, systemdtest.ErrTimeout) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, msg)
	}
	t.Logf("probe calls %d, logs %q", p.calls.Load(), logs)
	return got
}

func TestWatchdog(t *testing.T) {
	const (
		ping    = "WATCHDOG=1"
		failed  = "STATUS=health probe failed: database does not answer"
		resumed = "WATCHDOG=1\nSTATUS=health probe passes again"
	)
	cases := []struct {
		name   string
		probes []bool
		want   []string
	}{
		{"healthy kiosk pings once per probe", []bool{true, true, true}, []string{ping, ping, ping}},
		{"failing probe stops the pings so systemd restarts the kiosk",
			[]bool{true, true, false, false, false, false}, []string{ping, ping, failed}},
		{"broken from the start never pings", []bool{false, false, false}, []string{failed}},
		{"probe that recovers before the deadline resumes the pings",
			[]bool{true, false, true, true}, []string{ping, failed, resumed, ping}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runWatchdog(t, c.probes)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("datagrams\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestWatchdogOffIsANoOp(t *testing.T) {
	sock := systemdtest.New(t)
	cases := []struct{ name, usec, pid string }{
		{"no WatchdogSec=", "", ""},
		{"watchdog meant for another process", "20000", "1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("NOTIFY_SOCKET", sock.Path)
			t.Setenv("WATCHDOG_USEC", c.usec)
			t.Setenv("WATCHDOG_PID", c.pid)
			called := false
			err := systemd.Watchdog(context.Background(), func(context.Context) error { called = true; return nil }, nil)
			if err != nil || called {
				t.Fatalf("Watchdog = %v, probe called %v; want nil and no probe", err, called)
			}
			if msg, err := sock.Next(20 * time.Millisecond); err == nil {
				t.Fatalf("unexpected datagram %q", msg)
			}
		})
	}
}

// TestChildProcess runs this test binary as a child the way systemd runs the
// kiosk: NOTIFY_SOCKET and WATCHDOG_USEC in its environment, WATCHDOG_PID
// unset as sapar.service does under cage. The child says READY=1, pings while
// its probe passes, and the pings stop once the parent breaks the probe.
func TestChildProcess(t *testing.T) {
	if os.Getenv("SAPAR_SYSTEMD_CHILD") != "" {
		child()
		return
	}
	sock := systemdtest.New(t)
	broken := filepath.Join(t.TempDir(), "broken")
	cmd := childCommand(t, os.Args[0], "-test.run=^TestChildProcess$")
	cmd.Env = append(os.Environ(), sock.Env(), "WATCHDOG_USEC=40000", "SAPAR_SYSTEMD_CHILD="+broken)
	cmd.Env = append(cmd.Env, "WATCHDOG_PID=") // as UnsetEnvironment=WATCHDOG_PID leaves it
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	if before, err := sock.WaitFor("READY=1", guard); err != nil || len(before) != 0 {
		t.Fatalf("waiting for READY=1 as the first datagram: got %q before, %v", before, err)
	}
	for i := 0; i < 3; i++ {
		msg, err := sock.Next(guard)
		if err != nil || msg != "WATCHDOG=1" {
			t.Fatalf("ping %d: %q, %v", i, msg, err)
		}
	}
	if err := os.WriteFile(broken, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	before, err := sock.WaitFor("STATUS=health probe failed: probe broken by the test", guard)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range before {
		if m != "WATCHDOG=1" {
			t.Fatalf("unexpected datagram %q before the failure", m)
		}
	}
	// The child runs several more failing probes, then says it is done.
	before, err = sock.WaitFor("X_SAPAR_TEST=done", guard)
	if err != nil {
		t.Fatalf("%v; child output:\n%s", err, out.String())
	}
	for _, m := range before {
		if systemdtest.HasLine(m, "WATCHDOG=1") {
			t.Fatalf("ping %q after the probe broke", m)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
}

// childCommand runs the test binary again. Under "go test -exec
// qemu-aarch64-static" on a machine without binfmt_misc the binary cannot be
// exec'd directly, so the child goes through the same emulator.
func childCommand(t *testing.T, bin string, args ...string) *exec.Cmd {
	probe := exec.Command(bin, "-test.run=^$")
	if err := probe.Run(); err == nil || !errors.Is(err, syscall.ENOEXEC) {
		return exec.Command(bin, args...)
	}
	qemuArch := map[string]string{"arm64": "aarch64", "arm": "arm", "amd64": "x86_64", "riscv64": "riscv64"}[runtime.GOARCH]
	emu, err := exec.LookPath("qemu-" + qemuArch + "-static")
	if err != nil {
		t.Skipf("cannot run a %s child process here (no binfmt_misc, no qemu-%s-static)", runtime.GOARCH, qemuArch)
	}
	return exec.Command(emu, append([]string{bin}, args...)...)
}

func child() {
	broken := os.Getenv("SAPAR_SYSTEMD_CHILD")
	if _, ok := systemd.WatchdogInterval(); !ok {
		fmt.Println("child: watchdog not enabled")
		os.Exit(3)
	}
	if err := systemd.Ready(); err != nil {
		fmt.Println("child:", err)
		os.Exit(3)
	}
	ctx, cancel := context.WithCancel(context.Background())
	failures := 0
	probe := func(context.Context) error {
		if _, err := os.Stat(broken); err == nil {
			if failures++; failures == 5 {
				cancel()
			}
			return errors.New("probe broken by the test")
		}
		return nil
	}
	if err := systemd.Watchdog(ctx, probe, nil); err != nil {
		fmt.Println("child:", err)
		os.Exit(3)
	}
	if _, err := systemd.Notify("X_SAPAR_TEST=done"); err != nil {
		fmt.Println("child:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return string(l.b) }
