package kiosk

import (
	"context"
	"io"
	"sync"

	"sapar/drivers/escpos"
	"sapar/drivers/printer"
	"sapar/drivers/receipt"
	"sapar/drivers/serialport"
)

type statusKey struct{}

func withStatusReporter(ctx context.Context, f func(printer.Status)) context.Context {
	return context.WithValue(ctx, statusKey{}, f)
}

// StatusReporter returns the function a PrintFunc passes as
// printer.Opts.OnStatus, so the queue learns what the printer reports
// besides errors (paper near end). Never nil.
func StatusReporter(ctx context.Context) func(printer.Status) {
	if f, ok := ctx.Value(statusKey{}).(func(printer.Status)); ok && f != nil {
		return f
	}
	return func(printer.Status) {}
}

// PortPrinter prints slips for profile prof on the port dial opens, through
// printer.Printer: the port is kept open across jobs, reopened with backoff
// after an unplug or power cycle, and a job is resent whole on the new
// connection. Close it when the kiosk stops.
type PortPrinter struct {
	mu     sync.Mutex
	p      *printer.Printer
	prof   escpos.Profile
	report func(printer.Status) // of the job being printed
}

// NewPortPrinter returns a PortPrinter; o tunes sending and reconnecting
// (printer.DefaultReconnectOpts suits Epson-class printers).
func NewPortPrinter(dial printer.Dialer, prof escpos.Profile, o printer.ReconnectOpts) *PortPrinter {
	pp := &PortPrinter{prof: prof}
	o.Send.OnStatus = func(st printer.Status) {
		if pp.report != nil {
			pp.report(st)
		}
	}
	pp.p = printer.NewPrinter(dial, o)
	return pp
}

// SerialDialer opens dev (a stable udev name such as /dev/sapar-printer
// survives re-enumeration) at baud.
func SerialDialer(dev string, baud int) printer.Dialer {
	return func() (io.ReadWriteCloser, error) { return serialport.Open(dev, baud) }
}

// Print renders doc and sends it; it is a PrintFunc.
func (pp *PortPrinter) Print(ctx context.Context, doc receipt.Document) error {
	data, err := receipt.Render(doc, pp.prof)
	if err != nil {
		return err
	}
	pp.mu.Lock()
	defer pp.mu.Unlock()
	pp.report = StatusReporter(ctx)
	defer func() { pp.report = nil }()
	return pp.p.Print(ctx, data)
}

// Close closes the port once the job in progress, if any, has ended.
func (pp *PortPrinter) Close() error {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	return pp.p.Close()
}
