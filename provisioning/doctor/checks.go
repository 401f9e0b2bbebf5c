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
)

const notProvisionedFix = "provision first: sapar provision --state DIR --file SITE.yaml --pubkey /path/to/mrc.pub"

func checkProvisioning(_ context.Context, e *Env, _ *provisioning.State) Result {
	st, err := provisioning.ReadUnverified(e.StateDir)
	switch {
	case errors.Is(err, provisioning.ErrNotProvisioned):
		return fail("not provisioned: no "+provisioning.ConfigFile+" in "+e.StateDir, notProvisionedFix)
	case err != nil:
		return fail(err.Error(), "provision again from the signed provisioning file")
	case !st.Signed():
		return warn(fmt.Sprintf("kiosk %s (%s) was provisioned UNSIGNED (demo)", st.Config.Kiosk.ID, st.DeviceID),
			"production refuses unsigned state: provision again with the MRC-signed file and its .sig")
	}
	return pass(fmt.Sprintf("kiosk %s (%s), %s %s, signed provisioning from %s",
		st.Config.Kiosk.ID, st.DeviceID, st.Config.Place.Kind, st.Config.Place.City, st.ProvisionedAt.Format("2006-01-02")))
}

func checkPermissions(_ context.Context, e *Env, st *provisioning.State) Result {
	fi, err := os.Stat(e.StateDir)
	if err != nil {
		return fail("state directory: "+err.Error(), notProvisionedFix)
	}
	var problems, warnings []string
	if fi.Mode().Perm()&0o022 != 0 {
		problems = append(problems, fmt.Sprintf("%s is writable by others (%v)", e.StateDir, fi.Mode().Perm()))
	}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok && e.Getuid != nil && int(sys.Uid) != e.Getuid() {
		warnings = append(warnings, fmt.Sprintf("%s is owned by uid %d, doctor runs as uid %d", e.StateDir, sys.Uid, e.Getuid()))
	}
	for _, f := range []struct {
		name    string
		maxPerm os.FileMode
	}{{provisioning.IdentityFile, 0o600}, {provisioning.ConfigFile, 0o644}, {provisioning.PINLockoutFile, 0o600}} {
		fi, err := os.Stat(filepath.Join(e.StateDir, f.name))
		if isNotExist(err) {
			if f.name == provisioning.IdentityFile && st != nil {
				problems = append(problems, "identity.key is missing")
			}
			continue
		}
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if fi.Mode().Perm()&^f.maxPerm != 0 {
			problems = append(problems, fmt.Sprintf("%s has mode %v, want at most %v", f.name, fi.Mode().Perm(), f.maxPerm))
		}
	}
	switch {
	case len(problems) > 0:
		return fail(strings.Join(append(problems, warnings...), "; "),
			fmt.Sprintf("chmod 700 %s; chmod 600 %s/%s; if identity.key is missing, provision again and give the MRC the new device id", e.StateDir, e.StateDir, provisioning.IdentityFile))
	case len(warnings) > 0:
		return warn(strings.Join(warnings, "; "), "run doctor as the kiosk's user, or chown -R the state directory to it")
	}
	return pass("state directory private; identity key 0600")
}

func checkClock(_ context.Context, e *Env, st *provisioning.State) Result {
	now := e.Now()
	floor, why := e.BuildTime, "this firmware was built"
	if st != nil && st.ProvisionedAt.After(floor) {
		floor, why = st.ProvisionedAt, "the kiosk was provisioned"
	}
	if b, err := os.ReadFile(filepath.Join(e.StateDir, "tuf", "time-floor")); err == nil {
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(b))); err == nil && t.After(floor) {
			floor, why = t, "the last verified update was signed"
		}
	}
	fix := "connect the network so NTP can set it (timedatectl status), or set it by hand: timedatectl set-time 'YYYY-MM-DD HH:MM:SS'"
	if now.Before(floor) {
		return fail(fmt.Sprintf("clock reads %s, before %s (%s); a Raspberry Pi has no battery clock", now.UTC().Format(time.RFC3339), why, floor.UTC().Format("2006-01-02")), fix)
	}
	if now.Sub(floor) > 15*365*24*time.Hour {
		return warn(fmt.Sprintf("clock reads %s, far in the future", now.UTC().Format(time.RFC3339)), fix)
	}
	loc := time.UTC
	if st != nil && st.Config != nil && st.Config.Location() != nil {
		loc = st.Config.Location()
	}
	return pass("clock reads " + now.In(loc).Format("2006-01-02 15:04 MST"))
}

