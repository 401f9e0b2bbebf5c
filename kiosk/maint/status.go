package maint

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"syscall"
	"time"

	"github.com/skip2/go-qrcode"

	"sapar/content/release"
	"sapar/kiosk/usage"
	"sapar/kiosk/web/httpx"
	"sapar/provisioning/pin"
	"sapar/updates"
)

type lockState struct {
	Locked      bool      `json:"locked"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	Failures    int       `json:"failures"`
	MaxFailures int       `json:"max_failures"`
}

func (m *Maintenance) lockState() lockState {
	ls := lockState{MaxFailures: pin.DefaultPolicy.MaxFailures}
	if m.Guard == nil {
		return ls
	}
	st, err := m.Guard.State(m.now())
	if err != nil {
		return lockState{Locked: true, MaxFailures: ls.MaxFailures}
	}
	ls.Locked, ls.LockedUntil = st.Locked(m.now())
	ls.Failures = st.Failures
	return ls
}

// handleUnlock checks a PIN through the Guard: every attempt is counted on
// disk before the hash is computed, 5 wrong ones lock for minutes (longer
// each time). The PIN is never logged or kept.
func (m *Maintenance) handleUnlock(w http.ResponseWriter, r *http.Request) {
	if !httpx.RequireToken(w, r, m.Token) {
		return
	}
	var req struct {
		PIN string `json:"pin"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 256)).Decode(&req); err != nil || len(req.PIN) > 64 {
		httpx.Error(w, http.StatusBadRequest, `send {"pin": "digits"}`)
		return
	}
	if m.Guard == nil || m.PINHash == "" {
		apiError(w, http.StatusServiceUnavailable, "pin.none", "no technician PIN is provisioned")
		return
	}
	ok, until, err := m.Guard.Check(m.PINHash, req.PIN, m.now())
	req.PIN = ""
	switch {
	case errors.Is(err, pin.ErrLocked):
		m.Log.Warn("maintenance PIN refused: locked", "until", until.UTC().Format(time.RFC3339))
		httpx.JSON(w, http.StatusTooManyRequests, map[string]any{"error": "too many wrong PINs — locked", "code": "pin.locked_until", "locked_until": until})
		return
	case err != nil:
		m.Log.Error("maintenance PIN check failed", "err", err)
		apiError(w, http.StatusServiceUnavailable, "pin.cannot_check", "PIN cannot be checked — see the log")
		return
	case !ok:
		ls := m.lockState()
		m.Log.Warn("maintenance PIN wrong", "failures", ls.Failures, "locked", ls.Locked)
		body := map[string]any{"error": "wrong PIN", "code": "pin.wrong", "failures": ls.Failures, "max_failures": ls.MaxFailures}
		if !until.IsZero() {
			body["locked_until"], body["code"] = until, "pin.locked_until"
			httpx.JSON(w, http.StatusTooManyRequests, body)
			return
		}
		httpx.JSON(w, http.StatusForbidden, body)
		return
	}
	m.Log.Info("maintenance screen unlocked")
	httpx.JSON(w, http.StatusOK, map[string]string{"session": m.openSession()})
}

type netIface struct {
	Name  string   `json:"name"`
	Up    bool     `json:"up"`
	Addrs []string `json:"addrs"`
}

func (m *Maintenance) handleStatus(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	now := m.now()
	loc := m.Location
	if loc == nil {
		loc = time.UTC
	}
	out := map[string]any{
		"kiosk":  map[string]string{"id": m.KioskID, "name": m.KioskName, "device_id": m.DeviceID, "place": m.Place},
		"uptime": now.Sub(m.Started).Round(time.Second).String(),
	}
	if m.Printer != nil {
		out["printer"] = m.Printer.Last()
		out["printer_profile"] = m.profileInfo()
	}
	cont := map[string]any{}
	if v, err := m.Store().Version(ctx); err == nil {
		cont["version"] = v
	} else {
		cont["error"] = err.Error()
	}
	// Asked now, as /healthz does: a corrupt index shows here, not only as 500s on the screens.
	if err := release.Answers(ctx, m.Store()); err != nil {
		cont["answers"] = err.Error()
	} else {
		cont["answers"] = "ok"
	}
	if m.ContentStatus != nil {
		_, cont["repairs"] = m.ContentStatus()
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
	var night updates.MaintenanceStatus
	if m.StateDir != "" {
		night, _ = updates.ReadMaintenanceStatus(m.StateDir)
	}
	out["firmware"] = m.firmwareRows(us, night)
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
	out["lock"] = m.lockState()
	httpx.JSON(w, http.StatusOK, out)
}

// handleUsageReport draws the information-needs report (text) or exports
// the CSV, over the last N days (default 30).
func (m *Maintenance) handleUsageReport(w http.ResponseWriter, r *http.Request) {
	rows, from, to, err := m.usageWindow(r)
	if err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, err.Error())
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
		httpx.Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// SetupState is what the first-boot screen shows (GET /api/setup/state).
type SetupState struct {
	Phase     string `json:"phase"` // "waiting", "provisioning", "starting", "running"
	USBRoot   string `json:"usb_root,omitempty"`
	Message   string `json:"message,omitempty"`
	Error     string `json:"error,omitempty"`
	ErrorCode string `json:"error_code,omitempty"` // techtext key of Error, when it is the kiosk's own
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
