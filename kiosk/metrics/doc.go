// Package metrics names every figure the kiosk exports and writes them in
// the Prometheus text format for GET /metrics (loopback) and the opt-in
// fleet listener: anonymous counters the UI server bumps (names.go), and
// the kiosk's health read at each scrape (update results, content, printer,
// errors, page heartbeat).
//
// It must never take a label with typed text or anything unbounded: labels
// are closed sets (languages, results, reasons, events).
package metrics