const mib = 1 << 20

func checkDisk(_ context.Context, e *Env, _ *provisioning.State) Result {
	free, total, err := e.DiskUsage(e.StateDir)
	if err != nil {
		return fail("cannot read free space: "+err.Error(), "check that the state directory exists and the SD card is mounted")
	}
	msg := fmt.Sprintf("%d MiB free of %d MiB", free/mib, total/mib)
	fix := "free space: sapar update removes old releases; check journald size (journalctl --vacuum-size=50M); replace a small SD card"
	switch {
	case free < 100*mib:
		return fail(msg+": content updates and statistics will fail", fix)
	case free < 500*mib || free*10 < total:
		return warn(msg+": getting low", fix)
	}
	return pass(msg)
}

func checkPrinter(_ context.Context, e *Env, st *provisioning.State) Result {
	if st == nil || st.Config == nil {
		return warn("printer unknown: not provisioned", notProvisionedFix)
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
		return fail(fmt.Sprintf("no printer at %s (%s)", dev, p.Profile),
			"check the printer's power and USB/serial cable; list ports with: ls -l /dev/serial/by-id/")
	}
	c, err := e.OpenSerial(path, p.Baud)
	if err != nil {
		switch {
		case errors.Is(err, syscall.EBUSY) || strings.Contains(strings.ToLower(err.Error()), "busy"):
			return warn(fmt.Sprintf("%s is in use by another program", dev), "normal while the kiosk runs; to test the printer alone: systemctl stop sapar, then run doctor again")
		case errors.Is(err, os.ErrPermission) || strings.Contains(strings.ToLower(err.Error()), "permission"):
			return fail(fmt.Sprintf("%s exists but cannot be opened: permission denied", dev), "the kiosk user needs the dialout group (usermod -aG dialout sapar) or the udev rule from the package")
		}
		return fail(fmt.Sprintf("%s exists but does not open: %v", dev, err), "unplug and plug the printer; check the baud rate in the provisioning file ("+fmt.Sprint(p.Baud)+")")
	}
	c.Close()
	return pass(fmt.Sprintf("%s at %s opens at %d baud; %s", p.Profile, dev, p.Baud, profileSource(e, p.Profile)))
}

// profileSource says which profile the slips are laid out with: the one a
// technician calibrated on this kiosk, or the built-in model.
func profileSource(e *Env, model string) string {
	_, calibrated, err := escpos.ResolveProfile(e.StateDir, model)
	if err != nil {
		return "calibration not used: " + err.Error()
	}
	if !calibrated {
		return "built-in profile (uncalibrated: sapar printer calibrate)"
	}
	c, _ := escpos.LoadProfile(filepath.Join(e.StateDir, escpos.ProfileFile))
	who := c.Identity.String()
	if who == "" {
		who = "model not reported"
	}
	return fmt.Sprintf("calibrated profile %s (%s, %s)", c.Profile.Name, who, c.At.UTC().Format("2006-01-02"))
}

