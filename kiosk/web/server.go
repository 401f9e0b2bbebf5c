package kiosk

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/skip2/go-qrcode"

	"sapar/content"
	"sapar/drivers/receipt"
	"sapar/kiosk/usage"
)

//go:embed ui/index.html
var indexHTML string

//go:embed ui/static
var staticFS embed.FS

// Options configure a Server.
type Options struct {
	Store       *content.Store
	Print       PrintFunc
	Log         *slog.Logger
	IdleTimeout time.Duration // the UI warns, then wipes the session
	Place       string        // printed in the slip footer: where this kiosk stands
	Notice      string        // shown on every screen and slip, e.g. that the content is a demo sample
	Now         func() time.Time
	Usage       Usage  // anonymous counts; nil counts nothing
	QueueDB     string // SQLite file of the print queue (survives restarts); "" keeps it in memory

	// Maintenance is the technician's screen and the page heartbeat (maintenance.go); nil: none.
	Maintenance *Maintenance

	// ExtraMetrics adds figures the server does not know (update results,
	// printer, errors) to /metrics; nil adds nothing.
	ExtraMetrics func(io.Writer)

	// Espeak is espeak-ng for read-aloud: "" finds it on PATH, "-" turns read-aloud off.
	Espeak string
}

// Usage receives anonymous usage counts (never what anyone typed);
// *usage.Counter from kiosk/usage implements it.
type Usage interface {
	Session()
	Language(lang string)
	GuideOpened(topic, lang string, from usage.Source)
	Search(lang string, found bool)
	Print(topic, lang, reason string)
	AgencyCheck(lang string, found bool)
	IdleReset()
}

type noUsage struct{}

func (noUsage) Session()                                 {}
func (noUsage) Language(string)                          {}
func (noUsage) GuideOpened(string, string, usage.Source) {}
func (noUsage) Search(string, bool)                      {}
func (noUsage) Print(string, string, string)             {}
func (noUsage) AgencyCheck(string, bool)                 {}
func (noUsage) IdleReset()                               {}

// Server is the kiosk's local HTTP server.
type Server struct {
	opt         Options
	token       string // per-boot secret for state-changing calls
	jobs        *jobs
	metrics     *metrics
	page        []byte // index.html rendered once at start
	static      map[string]staticFile
	i18n        map[string]map[string]string // UI strings by language, for the slip's stage line
	reportLinks reportLinks                  // one-time keys for the maintenance report frame
	started     time.Time
	store       atomic.Pointer[content.Store] // swapped by SetStore when new content is activated

	pendingMu sync.Mutex
	pending   *content.Store           // staged by StageStore, waiting for an idle moment
	switched  func(old *content.Store) // told when pending is switched in
	used      atomic.Int64             // unix nanoseconds of the last API call a person caused
	speech    *speech                  // nil: no espeak-ng, the read-aloud button is hidden
	qrs       qrCache                  // QR pictures of guide links, drawn once
}

// Store returns the content store in use now.
func (s *Server) Store() *content.Store { return s.store.Load() }

// SetStore switches to new content at once and returns the previous store
// so the caller can close it once requests drain (content preview, tests).
func (s *Server) SetStore(st *content.Store) *content.Store { return s.store.Swap(st) }

// StageStore queues new content (hot reload after an update). It is
// switched in at the next idle reset or session start, or once nobody has
// used the kiosk for the idle timeout, so a person reading a guide is never
// disturbed mid-session. switched is called with the previous store after
// the switch; content staged again before that replaces (and closes) the
// waiting one.
func (s *Server) StageStore(st *content.Store, switched func(old *content.Store)) {
	s.pendingMu.Lock()
	if s.pending != nil && s.pending != st {
		s.pending.Close()
	}
	s.pending, s.switched = st, switched
	s.pendingMu.Unlock()
	if time.Since(s.lastUse()) >= s.opt.IdleTimeout {
		s.applyStaged()
	}
}

// applyStaged switches in staged content, if any.
func (s *Server) applyStaged() {
	s.pendingMu.Lock()
	st, done := s.pending, s.switched
	s.pending, s.switched = nil, nil
	s.pendingMu.Unlock()
	if st == nil {
		return
	}
	old := s.store.Swap(st)
	if done != nil {
		done(old)
	}
}

func (s *Server) lastUse() time.Time { return time.Unix(0, s.used.Load()) }

type staticFile struct {
	data  []byte
	ctype string
}

