package serialport

import (
	"fmt"
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
