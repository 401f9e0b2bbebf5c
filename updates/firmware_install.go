package updates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// FirmwareSystem is what the installer does to the system: dpkg and
// systemd. The real one is SystemFirmware; tests use fakes.
type FirmwareSystem interface {
	// InstalledVersion is the installed version of the sapar package.
	InstalledVersion(ctx context.Context) (string, error)
	// InstallDeb runs dpkg -i on the file.
	InstallDeb(ctx context.Context, path string) error
	// RestartKiosk restarts sapar.service (without waiting for READY).
	RestartKiosk(ctx context.Context) error
	// Probe is one health check of the running kiosk: nil when it is
	// READY and its page sends heartbeats. Restarts reports how often
	// systemd restarted it (a rising count inside the window is a failure).
	Probe(ctx context.Context) (restarts int, err error)
}

// FirmwareInstaller installs the package `sapar update` staged in
// STATE/firmware/pending.deb, as root (sapar-firmware.service), gated by
// the kiosk's health, and rolls back to the previous package when the new
// one does not become healthy.
type FirmwareInstaller struct {
	State string
	Arch  string // Debian arch; "": HostArch()
	Sys   FirmwareSystem
	// Deadline for the kiosk to become healthy after the restart; 0: 150 s
	// (sapar.service allows 90 s to start; cage and WebKit on a Pi 3 are slow).
	Deadline time.Duration
	// StableFor: healthy probes must pass for this long without a restart;
	// 0: 40 s, longer than WatchdogSec=30s, so a kiosk whose page never
	// beats is killed by the watchdog inside the window and counted.
	StableFor time.Duration
	// MaxRestarts: this many restarts of sapar.service (NRestarts rising)
	// while waiting ends the wait at once as a failure, instead of waiting
	// out Deadline: a build that crashes at start is rolled back in about
	// 10 s, not 150 s. 0: 3.
	MaxRestarts int
	// KeepDir holds the installer's own copies: the package being installed,
	// installed.deb and previous.deb (what a rollback runs dpkg on). On a
	// kiosk it is root-owned and outside STATE (/var/lib/sapar-firmware),
	// so the unprivileged kiosk user can neither swap the package between
	// the check and dpkg nor plant a "previous" one; "": STATE/firmware.
	KeepDir string
	// Verify checks the staged package is the signed firmware
	// (SignedFirmwareVerifier); required: nil refuses every install.
	Verify func(debPath string) error
	// SelfCopy: before dpkg replaces /usr/bin/sapar, the running installer
	// (the installed, healthy firmware's binary) copies itself here, and
	// sapar-firmware.service runs this copy when it resumes an install a
	// power cut interrupted: the new binary may be the bad build (it may
	// not even start), and it is the one on disk after dpkg unpacked it.
	// Removed when the install ends. "": no copy (tests).
	SelfCopy string
	// Executable is the running binary to copy; "": os.Executable.
	Executable string
	Poll       time.Duration // between probes; 0: 2 s
	Clock      func() time.Time
	Logf       func(format string, args ...any)
}

// FirmwareInstallResult is the installer's record (STATE/firmware/result.json).
type FirmwareInstallResult struct {
	Time     time.Time `json:"time"`
	Version  string    `json:"version,omitempty"`  // the version tried
	Previous string    `json:"previous,omitempty"` // the version before
	// Result: "installed", "rolled-back", "refused" (not installed: wrong
	// package, older, marked bad, no rollback package) or "failed"
	// (rolled back but the old version is not healthy either).
	Result   string  `json:"result"`
	Error    string  `json:"error,omitempty"`
	Seconds  float64 `json:"seconds"`
	Resumed  bool    `json:"resumed,omitempty"` // a power cut interrupted an earlier run
	Running  string  `json:"running,omitempty"` // version installed at the end
	Rollback bool    `json:"rollback_available"`
}

