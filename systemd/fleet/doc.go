// Package fleet holds the MRC's side of a Sapar fleet as files: how to run
// the fleet database (VictoriaMetrics single node, or Prometheus with the
// remote-write receiver), the alert rules in Prometheus rule format
// (rules/, evaluated by vmalert or Prometheus, tested with promtool) and the
// Alertmanager routing to technicians by region. README.md is the MRC
// administrator's page. The Go code here is only the tests of those files
// and fleettest, which starts the Debian binaries on loopback for tests.
//
// Nothing here runs on a kiosk, and it must never grow a home-made fleet
// server: the engines are Debian's victoria-metrics, prometheus and
// prometheus-alertmanager.
package fleet
