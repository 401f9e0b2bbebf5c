package maint

import (
	"strconv"
	"strings"
	"time"

	"sapar/provisioning/techtext"
	"sapar/updates"
)

// statusRow is one line of a section of the maintenance screen: a label
// key and a message, both from the technician catalog, so the page shows
// them in the technician's language.
type statusRow struct {
	Label string       `json:"label"`
	Value techtext.Msg `json:"value"`
}

// firmwareRows is the firmware section: what is installed, what is
// published, where this kiosk stands in phased rollouts, the last install
// and the versions marked bad; then the night's security updates.
func (m *Maintenance) firmwareRows(us updates.Status, ms updates.MaintenanceStatus) []statusRow {
	loc := m.Location
	if loc == nil {
		loc = time.UTC
	}
	when := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
	none := techtext.M("fw.none")
	fw := us.Firmware
	rows := []statusRow{}
	installed := techtext.M("fw.not_checked")
	if v := fw.Installed; v != "" {
		if in := us.FirmwareInstall; in != nil && in.Running != "" && in.Time.After(us.LastAttempt) {
			v = in.Running
		}
		installed = techtext.M("fw.installed_value", "version", v, "arch", fw.Arch)
	}
	rows = append(rows, statusRow{"fw.installed", installed})
	published := techtext.M("fw.not_checked")
	if fw.Checked {
		published = none
		if fw.Available != "" {
			published = techtext.M("fw.published_value", "version", fw.Available, "rollout", strconv.Itoa(fw.Rollout))
		}
	}
	rows = append(rows, statusRow{"fw.published", published})
	cohort := techtext.M("fw.not_checked")
	if !us.LastAttempt.IsZero() {
		name := us.Cohort
		if name != "canary" && name != "late" {
			name = "default"
		}
		cohort = techtext.M("fw.cohort_value", "bucket", strconv.Itoa(us.Bucket), "group", techtext.M("fw.group."+name))
	}
	rows = append(rows, statusRow{"fw.cohort", cohort})
	last := none
	if in := us.FirmwareInstall; in != nil {
		switch in.Result {
		case "installed", "rolled-back", "refused", "failed":
			last = techtext.M("fw.result."+in.Result, "version", in.Version, "previous", in.Previous, "time", when(in.Time), "error", in.Error)
		}
	}
	rows = append(rows, statusRow{"fw.last_install", last})
	bad := none
	if len(us.FirmwareBad) > 0 {
		bad = techtext.M("fw.bad_value", "versions", strings.Join(us.FirmwareBad, ", "))
	}
	rows = append(rows, statusRow{"fw.bad", bad})

	zone := loc.String()
	window := m.MaintenanceWindow
	if window == "" {
		window = "—"
	}
	rows = append(rows, statusRow{"mt.window", techtext.M("mt.window_value", "window", window, "zone", zone)})
	check := techtext.M("mt.never")
	if !ms.LastRun.IsZero() {
		check = techtext.M("mt.check_value", "time", when(ms.LastRun), "action", techtext.M("mt.action."+ms.Decision.Action), "why", ms.Decision.Why)
	}
	rows = append(rows, statusRow{"mt.last_check", check})
	upgrade := techtext.M("mt.never")
	if !ms.LastUpgrade.IsZero() {
		upgrade = techtext.M("mt.upgrade_value", "time", when(ms.LastUpgrade))
	}
	if ms.UpgradeErr != "" {
		upgrade = techtext.M("mt.upgrade_failed", "last", upgrade, "error", ms.UpgradeErr)
	}
	rows = append(rows, statusRow{"mt.last_upgrade", upgrade})
	reboot := techtext.M("page.no")
	if ms.RebootRequired {
		reboot = techtext.M("mt.reboot_pending")
	}
	rows = append(rows, statusRow{"mt.reboot", reboot})
	return rows
}
