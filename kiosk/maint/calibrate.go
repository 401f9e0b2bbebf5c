package maint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"slices"
	"time"

	"sapar/content/atomicfile"
	"sapar/drivers/calibrate"
	"sapar/drivers/escpos"
	"sapar/drivers/receipt"
	"sapar/kiosk/slipprinter"
	"sapar/kiosk/web/httpx"
)

// The guided printer calibration (drivers/calibrate) on the maintenance
// screen: print the numbered slip, the technician taps the lines that
// printed right, the decided profile is saved in the state dir, the
// printer switches to it and prints the test slip with it.

// calRun is the calibration slip last printed: the answers are read
// against exactly its lines.
type calRun struct {
	plan    calibrate.Plan
	printed time.Time
}

// CalLine is one numbered line as the screen shows it.
type CalLine struct {
	N        int    `json:"n"`
	Kind     string `json:"kind"` // table, utf8, udc, ruler, native_qr, raster_qr, cutter
	Table    int    `json:"table,omitempty"`
	Encoding string `json:"encoding,omitempty"`
	Columns  int    `json:"columns,omitempty"`
	Want     string `json:"want"`  // the row as it prints when right
	Label    string `json:"label"` // English, for the log
}

var kindNames = map[calibrate.Kind]string{calibrate.Table: "table", calibrate.UTF8: "utf8", calibrate.UserChars: "udc",
	calibrate.Ruler: "ruler", calibrate.NativeQR: "native_qr", calibrate.RasterQR: "raster_qr", calibrate.Cutter: "cutter"}

// CalSlip is the answer to printing the calibration slip.
type CalSlip struct {
	Base    string    `json:"base"`
	Model   string    `json:"model,omitempty"` // GS I: maker, model, firmware
	Printed time.Time `json:"printed"`
	Lines   []CalLine `json:"lines"`
	Langs   []string  `json:"langs"`
	Letters string    `json:"letters"`
	IDError string    `json:"identify_error,omitempty"`
}

// ProfileInfo is the printer profile in use, for the printer card.
type ProfileInfo struct {
	Name       string    `json:"name"`
	Calibrated bool      `json:"calibrated"`
	Base       string    `json:"base,omitempty"`
	Model      string    `json:"model,omitempty"`
	At         time.Time `json:"at,omitzero"`
	Tables     []string  `json:"tables"`
	UserChars  bool      `json:"user_chars"`
	NativeQR   bool      `json:"native_qr"`
	Raster     bool      `json:"raster"`
	UTF8       bool      `json:"utf8"`
	Cutter     bool      `json:"cutter"`
	Columns    int       `json:"columns"`
	Dots       int       `json:"dots"`
	// FileError says why a calibration file in the state dir is not used.
	FileError string `json:"file_error,omitempty"`
}

func describeProfile(p escpos.Profile) ProfileInfo {
	info := ProfileInfo{Name: p.Name, UserChars: p.UserChars, NativeQR: p.NativeQR, Raster: p.Raster, UTF8: p.UTF8,
		Cutter: p.Cutter, Columns: p.Columns, Dots: p.Dots}
	for _, t := range p.CodeTables {
		info.Tables = append(info.Tables, fmt.Sprintf("%d=%s", t.Number, t.Enc.Name))
	}
	return info
}

// profileInfo is the profile the printer uses now, and where it came from.
func (m *Maintenance) profileInfo() *ProfileInfo {
	if m.Printer == nil {
		return nil
	}
	info := describeProfile(m.Printer.Profile())
	if m.StateDir == "" {
		return &info
	}
	c, err := escpos.LoadProfile(filepath.Join(m.StateDir, escpos.ProfileFile))
	switch {
	case err == nil && c.Profile.Name == info.Name:
		info.Calibrated, info.Base, info.Model, info.At = true, c.Base, c.Identity.String(), c.At
	case err == nil:
		if m.PrinterModel != "" && c.Base != m.PrinterModel {
			info.FileError = fmt.Sprintf("%s was calibrated on a %s, the kiosk is configured for %s", escpos.ProfileFile, c.Base, m.PrinterModel)
		}
	case !errors.Is(err, fs.ErrNotExist):
		info.FileError = err.Error()
	}
	return &info
}

func (m *Maintenance) calibrationReady(w http.ResponseWriter) (escpos.Profile, bool) {
	if m.Printer == nil || m.PrintRaw == nil || m.StateDir == "" {
		apiError(w, http.StatusServiceUnavailable, "cal.err.unavailable", "calibration is not available on this kiosk")
		return escpos.Profile{}, false
	}
	base, err := escpos.ProfileByName(m.PrinterModel)
	if err != nil {
		apiError(w, http.StatusServiceUnavailable, "cal.err.unavailable", "calibration: "+err.Error())
		return escpos.Profile{}, false
	}
	return base, true
}

