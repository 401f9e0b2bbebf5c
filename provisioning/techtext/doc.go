// Package techtext holds every word a technician reads — the first-start
// and maintenance screens, the PIN keypad, the printer calibration, the
// doctor's checks and the output of `sapar doctor` and `sapar provision` —
// in the technician languages (Russian, Kyrgyz, Uzbek Latin, English), as
// data: one file, technician.json, keyed by message, each key with a text
// per language and {name} placeholders. The Go side formats messages with
// arguments (Msg); the maintenance page receives the same catalog, so the
// screen and the command line never drift apart.
//
// It must not import anything of the kiosk or of provisioning: both import
// it. It never translates what the migrant reads (kiosk/web/ui/i18n.json
// does) nor error texts that come from the system (they stay as they are,
// inside a translated sentence).
package techtext
