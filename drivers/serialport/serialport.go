package serialport

import (
	"os"
	"path/filepath"
	"strconv"

	"fmt"
	"golang.org/x/sys/unix"
	"io"
	"time"

	"go.bug.st/serial"
)

// Port is an open serial port. Besides Read/Write/Close it offers the read
// timeout and modem lines that package printer looks for.
type Port struct {
	path string
	p    serial.Port
}

// Open opens path at baud, 8 data bits, no parity, 1 stop bit, DTR and RTS
// asserted where the port has them (printers that watch DTR stay busy otherwise).
func Open(path string, baud int) (io.ReadWriteCloser, error) {
	if baud <= 0 {
		return nil, fmt.Errorf("serialport: open %s: baud %d", path, baud)
	}
	p, err := serial.Open(path, &serial.Mode{
		BaudRate: baud,
		DataBits: 8,
		Parity:   serial.NoParity,
		StopBits: serial.OneStopBit,
	})
	if err != nil {
		return nil, fmt.Errorf("serialport: open %s at %d baud: %w", path, baud, err)
	}
	closeOnExec(path)
	// A pseudo-terminal or a bare adapter has no modem lines: not an error.
	_ = p.SetDTR(true)
	_ = p.SetRTS(true)
	return &Port{path: path, p: p}, nil
}

// Read reads from the printer; with a read timeout set it returns 0, nil when none came.
func (p *Port) Read(b []byte) (int, error) {
	n, err := p.p.Read(b)
	if err != nil {
		return n, fmt.Errorf("serialport: read %s: %w", p.path, err)
	}
	return n, nil
}

// Write writes to the printer.
func (p *Port) Write(b []byte) (int, error) {
	n, err := p.p.Write(b)
	if err != nil {
		return n, fmt.Errorf("serialport: write %s: %w", p.path, err)
	}
	return n, nil
}

// Close closes the port.
func (p *Port) Close() error {
	if err := p.p.Close(); err != nil {
		return fmt.Errorf("serialport: close %s: %w", p.path, err)
	}
	return nil
}

// Drain waits until written bytes have left the UART.
func (p *Port) Drain() error { return p.p.Drain() }

// SetReadTimeout makes Read return 0, nil after d without data.
func (p *Port) SetReadTimeout(d time.Duration) error { return p.p.SetReadTimeout(d) }

// ModemLines reports CTS and DSR. A pseudo-terminal or an adapter without
// these lines returns an error; the sender then relies on status replies.
func (p *Port) ModemLines() (cts, dsr bool, err error) {
	bits, err := p.p.GetModemStatusBits()
	if err != nil {
		return false, false, fmt.Errorf("serialport: modem lines of %s: %w", p.path, err)
	}
	return bits.CTS, bits.DSR, nil
}

// closeOnExec marks this process's descriptors of path close-on-exec.
// go.bug.st/serial opens without O_CLOEXEC, so every child process (the
// webview's WebKit helpers, espeak-ng) would inherit the printer and keep the
// old device alive after an unplug.
func closeOnExec(path string) {
	want, err := filepath.EvalSymlinks(path)
	if err != nil {
		return
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range ents {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil || target != want {
			continue
		}
		if fd, err := strconv.Atoi(e.Name()); err == nil {
			unix.CloseOnExec(fd)
		}
	}
}