// handleCalibrationSlip asks the printer's model (GS I), lays out the
// calibration of the provisioned model with the offered languages'
// letters and prints it.
func (m *Maintenance) handleCalibrationSlip(w http.ResponseWriter, r *http.Request) {
	base, ok := m.calibrationReady(w)
	if !ok {
		return
	}
	m.mu.Lock()
	if m.calBusy {
		m.mu.Unlock()
		apiError(w, http.StatusConflict, "cal.err.busy", "a calibration slip is printing")
		return
	}
	m.calBusy = true
	m.mu.Unlock()
	defer func() { m.mu.Lock(); m.calBusy = false; m.mu.Unlock() }()

	ctx, cancel := context.WithTimeout(r.Context(), 120*time.Second)
	defer cancel()
	var id escpos.Identity
	var idErr error
	if m.Identify != nil {
		id, idErr = m.Identify(ctx)
	}
	var langs []string
	for _, l := range m.Languages {
		if _, ok := calibrate.Samples[l]; ok {
			langs = append(langs, l)
		}
	}
	pl, err := calibrate.NewPlan(base, calibrate.Opts{Langs: langs, Identity: id})
	if err != nil {
		apiError(w, http.StatusInternalServerError, "", err.Error())
		return
	}
	job, err := pl.Job()
	if err != nil {
		apiError(w, http.StatusInternalServerError, "", err.Error())
		return
	}
	if err := m.PrintRaw(ctx, job); err != nil {
		m.Log.Warn("calibration slip failed", "err", err)
		httpx.JSON(w, http.StatusOK, map[string]any{"ok": false, "error": err.Error(), "printer": m.Printer.Last()})
		return
	}
	now := m.now()
	m.mu.Lock()
	m.cal = &calRun{plan: pl, printed: now}
	m.mu.Unlock()
	out := calSlip(pl, now)
	if idErr != nil {
		out.IDError = idErr.Error()
	}
	m.Log.Info("calibration slip printed", "base", base.Name, "lines", len(pl.Lines), "model", out.Model)
	httpx.JSON(w, http.StatusOK, map[string]any{"ok": true, "slip": out, "printer": m.Printer.Last()})
}

func calSlip(pl calibrate.Plan, printed time.Time) CalSlip {
	out := CalSlip{Base: pl.Base.Name, Model: pl.Identity.String(), Printed: printed, Langs: pl.Langs, Letters: string(pl.Letters)}
	for _, l := range pl.Lines {
		cl := CalLine{N: l.N, Kind: kindNames[l.Kind], Want: l.Want, Label: l.Label()}
		if l.Kind == calibrate.Table {
			cl.Table, cl.Encoding = int(l.Table.Number), l.Table.Enc.Name
		}
		if l.Kind == calibrate.Ruler {
			cl.Columns = l.Columns
		}
		out.Lines = append(out.Lines, cl)
	}
	return out
}

// handleCalibration is the slip printed last (the screen after a reload).
func (m *Maintenance) handleCalibration(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	run := m.cal
	m.mu.Unlock()
	if run == nil {
		apiError(w, http.StatusNotFound, "cal.err.no_plan", "print the calibration slip first")
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"slip": calSlip(run.plan, run.printed)})
}

// handleCalibrationAnswers turns the numbers the technician tapped into
// the printer's profile, saves it (STATE/printer-profile.json), switches
// the running printer to it and prints the test slip with it.
func (m *Maintenance) handleCalibrationAnswers(w http.ResponseWriter, r *http.Request) {
	if _, ok := m.calibrationReady(w); !ok {
		return
	}
	var req struct {
		Answers []int  `json:"answers"`
		Lang    string `json:"lang"` // the screen's language, for the test slip's own words
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 16<<10)).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "", `send {"answers": [line numbers]}`)
		return
	}
	m.mu.Lock()
	run := m.cal
	m.mu.Unlock()
	if run == nil {
		apiError(w, http.StatusConflict, "cal.err.no_plan", "print the calibration slip first")
		return
	}
	if !slices.ContainsFunc(req.Answers, func(n int) bool {
		return n >= 1 && n <= len(run.plan.Lines) && run.plan.Lines[n-1].Kind == calibrate.Ruler
	}) {
		apiError(w, http.StatusBadRequest, "cal.err.no_ruler", "tap at least one ruler: the widest that printed on one row")
		return
	}
	cal, err := run.plan.Decide(req.Answers, m.now())
	if err != nil {
		code := ""
		if errors.Is(err, calibrate.ErrAnswer) {
			code = "cal.err.answer"
		}
		apiError(w, http.StatusBadRequest, code, err.Error())
		return
	}
	if err := escpos.SaveProfile(m.StateDir, cal, atomicfile.Write); err != nil {
		m.Log.Error("calibrated profile not saved", "err", err)
		apiError(w, http.StatusInternalServerError, "cal.err.save", err.Error())
		return
	}
	switched := m.UseProfile != nil
	if switched {
		m.UseProfile(cal.Profile)
	}
	m.mu.Lock()
	m.cal = nil
	m.mu.Unlock()
	p := cal.Profile
	m.Log.Info("printer calibrated from the maintenance screen", "profile", p.Name, "answers", fmt.Sprint(cal.Answers),
		"model", cal.Identity.String(), "switched", switched)

	// The test slip, laid out for the new profile whether or not the
	// running printer switched, so the paper proves the profile.
	ctx, cancel := context.WithTimeout(r.Context(), 90*time.Second)
	defer cancel()
	doc := slipprinter.TestSlip(m.slipKiosk(req.Lang), p, m.now())
	out := map[string]any{"ok": true, "saved": escpos.ProfileFile, "switched": switched, "no_udc_raster": !p.UserChars && !p.Raster}
	info := describeProfile(p)
	info.Calibrated, info.Base, info.Model, info.At = true, cal.Base, cal.Identity.String(), cal.At
	out["profile"] = info
	data, err := receipt.Render(doc, p)
	if err == nil {
		err = m.PrintRaw(ctx, data)
	}
	if err != nil {
		m.Log.Warn("test slip after calibration failed", "err", err)
		out["test_error"] = err.Error()
	}
	out["test_printed"] = err == nil
	out["printer"] = m.Printer.Last()
	httpx.JSON(w, http.StatusOK, out)
}

// apiError answers an error the screen shows in the technician's
// language: code is its techtext key ("" when only the English text fits).
func apiError(w http.ResponseWriter, status int, code, msg string) {
	body := map[string]string{"error": msg}
	if code != "" {
		body["code"] = code
	}
	httpx.JSON(w, status, body)
}
