// Package metrics is the kiosk's one metric registry, built on
// github.com/prometheus/client_golang: every metric name (names.go), the
// anonymous usage counters the UI server bumps (registry.go), the kiosk's
// health read at each scrape (kiosk.go: update results, content age,
// printer, disk, clock, errors, page heartbeat) and the Go and process
// collectors, served as GET /metrics on loopback (what the push agent
// scrapes) and on the opt-in fleet listener.
//
// It must never take a label with typed text or anything unbounded: labels
// are closed sets (languages, life stages, results, reasons, events) and
// guide ids are checked against the content's ids and capped (MaxGuides).
package metrics
