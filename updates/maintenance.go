package updates

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"sapar/content/atomicfile"
)

// Debian security updates (unattended-upgrades) and their reboots happen
// only in the provisioned maintenance window, only while nobody is at the
// screen, and never during a firmware install. `sapar maintenance` (root,
// sapar-maintenance.timer every 15 minutes) gathers the facts, Decide says
// what to do, MaintenanceSystem does it.

// MaintenanceFacts are what one decision rests on.
type MaintenanceFacts struct {
	// ClockWrong: the clock is before this firmware was built (a Pi has no
	// real-time clock): the window cannot be told.
	ClockWrong bool
	InWindow   bool   // now is inside the maintenance window (kiosk time zone)
	Window     string // "02:00-04:00 Asia/Bishkek", for the log
	// InUse: someone is at the screen (sapar_kiosk_in_use on the kiosk's
	// /metrics); PresenceNote says how that is known.
	InUse        bool
	PresenceNote string
	// FirmwareBusy says why a firmware install is staged or running ("":
	// none): dpkg is the installer's, and a reboot would cut its health wait.
	FirmwareBusy string
	// UpgradedThisWindow: unattended-upgrade already ran to the end in this
	// occurrence of the window (it runs once a night, not every 15 minutes).
	UpgradedThisWindow bool
	// RebootRequired: /run/reboot-required exists (a package asked for it).
	RebootRequired bool
	RebootPackages []string // /run/reboot-required.pkgs
}

// Maintenance actions.
const (
	ActNothing = "nothing"
	ActUpgrade = "upgrade" // run unattended-upgrade
	ActReboot  = "reboot"
)

// MaintenanceDecision is what to do and why, in words for the journal.
type MaintenanceDecision struct {
	Action string `json:"action"`
	Why    string `json:"why"`
}

// Decide is the maintenance policy, a pure function of the facts: outside
// the window, during a firmware install or while someone is at the screen,
// nothing; else upgrade once per window; then reboot if a package asked
// for it.
func Decide(f MaintenanceFacts) MaintenanceDecision {
	switch {
	case f.ClockWrong:
		return MaintenanceDecision{ActNothing, "the clock is before this firmware was built (not set yet?): the maintenance window cannot be told"}
	case !f.InWindow:
		return MaintenanceDecision{ActNothing, "outside the maintenance window " + f.Window}
	case f.FirmwareBusy != "":
		return MaintenanceDecision{ActNothing, "a firmware install is in progress (" + f.FirmwareBusy + "): security updates wait for it"}
	case f.InUse:
		return MaintenanceDecision{ActNothing, "someone is at the screen (" + f.PresenceNote + "): trying again in 15 minutes"}
	case !f.UpgradedThisWindow:
		return MaintenanceDecision{ActUpgrade, "inside the window " + f.Window + ", nobody at the screen (" + f.PresenceNote + "): installing security updates"}
	case f.RebootRequired:
		why := "a reboot is required"
		if len(f.RebootPackages) > 0 {
			why += " by " + strings.Join(f.RebootPackages, ", ")
		}
		return MaintenanceDecision{ActReboot, why + "; inside the window, nobody at the screen (" + f.PresenceNote + "): rebooting"}
	}
	return MaintenanceDecision{ActNothing, "security updates already installed in this window and no reboot required"}
}

// MaintenanceSystem is what maintenance does to the system; the real one
// is SystemMaintenance, tests use fakes.
type MaintenanceSystem interface {
	// InUse asks the running kiosk whether someone is at the screen; note
	// says how that is known ("attract screen, last tap 3 h ago").
	InUse(ctx context.Context) (inUse bool, note string)
	// Upgrade runs unattended-upgrade once.
	Upgrade(ctx context.Context) error
	// RebootRequired reads /run/reboot-required(.pkgs).
	RebootRequired() (bool, []string)
	// Reboot reboots the machine.
	Reboot(ctx context.Context) error
}

// MaintenanceStatusFile (in STATE) is the last run's record, for sapar
// doctor, the maintenance screen and /metrics.
const MaintenanceStatusFile = "maintenance-status.json"

// MaintenanceStatus is that record.
type MaintenanceStatus struct {
	FirstRun    time.Time           `json:"first_run"` // the first check on this kiosk: "no update for 14 days" counts from it when none ran yet
	LastRun     time.Time           `json:"last_run"`
	Window      string              `json:"window"`
	Decision    MaintenanceDecision `json:"decision"`
	LastUpgrade time.Time           `json:"last_upgrade,omitzero"` // last unattended-upgrade that ran to the end
	UpgradeErr  string              `json:"upgrade_error,omitempty"`
	LastReboot  time.Time           `json:"last_reboot,omitzero"` // when maintenance last asked for a reboot
	// RebootRequired: a package asked for a reboot that has not happened yet.
	RebootRequired bool `json:"reboot_required"`
}

