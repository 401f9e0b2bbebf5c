// Package doctor runs the technician's checks on a kiosk — printer, display,
// clock, disk, state permissions, content, updates, network, speech — each
// giving pass, warn or fail and, when not pass, a hint that says what to do.
//
// Every contact with the machine goes through Env (filesystem root, clock,
// HTTP client, PATH lookup, serial open, disk usage), so tests cover each
// outcome without hardware. It only reads: it must never repair, write the
// state, or reach the network beyond a HEAD request to the configured mirrors.
package doctor
