package maint

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"sapar/kiosk/slipprinter"
	"sapar/kiosk/web/httpx"
	"sapar/kiosk/web/ui"
	"sapar/provisioning/techtext"
)

// Handler serves the technician's page and API on the running kiosk; the
// UI server mounts it under /maintenance, /maintenance/, /api/maintenance/
// and /api/setup/state. Every route is listed here.
func (m *Maintenance) Handler(assets *ui.Assets) http.Handler {
	if m.Log == nil {
		m.Log = discardLog()
	}
	if err := techtext.Check(); err != nil {
		m.Log.Error("technician words incomplete: the screen shows keys where they are missing", "err", err)
	}
	page, perr := assets.MaintenancePage(pageBoot(m.Token, "maintenance", m.TechLanguage))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /maintenance", func(w http.ResponseWriter, r *http.Request) {
		if perr != nil {
			m.Log.Error("maintenance page", "err", perr)
			http.Error(w, "maintenance page missing from the build", http.StatusInternalServerError)
			return
		}
		httpx.HTML(w, page)
	})
	// After first-boot provisioning the setup page (still on screen) asks
	// this to show the device id for the MRC inventory. Not secret.
	mux.HandleFunc("GET /api/setup/state", func(w http.ResponseWriter, r *http.Request) {
		httpx.JSON(w, http.StatusOK, SetupState{Phase: "running", KioskID: m.KioskID, KioskName: m.KioskName,
			DeviceID: m.DeviceID, DeviceQR: qrDataURL(m.DeviceID)})
	})
	// The PIN (status.go).
	mux.HandleFunc("GET /api/maintenance/lock", func(w http.ResponseWriter, r *http.Request) {
		httpx.JSON(w, http.StatusOK, m.lockState())
	})
	mux.HandleFunc("POST /api/maintenance/unlock", m.handleUnlock)
	// Everything else needs the unlocked session.
	mux.HandleFunc("POST /api/maintenance/logout", m.auth(func(w http.ResponseWriter, r *http.Request) {
		m.closeSession()
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("GET /api/maintenance/status", m.auth(m.handleStatus))
	mux.HandleFunc("POST /api/maintenance/printer/status", m.auth(m.handlePrinterStatus))
	mux.HandleFunc("POST /api/maintenance/printer/test", m.auth(m.handleTestSlip))
	// The guided printer calibration (calibrate.go): print the numbered
	// slip, the slip printed last, the lines that printed right → profile
	// saved, printer switched, test slip printed.
	mux.HandleFunc("POST /api/maintenance/printer/calibration/slip", m.auth(m.handleCalibrationSlip))
	mux.HandleFunc("GET /api/maintenance/printer/calibration", m.auth(m.handleCalibration))
	mux.HandleFunc("POST /api/maintenance/printer/calibration/answers", m.auth(m.handleCalibrationAnswers))
	mux.HandleFunc("POST /api/maintenance/update", m.auth(m.handleUpdate))
	mux.HandleFunc("GET /api/maintenance/doctor", m.auth(m.handleDoctor))
	mux.HandleFunc("POST /api/maintenance/restart", m.auth(m.handleRestart))
	// The information-needs report (report.go): text or CSV, and the HTML
	// report in a frame through a one-time link.
	mux.HandleFunc("GET /api/maintenance/usage", m.auth(m.handleUsageReport))
	mux.HandleFunc("POST /api/maintenance/report-link", m.auth(m.handleReportLink))
	mux.HandleFunc("GET /maintenance/report", m.handleReportPage)
	return mux
}

// auth lets a request through only with the kiosk token and the live
// maintenance session.
func (m *Maintenance) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !httpx.TokenOK(r, m.Token) || !m.checkSession(r.Header.Get("X-Sapar-Maint")) {
			apiError(w, http.StatusUnauthorized, "pin.session_ended", "maintenance session ended — enter the PIN again")
			return
		}
		h(w, r)
	}
}

func (m *Maintenance) handlePrinterStatus(w http.ResponseWriter, r *http.Request) {
	if m.Printer == nil {
		apiError(w, http.StatusServiceUnavailable, "pr.no_printer", "no printer configured")
		return
	}
	httpx.JSON(w, http.StatusOK, m.Printer.Status(r.Context()))
}

func (m *Maintenance) handleTestSlip(w http.ResponseWriter, r *http.Request) {
	if m.Printer == nil || m.Print == nil {
		apiError(w, http.StatusServiceUnavailable, "pr.no_printer", "no printer configured")
		return
	}
	var req struct {
		Lang string `json:"lang"` // the screen's language, for the slip's own words
	}
	json.NewDecoder(io.LimitReader(r.Body, 1024)).Decode(&req)
	ctx, cancel := context.WithTimeout(r.Context(), 90*time.Second)
	defer cancel()
	doc := slipprinter.TestSlip(m.slipKiosk(req.Lang), m.Printer.Profile(), m.now())
	if err := m.Print(ctx, doc); err != nil {
		m.Log.Warn("test slip failed", "err", err)
		httpx.JSON(w, http.StatusOK, map[string]any{"ok": false, "error": err.Error(), "printer": m.Printer.Last()})
		return
	}
	m.Log.Info("test slip printed")
	httpx.JSON(w, http.StatusOK, map[string]any{"ok": true, "printer": m.Printer.Last()})
}

func (m *Maintenance) handleUpdate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Source string `json:"source"`
	}
	json.NewDecoder(io.LimitReader(r.Body, 1024)).Decode(&req)
	if req.Source != "usb" && req.Source != "network" {
		httpx.Error(w, http.StatusBadRequest, `send {"source": "network"} or {"source": "usb"}`)
		return
	}
	if !m.startUpdate(r.Context(), req.Source == "usb") {
		apiError(w, http.StatusConflict, "up.busy", "an update is already running (or updates are not configured)")
		return
	}
	m.Log.Info("update started from the maintenance screen", "source", req.Source)
	httpx.JSON(w, http.StatusAccepted, m.updateProgress())
}

func (m *Maintenance) handleDoctor(w http.ResponseWriter, r *http.Request) {
	if m.Doctor == nil {
		apiError(w, http.StatusServiceUnavailable, "doc.unavailable", "doctor not available")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 60*time.Second)
	defer cancel()
	httpx.JSON(w, http.StatusOK, m.Doctor(ctx))
}

func (m *Maintenance) handleRestart(w http.ResponseWriter, r *http.Request) {
	if m.Restart == nil {
		httpx.Error(w, http.StatusServiceUnavailable, "restart not available")
		return
	}
	m.Log.Warn("restart requested from the maintenance screen")
	httpx.JSON(w, http.StatusAccepted, map[string]string{"status": "restarting"})
	go func() { time.Sleep(300 * time.Millisecond); m.Restart() }()
}
