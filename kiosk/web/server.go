package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"sapar/content"
	"sapar/kiosk/metrics"
	"sapar/kiosk/printqueue"
	"sapar/kiosk/speech"
	"sapar/kiosk/web/httpx"
	"sapar/kiosk/web/ui"
)

// Options configure a Server.
type Options struct {
	Store       *content.Store
	Print       printqueue.PrintFunc
	Log         *slog.Logger
	IdleTimeout time.Duration // the UI warns, then wipes the session
	Place       string        // printed in the slip footer: where this kiosk stands
	Notice      string        // shown on every screen and slip, e.g. that the content is a demo sample
	// HelpDesk is the site's own contact (provisioning help_desk): printed
	// on every slip and shown on the guide screen.
	HelpDesk HelpDesk
	// SampleAgencies: the demo answers the agency check from a sample
	// registry, every verdict marked as sample data. A production kiosk
	// (false) whose registry is sample or empty says it cannot check.
	SampleAgencies bool
	// SampleContent: the content is the embedded sample (the demo, or a
	// kiosk waiting for its first signed update): every screen and slip says
	// so in the reader's language (UI string sampleContent) beside Notice.
	SampleContent bool
	// Country (ISO code) and City are where the kiosk stands: the content's
	// urgent notices for a country or place show only there.
	Country, City string
	Now           func() time.Time
	// Location is the kiosk's provisioned time zone (provisioning
	// Config.Location): the slip's date and time are printed in it; nil: local.
	Location *time.Location
	Usage    Usage  // anonymous counts; nil counts nothing
	QueueDB  string // SQLite file of the print queue (survives restarts); "" keeps it in memory
	// Assets are the parsed UI (ui.Load); nil loads them.
	Assets *ui.Assets
	// Token is the per-boot token state-changing calls carry; "" makes
	// one. The maintenance handler checks the same token. It is in the
	// page, so any local process can read it: it stops pages of other
	// origins, not local processes (httpx.TokenOK).
	Token string

	// Maintenance serves the technician's screen and API (kiosk/maint),
	// mounted under /maintenance and /api/maintenance/; nil: none.
	Maintenance http.Handler
	// Heartbeat is told each page heartbeat (the watchdog's page check); nil: ignored.
	Heartbeat func(time.Time)
	// Opened says how often each guide was opened at this kiosk lately
	// (usage counts): the order of what the search screen offers when
	// nothing fits. nil: the content's own order.
	Opened func(ctx context.Context) map[string]int64

	// Metrics is the kiosk's metric registry (kiosk/metrics: usage counters
	// and the health read at scrape), served as /metrics; nil makes one
	// without health figures.
	Metrics *metrics.Registry

	// Espeak is espeak-ng for read-aloud: "" finds it on PATH, "-" turns read-aloud off.
	Espeak string

	// Limits bound connections and slow clients; zero fields take DefaultLimits.
	Limits Limits
}

// Limits bound what clients can hold on the UI server. Each field names
// the symptom it stops.
type Limits struct {
	// ReadTimeout: a client sending its body a byte a minute held the
	// connection (and its goroutine) for ever.
	ReadTimeout time.Duration
	// WriteTimeout: a client that never read its answer held the handler.
	// Long enough for the technician's test slip (90 s); read-aloud sets its
	// own deadline per write (SpeakStall).
	WriteTimeout time.Duration
	// IdleTimeout: 5,000 idle keep-alive connections were held for ever
	// (RSS 63 → 168 MB).
	IdleTimeout time.Duration
	// MaxConns caps open connections (the page itself uses a handful): at
	// the cap a new client closes the one idle longest, and waits in the
	// kernel's queue only while all are busy answering.
	MaxConns int
	// SpeakStall: a read-aloud listener that takes no bytes for this long is
	// cut off (its stream slot is freed).
	SpeakStall time.Duration
}

// DefaultLimits suit one kiosk page and a technician.
func DefaultLimits() Limits {
	return Limits{ReadTimeout: 15 * time.Second, WriteTimeout: 2 * time.Minute, IdleTimeout: 30 * time.Second,
		MaxConns: 64, SpeakStall: 30 * time.Second}
}

