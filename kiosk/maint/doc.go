// Package maint is the technician's side of a kiosk: the maintenance
// screen behind a hidden gesture and the PIN (argon2id hash from the signed
// provisioning, persisted lockout, one session with an idle timeout) —
// printer status, test slip and the guided calibration of an unknown
// printer (calibrate.go), update now, doctor, the information-needs
// report, restart — and the first-boot setup screen that provisions the
// kiosk from a signed file on a USB stick. It also keeps the ring of recent
// warnings the maintenance screen shows. Both screens speak the
// technician's language: the page gets provisioning/techtext's catalog,
// and errors the page shows carry their techtext key ("code").
//
// It serves handlers only (routes.go): the UI server mounts them. It must
// not import the UI server or the kiosk, never log a PIN, and never accept
// configuration typed on the screen.
package maint
