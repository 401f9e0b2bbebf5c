package metrics

import (
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"sapar/content"
)

// Options configure a Registry.
type Options struct {
	// Health is read at each scrape (update results, content, printer,
	// disk, clock, page heartbeat); its nil fields are left out.
	Health Health
	// KnownGuide reports whether id is a guide of the content in use: a
	// guide label is a known, valid id or "other". nil: any valid id, at
	// most MaxGuides of them.
	KnownGuide func(id string) bool
	// Now is the clock (uptime); nil: time.Now.
	Now func() time.Time
}

// MaxGuides bounds the guide label whatever the content holds: past it,
// new ids count as "other" (a sample bundle has a dozen guides).
const MaxGuides = 400

// Registry is the kiosk's one metric registry: every figure /metrics
// serves, the Go and process collectors, the usage counters the UI server
// bumps and the health read at each scrape. Safe for concurrent use.
type Registry struct {
	reg     *prometheus.Registry
	opt     Options
	started time.Time

	mu     sync.Mutex
	guides map[string]bool // guide label values handed out so far

	requests, paperLow                                   prometheus.Counter
	opened, prints, failures, searches, sessions, chosen *prometheus.CounterVec
	agency, readAloud                                    *prometheus.CounterVec
	presence                                             *presenceCollector
}

// PrintReasons are the failure reasons the print queue gives
// (printqueue.FailureReason, interrupted, expired); another short code is
// counted as it is, anything else as "other".
var PrintReasons = []string{"paper-out", "cover-open", "offline", "timeout", "error", "interrupted", "expired", "other"}

// Closed label sets (anything else is "other" or "und").
var (
	sessionEvents = []string{"start", "language", "idle-reset"}
	sources       = []string{"browse", "search", "qr"}
)

// New makes the registry with every metric defined and registered.
func New(o Options) *Registry {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Health.Now == nil {
		o.Health.Now = o.Now
	}
	r := &Registry{reg: prometheus.NewRegistry(), opt: o, started: o.Now(), guides: map[string]bool{}, presence: &presenceCollector{}}
	counter := func(name, help string) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
		r.reg.MustRegister(c)
		return c
	}
	vec := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		r.reg.MustRegister(c)
		return c
	}
	r.requests = counter(HTTPRequests, "HTTP requests the UI server answered.")
	r.paperLow = counter(PrintsPaperLow, "Slips printed while the roll was near its end.")
	r.opened = vec(GuidesOpened, "Guides shown, by guide, language, the guide's first life stage and where it was opened from.", "guide", "lang", "stage", "from")
	r.prints = vec(Prints, "Print jobs by guide, language and result (ok or failed).", "guide", "lang", "result")
	r.failures = vec(PrintFailures, "Failed print jobs by reason.", "reason")
	r.searches = vec(Searches, "Searches by language and whether anything was found (never the query).", "lang", "result")
	r.sessions = vec(SessionEvents, "Session events: start (a session), language (a language chosen), idle-reset.", "event")
	r.chosen = vec(LanguagesChosen, "Languages chosen in the picker.", "lang")
	r.agency = vec(AgencyChecks, "Lookups in the list of licensed recruitment agencies, by result.", "result")
	r.readAloud = vec(ReadAloud, "Guides read aloud, by language.", "lang")
	// Closed label sets start at 0, so the fleet database sees the first
	// event as an increase (a series born at 1 is not one to Prometheus).
	for _, reason := range PrintReasons {
		r.failures.WithLabelValues(reason)
	}
	for _, ev := range sessionEvents {
		r.sessions.WithLabelValues(ev)
	}
	r.agency.WithLabelValues("found")
	r.agency.WithLabelValues("not-found")
	r.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: Uptime, Help: "Seconds since the kiosk started."},
			func() float64 { return r.opt.Now().Sub(r.started).Seconds() }),
		&healthCollector{h: o.Health},
		r.presence,
	)
	return r
}

// Handler serves the registry in the Prometheus text format (GET /metrics).
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Gatherer is the registry for tests and simulations.
func (r *Registry) Gatherer() prometheus.Gatherer { return r.reg }

// guide bounds a guide id to the content's ids.
func (r *Registry) guide(id string) string {
	if len(id) > 64 || !content.ValidID(id) || (r.opt.KnownGuide != nil && !r.opt.KnownGuide(id)) {
		return "other"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.guides[id] {
		if len(r.guides) >= MaxGuides {
			return "other"
		}
		r.guides[id] = true
	}
	return id
}

// Lang bounds a language tag to the languages Sapar knows ("und" else).
func Lang(tag string) string {
	if l, ok := content.LookupLanguage(tag); ok {
		return l.Tag
	}
	return "und"
}

// Stage bounds a life stage to content.Stages ("other" else).
func Stage(stages []string) string {
	if len(stages) > 0 && slices.Contains(content.Stages, stages[0]) {
		return stages[0]
	}
	return "other"
}

// Reason bounds a failure reason to a short code ("other" else).
func Reason(s string) string {
	if s == "" || len(s) > 32 || !content.ValidID(s) {
		return "other"
	}
	return s
}

func oneOf(s string, set []string) string {
	if slices.Contains(set, s) {
		return s
	}
	return "other"
}

func found(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

// Request counts one HTTP request.
func (r *Registry) Request() { r.requests.Inc() }

// GuideOpened counts a guide shown: its id, language, first life stage and
// where it was opened from (browse, search, qr).
func (r *Registry) GuideOpened(guide, lang string, stages []string, from string) {
	r.opened.WithLabelValues(r.guide(guide), Lang(lang), Stage(stages), oneOf(from, sources)).Inc()
}

// Searched counts a search and whether anything was found; the query is
// deliberately not a parameter.
func (r *Registry) Searched(lang string, ok bool) {
	r.searches.WithLabelValues(Lang(lang), found(ok, "found", "none")).Inc()
}

// Printed counts a print job's outcome: reason "" when printed; paperLow
// when the roll was near its end.
func (r *Registry) Printed(guide, lang, reason string, paperLow bool) {
	if reason != "" {
		r.prints.WithLabelValues(r.guide(guide), Lang(lang), "failed").Inc()
		r.failures.WithLabelValues(Reason(reason)).Inc()
		return
	}
	r.prints.WithLabelValues(r.guide(guide), Lang(lang), "ok").Inc()
	if paperLow {
		r.paperLow.Inc()
	}
}

// SessionEvent counts a session start, a language chosen (with lang) or
// an idle reset.
func (r *Registry) SessionEvent(event, lang string) {
	r.sessions.WithLabelValues(oneOf(event, sessionEvents)).Inc()
	if event == "language" {
		r.chosen.WithLabelValues(Lang(lang)).Inc()
	}
}

// AgencyCheck counts a lookup in the agency list.
func (r *Registry) AgencyCheck(ok bool) {
	r.agency.WithLabelValues(found(ok, "found", "not-found")).Inc()
}

// ReadAloud counts a guide read aloud.
func (r *Registry) ReadAloud(lang string) { r.readAloud.WithLabelValues(Lang(lang)).Inc() }
