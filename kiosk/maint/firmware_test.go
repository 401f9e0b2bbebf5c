package maint

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/content/sample/sampletest"
	"sapar/kiosk/internal/kiosktest"
	"sapar/kiosk/web"
	"sapar/provisioning/pin"
	"sapar/provisioning/techtext"
	"sapar/updates"
)

// What the technician reads on the maintenance screen (Updates tab) of a
// kiosk whose v3 failed its health check and was rolled back to v2, with a
// kernel waiting for the night: the status files are the ones sapar update,
// sapar firmware install and sapar maintenance write, in their own types;
// the rows are rendered from the catalog as the page renders them.
func TestMaintenanceScreenShowsFirmwareAndSecurityUpdates(t *testing.T) {
	state := t.TempDir()
	t0 := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC) // 03:00 on 2 December in Bishkek
	write := func(name string, v any) {
		t.Helper()
		raw, _ := json.Marshal(v)
		os.MkdirAll(filepath.Dir(filepath.Join(state, name)), 0o755)
		if err := os.WriteFile(filepath.Join(state, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("update-status.json", updates.Status{LastAttempt: t0, LastSuccess: t0, Bucket: 42, Cohort: "canary",
		Firmware: updates.FirmwareOutcome{Checked: true, Arch: "arm64", Installed: "2.0.0", Available: "3.0.0", Rollout: 10}})
	write(filepath.Join(updates.FirmwareDir, updates.ResultFile), updates.FirmwareInstallResult{Time: t0.Add(-time.Hour), Version: "3.0.0", Previous: "2.0.0",
		Result: "rolled-back", Error: "page heartbeat 95 s old", Running: "2.0.0"})
	os.WriteFile(filepath.Join(state, updates.FirmwareDir, updates.BadVersionsFile), []byte("3.0.0\n"), 0o644)
	write(updates.MaintenanceStatusFile, updates.MaintenanceStatus{LastRun: t0, Window: "02:00-04:00 Asia/Bishkek", LastUpgrade: t0.Add(-30 * time.Minute),
		Decision:       updates.MaintenanceDecision{Action: "nothing", Why: "someone is at the screen (screen session): trying again in 15 minutes"},
		RebootRequired: true})

	bishkek, _ := time.LoadLocation("Asia/Bishkek")
	m := &Maintenance{PINHash: exampleHash, Guard: pin.NewGuard(filepath.Join(t.TempDir(), "lock.json"), pin.DefaultPolicy),
		KioskID: "t-01", Errors: NewErrorRing(10), StateDir: state, Location: bishkek, MaintenanceWindow: "02:00-04:00"}
	ts := httptest.NewServer(mount(t, sampletest.Store(t, "t"), m, web.Options{Log: kiosktest.QuietLog()}))
	defer ts.Close()
	c := &kiosktest.Client{T: t, Base: ts.URL}
	tok := c.BootToken("/maintenance")
	code, b := c.Do("POST", "/api/maintenance/unlock", map[string]string{"X-Sapar-Token": tok}, map[string]string{"pin": examplePIN})
	var sess map[string]string
	json.Unmarshal(b, &sess)
	if code != http.StatusOK || sess["session"] == "" {
		t.Fatalf("unlock: %d %s", code, b)
	}
	code, b = c.Do("GET", "/api/maintenance/status", map[string]string{"X-Sapar-Token": tok, "X-Sapar-Maint": sess["session"]}, nil)
	var out struct {
		Firmware []struct {
			Label string       `json:"label"`
			Value techtext.Msg `json:"value"`
		} `json:"firmware"`
	}
	if code != http.StatusOK || json.Unmarshal(b, &out) != nil {
		t.Fatalf("status: %d %s", code, b)
	}
	// JSON numbers and nested messages come back as the page gets them.
	screen := func(lang string) string {
		var lines []string
		for _, r := range out.Firmware {
			if !techtext.Has(r.Label) || !techtext.Has(r.Value.Key) {
				t.Errorf("row %s = %s: not in the technician catalog", r.Label, r.Value.Key)
			}
			lines = append(lines, techtext.Text(lang, r.Label)+": "+techtext.Format(lang, fromJSON(r.Value)))
		}
		return strings.Join(lines, "\n")
	}
	en, ru := screen("en"), screen("ru")
	for _, want := range []string{
		"Firmware installed: 2.0.0 (arm64)",
		"Firmware published: 3.0.0 for 10% of kiosks",
		"Phased rollouts: bucket 42, canary: takes every release first",
		"Last firmware install: 3.0.0 was not healthy: rolled back to 2.0.0 by itself (2026-12-02 02:00); page heartbeat 95 s old",
		"Marked bad on this kiosk: 3.0.0 (never retried",
		"Maintenance window: 02:00-04:00 (Asia/Bishkek): Debian security updates",
		"Last maintenance check: 2026-12-02 03:00: nothing done — someone is at the screen",
		"Security updates last installed: 2026-12-02 02:30",
		"Reboot waiting: yes: in the next maintenance window",
	} {
		if !strings.Contains(en, want) {
			t.Errorf("the English screen lacks %q:\n%s", want, en)
		}
	}
	for _, want := range []string{"Установленная прошивка: 2.0.0 (arm64)", "корзина 42, канарейка", "сама откатилась на 2.0.0", "Помечены плохими на этом киоске: 3.0.0", "Окно обслуживания: 02:00-04:00 (Asia/Bishkek)"} {
		if !strings.Contains(ru, want) {
			t.Errorf("the Russian screen lacks %q:\n%s", want, ru)
		}
	}
	page, err := os.ReadFile("../web/ui/maintenance.html")
	if err != nil || !strings.Contains(string(page), `<dl id="firmware">`) {
		t.Error("maintenance.html has no firmware list for these rows")
	}
}

// fromJSON turns a message decoded from JSON (nested messages as maps) back
// into the Msg the page formats.
func fromJSON(m techtext.Msg) techtext.Msg {
	for k, v := range m.Args {
		if mm, ok := v.(map[string]any); ok {
			key, _ := mm["key"].(string)
			args, _ := mm["args"].(map[string]any)
			m.Args[k] = fromJSON(techtext.Msg{Key: key, Args: args})
		}
	}
	return m
}
