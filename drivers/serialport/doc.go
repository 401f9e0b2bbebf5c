// Package serialport opens a printer's serial device (a real UART, a
// USB-serial adapter, a stable udev symlink, or the emulator's
// pseudo-terminal) with go.bug.st/serial at 8N1 and the configured baud.
//
// It is the only driver package that takes a device path; it must not speak
// ESC/POS — that is package printer's job over the io.ReadWriter it returns.
package serialport