// ReadMaintenanceStatus reads the record (zero if none yet).
func ReadMaintenanceStatus(state string) (MaintenanceStatus, error) {
	var s MaintenanceStatus
	raw, err := os.ReadFile(filepath.Join(state, MaintenanceStatusFile))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(raw, &s)
}

// FirmwareBusy says why firmware is being installed ("": it is not): a
// staged package the installer will take, or one it is installing (kept
// across a power cut until it finishes or rolls back).
func FirmwareBusy(state string) string {
	for _, f := range []struct{ name, why string }{
		{installingDeb, "installing"},
		{PendingDeb, "staged"},
	} {
		if _, err := os.Stat(firmwarePath(state, f.name)); err == nil {
			if st, err := ReadStaged(state); err == nil && st.Version != "" {
				return f.why + " " + st.Version
			}
			return f.why + " (" + filepath.Join(FirmwareDir, f.name) + ")"
		}
	}
	return ""
}

// Maintainer runs one maintenance check: what sapar-maintenance.service runs.
type Maintainer struct {
	State string
	Sys   MaintenanceSystem
	// InWindow reports whether t is inside the window (provisioning.Window
	// in the kiosk's time zone); Window describes it for the log.
	InWindow     func(t time.Time) bool
	Window       string
	WindowLength time.Duration // how far back an upgrade still counts as this window's
	// ClockFloor: a clock before it is wrong (BuildTime()); zero: not checked.
	ClockFloor time.Time
	Clock      func() time.Time
	Logf       func(format string, args ...any)
}

func (m *Maintainer) now() time.Time {
	if m.Clock != nil {
		return m.Clock()
	}
	return time.Now()
}

func (m *Maintainer) logf(f string, a ...any) {
	if m.Logf != nil {
		m.Logf(f, a...)
	}
}

func (m *Maintainer) facts(ctx context.Context, st MaintenanceStatus, tried bool, lockErr error) MaintenanceFacts {
	now := m.now()
	f := MaintenanceFacts{ClockWrong: !m.ClockFloor.IsZero() && now.Before(m.ClockFloor), InWindow: m.InWindow(now), Window: m.Window}
	f.RebootRequired, f.RebootPackages = m.Sys.RebootRequired() // recorded at every check: the screens show a reboot waiting
	if f.ClockWrong || !f.InWindow {
		return f // nothing else matters; the kiosk is not even asked
	}
	f.FirmwareBusy = FirmwareBusy(m.State)
	if f.FirmwareBusy == "" && lockErr != nil {
		f.FirmwareBusy = lockErr.Error() // who holds STATE/firmware/.update.lock, since when
	}
	f.InUse, f.PresenceNote = m.Sys.InUse(ctx)
	up := st.LastUpgrade
	f.UpgradedThisWindow = tried || !up.IsZero() && !up.After(now) && now.Sub(up) < m.WindowLength && m.InWindow(up)
	return f
}

// Run gathers the facts, acts on the decision, and after an upgrade
// decides again on fresh facts (someone may have walked up meanwhile)
// before any reboot. The returned decision is the last one.
func (m *Maintainer) Run(ctx context.Context) (MaintenanceDecision, error) {
	st, _ := ReadMaintenanceStatus(m.State)
	var d MaintenanceDecision
	var runErr error
	// Inside the window, hold the firmware installer's lock: dpkg is one at a
	// time, and an installer starting mid-upgrade waits for it (and the
	// reverse: a running installer means nothing happens now).
	var lockErr error
	if now := m.now(); m.InWindow(now) && (m.ClockFloor.IsZero() || !now.Before(m.ClockFloor)) {
		unlock, err := m.lockFirmware(ctx)
		if err != nil {
			lockErr = err
		} else {
			defer unlock()
		}
	}
	tried := false // unattended-upgrade ran in this check (a failure is retried at the next one)
	for range 2 {
		f := m.facts(ctx, st, tried, lockErr)
		st.RebootRequired = f.RebootRequired
		d = Decide(f)
		m.logf("%s: %s", d.Action, d.Why)
		if d.Action == ActUpgrade {
			start := m.now()
			tried = true
			if err := m.Sys.Upgrade(ctx); err != nil {
				st.UpgradeErr = err.Error()
				runErr = err
				m.logf("unattended-upgrade failed after %.0f s: %v (tried again at the next check in the window)", m.now().Sub(start).Seconds(), err)
			} else {
				st.LastUpgrade, st.UpgradeErr = m.now(), ""
				m.logf("unattended-upgrade finished in %.0f s", m.now().Sub(start).Seconds())
			}
			continue // decide again on fresh facts: reboot?
		}
		break
	}
	st.LastRun, st.Window, st.Decision = m.now(), m.Window, d
	if st.FirstRun.IsZero() {
		st.FirstRun = st.LastRun
	}
	if d.Action == ActReboot {
		st.LastReboot = m.now()
	}
	raw, _ := json.MarshalIndent(st, "", "  ")
	if err := atomicfile.Write(filepath.Join(m.State, MaintenanceStatusFile), append(raw, '\n'), 0o644); err != nil {
		m.logf("cannot record the maintenance status: %v", err)
	}
	if d.Action == ActReboot {
		if err := m.Sys.Reboot(ctx); err != nil {
			return d, fmt.Errorf("reboot: %w", err)
		}
	}
	return d, runErr
}

