package kiosk

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/skip2/go-qrcode"

	"sapar/provisioning/pin"
	"sapar/kiosk/usage"
	"sapar/updates"
)

// maintenanceRoutes adds the technician's API: PIN unlock, printer test,
// update now, usage report, first-boot setup.
func (s *Server) maintenanceRoutes(mux *http.ServeMux) {
	m := s.opt.Maintenance
	mux.HandleFunc("POST /api/heartbeat", func(w http.ResponseWriter, r *http.Request) {
		if !s.tokenOK(r) {
			apiError(w, http.StatusForbidden, "missing or wrong kiosk token")
			return
		}
		if m != nil {
			m.Heartbeat(s.opt.Now())
		}
		w.WriteHeader(http.StatusNoContent)
	})
	if m == nil {
		return
	}
	page, err := renderMaintenancePage(assetURLs(s.static), map[string]any{"token": s.token, "mode": "maintenance"})
	mux.HandleFunc("GET /maintenance", func(w http.ResponseWriter, r *http.Request) {
		if err != nil {
			s.opt.Log.Error("maintenance page", "err", err)
			http.Error(w, "maintenance page missing from the build", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(page)
	})
	// After first-boot provisioning the setup page (still on screen) asks
	// this to show the device id for the MRC inventory. Not secret.
	mux.HandleFunc("GET /api/setup/state", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, setupState{Phase: "running", KioskID: m.KioskID, KioskName: m.KioskName,
			DeviceID: m.DeviceID, DeviceQR: qrDataURL(m.DeviceID)})
	})
	mux.HandleFunc("GET /api/maintenance/lock", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.lockState())
	})
	mux.HandleFunc("POST /api/maintenance/unlock", s.handleUnlock)
	auth := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !s.tokenOK(r) || !m.checkSession(r.Header.Get("X-Sapar-Maint")) {
				apiError(w, http.StatusUnauthorized, "maintenance session ended — enter the PIN again")
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("POST /api/maintenance/logout", auth(func(w http.ResponseWriter, r *http.Request) {
		m.closeSession()
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("GET /api/maintenance/status", auth(s.handleMaintStatus))
	mux.HandleFunc("POST /api/maintenance/report-link", auth(s.handleReportLink))
	mux.HandleFunc("GET /maintenance/report", s.handleReportPage)
	mux.HandleFunc("POST /api/maintenance/printer/status", auth(func(w http.ResponseWriter, r *http.Request) {
		if m.Printer == nil {
			apiError(w, http.StatusServiceUnavailable, "no printer configured")
			return
		}
		writeJSON(w, http.StatusOK, m.Printer.Status(r.Context()))
	}))
	mux.HandleFunc("POST /api/maintenance/printer/test", auth(func(w http.ResponseWriter, r *http.Request) {
		if m.Printer == nil {
			apiError(w, http.StatusServiceUnavailable, "no printer configured")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 90*time.Second)
		defer cancel()
		if err := s.opt.Print(ctx, testSlip(m, m.Printer.Profile(), s.opt.Now())); err != nil {
			s.opt.Log.Warn("test slip failed", "err", err)
			writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": err.Error(), "printer": m.Printer.Last()})
			return
		}
		s.opt.Log.Info("test slip printed")
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "printer": m.Printer.Last()})
	}))
	mux.HandleFunc("POST /api/maintenance/update", auth(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Source string `json:"source"`
		}
		json.NewDecoder(io.LimitReader(r.Body, 1024)).Decode(&req)
		if req.Source != "usb" && req.Source != "network" {
			apiError(w, http.StatusBadRequest, `send {"source": "network"} or {"source": "usb"}`)
			return
		}
		if !m.startUpdate(r.Context(), req.Source == "usb") {
			apiError(w, http.StatusConflict, "an update is already running (or updates are not configured)")
			return
		}
		s.opt.Log.Info("update started from the maintenance screen", "source", req.Source)
		writeJSON(w, http.StatusAccepted, m.updateProgress())
	}))
	mux.HandleFunc("GET /api/maintenance/usage", auth(s.handleUsageReport))
	mux.HandleFunc("GET /api/maintenance/doctor", auth(func(w http.ResponseWriter, r *http.Request) {
		if m.Doctor == nil {
			apiError(w, http.StatusServiceUnavailable, "doctor not available")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 60*time.Second)
		defer cancel()
		writeJSON(w, http.StatusOK, m.Doctor(ctx))
	}))
	mux.HandleFunc("POST /api/maintenance/restart", auth(func(w http.ResponseWriter, r *http.Request) {
		if m.Restart == nil {
			apiError(w, http.StatusServiceUnavailable, "restart not available")
			return
		}
		s.opt.Log.Warn("restart requested from the maintenance screen")
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "restarting"})
		go func() { time.Sleep(300 * time.Millisecond); m.Restart() }()
	}))
}

