package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"sapar/content/release"
	"sapar/kiosk/web/httpx"
)

// contentHealth remembers the last content check and the repairs made to
// the content being served, for the maintenance screen.
type contentHealth struct {
	mu      sync.Mutex
	lastErr error
	repairs []string
}

// ContentHealth asks the content being served what the screens ask
// (release.Answers: the guide list, a guide, searches), so a corrupt index
// is not reported healthy while /api/guides answers 500. /healthz and the
// watchdog probe call it; a failure is logged once when it starts, counted
// (sapar_content_health_failures_total, sapar_content_healthy 0) and shown
// on the maintenance screen. The watchdog probe failing gets the kiosk
// restarted, and release.Open rebuilds the index at that start.
func (s *Server) ContentHealth(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := release.Answers(ctx, s.Store())
	s.content.Healthy(err == nil)
	s.health.mu.Lock()
	was := s.health.lastErr
	s.health.lastErr = err
	s.health.mu.Unlock()
	switch {
	case err != nil && was == nil:
		s.opt.Log.Error("content does not answer: the watchdog will restart the kiosk, which rebuilds the index", "err", err)
	case err == nil && was != nil:
		s.opt.Log.Info("content answers again")
	}
	return err
}

// ContentRepaired reports a repair of the content being served: reason is
// a word for the metric (release.RepairReason, or "fell-back"), note what
// was done. It is counted, and listed on the maintenance screen.
func (s *Server) ContentRepaired(reason, note string) {
	s.content.Repaired(reason)
	s.health.mu.Lock()
	s.health.repairs = append(s.health.repairs, note)
	if n := len(s.health.repairs); n > 10 {
		s.health.repairs = s.health.repairs[n-10:]
	}
	s.health.mu.Unlock()
}

// ContentStatus is the last content check ("" when it answered) and the
// repairs since start, for the maintenance screen.
func (s *Server) ContentStatus() (lastErr string, repairs []string) {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	if s.health.lastErr != nil {
		lastErr = s.health.lastErr.Error()
	}
	return lastErr, append([]string(nil), s.health.repairs...)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.ContentHealth(r.Context()); err != nil {
		httpx.JSON(w, http.StatusServiceUnavailable, map[string]string{"status": "content is not answering"})
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	s.metrics.Handler().ServeHTTP(w, r)
}

// MetricsHandler serves GET /metrics alone: the opt-in fleet listener.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	return mux
}
