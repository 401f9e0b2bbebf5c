package kiosk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"sapar/content"
	"sapar/drivers/escpos"
	"sapar/drivers/printer"
	"sapar/drivers/receipt"
	"sapar/drivers/serialport"
	"sapar/provisioning"
)

// printerDriver owns the real printer: one printer.Printer (which reopens
// the port after an unplug), used by one job at a time — the print queue's
// slips, the technician's test slip and status queries take turns.
type printerDriver struct {
	prof   escpos.Profile
	device string
	baud   int
	log    *slog.Logger
	p      *printer.Printer
	turn   chan struct{} // one holder at a time; a channel so waiting can be cancelled
	now    func() time.Time

	mu     sync.Mutex
	st     PrinterState
	report func(printer.Status) // the print queue's reporter for the job being printed
}

// printerDialer opens the configured port: a device path (best a stable
// udev name such as /dev/sapar-printer or /dev/serial/by-id/…), or the tty
// of a USB vendor:product found in sysfs at each (re)connect, so a printer
// that comes back as ttyUSB1 after a replug is still found.
func printerDialer(cfg provisioning.Printer, sysRoot string) (printer.Dialer, string) {
	if cfg.Device != "" {
		return func() (io.ReadWriteCloser, error) { return serialport.Open(cfg.Device, cfg.Baud) }, cfg.Device
	}
	return func() (io.ReadWriteCloser, error) {
		dev, err := serialport.FindUSB(sysRoot, cfg.USB)
		if err != nil {
			return nil, fmt.Errorf("printer: %w (%w)", err, printer.ErrDisconnected)
		}
		return serialport.Open(dev, cfg.Baud)
	}, "usb " + cfg.USB
}


func newPrinterDriver(cfg provisioning.Printer, prof escpos.Profile, dial printer.Dialer, device string, log *slog.Logger, now func() time.Time) *printerDriver {
	d := &printerDriver{prof: prof, device: device, baud: cfg.Baud, log: log, turn: make(chan struct{}, 1), now: now}
	d.st = PrinterState{Device: device, Profile: prof.Name, Baud: cfg.Baud, State: "not checked yet"}
	o := printer.DefaultReconnectOpts()
	o.Send.OnStatus = func(s printer.Status) {
		d.mu.Lock()
		d.st.State, d.st.Checked = describeStatus(s), now()
		d.st.OK = s.Err() == nil
		report := d.report
		d.mu.Unlock()
		if report != nil {
			report(s) // paper near end reaches the queue and the UI
		}
	}
	counted := func() (io.ReadWriteCloser, error) {
		rw, err := dial()
		if err == nil {
			d.mu.Lock()
			d.st.Reconnects++
			d.mu.Unlock()
		}
		return rw, err
	}
	d.p = printer.NewPrinter(counted, o)
	return d
}

func describeStatus(s printer.Status) string {
	switch {
	case s.Offline && !s.PaperOut && !s.CoverOpen:
		return "offline"
	case s.PaperOut:
		return "paper out"
	case s.CoverOpen:
		return "cover open"
	case s.Error:
		return "error"
	case s.PaperNearEnd:
		return "ready, paper near end"
	}
	return "ready"
}

