package fleet

import (
	"os/exec"
	"strings"
	"testing"

	"sapar/systemd/fleet/fleettest"
)

// The alert rules fire as the MRC expects, on the labels kiosks push
// (promtool test rules: one case per alert).
func TestAlertRules(t *testing.T) {
	bins := fleettest.Need(t, "promtool")
	for _, args := range [][]string{
		{"check", "rules", "sapar-alerts.yml"},
		{"test", "rules", "sapar-alerts.test.yml"},
	} {
		cmd := exec.Command(bins[0], args...)
		cmd.Dir = "rules"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// Alertmanager's config is valid and routes each region's kiosks to its
// technicians.
func TestAlertmanagerRoutesByRegion(t *testing.T) {
	bins := fleettest.Need(t, "amtool")
	if out, err := exec.Command(bins[0], "check-config", "alertmanager.yml").CombinedOutput(); err != nil {
		t.Fatalf("amtool check-config: %v\n%s", err, out)
	}
	for _, tc := range []struct{ labels, want string }{
		{"city=Osh", "technicians-south-kg"},
		{"city=Bishkek", "technicians-north-kg"},
		{"city=Nukus", "technicians-uz"},
		{"city=Almaty", "mrc-operations"},
	} {
		out, err := exec.Command(bins[0], "config", "routes", "test", "--config.file=alertmanager.yml", "alertname=PrinterPaperOut", "kiosk=k1", tc.labels).Output()
		if err != nil {
			t.Fatalf("amtool routes test %s: %v", tc.labels, err)
		}
		if got := strings.TrimSpace(string(out)); got != tc.want {
			t.Errorf("%s goes to %q, want %q", tc.labels, got, tc.want)
		}
	}
}
