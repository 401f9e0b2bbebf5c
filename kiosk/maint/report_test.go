package maint

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"sapar/content/sample/sampletest"
	"sapar/kiosk/internal/kiosktest"
	"sapar/kiosk/usage"
	"sapar/kiosk/web"
	"sapar/provisioning/pin"
)

// The maintenance screen shows the information-needs report with its
// charts: an unlocked session mints a one-time link; the frame's page is
// the HTML report, with a CSP that allows its inline styles and framing by
// the kiosk only; the link works once, and never without a session.
func TestMaintenanceShowsTheChartReportOnce(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	counter, err := usage.Open(ctx, filepath.Join(dir, "usage.db"), usage.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer counter.Close()
	counter.Session()
	counter.GuideOpened("work-visa-vs-tourist-visa", "ky", usage.FromBrowse)
	counter.Search("ky", false)
	m := &Maintenance{PINHash: exampleHash, Guard: pin.NewGuard(filepath.Join(dir, "lock.json"), pin.DefaultPolicy),
		KioskID: "t-01", KioskName: "Test kiosk", Errors: NewErrorRing(10), Usage: counter}
	ts := httptest.NewServer(mount(t, sampletest.Store(t, "v"), m, web.Options{}))
	defer ts.Close()
	c := &kiosktest.Client{T: t, Base: ts.URL}
	tok := c.BootToken("/maintenance")

	if code, _ := c.Do("POST", "/api/maintenance/report-link?days=30", map[string]string{"X-Sapar-Token": tok}, nil); code != http.StatusUnauthorized {
		t.Fatalf("report link without a PIN session: %d, want 401", code)
	}
	code, b := c.Do("POST", "/api/maintenance/unlock", map[string]string{"X-Sapar-Token": tok}, map[string]string{"pin": examplePIN})
	var un map[string]any
	json.Unmarshal(b, &un)
	if code != http.StatusOK {
		t.Fatalf("unlock: %d %s", code, b)
	}
	auth := map[string]string{"X-Sapar-Token": tok, "X-Sapar-Maint": un["session"].(string)}
	code, b = c.Do("POST", "/api/maintenance/report-link?days=30", auth, nil)
	var link struct{ URL string }
	json.Unmarshal(b, &link)
	if code != http.StatusOK || !strings.HasPrefix(link.URL, "/maintenance/report?key=") {
		t.Fatalf("report link: %d %s", code, b)
	}
	resp, err := http.Get(ts.URL + link.URL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "<svg") || !strings.Contains(string(page), "Test kiosk") {
		t.Fatalf("report page: %d, %d bytes, svg=%v", resp.StatusCode, len(page), strings.Contains(string(page), "<svg"))
	}
	if !strings.Contains(csp, "frame-ancestors 'self'") || strings.Contains(csp, "script-src") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("report CSP %q", csp)
	}
	resp, err = http.Get(ts.URL + link.URL) // the same link again
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a used report link answered %d, want 403", resp.StatusCode)
	}
}