// ReadInstallResult reads the last installer result (nil if none).
func ReadInstallResult(state string) (*FirmwareInstallResult, error) {
	raw, err := os.ReadFile(firmwarePath(state, ResultFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var r FirmwareInstallResult
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// ErrNothingStaged: no pending.deb (the path unit fired for nothing).
var ErrNothingStaged = errors.New("no firmware staged")

// installing is installing.json: the staged info plus what the installer
// decided before dpkg ran, so a run after a power cut continues the same way.
type installing struct {
	FirmwareStaged
	Previous     string `json:"previous"`
	HavePrevious bool   `json:"have_previous"`
	Started      bool   `json:"started"` // dpkg was started
}

func (fi *FirmwareInstaller) logf(f string, a ...any) {
	if fi.Logf != nil {
		fi.Logf(f, a...)
	}
}

func (fi *FirmwareInstaller) now() time.Time {
	if fi.Clock != nil {
		return fi.Clock()
	}
	return time.Now()
}

func (fi *FirmwareInstaller) path(n string) string { return firmwarePath(fi.State, n) }

func (fi *FirmwareInstaller) keep(n string) string {
	if fi.KeepDir == "" {
		return fi.path(n)
	}
	return filepath.Join(fi.KeepDir, n)
}

// ownCopy is the installer's copy of the staged package, checked and installed.
const ownCopy = ".installing.deb"

// Install runs one install of the staged package. The result is also
// written to STATE/firmware/result.json; a refused or rolled-back install
// returns an error saying what happened.
func (fi *FirmwareInstaller) Install(ctx context.Context) (FirmwareInstallResult, error) {
	start := fi.now()
	dir := filepath.Join(fi.State, FirmwareDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return FirmwareInstallResult{}, fmt.Errorf("firmware install: %w", err)
	}
	unlock, err := lockStateCtx(ctx, dir, 10*time.Minute)
	if err != nil {
		return FirmwareInstallResult{}, fmt.Errorf("firmware install: %w", err)
	}
	defer unlock()
	res, err := fi.install(ctx)
	res.Time = fi.now().UTC()
	res.Seconds = fi.now().Sub(start).Seconds()
	if errors.Is(err, ErrNothingStaged) {
		return res, err
	}
	if err != nil && res.Result == "" {
		res.Result = "refused"
	}
	if err != nil {
		res.Error = err.Error()
	}
	raw, _ := json.MarshalIndent(res, "", "  ")
	if werr := writeFileSynced(fi.path(ResultFile), append(raw, '\n'), 0o644); werr != nil && err == nil {
		err = werr
	}
	return res, err
}

func (fi *FirmwareInstaller) install(ctx context.Context) (FirmwareInstallResult, error) {
	var res FirmwareInstallResult
	arch := fi.Arch
	if arch == "" {
		arch = HostArch()
	}
	in, resumed, err := fi.takeOver()
	if err != nil {
		return res, err
	}
	res.Version, res.Resumed = in.Version, resumed
	if fi.KeepDir != "" {
		if err := os.MkdirAll(fi.KeepDir, 0o755); err != nil {
			return res, fmt.Errorf("firmware install: %w", err)
		}
	}
	pkg := fi.keep(ownCopy)
	done := func() {
		os.Remove(pkg)
		fi.removeSelfCopy()
		os.Remove(fi.path(installingDeb))
		os.Remove(fi.path(installingInfo))
		syncDir(filepath.Join(fi.State, FirmwareDir))
	}
	cur, err := fi.Sys.InstalledVersion(ctx)
	if err != nil {
		done()
		return res, fmt.Errorf("installed sapar version unknown: %w", err)
	}
	res.Running = cur
	// The package must be what was staged, for this kiosk, and not refused before.
	if src, err := os.Open(fi.path(installingDeb)); err == nil {
		err = copyAtomic(pkg, src)
		src.Close()
		if err != nil {
			done()
			return res, fmt.Errorf("firmware install: copy the staged package: %w", err)
		}
	}
	sum, _, err := sha256File(pkg)
	if err != nil || sum != in.SHA256 {
		done()
		return res, fmt.Errorf("staged package does not match its recorded sha256 (%s): refused", short(in.SHA256))
	}
	if fi.Verify == nil {
		done()
		return res, errors.New("no signature verifier configured: refused")
	}
	if err := fi.Verify(pkg); err != nil {
		done()
		return res, fmt.Errorf("staged package refused: %w", err)
	}
	info, err := ReadDebInfo(pkg)
	if err != nil {
		done()
		return res, fmt.Errorf("staged file: %w", err)
	}
	if info.Package != FirmwarePackage || info.Architecture != arch || info.Version != in.Version {
		done()
		return res, fmt.Errorf("staged package is %s %s for %s; this kiosk takes %s for %s: refused", info.Package, info.Version, info.Architecture, FirmwarePackage, arch)
	}
	if slices.Contains(BadVersions(fi.State), in.Version) {
		if resumed && in.HavePrevious {
			fi.logf("resuming the rollback from %s to %s that a power cut interrupted", in.Version, in.Previous)
			res.Previous, res.Rollback = in.Previous, true
			return fi.rollback(ctx, in, res, errors.New("install interrupted during rollback"))
		}
		done()
		return res, fmt.Errorf("%s is marked bad on this kiosk (it failed its health check before): never retried", in.Version)
	}
	if !in.Started {
		c, err := CompareDebVersions(in.Version, cur)
		if err != nil {
			done()
			return res, err
		}
		if c <= 0 {
			done()
			return res, fmt.Errorf("staged %s is not newer than installed %s: downgrade refused", in.Version, cur)
		}
		in.Previous = cur
		in.HavePrevious = fi.keepPrevious(cur, arch)
	}
	res.Previous, res.Rollback = in.Previous, in.HavePrevious
	if !in.HavePrevious {
		done()
		return res, fmt.Errorf("no package of the installed version %s to roll back to (%s): refused to install %s without a way back; put sapar_%s_%s.deb there (the image build should)",
			in.Previous, fi.keep(InstalledDeb), in.Version, in.Previous, arch)
	}
	if err := fi.copySelf(); err != nil {
		done()
		return res, fmt.Errorf("firmware install: keep a copy of the installer for a resume after a power cut: %w", err)
	}
	in.Started = true
	if err := fi.writeInstalling(in); err != nil {
		return res, err
	}
	fi.logf("installing %s %s (was %s)%s", FirmwarePackage, in.Version, in.Previous, map[bool]string{true: ", resuming after an interrupted install"}[resumed])
	failure := fi.Sys.InstallDeb(ctx, pkg)
	if errors.Is(failure, ErrDpkgBusy) {
		// Nothing was installed and the package is not to blame: not bad,
		// not rolled back; the next update cycle stages it again.
		done()
		return res, fmt.Errorf("%s not installed: %w; the next update cycle tries again", in.Version, failure)
	}
	if failure == nil {
		failure = fi.Sys.RestartKiosk(ctx)
	}
	if failure == nil {
		failure = fi.waitHealthy(ctx)
	}
	if failure == nil {
		if err := os.Rename(pkg, fi.keep(InstalledDeb)); err != nil {
			return res, err
		}
		done()
		res.Result, res.Running = "installed", in.Version
		fi.logf("firmware %s installed and healthy", in.Version)
		return res, nil
	}
	return fi.rollback(ctx, in, res, failure)
}

// rollback marks in.Version bad (first: a power cut during the rollback
// never retries it), reinstalls previous.deb and waits for health again.
func (fi *FirmwareInstaller) rollback(ctx context.Context, in installing, res FirmwareInstallResult, failure error) (FirmwareInstallResult, error) {
	fi.logf("firmware %s failed: %v; marking it bad and rolling back to %s", in.Version, failure, in.Previous)
	if err := fi.markBad(in.Version); err != nil {
		fi.logf("cannot mark %s bad: %v", in.Version, err)
	}
	res.Result = "rolled-back"
	rerr := fi.Sys.InstallDeb(ctx, fi.keep(PreviousDeb))
	if rerr == nil {
		rerr = fi.Sys.RestartKiosk(ctx)
	}
	if rerr == nil {
		rerr = fi.waitHealthy(ctx)
	}
	if v, err := fi.Sys.InstalledVersion(ctx); err == nil {
		res.Running = v
	}
	if rerr == nil && res.Running == in.Previous {
		os.Rename(fi.keep(PreviousDeb), fi.keep(InstalledDeb))
	}
	os.Remove(fi.keep(ownCopy))
	fi.removeSelfCopy()
	os.Remove(fi.path(installingDeb))
	os.Remove(fi.path(installingInfo))
	syncDir(filepath.Join(fi.State, FirmwareDir))
	if rerr != nil {
		res.Result = "failed"
		return res, fmt.Errorf("firmware %s failed (%v) and the rollback to %s failed too (%v): a technician must look at this kiosk", in.Version, failure, in.Previous, rerr)
	}
	return res, fmt.Errorf("firmware %s was not healthy (%v): rolled back to %s, %s marked bad on this kiosk", in.Version, failure, in.Previous, in.Version)
}

// copySelf copies the running installer to SelfCopy (0700), unless it is
// that copy already (a resumed install).
func (fi *FirmwareInstaller) copySelf() error {
	if fi.SelfCopy == "" {
		return nil
	}
	exe := fi.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return err
		}
	}
	if a, err := os.Stat(exe); err == nil {
		if b, err := os.Stat(fi.SelfCopy); err == nil && os.SameFile(a, b) {
			return nil
		}
	}
	f, err := os.Open(exe)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := os.MkdirAll(filepath.Dir(fi.SelfCopy), 0o700); err != nil {
		return err
	}
	if err := copyAtomic(fi.SelfCopy, f); err != nil {
		return err
	}
	return os.Chmod(fi.SelfCopy, 0o700)
}

func (fi *FirmwareInstaller) removeSelfCopy() {
	if fi.SelfCopy != "" {
		os.Remove(fi.SelfCopy)
	}
}

func errOr(err, other error) error {
	if err != nil {
		return err
	}
	return other
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// takeOver moves pending.* to installing.* (so `sapar update` may stage a
// newer one meanwhile), or finds an install a power cut interrupted.
func (fi *FirmwareInstaller) takeOver() (installing, bool, error) {
	var in installing
	if _, err := os.Stat(fi.path(installingDeb)); err == nil {
		raw, err := os.ReadFile(fi.path(installingInfo))
		if err == nil && json.Unmarshal(raw, &in) == nil {
			return in, in.Started, nil
		}
		os.Remove(fi.path(installingDeb))
		os.Remove(fi.path(installingInfo))
		return in, false, errors.New("an interrupted install left a package without its record: removed, refused")
	}
	if _, err := os.Stat(fi.path(PendingDeb)); err != nil {
		return in, false, ErrNothingStaged
	}
	raw, err := os.ReadFile(fi.path(PendingInfo))
	if err != nil {
		raw, err = os.ReadFile(fi.path(installingInfo)) // a cut between the two renames
	}
	if err != nil || json.Unmarshal(raw, &in.FirmwareStaged) != nil || in.Version == "" {
		os.Remove(fi.path(PendingDeb))
		return in, false, fmt.Errorf("%s has no readable %s: removed, refused", PendingDeb, PendingInfo)
	}
	in.Started = false
	if err := fi.writeInstalling(in); err != nil {
		return in, false, err
	}
	os.Remove(fi.path(PendingInfo))
	if err := os.Rename(fi.path(PendingDeb), fi.path(installingDeb)); err != nil {
		return in, false, fmt.Errorf("firmware install: %w", err)
	}
	return in, false, syncDir(filepath.Join(fi.State, FirmwareDir))
}

func (fi *FirmwareInstaller) writeInstalling(in installing) error {
	raw, _ := json.MarshalIndent(in, "", "  ")
	return writeFileSynced(fi.path(installingInfo), append(raw, '\n'), 0o644)
}

// keepPrevious makes STATE/firmware/previous.deb the package of the
// installed version cur: the one this installer installed last
// (installed.deb), a previous.deb already there, or apt's cache.
func (fi *FirmwareInstaller) keepPrevious(cur, arch string) bool {
	is := func(p string) bool {
		info, err := ReadDebInfo(p)
		return err == nil && info.Package == FirmwarePackage && info.Version == cur && info.Architecture == arch
	}
	if is(fi.keep(InstalledDeb)) {
		return os.Rename(fi.keep(InstalledDeb), fi.keep(PreviousDeb)) == nil && syncDir(filepath.Dir(fi.keep(PreviousDeb))) == nil
	}
	if is(fi.keep(PreviousDeb)) {
		return true
	}
	apt := filepath.Join("/var/cache/apt/archives", fmt.Sprintf("%s_%s_%s.deb", FirmwarePackage, strings.ReplaceAll(cur, ":", "%3a"), arch))
	if is(apt) {
		f, err := os.Open(apt)
		if err != nil {
			return false
		}
		defer f.Close()
		return copyAtomic(fi.keep(PreviousDeb), f) == nil
	}
	return false
}

func copyAtomic(dst string, r io.Reader) error {
	tmp := dst + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	f.Close()
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dst))
}

