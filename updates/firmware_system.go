package updates

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// SystemFirmware is the FirmwareSystem of a real kiosk: dpkg, systemctl and
// the kiosk's loopback /healthz and /metrics.
type SystemFirmware struct {
	Unit string // "sapar.service"
	// URL of the kiosk's UI server; "": http://127.0.0.1:8080/.
	URL string
	// HeartbeatMaxAge: the page heartbeat (sapar_page_heartbeat_age_seconds
	// on /metrics) must be younger; 0: 30 s. Negative: not checked (a
	// kiosk without a display).
	HeartbeatMaxAge time.Duration
	// AdminDir is dpkg's database ("": /var/lib/dpkg), whose lock-frontend
	// the install holds, as apt does, waiting up to LockWait (0: 10 min):
	// unattended-upgrades (sapar maintenance) may be running apt, and a
	// dpkg -i refused for a lock would count as the package failing.
	AdminDir string
	LockWait time.Duration
}

func (s SystemFirmware) unit() string {
	if s.Unit == "" {
		return "sapar.service"
	}
	return s.Unit
}

func run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(lastLines(out, 5)))
	}
	return out, nil
}

func lastLines(b []byte, n int) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return bytes.Join(lines, []byte("\n"))
}

// InstalledSaparVersion asks dpkg for the installed version of the package.
func InstalledSaparVersion(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "dpkg-query", "-W", "-f=${Version}", FirmwarePackage).Output()
	if err != nil {
		return "", fmt.Errorf("dpkg-query -W %s: %v (is the kiosk installed from the .deb?)", FirmwarePackage, err)
	}
	v := strings.TrimSpace(string(out))
	if v == "" {
		return "", fmt.Errorf("dpkg-query: %s is not installed", FirmwarePackage)
	}
	return v, nil
}

func (SystemFirmware) InstalledVersion(ctx context.Context) (string, error) {
	return InstalledSaparVersion(ctx)
}

func (s SystemFirmware) InstallDeb(ctx context.Context, path string) error {
	dir := s.AdminDir
	if dir == "" {
		dir = "/var/lib/dpkg"
	}
	wait := s.LockWait
	if wait == 0 {
		wait = 10 * time.Minute
	}
	unlock, err := DpkgFrontendLock(ctx, dir, wait)
	if err != nil {
		return err
	}
	defer unlock()
	// DPKG_FRONTEND_LOCKED: dpkg takes only its own lock, the frontend's is ours.
	_, err = run(ctx, "env", "DPKG_FRONTEND_LOCKED=1", "dpkg", "--force-confold", "-i", path)
	return err
}

// ErrDpkgBusy: another package manager held dpkg's frontend lock for the
// whole wait. Nothing was installed; the package is not to blame.
var ErrDpkgBusy = errors.New("another package manager (apt, unattended-upgrades) holds the dpkg lock")

// DpkgFrontendLock takes dpkg's frontend lock (ADMINDIR/lock-frontend, an
// fcntl write lock, the one apt and dpkg take), polling up to wait.
func DpkgFrontendLock(ctx context.Context, adminDir string, wait time.Duration) (func(), error) {
	f, err := os.OpenFile(filepath.Join(adminDir, "lock-frontend"), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("dpkg lock: %w", err)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0}
	end := time.Now().Add(wait)
	for {
		err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.EACCES) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("dpkg lock: %w", err)
		}
		if time.Now().After(end) {
			f.Close()
			return nil, fmt.Errorf("%w (waited %s)", ErrDpkgBusy, wait)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("dpkg lock: %w", ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

func (s SystemFirmware) RestartKiosk(ctx context.Context) error {
	run(ctx, "systemctl", "reset-failed", s.unit()) // the start limit must not refuse this restart
	_, err := run(ctx, "systemctl", "restart", "--no-block", s.unit())
	return err
}

func (s SystemFirmware) Probe(ctx context.Context) (int, error) {
	out, err := run(ctx, "systemctl", "show", "-p", "ActiveState,SubState,Result,StatusText,NRestarts", s.unit())
	if err != nil {
		return 0, err
	}
	p := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			p[k] = v
		}
	}
	restarts, _ := strconv.Atoi(p["NRestarts"])
	if p["ActiveState"] == "failed" {
		return restarts, fmt.Errorf("%s is failed (result %s, %q): %w", s.unit(), p["Result"], p["StatusText"], ErrKioskGaveUp)
	}
	if p["ActiveState"] != "active" || p["SubState"] != "running" {
		return restarts, fmt.Errorf("%s is %s/%s (%s)", s.unit(), p["ActiveState"], p["SubState"], p["StatusText"])
	}
	base := s.URL
	if base == "" {
		base = "http://127.0.0.1:8080/"
	}
	cl := &http.Client{Timeout: 3 * time.Second}
	resp, err := cl.Get(base + "healthz")
	if err != nil {
		return restarts, fmt.Errorf("/healthz: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return restarts, fmt.Errorf("/healthz answered %s", resp.Status)
	}
	max := s.HeartbeatMaxAge
	if max < 0 {
		return restarts, nil
	}
	if max == 0 {
		max = 30 * time.Second
	}
	resp, err = cl.Get(base + "metrics")
	if err != nil {
		return restarts, fmt.Errorf("/metrics: %w", err)
	}
	defer resp.Body.Close()
	sc = bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "sapar_page_heartbeat_age_seconds "); ok {
			age, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return restarts, fmt.Errorf("page heartbeat: %q", v)
			}
			if time.Duration(age*float64(time.Second)) > max {
				return restarts, fmt.Errorf("page heartbeat %.0f s old", age)
			}
			return restarts, nil
		}
	}
	return restarts, fmt.Errorf("no page heartbeat yet (the page has not loaded)")
}
