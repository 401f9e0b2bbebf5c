package metrics

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/updates"
)

// What the fleet sees of a kiosk whose v3 failed its health check and was
// rolled back to v2: the files are the ones sapar update, sapar firmware
// install and sapar maintenance write, in their own types.
func TestFirmwareFiguresFromTheStatusFiles(t *testing.T) {
	state := t.TempDir()
	t0 := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	write := func(name string, v any) {
		t.Helper()
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(state, name)), 0o755)
		if err := os.WriteFile(filepath.Join(state, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("update-status.json", updates.Status{LastAttempt: t0, LastSuccess: t0, Bucket: 7, Cohort: "canary",
		Firmware: updates.FirmwareOutcome{Checked: true, Arch: "arm64", Installed: "2.0.0", Available: "3.0.0", Rollout: 10, Note: "3.0.0 is marked bad on this kiosk"}})
	write(filepath.Join(updates.FirmwareDir, updates.ResultFile), updates.FirmwareInstallResult{Time: t0.Add(-time.Hour), Version: "3.0.0", Previous: "2.0.0",
		Result: "rolled-back", Error: "not healthy", Running: "2.0.0"})
	os.WriteFile(filepath.Join(state, updates.FirmwareDir, updates.BadVersionsFile), []byte("3.0.0\n"), 0o644)
	write(updates.MaintenanceStatusFile, updates.MaintenanceStatus{LastRun: t0.Add(-5 * time.Hour), LastUpgrade: t0.Add(-5 * time.Hour), RebootRequired: true})

	r := New(Options{Now: func() time.Time { return t0 }, Health: Health{StateDir: state}})
	out := scrape(t, r)
	for _, want := range []string{
		`sapar_firmware_info{arch="arm64",version="2.0.0"} 1`,
		`sapar_firmware_available_info{version="3.0.0"} 1`,
		`sapar_firmware_rollout_percent 10`,
		`sapar_rollout_bucket 7`,
		`sapar_rollout_cohort{cohort="canary"} 1`,
		`sapar_firmware_last_install{result="rolled-back",version="3.0.0"} 1`,
		`sapar_firmware_last_install_timestamp_seconds 1.7961552e+09`,
		`sapar_firmware_bad{version="3.0.0"} 1`,
		`sapar_firmware_bad_versions 1`,
		`sapar_maintenance_last_upgrade_timestamp_seconds 1.7961408e+09`,
		`sapar_maintenance_upgrade_ok 1`,
		`sapar_reboot_required 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("sapar_ lines:\n%s", grepLines(out, "sapar_firmware", "sapar_rollout", "sapar_maintenance", "sapar_reboot"))
	}

	// A kiosk never updated: no bucket or cohort yet (they come from the
	// update cycle), no install, nothing bad.
	fresh := scrape(t, New(Options{Health: Health{StateDir: t.TempDir()}}))
	for _, absent := range []string{"sapar_rollout_bucket", "sapar_firmware_info", "sapar_firmware_last_install{", "sapar_firmware_bad{"} {
		if strings.Contains(fresh, absent) {
			t.Errorf("a kiosk that never ran an update shows %s", absent)
		}
	}
	if !strings.Contains(fresh, "sapar_firmware_bad_versions 0") {
		t.Error("sapar_firmware_bad_versions should be 0 on a fresh kiosk")
	}
}

func grepLines(s string, prefixes ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				out = append(out, l)
			}
		}
	}
	return strings.Join(out, "\n")
}
