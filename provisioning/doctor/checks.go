package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"sapar/content/bundle"
	"sapar/content/release"
	"sapar/drivers/escpos"
	"sapar/drivers/serialport"
	"sapar/provisioning"
	"sapar/provisioning/techtext"
)

var notProvisionedFix = m("doctor.fix.provision")

func checkProvisioning(_ context.Context, e *Env, _ *provisioning.State) Result {
	st, err := provisioning.ReadUnverified(e.StateDir)
	switch {
	case errors.Is(err, provisioning.ErrNotProvisioned):
		return fail(m("doctor.prov.none", "file", provisioning.ConfigFile, "dir", e.StateDir), notProvisionedFix)
	case err != nil:
		return fail(m("doctor.prov.error", "error", err.Error()), m("doctor.fix.reprovision"))
	case !st.Signed():
		return warn(m("doctor.prov.unsigned", "kiosk", st.Config.Kiosk.ID, "device", st.DeviceID), m("doctor.fix.unsigned"))
	}
	return pass(m("doctor.prov.ok", "kiosk", st.Config.Kiosk.ID, "device", st.DeviceID, "kind", st.Config.Place.Kind,
		"city", st.Config.Place.City, "date", st.ProvisionedAt.Format("2006-01-02")))
}

func checkPermissions(_ context.Context, e *Env, st *provisioning.State) Result {
	fi, err := os.Stat(e.StateDir)
	if err != nil {
		return fail(m("doctor.perm.state", "error", err.Error()), notProvisionedFix)
	}
	var problems, warnings []techtext.Msg
	if fi.Mode().Perm()&0o022 != 0 {
		problems = append(problems, m("doctor.perm.writable", "dir", e.StateDir, "mode", fi.Mode().Perm().String()))
	}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok && e.Getuid != nil && int(sys.Uid) != e.Getuid() {
		warnings = append(warnings, m("doctor.perm.owner", "dir", e.StateDir, "uid", sys.Uid, "me", e.Getuid()))
	}
	for _, f := range []struct {
		name    string
		maxPerm os.FileMode
	}{{provisioning.IdentityFile, 0o600}, {provisioning.ConfigFile, 0o644}, {provisioning.PINLockoutFile, 0o600}} {
		fi, err := os.Stat(filepath.Join(e.StateDir, f.name))
		if isNotExist(err) {
			if f.name == provisioning.IdentityFile && st != nil {
				problems = append(problems, m("doctor.perm.no_identity"))
			}
			continue
		}
		if err != nil {
			problems = append(problems, m("doctor.perm.other", "error", err.Error()))
			continue
		}
		if fi.Mode().Perm()&^f.maxPerm != 0 {
			problems = append(problems, m("doctor.perm.mode", "file", f.name, "mode", fi.Mode().Perm().String(), "max", f.maxPerm.String()))
		}
	}
	switch {
	case len(problems) > 0:
		return fail(m("doctor.perm.list", "list", append(problems, warnings...)),
			m("doctor.fix.perm", "dir", e.StateDir, "file", provisioning.IdentityFile))
	case len(warnings) > 0:
		return warn(m("doctor.perm.list", "list", warnings), m("doctor.fix.owner"))
	}
	return pass(m("doctor.perm.ok"))
}

func checkClock(_ context.Context, e *Env, st *provisioning.State) Result {
	now := e.Now()
	floor, why := e.BuildTime, m("doctor.clock.why_build")
	if st != nil && st.ProvisionedAt.After(floor) {
		floor, why = st.ProvisionedAt, m("doctor.clock.why_provisioned")
	}
	if b, err := os.ReadFile(filepath.Join(e.StateDir, "tuf", "time-floor")); err == nil {
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(b))); err == nil && t.After(floor) {
			floor, why = t, m("doctor.clock.why_update")
		}
	}
	fix := m("doctor.fix.clock")
	if now.Before(floor) {
		return fail(m("doctor.clock.before", "now", now.UTC().Format(time.RFC3339), "why", why, "floor", floor.UTC().Format("2006-01-02")), fix)
	}
	if now.Sub(floor) > 15*365*24*time.Hour {
		return warn(m("doctor.clock.future", "now", now.UTC().Format(time.RFC3339)), fix)
	}
	loc := time.UTC
	if st != nil && st.Config != nil && st.Config.Location() != nil {
		loc = st.Config.Location()
	}
	return pass(m("doctor.clock.ok", "now", now.In(loc).Format("2006-01-02 15:04 MST")))
}

const mib = 1 << 20

func checkDisk(_ context.Context, e *Env, _ *provisioning.State) Result {
	free, total, err := e.DiskUsage(e.StateDir)
	if err != nil {
		return fail(m("doctor.disk.error", "error", err.Error()), m("doctor.fix.disk_mount"))
	}
	fix := m("doctor.fix.disk")
	switch {
	case free < 100*mib:
		return fail(m("doctor.disk.full", "free", free/mib, "total", total/mib), fix)
	case free < 500*mib || free*10 < total:
		return warn(m("doctor.disk.low", "free", free/mib, "total", total/mib), fix)
	}
	return pass(m("doctor.disk.free", "free", free/mib, "total", total/mib))
}

