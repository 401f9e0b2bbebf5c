package maint

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"sapar/kiosk/web/ui"
	"sapar/provisioning/doctor"
	"sapar/provisioning/techtext"
)

// Every word the technician's page asks for is in the catalog it gets:
// the keys written in maintenance.js and maintenance.html, the codes the
// API answers, and the families the page builds (printer states, line
// kinds, doctor checks and statuses).
func TestThePageAsksOnlyForKnownWords(t *testing.T) {
	js, err := ui.ReadFile("maintenance.js")
	if err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile("../web/ui/maintenance.html")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("calibrate.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"routes.go", "status.go", "setup.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b...)
	}
	var keys []string
	for _, re := range []struct {
		in []byte
		re string
	}{
		{js, `\bt\('([a-z0-9_.]+)'`}, {js, `'(cal\.[a-z_.]+|pin\.[a-z_]+|pr\.[a-z_]+|up\.[a-z_]+)'`},
		{html, `data-t(?:-alt|-title)?="([^"]+)"`},
		{src, `apiError\(w, [^,]+, "([a-z_.]+)"`}, {src, `"code"\s*[:\]]\s*[,=]?\s*"([a-z_.]+)"`}, {src, `ErrorCode = [^,]+, "([a-z_.]+)"`},
	} {
		for _, m := range regexp.MustCompile(re.re).FindAllSubmatch(re.in, -1) {
			if k := string(m[1]); strings.Contains(k, ".") && !strings.HasSuffix(k, ".") { // "status." + s: the families below
				keys = append(keys, k)
			}
		}
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys: the patterns no longer match the page", len(keys))
	}
	for _, k := range kindNames {
		keys = append(keys, "cal.kind."+k)
	}
	for _, s := range []string{"ready", "ready_paper_near_end", "paper_out", "cover_open", "offline", "error", "printing", "not_connected", "disconnected", "not_checked_yet"} {
		keys = append(keys, "pstate."+s)
	}
	for _, c := range doctor.Checks() {
		keys = append(keys, "check."+c.Name)
	}
	for _, s := range []doctor.Status{doctor.Pass, doctor.Warn, doctor.Fail} {
		keys = append(keys, "status."+string(s))
	}
	keys = append(keys, "up.src.network", "up.src.usb", "lang.name", "page.title_setup")
	for _, k := range keys {
		if !techtext.Has(k) {
			t.Errorf("the page or the API uses %q, which technician.json lacks", k)
		}
	}
}
