// Package calibrate finds out what a kiosk's own printer can print, by
// asking the technician: it writes a numbered calibration slip — one line
// of the offered languages' hardest letters through each code table the
// printer might have at each number the ESC/POS printer database has seen
// for it, the same line in Epson's UTF-8 mode and drawn with ESC &
// user-defined characters, rulers for the paper width, a native and a
// raster QR code — and turns the numbers of the lines that printed right
// into an escpos.Profile for that printer. It also builds the technician's
// test slip, which proves the letters with the resulting profile.
//
// It must not open devices or files, read answers from a terminal or know
// about guides: the command line and the maintenance screen do that and
// hand it a base profile, the offered languages and the answers.
//
// Table numbers come from the ESC/POS printer database,
// https://github.com/receipt-print-hq/escpos-printer-db, CC BY 4.0.
package calibrate