func checkPrinter(_ context.Context, e *Env, st *provisioning.State) Result {
	if st == nil || st.Config == nil {
		return warn(m("doctor.printer.unprovisioned"), notProvisionedFix)
	}
	p := st.Config.Printer
	dev := p.Device
	if p.USB != "" {
		d, r, ok := findUSBTTY(e, p.USB)
		if !ok {
			return r
		}
		dev = d
	}
	path := e.path(dev)
	if _, err := os.Stat(path); err != nil {
		return fail(m("doctor.printer.absent", "dev", dev, "profile", p.Profile), m("doctor.fix.printer_cable"))
	}
	c, err := e.OpenSerial(path, p.Baud)
	if err != nil {
		switch {
		case errors.Is(err, syscall.EBUSY) || strings.Contains(strings.ToLower(err.Error()), "busy"):
			return warn(m("doctor.printer.busy", "dev", dev), m("doctor.fix.printer_busy"))
		case errors.Is(err, os.ErrPermission) || strings.Contains(strings.ToLower(err.Error()), "permission"):
			return fail(m("doctor.printer.perm", "dev", dev), m("doctor.fix.printer_perm"))
		}
		return fail(m("doctor.printer.open", "dev", dev, "error", err.Error()), m("doctor.fix.printer_open", "baud", p.Baud))
	}
	c.Close()
	return pass(m("doctor.printer.ok", "profile", p.Profile, "dev", dev, "baud", p.Baud, "source", profileSource(e, p.Profile)))
}

// profileSource says which profile the slips are laid out with: the one a
// technician calibrated on this kiosk, or the built-in model.
func profileSource(e *Env, model string) techtext.Msg {
	_, calibrated, err := escpos.ResolveProfile(e.StateDir, model)
	if err != nil {
		return m("doctor.printer.cal_error", "error", err.Error())
	}
	if !calibrated {
		return m("doctor.printer.builtin")
	}
	c, _ := escpos.LoadProfile(filepath.Join(e.StateDir, escpos.ProfileFile))
	var who any = c.Identity.String()
	if who == "" {
		who = m("doctor.printer.no_model")
	}
	return m("doctor.printer.calibrated", "name", c.Profile.Name, "model", who, "date", c.At.UTC().Format("2006-01-02"))
}

// findUSBTTY finds the serial device of a USB vendor:product in sysfs
// (serialport.FindUSB, as the kiosk does) and says what to do when none.
func findUSBTTY(e *Env, id string) (string, Result, bool) {
	dev, err := serialport.FindUSB(e.path("/"), id)
	switch {
	case err == nil:
		return dev, Result{}, true
	case errors.Is(err, serialport.ErrUSBPrinterClass):
		return "", fail(m("doctor.printer.usb_class", "id", id, "error", err.Error()), m("doctor.fix.usb_class")), false
	case errors.Is(err, serialport.ErrUSBNoSerial):
		return "", fail(m("doctor.printer.usb_noserial", "id", id), m("doctor.fix.usb_noserial")), false
	}
	return "", fail(m("doctor.printer.usb_absent", "id", id), m("doctor.fix.usb_absent")), false
}

func checkDisplay(_ context.Context, e *Env, _ *provisioning.State) Result {
	cage := processRunning(e, "cage")
	var envs []string
	for _, k := range []string{"WAYLAND_DISPLAY", "DISPLAY"} {
		if v := e.Getenv(k); v != "" {
			envs = append(envs, k+"="+v)
		}
	}
	switch {
	case cage:
		return pass(m("doctor.display.cage"))
	case len(envs) > 0:
		return warn(m("doctor.display.desktop", "env", strings.Join(envs, ", ")), m("doctor.fix.display_cage"))
	}
	return fail(m("doctor.display.none"), m("doctor.fix.display"))
}

func processRunning(e *Env, name string) bool {
	comms, _ := filepath.Glob(e.path("/proc/[0-9]*/comm"))
	for _, c := range comms {
		if b, err := os.ReadFile(c); err == nil && strings.TrimSpace(string(b)) == name {
			return true
		}
	}
	return false
}

// Layout written by the updates package (updates/install.go, status.go).
const (
	activeContent = "content/current"
	updateStatus  = "update-status.json"
)

func checkContent(_ context.Context, e *Env, _ *provisioning.State) Result {
	link := filepath.Join(e.StateDir, filepath.FromSlash(activeContent))
	if _, err := os.Lstat(link); isNotExist(err) {
		return warn(m("doctor.content.none"), m("doctor.fix.content_update", "dir", e.StateDir))
	}
	b, err := bundle.Open(link)
	if err != nil {
		return fail(m("doctor.content.damaged", "error", err.Error()), m("doctor.fix.content_damaged"))
	}
	if err := release.Health(link); err != nil {
		return fail(m("doctor.content.index", "version", b.Index.Version, "error", err.Error()), m("doctor.fix.content_index"))
	}
	return pass(m("doctor.content.ok", "version", b.Index.Version, "n", len(b.Index.Files)))
}

