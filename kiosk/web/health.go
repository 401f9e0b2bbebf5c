package web

import (
	"context"
	"net/http"
	"time"

	"sapar/kiosk/metrics"
	"sapar/kiosk/web/httpx"
)

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store().Ping(ctx); err != nil {
		httpx.JSON(w, http.StatusServiceUnavailable, map[string]string{"status": "content store not answering"})
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	s.metrics.Write(w, map[string]float64{metrics.Uptime: s.opt.Now().Sub(s.started).Seconds()})
	if s.opt.ExtraMetrics != nil {
		s.opt.ExtraMetrics(w)
	}
}

// MetricsHandler serves GET /metrics alone: the opt-in fleet listener.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	return mux
}