// NewServer parses the embedded UI once (failing loudly if an asset is
// missing) and prepares the job queue; Run starts it.
func NewServer(opt Options) (*Server, error) {
	if opt.Store == nil || opt.Print == nil {
		return nil, errors.New("kiosk: server needs a store and a printer")
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Usage == nil {
		opt.Usage = noUsage{}
	}
	if opt.IdleTimeout <= 0 {
		opt.IdleTimeout = 90 * time.Second
	}
	var tok [16]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return nil, fmt.Errorf("kiosk: secret: %w", err)
	}
	s := &Server{opt: opt, token: hex.EncodeToString(tok[:]), metrics: newMetrics(), started: opt.Now()}
	s.store.Store(opt.Store)
	s.speech = newSpeech(opt.Espeak)
	q := DefaultQueueOpts()
	q.Path, q.Now = opt.QueueDB, opt.Now
	jobs, err := openJobs(q, opt.Print, opt.Log, opt.Usage)
	if err != nil {
		return nil, err
	}
	s.jobs = jobs
	static, assets, err := loadStatic()
	if err != nil {
		return nil, fmt.Errorf("kiosk: ui assets: %w", err)
	}
	s.static = static
	if s.i18n, err = UIStrings(); err != nil {
		return nil, err
	}
	for _, need := range []string{"app.js", "app.css", "i18n.json", "keyboards.json", "pictograms.svg"} {
		if assets[need] == "" {
			return nil, fmt.Errorf("kiosk: ui asset %s missing from the build", need)
		}
	}
	tmpl, err := template.New("index").Parse(indexHTML)
	if err != nil {
		return nil, fmt.Errorf("kiosk: ui template: %w", err)
	}
	var langs []map[string]any
	for _, l := range content.Languages() {
		langs = append(langs, map[string]any{"tag": l.Tag, "endonym": l.Endonym, "rtl": l.RTL, "fallback": l.Fallback})
	}
	boot, _ := json.Marshal(map[string]any{
		"token": s.token, "idleSeconds": int(opt.IdleTimeout / time.Second), "languages": langs,
		"stages": content.Stages, "notice": opt.Notice, "assets": assets,
		"speech": s.speech.langs(),
	})
	var page bytes.Buffer
	if err := tmpl.Execute(&page, map[string]any{"Assets": assets, "Boot": template.JS(boot)}); err != nil {
		return nil, fmt.Errorf("kiosk: ui template: %w", err)
	}
	s.page = page.Bytes()
	return s, nil
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	}
	return "application/octet-stream"
}

// Handler is the kiosk's HTTP API and UI.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.handleIndex)
	mux.HandleFunc("GET /static/", s.handleStatic)
	mux.HandleFunc("GET /api/guides", s.handleList)
	mux.HandleFunc("GET /api/guides/{id}", s.handleGuide)
	mux.HandleFunc("GET /api/search", s.handleSearch)
	mux.HandleFunc("GET /api/qr", s.handleQR)
	mux.HandleFunc("POST /api/print", s.handlePrint)
	mux.HandleFunc("GET /api/print/{job}", s.handleJob)
	mux.HandleFunc("POST /api/session", s.handleSession)
	mux.HandleFunc("GET /api/speak", s.handleSpeak)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	s.contentRoutes(mux)
	s.maintenanceRoutes(mux)
	return s.guard(mux)
}

// guard is localOnly (no other host names, lockdown headers) plus the
// request counter.
func (s *Server) guard(next http.Handler) http.Handler {
	return localOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.metrics.add("sapar_http_requests_total", "")
		if strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/api/heartbeat" {
			s.used.Store(time.Now().UnixNano())
		}
		next.ServeHTTP(w, r)
	}))
}