// lockFirmware takes STATE/firmware/.update.lock, the lock the firmware
// installer (root, as this is) holds while it runs, waiting 2 s at most.
// A missing STATE/firmware is made with the state dir's owner, so the
// kiosk user can still stage packages there.
func (m *Maintainer) lockFirmware(ctx context.Context) (func(), error) {
	dir := filepath.Join(m.State, FirmwareDir)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("maintenance: %w", err)
		}
		if fi, err := os.Stat(m.State); err == nil {
			if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
				os.Lchown(dir, int(sys.Uid), int(sys.Gid))
			}
		}
	}
	return lockStateCtx(ctx, dir, 2*time.Second)
}

// SystemMaintenance is the MaintenanceSystem of a real kiosk:
// unattended-upgrade, systemctl reboot, the kiosk's loopback /metrics.
type SystemMaintenance struct {
	// URL of the kiosk's UI server; "": http://127.0.0.1:8080/.
	URL string
	// RebootRequiredFile: "": /run/reboot-required (Debian's
	// update-notifier-common convention, written by package scripts).
	RebootRequiredFile string
}

// InUse reads sapar_kiosk_in_use from the kiosk's /metrics. A kiosk that
// does not answer at all cannot be in use (its screen shows nothing to
// use); one that answers without the figure (an older firmware) counts as
// in use.
func (s SystemMaintenance) InUse(ctx context.Context) (bool, string) {
	base := s.URL
	if base == "" {
		base = "http://127.0.0.1:8080/"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, fmt.Sprintf("the kiosk does not answer (%v): nobody can be using it", err)
	}
	defer resp.Body.Close()
	fig := map[string]string{}
	screen := ""
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		for _, name := range []string{"sapar_kiosk_in_use", "sapar_last_interaction_age_seconds"} {
			if v, ok := strings.CutPrefix(l, name+" "); ok {
				fig[name] = strings.TrimSpace(v)
			}
		}
		if v, ok := strings.CutPrefix(l, `sapar_page_screen{screen="`); ok {
			if name, val, ok := strings.Cut(v, `"} `); ok && strings.TrimSpace(val) == "1" {
				screen = name
			}
		}
	}
	v, ok := fig["sapar_kiosk_in_use"]
	if resp.StatusCode != http.StatusOK || !ok {
		return true, fmt.Sprintf("the kiosk's /metrics (%s) has no sapar_kiosk_in_use: counted as in use", resp.Status)
	}
	note := "screen " + screen
	if screen == "" {
		note = "screen not reported"
	}
	if age, err := strconv.ParseFloat(fig["sapar_last_interaction_age_seconds"], 64); err == nil {
		note += fmt.Sprintf(", last tap %s ago", (time.Duration(age) * time.Second).Round(time.Second))
	} else {
		note += ", no tap since the kiosk started"
	}
	return v != "0", note
}

// Upgrade runs unattended-upgrade. A cancelled ctx (SIGTERM at shutdown)
// sends it SIGTERM, not SIGKILL: it then stops after the package it is
// installing, and is killed only if it has not within 4 minutes.
func (SystemMaintenance) Upgrade(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, "unattended-upgrade")
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 4 * time.Minute
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("unattended-upgrade: %v: %s", err, bytes.TrimSpace(lastLines(out, 5)))
	}
	return nil
}

func (s SystemMaintenance) RebootRequired() (bool, []string) {
	name := s.RebootRequiredFile
	if name == "" {
		name = "/run/reboot-required"
	}
	if _, err := os.Stat(name); err != nil {
		return false, nil
	}
	var pkgs []string
	if raw, err := os.ReadFile(name + ".pkgs"); err == nil {
		for _, p := range strings.Fields(string(raw)) {
			if len(pkgs) < 10 && !slices.Contains(pkgs, p) {
				pkgs = append(pkgs, p)
			}
		}
	}
	return true, pkgs
}

func (SystemMaintenance) Reboot(ctx context.Context) error {
	_, err := run(ctx, "systemctl", "reboot")
	return err
}