// Server is the kiosk's local HTTP server.
type Server struct {
	opt     Options
	token   string // per-boot token for state-changing calls (stops other origins: httpx.TokenOK)
	jobs    *printqueue.Queue
	metrics *metrics.Registry
	content *metrics.ContentFigures // content health and repairs (health.go)
	health  contentHealth
	page    []byte // index.html rendered once at start
	assets  *ui.Assets
	i18n    map[string]map[string]string // UI strings by language, for the slip's stage line
	started time.Time
	store   atomic.Pointer[content.Store] // swapped by SetStore when new content is activated

	pendingMu sync.Mutex
	pending   *content.Store           // staged by StageStore, waiting for an idle moment
	switched  func(old *content.Store) // told when pending is switched in
	used      atomic.Int64             // unix nanoseconds of the last API call a person caused
	presence  presence                 // the screen the page reported in its last heartbeat (presence.go)
	speech    *speech.Speaker          // nil: no espeak-ng, the read-aloud button is hidden
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

// NewServer parses the embedded UI once (failing loudly if an asset is
// missing) and opens the print queue; Serve starts both.
func NewServer(opt Options) (*Server, error) {
	if opt.Store == nil || opt.Print == nil {
		return nil, errors.New("web: server needs a store and a printer")
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Usage == nil {
		opt.Usage = noUsage{}
	}
	if opt.Heartbeat == nil {
		opt.Heartbeat = func(time.Time) {}
	}
	if opt.IdleTimeout <= 0 {
		opt.IdleTimeout = 90 * time.Second
	}
	if opt.Token == "" {
		tok, err := httpx.NewToken()
		if err != nil {
			return nil, fmt.Errorf("web: secret: %w", err)
		}
		opt.Token = tok
	}
	s := &Server{opt: opt, token: opt.Token, metrics: opt.Metrics, started: opt.Now()}
	if s.metrics == nil {
		s.metrics = metrics.New(metrics.Options{Now: opt.Now})
	}
	s.content = s.metrics.Content()
	s.metrics.SetPresence(s.Presence)
	s.store.Store(opt.Store)
	s.ContentHealth(context.Background()) // sapar_content_healthy from the start, not 0 until the first probe
	s.speech = speech.New(opt.Espeak)
	q := printqueue.DefaultOpts()
	q.Path, q.Now, q.Log, q.OnResult = opt.QueueDB, opt.Now, opt.Log, s.printed
	jobs, err := printqueue.Open(q, opt.Print)
	if err != nil {
		return nil, err
	}
	s.jobs = jobs
	if s.assets = opt.Assets; s.assets == nil {
		if s.assets, err = ui.Load(); err != nil {
			jobs.Close()
			return nil, err
		}
	}
	if s.i18n, err = ui.Strings(); err != nil {
		jobs.Close()
		return nil, err
	}
	var langs []map[string]any
	for _, l := range content.Languages() {
		langs = append(langs, map[string]any{"tag": l.Tag, "endonym": l.Endonym, "rtl": l.RTL, "fallback": l.Fallback})
	}
	if s.page, err = s.assets.IndexPage(map[string]any{
		"token": s.token, "idleSeconds": int(opt.IdleTimeout / time.Second), "languages": langs,
		"stages": content.Stages, "notice": opt.Notice, "helpDesk": opt.HelpDesk, "country": opt.Country, "sampleContent": opt.SampleContent, "assets": s.assets.URLs,
		"speech": s.speech.Langs(), "reprint": reprintOffer(jobs.Interrupted()),
	}); err != nil {
		jobs.Close()
		return nil, err
	}
	return s, nil
}

// Token is the per-boot token the page carries on state-changing calls.
func (s *Server) Token() string { return s.token }

// Queue is the print queue: the printer's OnStatus goes to its PrinterStatus.
func (s *Server) Queue() *printqueue.Queue { return s.jobs }

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) { httpx.HTML(w, s.page) }

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
	go s.jobs.Run(ctx)
	go s.switchWhenIdle(ctx)
	defer s.jobs.Close() // after the worker has recorded its last job
	lim := s.limits()
	capped := limitListener(ln, lim.MaxConns)
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: min(5*time.Second, lim.ReadTimeout), ReadTimeout: lim.ReadTimeout,
		WriteTimeout: lim.WriteTimeout, IdleTimeout: lim.IdleTimeout, MaxHeaderBytes: 64 << 10, ConnState: capped.state,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(capped) }()
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