// findUSBTTY finds the serial device of a USB vendor:product in sysfs
// (serialport.FindUSB, as the kiosk does) and says what to do when none.
func findUSBTTY(e *Env, id string) (string, Result, bool) {
	dev, err := serialport.FindUSB(e.path("/"), id)
	switch {
	case err == nil:
		return dev, Result{}, true
	case errors.Is(err, serialport.ErrUSBPrinterClass):
		return "", fail(fmt.Sprintf("USB printer %s is present as a printer-class device, not as a serial port (%v)", id, err),
			"switch the printer's USB interface to virtual serial (see its manual) or give printer.device in the provisioning file"), false
	case errors.Is(err, serialport.ErrUSBNoSerial):
		return "", fail(fmt.Sprintf("USB device %s is present but has no serial port", id),
			"the kernel driver is missing (modprobe cdc_acm or usbserial); unplug and plug the printer"), false
	}
	return "", fail(fmt.Sprintf("no USB device %s connected", id), "check the printer's power and USB cable; lsusb lists what is connected"), false
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
		return pass("cage (the kiosk compositor) is running")
	case len(envs) > 0:
		return warn("cage is not running; a desktop display is available ("+strings.Join(envs, ", ")+")",
			"in production the kiosk runs under cage: systemctl status sapar; journalctl -u sapar -b")
	}
	return fail("no display: cage is not running and neither WAYLAND_DISPLAY nor DISPLAY is set",
		"check the screen's cable and power, then: systemctl restart sapar; journalctl -u sapar -b")
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
		return warn("no content release installed yet", "run sapar update --state "+e.StateDir+" (network) or sapar update --state "+e.StateDir+" --usb /media/usb")
	}
	b, err := bundle.Open(link)
	if err != nil {
		return fail("active content is damaged: "+err.Error(),
			"run sapar update again (a damaged release is replaced); the previous release is kept in content/previous")
	}
	if err := release.Health(link); err != nil {
		return fail(fmt.Sprintf("content %s: files verified, but its index does not answer (%v)", b.Index.Version, err),
			"restart the kiosk (systemctl restart sapar): sapar run rebuilds the index from the verified files, or goes back to the previous release")
	}
	return pass(fmt.Sprintf("content %s: %d files verified, the index answers", b.Index.Version, len(b.Index.Files)))
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
	fix := "connect the network and run sapar update --state " + e.StateDir + ", or bring a USB stick: sapar update --state " + e.StateDir + " --usb /media/usb"
	b, err := os.ReadFile(filepath.Join(e.StateDir, updateStatus))
	if isNotExist(err) {
		return warn("no update yet", fix)
	}
	var s updateStatusFile
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil {
		return fail("update status unreadable: "+err.Error(), fix)
	}
	now := e.Now()
	if s.LastSuccess.IsZero() {
		return fail(fmt.Sprintf("no update has succeeded (last attempt %s: %s)", s.LastAttempt.UTC().Format(time.RFC3339), s.Error), fix)
	}
	age := now.Sub(s.LastSuccess)
	msg := fmt.Sprintf("content %s, last successful update %s (%s ago)", s.Version, s.LastSuccess.UTC().Format("2006-01-02 15:04Z"), age.Round(time.Minute))
	if exp, role, ok := earliestExpiry(e); ok && now.After(exp) && role != "timestamp" {
		return warn(msg+fmt.Sprintf("; signed %s metadata expired %s", role, exp.UTC().Format("2006-01-02")), fix)
	}
	switch {
	case age > oldAfter:
		return fail(msg+": guides and the list of licensed agencies may be out of date", fix)
	case age > staleAfter:
		return warn(msg, fix)
	case s.Error != "" && s.LastAttempt.After(s.LastSuccess):
		return warn(msg+"; the last attempt failed: "+s.Error, fix)
	}
	return pass(msg)
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
		return warn("mirrors unknown: not provisioned", notProvisionedFix)
	}
	mirrors := st.Config.Updates.Mirrors
	var ok, bad []string
	for _, m := range mirrors {
		if err := headOnce(ctx, e, m); err != nil {
			bad = append(bad, fmt.Sprintf("%s (%v)", m, err))
		} else {
			ok = append(ok, m)
		}
	}
	fix := "check the network cable, Wi-Fi or SIM (ip addr; ping the gateway); updates can also come on a USB stick: sapar update --usb DIR"
	switch {
	case len(ok) == len(mirrors):
		return pass(fmt.Sprintf("%d of %d mirrors reachable", len(ok), len(mirrors)))
	case len(ok) > 0:
		return warn(fmt.Sprintf("%d of %d mirrors reachable; unreachable: %s", len(ok), len(mirrors), strings.Join(bad, "; ")), fix)
	}
	return fail("no mirror reachable: "+strings.Join(bad, "; "), fix)
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
		return fail("espeak-ng is not installed: guides cannot be read aloud", "apt-get install espeak-ng (the sapar package depends on it)")
	}
	for _, pat := range []string{"/usr/lib/*/espeak-ng-data/lang/trk/ky", "/usr/share/espeak-ng-data/lang/trk/ky"} {
		if m, _ := filepath.Glob(e.path(pat)); len(m) > 0 {
			return pass("espeak-ng at " + bin + " with the Kyrgyz voice")
		}
	}
	return warn("espeak-ng at "+bin+" but its Kyrgyz voice data was not found", "apt-get install --reinstall espeak-ng-data")
}
