// Package web is the kiosk's local UI server: the page (kiosk/web/ui), the
// JSON API the page calls (guides, search, QR codes, contacts, agency
// check, countries, printing, read-aloud, session events, heartbeat),
// /healthz and /metrics. routes.go lists every route; each handler group
// has its file. It owns the print queue's life (printqueue) and switches
// to new content only at an idle moment.
//
// It listens on loopback only and trusts nothing it did not serve itself:
// state-changing calls carry a per-boot token (httpx). It stores nothing
// personal; what a user typed never leaves the request that carried it.
// The technician's screens are mounted from kiosk/maint as a handler;
// web must not import maint or kiosk.
package web
