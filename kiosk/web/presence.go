package web

import (
	"encoding/json"
	"io"
	"slices"
	"sync"
	"time"

	"sapar/kiosk/metrics"
)

// presence is what the page said in its last heartbeat: which screen it
// shows. The server's own clock of use (Server.used) sees only taps that
// call the API; a person scrolling a long guide calls nothing for minutes,
// so the page's word decides as well.
type presence struct {
	mu     sync.Mutex
	screen string    // one of metrics.Screens
	at     time.Time // when the page said it (real clock, as Server.used)
}

// screenFresh: a screen reported longer ago than this is "unknown" (the
// page beats every 10 s; a stopped page is the watchdog's business).
const screenFresh = 45 * time.Second

// heartbeatScreen reads the optional {"screen": …} of a heartbeat; an
// empty body (an older page) or another word is "unknown".
func heartbeatScreen(body io.Reader) string {
	var req struct {
		Screen string `json:"screen"`
	}
	if json.NewDecoder(io.LimitReader(body, 256)).Decode(&req) != nil || !slices.Contains(metrics.Screens, req.Screen) {
		return "unknown"
	}
	return req.Screen
}

func (p *presence) report(screen string, at time.Time) {
	p.mu.Lock()
	p.screen, p.at = screen, at
	p.mu.Unlock()
}

// Presence says whether someone is at the screen now: the page shows a
// session or the maintenance screen, or a person called the API within the
// idle timeout (a tap on the attract screen starts a session with a call,
// before the next heartbeat says so). A page that has not said which screen
// it shows counts as in use only through that clock.
func (s *Server) Presence() metrics.Presence {
	now := time.Now()
	s.presence.mu.Lock()
	screen, at := s.presence.screen, s.presence.at
	s.presence.mu.Unlock()
	if screen == "" || now.Sub(at) > screenFresh {
		screen = "unknown"
	}
	p := metrics.Presence{Screen: screen}
	if n := s.used.Load(); n != 0 {
		p.LastUse = time.Unix(0, n)
	}
	touched := !p.LastUse.IsZero() && now.Sub(p.LastUse) < s.opt.IdleTimeout
	p.InUse = touched || screen == "session" || screen == "maintenance"
	return p
}
