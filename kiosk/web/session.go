package web

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"sapar/content"
	"sapar/kiosk/web/httpx"
)

// handleSession takes the UI's session events — {"event":"start"},
// {"event":"language","lang":L}, {"event":"idle-reset"} — and counts them
// anonymously through the Usage hooks.
func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	if !httpx.RequireToken(w, r, s.token) {
		return
	}
	var req struct {
		Event string `json:"event"`
		Lang  string `json:"lang"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1024))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		httpx.Error(w, http.StatusBadRequest, `send {"event": "start"|"language"|"idle-reset", "lang": TAG}`)
		return
	}
	switch req.Event {
	case "start":
		s.opt.Usage.Session()
		s.applyStaged() // from the attract screen: nobody is mid-guide
	case "language":
		l, ok := content.LookupLanguage(req.Lang)
		if !ok {
			httpx.Error(w, http.StatusBadRequest, "unknown language")
			return
		}
		s.opt.Usage.Language(l.Tag)
	case "idle-reset":
		s.opt.Usage.IdleReset()
		s.applyStaged()
	default:
		httpx.Error(w, http.StatusBadRequest, "unknown session event")
		return
	}
	s.metrics.SessionEvent(req.Event, req.Lang)
	w.WriteHeader(http.StatusNoContent)
}

// handleHeartbeat takes the page's heartbeat (every 10 s): the watchdog
// restarts the kiosk when the page stops sending it. Its body may say which
// screen the page shows — {"screen": "attract"|"session"|"maintenance"} —
// so the kiosk knows whether someone is at it (presence.go).
func (s *Server) handleHeartbeat(w http.ResponseWriter, r *http.Request) {
	if !httpx.RequireToken(w, r, s.token) {
		return
	}
	s.presence.report(heartbeatScreen(r.Body), time.Now())
	s.opt.Heartbeat(s.opt.Now())
	w.WriteHeader(http.StatusNoContent)
}
