// Package kiosk wires the running kiosk and the demo from the packages
// below it: Start brings up the production kiosk in phases — the
// first-boot setup screen (setup.go) until a signed provisioning file is
// found, then the running kiosk (provisioned.go: content, printer, usage,
// updates, the UI server with the maintenance screen, hot reload, READY) —
// with one systemd watchdog whose probe depends on the phase
// (watchdog.go). StartDemo runs the same server on the embedded sample
// with an emulated printer.
//
// It holds no concern of its own: HTTP lives in kiosk/web, the print queue
// in kiosk/printqueue, the printer in kiosk/slipprinter, the technician's
// screens in kiosk/maint, metrics in kiosk/metrics, read-aloud in
// kiosk/speech, usage counts in kiosk/usage, releases in content/release.
// None of those imports kiosk.
package kiosk