func (fi *FirmwareInstaller) markBad(v string) error {
	bad := BadVersions(fi.State)
	if slices.Contains(bad, v) {
		return nil
	}
	bad = append(bad, v)
	return writeFileSynced(fi.path(BadVersionsFile), []byte(strings.Join(bad, "\n")+"\n"), 0o644)
}

// ErrKioskGaveUp is wrapped by a Probe error when systemd gave up on the
// kiosk (sapar.service failed: its start limit was hit): no use waiting on.
var ErrKioskGaveUp = errors.New("systemd gave up restarting the kiosk")

// waitHealthy waits until probes pass for StableFor without a restart,
// within Deadline; MaxRestarts restarts or a kiosk systemd gave up on end
// the wait early.
func (fi *FirmwareInstaller) waitHealthy(ctx context.Context) error {
	deadline, stable, poll, maxRestarts := fi.Deadline, fi.StableFor, fi.Poll, fi.MaxRestarts
	if maxRestarts == 0 {
		maxRestarts = 3
	}
	if deadline == 0 {
		deadline = 150 * time.Second
	}
	if stable == 0 {
		stable = 40 * time.Second
	}
	if poll == 0 {
		poll = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	var since time.Time
	restarts, lowest := -1, -1
	last := errors.New("no probe answered yet")
	for {
		n, err := fi.Sys.Probe(ctx)
		if errors.Is(err, ErrKioskGaveUp) {
			return err
		}
		// A manual restart may reset the count: count from the lowest seen.
		if lowest < 0 || n < lowest {
			lowest = n
		}
		if n-lowest >= maxRestarts {
			return fmt.Errorf("sapar.service restarted %d times after the install: %w", n-lowest, errOr(err, last))
		}
		switch {
		case err != nil:
			since, last = time.Time{}, err
		case restarts >= 0 && n != restarts:
			since, last = time.Time{}, fmt.Errorf("sapar.service restarted (restart count %d → %d)", restarts, n)
		case since.IsZero():
			since = time.Now()
		case time.Since(since) >= stable:
			return nil
		}
		if err == nil {
			restarts = n
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not healthy for %s within %s: %w", stable, deadline, last)
		case <-time.After(poll):
		}
	}
}
