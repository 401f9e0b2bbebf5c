package web

import (
	"errors"
	"net/http"
	"time"

	"sapar/kiosk/speech"
	"sapar/kiosk/web/httpx"
)

// handleSpeak streams a guide read aloud as WAV: GET /api/speak?topic=ID&lang=L.
func (s *Server) handleSpeak(w http.ResponseWriter, r *http.Request) {
	sp := s.speech
	lang := langOf(r)
	if sp.Voice(lang) == "" {
		httpx.Error(w, http.StatusNotFound, "read-aloud is not available in this language on this kiosk")
		return
	}
	g, ok := s.guide(w, r, r.URL.Query().Get("topic"), lang)
	if !ok {
		return
	}
	if sp.Voice(g.Lang) == "" { // the text may be a fallback language
		httpx.Error(w, http.StatusNotFound, "no voice for this language")
		return
	}
	rc := http.NewResponseController(w)
	flush := func() { rc.Flush() }
	// Each write gets its own deadline (the server's WriteTimeout is shorter
	// than a long guide): a listener that stops reading is cut off.
	var stalled bool
	out := stallWriter{w: w, rc: rc, d: s.limits().SpeakStall, failed: &stalled}
	err := sp.Speak(r.Context(), out, flush, g.Lang, speech.Text(g), 10*time.Second, func() {
		s.metrics.ReadAloud(g.Lang)
		w.Header().Set("Content-Type", "audio/wav")
		w.Header().Set("Cache-Control", "no-store")
	})
	switch {
	case stalled:
		panic(http.ErrAbortHandler) // close the connection of a listener that stopped reading
	case errors.Is(err, speech.ErrBusy):
		httpx.Error(w, http.StatusServiceUnavailable, "read-aloud is busy")
	case err != nil && r.Context().Err() == nil:
		s.opt.Log.Warn("read-aloud failed", "err", err) // never the text
		httpx.Error(w, http.StatusInternalServerError, "read-aloud failed")
	}
}
