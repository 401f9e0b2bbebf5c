// Package printer sends a complete ESC/POS job to a printer over an
// io.ReadWriter: it checks status (DLE EOT) before the job, writes in
// paced chunks and waits for the printer to confirm each chunk (GS ( H
// process ID) so a small receive buffer never overflows, watches CTS/DSR
// where the port has them, and reports paper out, cover open and offline
// as typed errors whose messages a UI can show. Identify asks the printer
// for its maker, model and firmware (GS I) with a timeout.
//
// It must not open devices (the application owns the port) or build
// slips (package receipt does).
package printer
