// Package escpos encodes ESC/POS printer commands onto an io.Writer: init,
// text styles, code-page selection (including a hand-written KZ-1048 table
// that golang.org/x/text lacks), user-defined characters, raster images
// (GS v 0), native QR (GS ( k), feed and cut; and it describes printer models
// as Profiles.
//
// It must not open devices, read fonts or know about guides: callers hand it
// an io.Writer and, for glyphs no table holds, bitmaps they rendered.
//
// Printer facts (table numbers, widths, fonts, features) come from the
// ESC/POS printer database, https://github.com/receipt-print-hq/escpos-printer-db,
// licensed CC BY 4.0.
package escpos
