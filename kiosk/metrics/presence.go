package metrics

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Presence is whether someone is at the screen, as the UI server knows it:
// what the page reported in its last heartbeat and when a person last
// caused an API call. `sapar maintenance` reads it from /metrics before
// installing security updates or rebooting, and the fleet sees it.
type Presence struct {
	InUse   bool
	Screen  string    // one of Screens: what the page last reported
	LastUse time.Time // the last API call a person caused (zero: none since start)
}

// Screens is the closed set of the screen label: the attract screen, a
// person's session, the technician's maintenance screen, or a page that
// has not said (an old page, or no heartbeat for a while).
var Screens = []string{"attract", "session", "maintenance", "unknown"}

// presenceCollector reports the function SetPresence gave (nothing before).
type presenceCollector struct {
	get atomic.Pointer[func() Presence]
}

func (c *presenceCollector) Describe(chan<- *prometheus.Desc) {}

func (c *presenceCollector) Collect(ch chan<- prometheus.Metric) {
	get := c.get.Load()
	if get == nil {
		return
	}
	p := (*get)()
	ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(KioskInUse,
		"1 while someone is at the screen (a session, the maintenance screen, or a touch within the idle timeout): no security update or reboot then.", nil, nil),
		prometheus.GaugeValue, b2f(p.InUse))
	ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(PageScreen,
		"The screen the page reported in its last heartbeat (one of Screens): the series with the current one is 1.", []string{"screen"}, nil),
		prometheus.GaugeValue, 1, oneOf(p.Screen, Screens))
	if !p.LastUse.IsZero() {
		ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(LastInteractionAge,
			"Seconds since a person last caused an API call (a tap that asked the kiosk for something).", nil, nil),
			prometheus.GaugeValue, max(0, time.Since(p.LastUse).Seconds())) // the UI server's clock for use is the real one
	}
}

// SetPresence makes /metrics report get's answer at each scrape (the UI
// server sets it; a later call replaces it).
func (r *Registry) SetPresence(get func() Presence) { r.presence.get.Store(&get) }
