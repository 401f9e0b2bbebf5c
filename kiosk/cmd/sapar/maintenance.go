package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"sapar/drivers/escpos"
	"sapar/provisioning"
	"sapar/updates"
)

const maintenanceUsage = `Usage:
  sapar maintenance --state DIR [--provisioning-key FILE] [--kiosk-args "$SAPAR_ARGS" | --url http://127.0.0.1:8080/]
                    [--reboot-required /run/reboot-required]
        one maintenance check, as root (what sapar-maintenance.timer runs every 15 minutes): inside the
        provisioned maintenance_window (default 02:00-04:00, the kiosk's time zone), with nobody at the
        screen (the kiosk's sapar_kiosk_in_use) and no firmware install staged or running, run
        unattended-upgrade (Debian security updates) once per window; then, if a package asked for a
        reboot and the kiosk is still idle, reboot. Says why it did or did not act; the last run is in
        STATE/maintenance-status.json (sapar doctor, the maintenance screen).
`

// runMaintenance is the nightly security-update and reboot check.
func runMaintenance(e env) int {
	fs := flag.NewFlagSet("sapar maintenance", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, maintenanceUsage) }
	state := fs.String("state", "", "kiosk state directory")
	keyFile := fs.String("provisioning-key", defaultProvisioningKey, "MRC provisioning public key: the window comes from the file it signed")
	url := fs.String("url", "", "the kiosk's loopback UI server, whose /metrics says whether someone is at the screen (default: from --kiosk-args, else http://127.0.0.1:8080/)")
	kioskArgs := fs.String("kiosk-args", "", "the flags sapar.service passes to sapar run (SAPAR_ARGS); its --addr is the UI server")
	rebootFile := fs.String("reboot-required", "/run/reboot-required", "the flag file packages write when they need a reboot")
	if err := fs.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *state == "" || fs.NArg() != 0 {
		fmt.Fprintln(e.stderr, "sapar maintenance: --state DIR is required")
		fs.Usage()
		return exitUsage
	}
	logf := func(f string, a ...any) { fmt.Fprintf(e.stderr, "sapar maintenance: "+f+"\n", a...) }
	win, loc := provisionedWindow(*state, *keyFile, logf)
	m := &updates.Maintainer{State: *state, Sys: updates.SystemMaintenance{URL: kioskURL(*url, *kioskArgs), RebootRequiredFile: *rebootFile},
		InWindow: func(t time.Time) bool { return win.Contains(t, loc) }, Window: win.String() + " " + loc.String(),
		WindowLength: win.Length(), ClockFloor: updates.BuildTime(), Logf: logf}
	_, err := m.Run(e.ctx) // each decision and why is logged (stderr: the journal under systemd)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar maintenance: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// provisionedWindow is the maintenance window and time zone of the file
// the MRC signed (sapar run's check); a kiosk not provisioned yet, or whose
// file does not verify, keeps the default window on the system's clock.
func provisionedWindow(state, keyFile string, logf func(string, ...any)) (provisioning.Window, *time.Location) {
	fallback := func(why error) (provisioning.Window, *time.Location) {
		logf("%v: the default window %s on the system clock (%s)", why, provisioning.DefaultMaintenanceWindow, time.Local)
		return provisioning.DefaultMaintenanceWindow, time.Local
	}
	raw, err := os.ReadFile(keyFile)
	if err != nil {
		return fallback(fmt.Errorf("the MRC provisioning key cannot be read: %w", err))
	}
	key, err := provisioning.ParsePublicKey(raw)
	if err != nil {
		return fallback(fmt.Errorf("%s: %w", keyFile, err))
	}
	st, err := provisioning.Load(state, provisioning.LoadOptions{PublicKey: key, Options: provisioning.Options{Profiles: escpos.ProfileNames()}})
	if err != nil {
		return fallback(fmt.Errorf("the provisioned state does not load: %w", err))
	}
	return st.Config.MaintenanceWindow, st.Config.Location()
}
