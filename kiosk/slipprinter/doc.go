// Package slipprinter is the one adapter from a receipt document to a slip
// printer, for the production kiosk and the demo alike: it renders the
// document for the printer's profile, sends it through printer.Printer
// (paced, status-checked, reconnecting), takes turns between slips, the
// technician's test slip and status queries, and keeps the figures the
// maintenance screen and /metrics show. It also builds the test slip.
//
// It must not open the port itself (a Dialer does) or know the print queue:
// the queue hears about paper running low through the OnStatus field.
package slipprinter