// localOnly refuses requests addressed to another host name (DNS
// rebinding: a page elsewhere cannot reach the kiosk through a name that
// resolves to 127.0.0.1) and sets headers that keep the page from loading
// anything from outside. The first-boot setup server uses it too.
func localOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if host != "127.0.0.1" && host != "localhost" && host != "::1" && host != "[::1]" {
			http.Error(w, "forbidden host", http.StatusForbidden)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(s.page)
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := s.static[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(f.data)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func langOf(r *http.Request) string {
	l := r.URL.Query().Get("lang")
	if l == "" {
		return "en"
	}
	return content.NormalizeTag(l)
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	list, err := s.Store().List(r.Context(), r.URL.Query().Get("stage"), langOf(r))
	if err != nil {
		s.opt.Log.Error("list guides", "err", err)
		apiError(w, http.StatusInternalServerError, "content is not available")
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// guide looks a guide up for a handler; on failure it has answered the
// request (404 for an unknown id, 500 when the store fails) and ok is false.
func (s *Server) guide(w http.ResponseWriter, r *http.Request, id, lang string) (g *content.GuideView, ok bool) {
	g, err := s.Store().Guide(r.Context(), id, lang)
	if errors.Is(err, content.ErrNotFound) {
		apiError(w, http.StatusNotFound, "no such guide")
		return nil, false
	}
	if err != nil {
		s.opt.Log.Error("guide", "err", err)
		apiError(w, http.StatusInternalServerError, "content is not available")
		return nil, false
	}
	return g, true
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
	if !ok {
		return
	}
	s.metrics.add("sapar_guides_opened_total", fmt.Sprintf("lang=%q", g.Lang))
	from := usage.Source(r.URL.Query().Get("from"))
	if from != usage.FromSearch && from != usage.FromQR {
		from = usage.FromBrowse
	}
	s.opt.Usage.GuideOpened(g.ID, g.Lang, from)
	writeJSON(w, http.StatusOK, g)
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	res, err := s.Store().Search(r.Context(), langOf(r), r.URL.Query().Get("q"))
	if err != nil {
		s.opt.Log.Error("search", "err", err) // the query itself is never logged
		apiError(w, http.StatusInternalServerError, "search is not available")
		return
	}
	s.metrics.add("sapar_searches_total", "")
	s.opt.Usage.Search(langOf(r), len(res) > 0)
	writeJSON(w, http.StatusOK, res)
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

type printRequest struct {
	Topic string `json:"topic"`
	Lang  string `json:"lang"`
}

// requireToken checks the per-boot secret that state-changing calls carry, so
// that nothing else on the box (another local process, a page elsewhere)
// can drive the printer or the counters.
func (s *Server) requireToken(w http.ResponseWriter, r *http.Request) bool {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Sapar-Token")), []byte(s.token)) != 1 {
		apiError(w, http.StatusForbidden, "missing or wrong kiosk token")
		return false
	}
	return true
}

// handleSession takes the UI's session events — {"event":"start"},
// {"event":"language","lang":L}, {"event":"idle-reset"} — and counts them
// anonymously through the Usage hooks.
func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	if !s.requireToken(w, r) {
		return
	}
	var req struct {
		Event string `json:"event"`
		Lang  string `json:"lang"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1024))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, `send {"event": "start"|"language"|"idle-reset", "lang": TAG}`)
		return
	}
	switch req.Event {
	case "start":
		s.opt.Usage.Session()
		s.applyStaged() // from the attract screen: nobody is mid-guide
	case "language":
		l, ok := content.LookupLanguage(req.Lang)
		if !ok {
			apiError(w, http.StatusBadRequest, "unknown language")
			return
		}
		s.opt.Usage.Language(l.Tag)
	case "idle-reset":
		s.opt.Usage.IdleReset()
		s.applyStaged()
	default:
		apiError(w, http.StatusBadRequest, "unknown session event")
		return
	}
	s.metrics.add("sapar_session_events_total", fmt.Sprintf("event=%q", req.Event))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handlePrint(w http.ResponseWriter, r *http.Request) {
	if !s.requireToken(w, r) {
		return
	}
	var req printRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.Topic == "" {
		apiError(w, http.StatusBadRequest, `send {"topic": ID, "lang": TAG}`)
		return
	}
	g, ok := s.guide(w, r, req.Topic, content.NormalizeTag(req.Lang))
	if !ok {
		return
	}
	version, _ := s.Store().Version(r.Context())
	job, err := s.jobs.submit(g.ID, g.Lang, s.slip(g, version))
	if err != nil {
		apiError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"job": job.ID})
}

// slip turns a guide into the neutral document the receipt layout prints.
func (s *Server) slip(g *content.GuideView, version string) receipt.Document {
	return Slip(g, SlipOptions{Place: s.opt.Place, Notice: s.opt.Notice, Version: version, Now: s.opt.Now(), Strings: s.i18n})
}

func (s *Server) handleJob(w http.ResponseWriter, r *http.Request) {
	job, ok := s.jobs.get(r.PathValue("job"))
	if !ok {
		apiError(w, http.StatusNotFound, "no such print job")
		return
	}
	writeJSON(w, http.StatusOK, job)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store().Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "content store not answering"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	s.metrics.write(w, map[string]float64{"sapar_uptime_seconds": s.opt.Now().Sub(s.started).Seconds()})
	if s.opt.ExtraMetrics != nil {
		s.opt.ExtraMetrics(w)
	}
}

// switchWhenIdle applies staged content once the kiosk has gone unused
// for the idle timeout (a page left on the attract screen sends nothing).
func (s *Server) switchWhenIdle(ctx context.Context) {
	tick := min(s.opt.IdleTimeout/2, 5*time.Second)
	t := time.NewTicker(max(tick, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if time.Since(s.lastUse()) >= s.opt.IdleTimeout {
				s.applyStaged()
			}
		}
	}
}

// Serve runs the job worker and the HTTP server on ln until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	go s.jobs.run(ctx, s.metrics)
	go s.switchWhenIdle(ctx)
	defer s.jobs.close() // after the worker has recorded its last job
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		return nil
	case err := <-errc:
		return err
	}
}
