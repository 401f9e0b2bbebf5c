package maint

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sapar/content/sample/sampletest"
	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/kiosk/internal/kiosktest"
	"sapar/kiosk/slipprinter"
	"sapar/kiosk/web"
	"sapar/provisioning/pin"
)

// paperPrinter is a printer the kiosk's profile does not know: what it is
// sent is decoded as that printer prints it.
type paperPrinter struct {
	mu    sync.Mutex
	real  escpos.Profile
	prof  escpos.Profile
	slips []*emulator.Slip
}

func (p *paperPrinter) Status(context.Context) slipprinter.State { return p.Last() }
func (p *paperPrinter) Last() slipprinter.State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slipprinter.State{Profile: p.prof.Name, State: "ready", OK: true}
}
func (p *paperPrinter) Profile() escpos.Profile { p.mu.Lock(); defer p.mu.Unlock(); return p.prof }
func (p *paperPrinter) printRaw(_ context.Context, job []byte) error {
	s, err := emulator.Decode(job, p.real)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.slips = append(p.slips, s)
	p.mu.Unlock()
	return nil
}

// The calibration API on a 58 mm printer configured as a POS-5890 whose
// tables sit elsewhere and which takes no ESC &: refused answers say what
// to look at, the right ones give its profile, saved, switched to, and a
// test slip the printer prints without anything it does not take.
func TestCalibrationOverHTTP(t *testing.T) {
	st := sampletest.Store(t, "t")
	dir := t.TempDir()
	base, _ := escpos.ProfileByName("POS-5890")
	real := base
	real.Name = "rongta-58"
	real.CodeTables = []escpos.CodeTable{{Number: 0, Enc: escpos.EncCP437}, {Number: 17, Enc: escpos.EncCP866}, {Number: 45, Enc: escpos.EncCP1250}}
	real.UserChars, real.Cutter = false, true
	pp := &paperPrinter{real: real, prof: base}
	var used []escpos.Profile
	m := &Maintenance{PINHash: exampleHash, Guard: pin.NewGuard(filepath.Join(dir, "pin.json"), pin.DefaultPolicy), KioskID: "t-01",
		StateDir: dir, Printer: pp, PrinterModel: "POS-5890", Languages: []string{"ky", "ru", "uz-Latn"},
		Identify: func(context.Context) (escpos.Identity, error) {
			return escpos.Identity{Maker: "RONGTA", Model: "RP58"}, nil
		},
		UseProfile: func(p escpos.Profile) { used = append(used, p); pp.mu.Lock(); pp.prof = p; pp.mu.Unlock() },
		Errors:     NewErrorRing(10)}
	ts := httptest.NewServer(mount(t, st, m, web.Options{Log: discardLog()}))
	defer ts.Close()
	c := &kiosktest.Client{T: t, Base: ts.URL}
	tok := c.BootToken("/maintenance")
	_, b := c.Do("POST", "/api/maintenance/unlock", map[string]string{"X-Sapar-Token": tok}, map[string]string{"pin": examplePIN})
	var sess struct{ Session string }
	json.Unmarshal(b, &sess)
	auth := map[string]string{"X-Sapar-Token": tok, "X-Sapar-Maint": sess.Session}
	code := func(status int, body []byte) string {
		var e struct{ Code string }
		json.Unmarshal(body, &e)
		return e.Code
	}

	if st, b := c.Do("POST", "/api/maintenance/printer/calibration/answers", auth, map[string]any{"answers": []int{1}}); st != http.StatusServiceUnavailable || code(st, b) != "cal.err.unavailable" {
		t.Fatalf("without a raw print path: %d %s", st, b)
	}
	m.PrintRaw = pp.printRaw
	if st, b := c.Do("POST", "/api/maintenance/printer/calibration/answers", auth, map[string]any{"answers": []int{1}}); st != http.StatusConflict || code(st, b) != "cal.err.no_plan" {
		t.Fatalf("answers before a slip: %d %s", st, b)
	}
	if st, _ := c.Do("POST", "/api/maintenance/printer/calibration/slip", nil, nil); st != http.StatusUnauthorized {
		t.Fatalf("slip without the session: %d", st)
	}
	st1, b := c.Do("POST", "/api/maintenance/printer/calibration/slip", auth, nil)
	var slip struct {
		OK   bool
		Slip CalSlip
	}
	if err := json.Unmarshal(b, &slip); err != nil || st1 != 200 || !slip.OK || slip.Slip.Model != "RONGTA RP58" || len(pp.slips) != 1 {
		t.Fatalf("calibration slip: %d %s", st1, b)
	}
	if st, b := c.Do("GET", "/api/maintenance/printer/calibration", auth, nil); st != 200 || !strings.Contains(string(b), `"kind":"ruler"`) {
		t.Fatalf("the slip printed last: %d %.300s", st, b)
	}
	// The technician reads the paper.
	rows := pp.slips[0].Rows()
	var right []int
	for _, l := range slip.Slip.Lines {
		for i, r := range rows {
			if r.Image == nil && r.Text == l.Want {
				if (l.Kind != "native_qr" && l.Kind != "raster_qr" || i+1 < len(rows) && rows[i+1].Image != nil) && (l.Kind != "cutter" || pp.slips[0].Cut) {
					right = append(right, l.N)
				}
				break
			}
		}
	}
	var noRuler []int
	for _, n := range right {
		if slip.Slip.Lines[n-1].Kind != "ruler" {
			noRuler = append(noRuler, n)
		}
	}
	for _, tc := range []struct {
		name    string
		answers []int
		want    string
	}{
		{"no ruler tapped", noRuler, "cal.err.no_ruler"},
		{"a line the slip does not have", append(append([]int{}, right...), 999), "cal.err.answer"},
	} {
		if st, b := c.Do("POST", "/api/maintenance/printer/calibration/answers", auth, map[string]any{"answers": tc.answers}); st != http.StatusBadRequest || code(st, b) != tc.want {
			t.Errorf("%s: %d %s", tc.name, st, b)
		}
	}
	st2, b := c.Do("POST", "/api/maintenance/printer/calibration/answers", auth, map[string]any{"answers": right})
	var flags map[string]any
	json.Unmarshal(b, &flags)
	if st2 != 200 || flags["ok"] != true || flags["switched"] != true || flags["test_printed"] != true || flags["no_udc_raster"] != false {
		t.Fatalf("answers %v: %d %s", right, st2, b)
	}
	cal, err := escpos.LoadProfile(filepath.Join(dir, escpos.ProfileFile))
	if err != nil {
		t.Fatal(err)
	}
	p := cal.Profile
	if tb, ok := p.Table(17); !ok || tb.Enc != escpos.EncCP866 || p.UserChars || p.Columns != 32 || cal.Base != "POS-5890" || cal.Identity.Model != "RP58" {
		t.Errorf("decided %+v (base %s, id %+v)", p, cal.Base, cal.Identity)
	}
	if _, ok := p.Table(73); ok {
		t.Errorf("table 73 in the profile: the printer has none there")
	}
	if len(used) != 1 || used[0].Name != p.Name {
		t.Errorf("printer switched to %v", used)
	}
	if len(pp.slips) != 2 || len(pp.slips[1].Warnings) > 0 {
		t.Errorf("test slip: %d slips, warnings %v", len(pp.slips), pp.slips[len(pp.slips)-1].Warnings)
	}
	if flat := strings.Join(strings.Fields(pp.slips[1].Text), " "); !strings.Contains(flat, "Тестовый чек Sapar") || !strings.Contains(flat, "профиль POS-5890-calibrated") {
		t.Errorf("test slip not in the technician's Russian, letter for letter:\n%s", pp.slips[1].Text)
	}
	if !strings.Contains(pp.slips[1].Text, "t-01") {
		t.Errorf("test slip without the kiosk id:\n%s", pp.slips[1].Text)
	}
	_, b = c.Do("GET", "/api/maintenance/status", auth, nil)
	var status struct {
		PrinterProfile ProfileInfo `json:"printer_profile"`
	}
	json.Unmarshal(b, &status)
	if pi := status.PrinterProfile; !pi.Calibrated || pi.Model != "RONGTA RP58" || pi.Base != "POS-5890" || pi.At.IsZero() || pi.At.After(time.Now().Add(time.Minute)) {
		t.Errorf("printer card: %+v", pi)
	}
	if st, b := c.Do("POST", "/api/maintenance/printer/calibration/answers", auth, map[string]any{"answers": right}); st != http.StatusConflict || code(st, b) != "cal.err.no_plan" {
		t.Errorf("the same answers again after saving: %d %s", st, b)
	}
}