func (s *Server) tokenOK(r *http.Request) bool {
	return subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Sapar-Token")), []byte(s.token)) == 1
}

type lockState struct {
	Locked      bool      `json:"locked"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	Failures    int       `json:"failures"`
	MaxFailures int       `json:"max_failures"`
}

func (s *Server) lockState() lockState {
	m := s.opt.Maintenance
	ls := lockState{MaxFailures: pin.DefaultPolicy.MaxFailures}
	if m.Guard == nil {
		return ls
	}
	st, err := m.Guard.State(s.opt.Now())
	if err != nil {
		return lockState{Locked: true, MaxFailures: ls.MaxFailures}
	}
	ls.Locked, ls.LockedUntil = st.Locked(s.opt.Now())
	ls.Failures = st.Failures
	return ls
}

// handleUnlock checks a PIN through the Guard: every attempt is counted on
// disk before the hash is computed, 5 wrong ones lock for minutes (longer
// each time). The PIN is never logged or kept.
func (s *Server) handleUnlock(w http.ResponseWriter, r *http.Request) {
	m := s.opt.Maintenance
	if !s.tokenOK(r) {
		apiError(w, http.StatusForbidden, "missing or wrong kiosk token")
		return
	}
	var req struct {
		PIN string `json:"pin"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 256)).Decode(&req); err != nil || len(req.PIN) > 64 {
		apiError(w, http.StatusBadRequest, `send {"pin": "digits"}`)
		return
	}
	if m.Guard == nil || m.PINHash == "" {
		apiError(w, http.StatusServiceUnavailable, "no technician PIN is provisioned")
		return
	}
	ok, until, err := m.Guard.Check(m.PINHash, req.PIN, s.opt.Now())
	req.PIN = ""
	switch {
	case errors.Is(err, pin.ErrLocked):
		s.opt.Log.Warn("maintenance PIN refused: locked", "until", until.UTC().Format(time.RFC3339))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": "too many wrong PINs — locked", "locked_until": until})
		return
	case err != nil:
		s.opt.Log.Error("maintenance PIN check failed", "err", err)
		apiError(w, http.StatusServiceUnavailable, "PIN cannot be checked — see the log")
		return
	case !ok:
		ls := s.lockState()
		s.opt.Log.Warn("maintenance PIN wrong", "failures", ls.Failures, "locked", ls.Locked)
		body := map[string]any{"error": "wrong PIN", "failures": ls.Failures, "max_failures": ls.MaxFailures}
		if !until.IsZero() {
			body["locked_until"] = until
			writeJSON(w, http.StatusTooManyRequests, body)
			return
		}
		writeJSON(w, http.StatusForbidden, body)
		return
	}
	s.opt.Log.Info("maintenance screen unlocked")
	writeJSON(w, http.StatusOK, map[string]string{"session": m.openSession()})
}

type netIface struct {
	Name  string   `json:"name"`
	Up    bool     `json:"up"`
	Addrs []string `json:"addrs"`
}