func (d *printerDriver) take(ctx context.Context) error {
	select {
	case d.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *printerDriver) give() { <-d.turn }

// Print is the kiosk's PrintFunc: render the slip for the profile, send it.
func (d *printerDriver) Print(ctx context.Context, doc receipt.Document) error {
	data, err := receipt.Render(doc, d.prof)
	if err != nil {
		return err
	}
	if err := d.take(ctx); err != nil {
		return err
	}
	defer d.give()
	d.mu.Lock()
	d.report = StatusReporter(ctx)
	d.mu.Unlock()
	err = d.p.Print(ctx, data)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.report = nil
	d.st.Checked = d.now()
	if err != nil {
		d.st.Failed++
		d.st.OK, d.st.Error = false, err.Error()
		if errors.Is(err, printer.ErrPaperOut) {
			d.st.PaperOuts++
			d.st.State = "paper out"
		} else if errors.Is(err, printer.ErrDisconnected) {
			d.st.State = "disconnected"
		}
		return err
	}
	d.st.Slips++
	d.st.Bytes += int64(len(data))
	d.st.PaperMM += estimatePaperMM(doc, d.prof)
	d.st.LastPrinted = d.st.Checked
	d.st.OK, d.st.Error = true, ""
	return nil
}

// Status asks the printer now: an empty job is a status query (DLE EOT)
// and nothing is printed. While a slip prints it answers "printing".
func (d *printerDriver) Status(ctx context.Context) PrinterState {
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	select {
	case d.turn <- struct{}{}:
	default:
		st := d.Last()
		st.State = "printing"
		return st
	}
	err := d.p.Print(ctx, nil)
	d.give()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.st.Checked = d.now()
	d.st.OK = err == nil
	d.st.Error = ""
	if err != nil {
		d.st.Error = printer.UserMessage(err)
		switch {
		case errors.Is(err, printer.ErrPaperOut):
			d.st.State = "paper out"
		case errors.Is(err, printer.ErrCoverOpen):
			d.st.State = "cover open"
		case errors.Is(err, printer.ErrDisconnected), errors.Is(err, context.DeadlineExceeded):
			d.st.State = "not connected"
		case errors.Is(err, printer.ErrOffline):
			d.st.State = "offline"
		default:
			d.st.State = "error"
		}
	}
	return d.st
}

// Last is the state seen at the last job or query.
func (d *printerDriver) Last() PrinterState {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st
}

// Profile is the printer model the slips are laid out for.
func (d *printerDriver) Profile() escpos.Profile { return d.prof }

// Close closes the port.
func (d *printerDriver) Close() error {
	d.turn <- struct{}{}
	defer d.give()
	return d.p.Close()
}

// estimatePaperMM guesses the length of a slip from its text: lines wrapped
// at the profile's columns, a QR code, the footer and the cut margin. It is
// an estimate for "paper used", not a measurement.
func estimatePaperMM(doc receipt.Document, p escpos.Profile) float64 {
	cols := p.Columns
	if cols <= 0 {
		cols = 42
	}
	lines := 0
	wrap := func(s string) {
		n := utf8.RuneCountInString(s)
		lines += max(1, (n+cols-1)/cols)
	}
	wrap(doc.Title)
	lines += 2 // double height title, blank line
	for _, group := range [][]string{{doc.Subtitle, doc.Notice}, doc.Steps, doc.Paragraphs, doc.Contacts, doc.Footer} {
		for _, s := range group {
			if s != "" {
				wrap(s)
			}
		}
	}
	dpi := float64(p.DPI)
	if dpi <= 0 {
		dpi = 203
	}
	lineDots := float64(max(p.CharHeight, 24)) + 6
	mm := float64(lines) * lineDots / dpi * 25.4
	if doc.QRURL != "" {
		mm += 30
	}
	return mm + 15 // feed to the cutter
}

// testSlipSamples is one line in each script the kiosk can offer, with the
// letters that need a code page, user-defined characters or raster.
var testSlipSamples = map[string]string{
	"ky":      "Өз укуктарыңызды билиңиз — ң ө ү",
	"uz-Latn": "Oʻz huquqlaringizni biling — gʻ oʻ sh ch",
	"uz-Cyrl": "Ўз ҳуқуқларингизни билинг — ҳ ғ қ ў",
	"kaa":     "Óz huqıqlarıńızdı biliń — ǵ ń ó ú ı",
	"ru":      "Знайте свои права — ё ж щ ъ",
	"en":      "Know your rights — The quick brown fox",
	"tg":      "Ҳуқуқҳои худро донед — ӣ ӯ ҷ ҳ",
	"ur":      "اپنے حقوق جانیں",
}

// testSlip is the technician's test: a line in every offered script, a QR
// (of the device id), and rulers at the profile's width.
func testSlip(m *Maintenance, p escpos.Profile, now time.Time) receipt.Document {
	doc := receipt.Document{Lang: "en", Title: "Sapar test slip", Subtitle: m.KioskName}
	for _, tag := range m.Languages {
		name := tag
		if l, ok := content.LookupLanguage(tag); ok && l.Endonym != "" {
			name = l.Endonym
		}
		doc.Paragraphs = append(doc.Paragraphs, name+": "+testSlipSamples[tag])
	}
	cols := p.Columns
	if cols <= 0 {
		cols = 32
	}
	var digits, marks strings.Builder
	for i := 1; i <= cols; i++ {
		digits.WriteByte(byte('0' + i%10))
		switch {
		case i%10 == 0:
			marks.WriteByte('|')
		case i%5 == 0:
			marks.WriteByte('+')
		default:
			marks.WriteByte('-')
		}
	}
	doc.Steps = []string{fmt.Sprintf("%d columns, %d dots:", cols, p.Dots), digits.String(), marks.String()}
	if m.DeviceID != "" {
		doc.QRURL, doc.QRCaption = m.DeviceID, "Device id "+m.DeviceID
	}
	loc := m.Location
	if loc == nil {
		loc = time.UTC
	}
	doc.Footer = []string{m.KioskID, now.In(loc).Format("2006-01-02 15:04 MST"), "profile " + p.Name}
	return doc
}
