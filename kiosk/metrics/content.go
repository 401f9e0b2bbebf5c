package metrics

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// ContentFigures are the content health figures: whether the served index
// answers, how many checks found it did not, and its repairs by reason.
type ContentFigures struct {
	healthy  prometheus.Gauge
	failures prometheus.Counter
	repairs  *prometheus.CounterVec
}

// RepairReasons is the closed set of the repairs counter's reason label.
var RepairReasons = []string{"missing", "corrupt", "stale", "not-answering", "fell-back", "reseeded"}

// Content returns the registry's content health figures, registering them
// on first use (the same figures on every call).
func (r *Registry) Content() *ContentFigures {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := &ContentFigures{
		healthy:  prometheus.NewGauge(prometheus.GaugeOpts{Name: ContentHealthy, Help: "1 while the content index being served answers what the screens ask."}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: ContentHealthFailures, Help: "Content health checks (healthz, watchdog probe) that failed."}),
		repairs:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: ContentRepairs, Help: "Content index repairs: rebuilt from the verified bundle, or the previous release served."}, []string{"reason"}),
	}
	c.healthy = register(r.reg, c.healthy)
	c.failures = register(r.reg, c.failures)
	c.repairs = register(r.reg, c.repairs)
	return c
}

// register registers c, or returns the collector already registered under its name.
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(C); ok {
				return old
			}
		}
		panic(err) // a name clash inside this package: a programming error
	}
	return c
}

// Healthy records one content health check.
func (c *ContentFigures) Healthy(ok bool) {
	if ok {
		c.healthy.Set(1)
		return
	}
	c.healthy.Set(0)
	c.failures.Inc()
}

// Repaired counts a repair of a release's index.
func (c *ContentFigures) Repaired(reason string) {
	c.repairs.WithLabelValues(oneOf(reason, RepairReasons)).Inc()
}