func (s *Server) handleMaintStatus(w http.ResponseWriter, r *http.Request) {
	m := s.opt.Maintenance
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	now := s.opt.Now()
	loc := m.Location
	if loc == nil {
		loc = time.UTC
	}
	out := map[string]any{
		"kiosk":  map[string]string{"id": m.KioskID, "name": m.KioskName, "device_id": m.DeviceID, "place": m.Place},
		"uptime": now.Sub(s.started).Round(time.Second).String(),
	}
	if m.Printer != nil {
		out["printer"] = m.Printer.Last()
	}
	cont := map[string]any{}
	if v, err := s.Store().Version(ctx); err == nil {
		cont["version"] = v
	} else {
		cont["error"] = err.Error()
	}
	if m.StateDir != "" {
		if rel, err := updates.ActiveRelease(m.StateDir); err == nil {
			cont["release"], cont["created"] = rel.Name, rel.Created
		}
	}
	out["content"] = cont
	us, err := m.updateStatus()
	upd := map[string]any{"status": us, "run": m.updateProgress()}
	if err != nil {
		upd["error"] = err.Error()
	}
	out["update"] = upd
	var ifs []netIface
	if list, err := net.Interfaces(); err == nil {
		for _, i := range list {
			if i.Flags&net.FlagLoopback != 0 {
				continue
			}
			ni := netIface{Name: i.Name, Up: i.Flags&net.FlagUp != 0}
			addrs, _ := i.Addrs()
			for _, a := range addrs {
				ni.Addrs = append(ni.Addrs, a.String())
			}
			ifs = append(ifs, ni)
		}
	}
	out["network"] = ifs
	out["clock"] = map[string]any{"utc": now.UTC().Format(time.RFC3339), "local": now.In(loc).Format("2006-01-02 15:04:05 MST"),
		"zone": loc.String(), "build_time": updates.BuildTime(), "clock_note": us.ClockNote,
		"behind_build": !updates.BuildTime().IsZero() && now.Before(updates.BuildTime())}
	if m.StateDir != "" {
		var st syscall.Statfs_t
		if err := syscall.Statfs(m.StateDir, &st); err == nil {
			out["disk"] = map[string]any{"path": m.StateDir, "free": st.Bavail * uint64(st.Bsize), "total": st.Blocks * uint64(st.Bsize)}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	out["memory"] = map[string]any{"go_sys": ms.Sys, "goroutines": runtime.NumGoroutine()}
	if hb := m.LastHeartbeat(); !hb.IsZero() {
		out["heartbeat_age"] = now.Sub(hb).Round(time.Second).String()
	}
	out["errors"] = m.Errors.Entries()
	out["lock"] = s.lockState()
	writeJSON(w, http.StatusOK, out)
}

// handleUsageReport draws the information-needs report (text) or exports
// the CSV, over the last N days (default 30).
func (s *Server) handleUsageReport(w http.ResponseWriter, r *http.Request) {
	m := s.opt.Maintenance
	rows, from, to, err := s.usageWindow(r)
	if err != nil {
		apiError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	var buf bytes.Buffer
	if r.URL.Query().Get("format") == "csv" {
		err = usage.WriteCSV(&buf, m.KioskID, rows)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="sapar-usage-`+m.KioskID+`.csv"`)
	} else {
		loc := m.Location
		if loc == nil {
			loc = time.UTC
		}
		err = usage.Summarise(rows, from, to, loc).WriteText(&buf, m.KioskName+" ("+m.KioskID+")")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	if err != nil {
		apiError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// assetURLs maps asset names (app.js) to their hashed URLs.
func assetURLs(static map[string]staticFile) map[string]string {
	out := map[string]string{}
	for url := range static {
		rest := strings.TrimPrefix(url, "/static/")
		if _, name, ok := strings.Cut(rest, "/"); ok {
			out[name] = url
		}
	}
	return out
}

func renderMaintenancePage(assets map[string]string, boot map[string]any) ([]byte, error) {
	for _, need := range []string{"maintenance.js", "maintenance.css"} {
		if assets[need] == "" {
			return nil, errors.New("kiosk: ui asset " + need + " missing from the build")
		}
	}
	tmpl, err := template.New("maintenance").Parse(maintenanceHTML)
	if err != nil {
		return nil, err
	}
	bj, _ := json.Marshal(boot)
	var page bytes.Buffer
	if err := tmpl.Execute(&page, map[string]any{"Assets": assets, "Boot": template.JS(bj)}); err != nil {
		return nil, err
	}
	return page.Bytes(), nil
}

type setupState struct {
	Phase     string `json:"phase"` // "waiting", "provisioning", "starting", "running"
	USBRoot   string `json:"usb_root,omitempty"`
	Message   string `json:"message,omitempty"`
	Error     string `json:"error,omitempty"`
	File      string `json:"file,omitempty"`
	KioskID   string `json:"kiosk_id,omitempty"`
	KioskName string `json:"kiosk_name,omitempty"`
	DeviceID  string `json:"device_id,omitempty"`
	DeviceQR  string `json:"device_qr,omitempty"` // data: URL of a PNG
}

func qrDataURL(text string) string {
	if text == "" {
		return ""
	}
	png, err := qrcode.Encode(text, qrcode.Medium, 256)
	if err != nil {
		return ""
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}
