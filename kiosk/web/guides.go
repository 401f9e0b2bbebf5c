package web

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"unicode/utf8"

	"github.com/skip2/go-qrcode"

	"sapar/content"
	"sapar/kiosk/usage"
	"sapar/kiosk/web/httpx"
)

func langOf(r *http.Request) string {
	l := r.URL.Query().Get("lang")
	if l == "" {
		return "en"
	}
	return content.NormalizeTag(l)
}

// MaxQueryRunes bounds what a person can type into search or the agency
// check (the on-screen keyboard never comes near it); a longer q is refused
// and never echoed.
const MaxQueryRunes = 200

// queryOf returns the request's q, or answers 400 (without echoing it) and
// false when it is longer than MaxQueryRunes.
func queryOf(w http.ResponseWriter, r *http.Request) (string, bool) {
	q := r.URL.Query().Get("q")
	if len(q) > MaxQueryRunes && utf8.RuneCountInString(q) > MaxQueryRunes {
		httpx.Error(w, http.StatusBadRequest, fmt.Sprintf("the text is too long: at most %d characters", MaxQueryRunes))
		return "", false
	}
	return q, true
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	list, err := s.Store().List(r.Context(), r.URL.Query().Get("stage"), langOf(r))
	if err != nil {
		s.opt.Log.Error("list guides", "err", err)
		httpx.Error(w, http.StatusInternalServerError, "content is not available")
		return
	}
	httpx.JSON(w, http.StatusOK, list)
}

// guide looks a guide up for a handler; on failure it has answered the
// request (404 for an unknown id, 500 when the store fails) and ok is false.
func (s *Server) guide(w http.ResponseWriter, r *http.Request, id, lang string) (g *content.GuideView, ok bool) {
	g, err := s.Store().Guide(r.Context(), id, lang)
	if errors.Is(err, content.ErrNotFound) {
		httpx.Error(w, http.StatusNotFound, "no such guide")
		return nil, false
	}
	if err != nil {
		s.opt.Log.Error("guide", "err", err)
		httpx.Error(w, http.StatusInternalServerError, "content is not available")
		return nil, false
	}
	return g, true
}

// forOrigin narrows g to the reader's citizenship (origin "" or unknown:
// as it is); false when it answered with an error.
func (s *Server) forOrigin(w http.ResponseWriter, r *http.Request, g *content.GuideView, origin string) bool {
	if err := s.Store().ForOrigin(r.Context(), g, origin); err != nil {
		s.opt.Log.Error("guide origin", "err", err)
		httpx.Error(w, http.StatusInternalServerError, "content is not available")
		return false
	}
	return true
}

// writeQR answers with the QR picture of url (cached: drawn once).
func (s *Server) writeQR(w http.ResponseWriter, url string) {
	png, err := s.qrs.png(url)
	if err != nil {
		http.Error(w, "qr", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(png)
}

func (s *Server) handleGuide(w http.ResponseWriter, r *http.Request) {
	g, ok := s.guide(w, r, r.PathValue("id"), langOf(r))
	if !ok || !s.forOrigin(w, r, g, r.URL.Query().Get("origin")) {
		return
	}
	from := usage.Source(r.URL.Query().Get("from"))
	if from != usage.FromSearch && from != usage.FromQR {
		from = usage.FromBrowse
	}
	s.metrics.GuideOpened(g.ID, g.Lang, g.Stages, string(from))
	s.opt.Usage.GuideOpened(g.ID, g.Lang, from)
	httpx.JSON(w, http.StatusOK, g)
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q, ok := queryOf(w, r)
	if !ok {
		return
	}
	res, err := s.Store().Search(r.Context(), langOf(r), q)
	if err != nil {
		s.opt.Log.Error("search", "err", err) // the query itself is never logged
		httpx.Error(w, http.StatusInternalServerError, "search is not available")
		return
	}
	s.metrics.Searched(langOf(r), len(res) > 0)
	s.opt.Usage.Search(langOf(r), len(res) > 0)
	httpx.JSON(w, http.StatusOK, res)
}

// qrCache keeps the QR pictures already drawn (about 1 ms each here, far
// more on a Pi), keyed by the address itself so new content never gets a
// stale picture; bounded, it starts over when full.
type qrCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *qrCache) png(url string) ([]byte, error) {
	c.mu.Lock()
	b, ok := c.m[url]
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := qrcode.Encode(url, qrcode.Medium, 320)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= 512 {
		c.m = map[string][]byte{}
	}
	c.m[url] = b
	c.mu.Unlock()
	return b, nil
}

// handleQR draws the QR code of one of a guide's links; it encodes only
// links that the content holds, never arbitrary text.
func (s *Server) handleQR(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	g, err := s.Store().Guide(r.Context(), q.Get("topic"), "en")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	for _, l := range g.Links {
		if l.ID == q.Get("link") {
			s.writeQR(w, l.URL)
			return
		}
	}
	http.NotFound(w, r)
}

// handlePopular lists what to offer when a search finds nothing (or before
// anything is typed): the guides most opened at this kiosk, then the rest
// by how many languages they are written in — never an empty list while
// there is content. GET /api/popular?lang=L → {"counted": bool, "guides":
// [{id, title, summary, …}]}; counted says the order comes from this
// kiosk's counts (the page words its heading accordingly).
func (s *Server) handlePopular(w http.ResponseWriter, r *http.Request) {
	var opened map[string]int64
	if s.opt.Opened != nil {
		opened = s.opt.Opened(r.Context())
	}
	counted := false
	for _, n := range opened {
		counted = counted || n > 0
	}
	list, err := s.Store().Popular(r.Context(), langOf(r), opened, 0)
	if err != nil {
		s.opt.Log.Error("popular guides", "err", err)
		httpx.Error(w, http.StatusInternalServerError, "content is not available")
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"counted": counted, "guides": list})
}
