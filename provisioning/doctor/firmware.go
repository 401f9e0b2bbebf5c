package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sapar/provisioning"
)

// What the update cycle and the firmware installer record (updates/status.go,
// updates/firmware_install.go), read here without importing updates.
type firmwareStatusFile struct {
	Bucket   int    `json:"bucket"`
	Cohort   string `json:"cohort"`
	Firmware struct {
		Checked   bool   `json:"checked"`
		Arch      string `json:"arch"`
		Installed string `json:"installed"`
		Available string `json:"available"`
		Rollout   int    `json:"rollout"`
		Note      string `json:"note"`
		Error     string `json:"error"`
	} `json:"firmware"`
}

type firmwareResultFile struct {
	Version string `json:"version"`
	Result  string `json:"result"`
	Error   string `json:"error"`
}

// checkFirmware: the installed firmware, the kiosk's bucket and cohort, what
// is published, the last install and the versions marked bad.
func checkFirmware(_ context.Context, e *Env, _ *provisioning.State) Result {
	fix := m("doctor.fix.firmware", "dir", e.StateDir)
	var s firmwareStatusFile
	b, err := os.ReadFile(filepath.Join(e.StateDir, updateStatus))
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	var r firmwareResultFile
	if b, err := os.ReadFile(filepath.Join(e.StateDir, "firmware", "result.json")); err == nil {
		json.Unmarshal(b, &r)
	}
	if r.Result == "failed" {
		return fail(m("doctor.firmware.failed", "version", r.Version, "error", r.Error), fix)
	}
	if err != nil || !s.Firmware.Checked {
		return pass(m("doctor.firmware.unchecked")) // informational: updates has its own check
	}
	avail := s.Firmware.Available
	if avail == "" {
		avail = "-"
	}
	line := m("doctor.firmware.line", "installed", s.Firmware.Installed, "arch", s.Firmware.Arch, "bucket", fmt.Sprint(s.Bucket),
		"cohort", s.Cohort, "available", avail, "rollout", fmt.Sprint(s.Firmware.Rollout))
	var bad []string
	if b, err := os.ReadFile(filepath.Join(e.StateDir, "firmware", "bad")); err == nil {
		bad = strings.Fields(string(b))
	}
	if s.Firmware.Error != "" {
		return warn(m("doctor.firmware.refused", "line", line, "error", s.Firmware.Error), fix)
	}
	if len(bad) > 0 || r.Result == "rolled-back" {
		return warn(m("doctor.firmware.bad", "line", line, "bad", strings.Join(bad, ", "), "result", r.Result, "error", r.Error), fix)
	}
	last := m("doctor.firmware.no_install")
	if r.Result != "" {
		last = m("doctor.firmware.last", "version", r.Version, "result", r.Result)
	}
	return pass(m("doctor.firmware.summary", "line", line, "last", last))
}

// What sapar maintenance records (updates.MaintenanceStatus), read here
// without importing updates.
type maintenanceStatusFile struct {
	FirstRun time.Time `json:"first_run"`
	LastRun  time.Time `json:"last_run"`
	Window   string    `json:"window"`
	Decision struct {
		Action string `json:"action"`
		Why    string `json:"why"`
	} `json:"decision"`
	LastUpgrade    time.Time `json:"last_upgrade"`
	UpgradeErr     string    `json:"upgrade_error"`
	RebootRequired bool      `json:"reboot_required"`
}

// securityUpdatesStale: no unattended-upgrade ran to the end for this long
// (the fleet alert SecurityUpdatesStale says the same).
const securityUpdatesStale = 14 * 24 * time.Hour

// checkMaintenance: the night's Debian security updates (sapar maintenance,
// sapar-maintenance.timer): the window, the last check and what it did, the
// last upgrade, a reboot waiting.
func checkMaintenance(_ context.Context, e *Env, _ *provisioning.State) Result {
	fix := m("doctor.fix.maintenance")
	var s maintenanceStatusFile
	b, err := os.ReadFile(filepath.Join(e.StateDir, "maintenance-status.json"))
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil || s.LastRun.IsZero() {
		return pass(m("doctor.maintenance.none")) // informational: the timer checks every 15 minutes
	}
	now := e.Now()
	upgraded := m("mt.never")
	if !s.LastUpgrade.IsZero() {
		upgraded = m("doctor.maintenance.ago", "time", s.LastUpgrade.UTC().Format("2006-01-02 15:04 UTC"), "days", fmt.Sprint(int(now.Sub(s.LastUpgrade).Hours()/24)))
	}
	line := m("doctor.maintenance.line", "window", s.Window, "upgraded", upgraded, "action", m("mt.action."+s.Decision.Action), "why", s.Decision.Why,
		"reboot", m(map[bool]string{true: "page.yes", false: "page.no"}[s.RebootRequired]))
	since := s.LastUpgrade // how long without security updates: since the last, or since checks began
	if since.IsZero() {
		since = s.FirstRun
	}
	switch {
	case s.UpgradeErr != "":
		return warn(m("doctor.maintenance.failed", "line", line, "error", s.UpgradeErr), fix)
	case !since.IsZero() && now.Sub(since) > securityUpdatesStale:
		return warn(m("doctor.maintenance.stale", "line", line), fix)
	}
	return pass(line)
}