type updateStatusFile struct {
	LastAttempt time.Time `json:"last_attempt"`
	LastSuccess time.Time `json:"last_success"`
	Version     string    `json:"version"`
	Error       string    `json:"error"`
}

// Lifetimes of the signed metadata (updates.DefaultExpiries): past the
// snapshot's a kiosk is stale, past the targets' its guides and the list of
// licensed agencies may be wrong.
const (
	staleAfter = 21 * 24 * time.Hour
	oldAfter   = 90 * 24 * time.Hour
)

func checkUpdates(_ context.Context, e *Env, _ *provisioning.State) Result {
	fix := m("doctor.fix.updates", "dir", e.StateDir)
	b, err := os.ReadFile(filepath.Join(e.StateDir, updateStatus))
	if isNotExist(err) {
		return warn(m("doctor.updates.none"), fix)
	}
	var s updateStatusFile
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil {
		return fail(m("doctor.updates.unreadable", "error", err.Error()), fix)
	}
	now := e.Now()
	if s.LastSuccess.IsZero() {
		return fail(m("doctor.updates.never", "time", s.LastAttempt.UTC().Format(time.RFC3339), "error", s.Error), fix)
	}
	age := now.Sub(s.LastSuccess)
	last := m("doctor.updates.last", "version", s.Version, "time", s.LastSuccess.UTC().Format("2006-01-02 15:04Z"), "age", age.Round(time.Minute).String())
	if exp, role, ok := earliestExpiry(e); ok && now.After(exp) && role != "timestamp" {
		return warn(m("doctor.updates.expired", "last", last, "role", role, "date", exp.UTC().Format("2006-01-02")), fix)
	}
	switch {
	case age > oldAfter:
		return fail(m("doctor.updates.old", "last", last), fix)
	case age > staleAfter:
		return warn(last, fix)
	case s.Error != "" && s.LastAttempt.After(s.LastSuccess):
		return warn(m("doctor.updates.attempt_failed", "last", last, "error", s.Error), fix)
	}
	return pass(last)
}

// earliestExpiry reads the trusted TUF metadata cache (tuf/metadata) for the
// first of root, targets and snapshot to expire. The timestamp is ignored:
// it lives a day and is renewed at each check.
func earliestExpiry(e *Env) (time.Time, string, bool) {
	var first time.Time
	var role string
	for _, r := range []string{"root", "targets", "snapshot"} {
		b, err := os.ReadFile(filepath.Join(e.StateDir, "tuf", "metadata", r+".json"))
		if err != nil {
			continue
		}
		var m struct {
			Signed struct {
				Expires time.Time `json:"expires"`
			} `json:"signed"`
		}
		if json.Unmarshal(b, &m) != nil || m.Signed.Expires.IsZero() {
			continue
		}
		if first.IsZero() || m.Signed.Expires.Before(first) {
			first, role = m.Signed.Expires, r
		}
	}
	return first, role, !first.IsZero()
}

func checkNetwork(ctx context.Context, e *Env, st *provisioning.State) Result {
	if st == nil || st.Config == nil {
		return warn(m("doctor.net.unprovisioned"), notProvisionedFix)
	}
	mirrors := st.Config.Updates.Mirrors
	var ok, bad []string
	for _, mirror := range mirrors {
		if err := headOnce(ctx, e, mirror); err != nil {
			bad = append(bad, fmt.Sprintf("%s (%v)", mirror, err))
		} else {
			ok = append(ok, mirror)
		}
	}
	fix := m("doctor.fix.net")
	switch {
	case len(ok) == len(mirrors):
		return pass(m("doctor.net.ok", "ok", len(ok), "n", len(mirrors)))
	case len(ok) > 0:
		return warn(m("doctor.net.some", "ok", len(ok), "n", len(mirrors), "bad", strings.Join(bad, "; ")), fix)
	}
	return fail(m("doctor.net.none", "bad", strings.Join(bad, "; ")), fix)
}

func headOnce(ctx context.Context, e *Env, url string) error {
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return err
	}
	resp, err := e.HTTP.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("no answer within %v", e.Timeout)
		}
		return errors.Unwrap(err) // drop the repeated "Head URL:" prefix
	}
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		return fmt.Errorf("server error %s", resp.Status)
	}
	return nil
}

func checkSpeech(_ context.Context, e *Env, _ *provisioning.State) Result {
	bin, err := e.LookPath("espeak-ng")
	if err != nil {
		return fail(m("doctor.speech.missing"), m("doctor.fix.speech_install"))
	}
	for _, pat := range []string{"/usr/lib/*/espeak-ng-data/lang/trk/ky", "/usr/share/espeak-ng-data/lang/trk/ky"} {
		if found, _ := filepath.Glob(e.path(pat)); len(found) > 0 {
			return pass(m("doctor.speech.ok", "bin", bin))
		}
	}
	return warn(m("doctor.speech.novoice", "bin", bin), m("doctor.fix.speech_voice"))
}
