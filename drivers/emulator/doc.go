// Package emulator is an ESC/POS printer in software: it decodes the bytes
// the drivers emit (code tables including KZ-1048, user-defined characters,
// GS v 0 raster, GS ( k QR, cuts, status queries) into text and renders the
// slip as a PNG at the printer's dot resolution with embedded Noto fonts. A
// Virtual printer sits on the far side of a real pseudo-terminal, answers
// status, splits jobs at each cut, and can be told to run out of paper, open
// its cover, go offline, read slowly or drop bytes from a small buffer.
//
// It is for tests and `sapar demo`; it must never be what prints on a kiosk.
package emulator
