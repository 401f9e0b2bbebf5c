package provisioning

import (
	"os"
	"strings"
	"testing"

	"sapar/drivers/escpos"
)

// `sapar provision check` once accepted nine models from a list of its own
// while the kiosk knew four: a file naming TM-T88VI passed the check and was
// refused at boot. The accepted profiles are now the drivers' own.
func TestProfilesAreTheDriversOwn(t *testing.T) {
	raw, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range escpos.ProfileNames() {
		y := strings.Replace(string(raw), "profile: TM-T20III", "profile: "+name, 1)
		if _, err := Parse("site.yaml", []byte(y), Options{}); err != nil {
			t.Errorf("driver profile %s refused: %v", name, err)
		}
	}
	y := strings.Replace(string(raw), "profile: TM-T20III", "profile: TM-T88VI", 1)
	if _, err := Parse("site.yaml", []byte(y), Options{}); err == nil {
		t.Error("a profile the kiosk cannot print with (TM-T88VI) passed the check")
	}
}
