// Package escpos encodes ESC/POS printer commands onto an io.Writer: init,
// text styles, code-page selection (including a hand-written KZ-1048 table
// that golang.org/x/text lacks), user-defined characters, raster images
// (GS v 0), native QR (GS ( k), feed and cut; it describes printer models
// as Profiles, and reads and writes the profile calibrated on one kiosk's
// printer (printer-profile.json in its state dir), which ResolveProfile
// prefers over the built-in model.
//
// It must not open devices (it reads and writes only the profile file it is
// given), read fonts or know about guides: callers hand it
// an io.Writer and, for glyphs no table holds, bitmaps they rendered.
//
// Printer facts (table numbers, widths, fonts, features) come from the
// ESC/POS printer database, https://github.com/receipt-print-hq/escpos-printer-db,
// licensed CC BY 4.0.
package escpos
