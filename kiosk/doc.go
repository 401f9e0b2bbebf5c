// Package kiosk is the running kiosk: it wires the content store, the
// printer and the local HTTP server that the touch UI (in a webview or any
// browser) talks to, and it keeps the print jobs.
//
// It listens on loopback only and trusts nothing it did not serve itself:
// state-changing calls carry a per-boot secret. It stores nothing personal;
// what a user typed never leaves the request that carried it.
package kiosk
