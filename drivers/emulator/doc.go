// Package emulator is an ESC/POS printer in software: it decodes the bytes
// the drivers emit (code tables including KZ-1048, user-defined characters,
// GS v 0 raster, GS ( k QR, cuts, status queries) into text and renders the
// slip as a PNG at the printer's dot resolution with embedded Noto fonts. A
// Virtual printer sits on the far side of a real pseudo-terminal, answers
// status and GS I, splits jobs at each cut, and can be told to run out of
// paper, open its cover, go offline, read slowly or drop bytes from a small
// buffer. Given a profile other than the driver's it is an "unknown" printer:
// tables at other numbers (ESC t of a missing one is ignored, so the wrong
// letters print), no ESC &, no native QR, no cutter, or UTF-8 mode.
//
// It is for tests and `sapar demo`; it must never be what prints on a kiosk.
package emulator
