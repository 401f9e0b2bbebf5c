package web

import (
	"net/http"
	"strings"
	"time"

	"sapar/kiosk/web/httpx"
)

// Handler is the kiosk's HTTP API and UI: every route it serves is listed
// here (the maintenance handler lists its own under the prefixes mounted
// at the end). Contract in DESIGN.md; the content API is documented in
// directory.go.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	// The page and its assets.
	mux.HandleFunc("GET /{$}", s.handleIndex)
	mux.Handle("GET /static/", s.assets)
	// Guides, search, QR pictures (guides.go).
	mux.HandleFunc("GET /api/guides", s.handleList)
	mux.HandleFunc("GET /api/guides/{id}", s.handleGuide)
	mux.HandleFunc("GET /api/search", s.handleSearch)
	mux.HandleFunc("GET /api/popular", s.handlePopular)
	mux.HandleFunc("GET /api/qr", s.handleQR)
	// Contacts, agency check, countries (directory.go).
	mux.HandleFunc("GET /api/contacts", s.handleContacts)
	mux.HandleFunc("GET /api/contacts/qr", s.handleContactQR)
	mux.HandleFunc("GET /api/agency", s.handleAgency)
	mux.HandleFunc("GET /api/notices", s.handleNotices)
	mux.HandleFunc("GET /api/countries", s.handleCountries)
	// Printing (print.go) and read-aloud (speak.go).
	mux.HandleFunc("POST /api/print", s.handlePrint)
	mux.HandleFunc("GET /api/print/{job}", s.handleJob)
	mux.HandleFunc("GET /api/speak", s.handleSpeak)
	// Session events and the page heartbeat (session.go).
	mux.HandleFunc("POST /api/session", s.handleSession)
	mux.HandleFunc("POST /api/heartbeat", s.handleHeartbeat)
	// Health and metrics (health.go).
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	// The technician's screen and API (kiosk/maint, its routes.go).
	if m := s.opt.Maintenance; m != nil {
		mux.Handle("GET /maintenance", m)
		mux.Handle("/maintenance/", m)
		mux.Handle("/api/maintenance/", m)
		mux.Handle("GET /api/setup/state", m)
	}
	return s.guard(mux)
}

// guard is httpx.LocalOnly (no other host names, lockdown headers) plus
// the request counter and the "someone is using the kiosk" clock.
func (s *Server) guard(next http.Handler) http.Handler {
	return httpx.LocalOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.metrics.Request()
		if strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/api/heartbeat" {
			s.used.Store(time.Now().UnixNano())
		}
		next.ServeHTTP(w, r)
	}))
}
