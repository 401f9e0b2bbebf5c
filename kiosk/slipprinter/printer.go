package slipprinter

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"sapar/drivers/escpos"
	"sapar/drivers/printer"
	"sapar/drivers/receipt"
)

// Printer owns a slip printer: one printer.Printer (which reopens the
// port after an unplug and resends a job whole), used by one job at a time
// — the print queue's slips, the technician's test slip and status queries
// take turns. The demo's emulated printer and a real one go through it.
type Printer struct {
	// OnStatus, when set before the first job, is told every status the
	// printer reports while a slip prints (paper near end): the print
	// queue's PrinterStatus.
	OnStatus func(printer.Status)

	p    *printer.Printer
	turn chan struct{} // one holder at a time; a channel so waiting can be cancelled
	now  func() time.Time

	mu   sync.Mutex
	st   State
	prof escpos.Profile // SetProfile switches it between jobs
}

// Opts say what the Printer drives and how.
type Opts struct {
	Device string // shown to the technician: the port or "usb 04b8:0e28"
	Baud   int
	// Reconnect tunes sending, status reads and reopening the port;
	// printer.DefaultReconnectOpts() suits Epson-class printers.
	Reconnect printer.ReconnectOpts
	Now       func() time.Time // nil: time.Now
}

// New returns a Printer for profile prof on the port dial opens. Close it
// when the kiosk stops.
func New(dial printer.Dialer, prof escpos.Profile, o Opts) *Printer {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	d := &Printer{prof: prof, turn: make(chan struct{}, 1), now: now}
	d.st = State{Device: o.Device, Profile: prof.Name, Baud: o.Baud, State: "not checked yet"}
	ro := o.Reconnect
	ro.Send.OnStatus = func(s printer.Status) {
		d.mu.Lock()
		d.st.State, d.st.Checked = describeStatus(s), now()
		d.st.OK = s.Err() == nil
		d.mu.Unlock()
		if d.OnStatus != nil {
			d.OnStatus(s) // paper near end reaches the queue and the UI
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
	d.p = printer.NewPrinter(counted, ro)
	return d
}

// State is what the maintenance page and /metrics show of the printer.
type State struct {
	Device      string    `json:"device"`
	Profile     string    `json:"profile"`
	Baud        int       `json:"baud"`
	OK          bool      `json:"ok"`
	State       string    `json:"state"` // "ready", "paper near end", "paper out", "printing", …
	Error       string    `json:"error,omitempty"`
	Checked     time.Time `json:"checked"`
	Slips       int64     `json:"slips"`        // printed since start
	Failed      int64     `json:"failed"`       // failed since start
	Bytes       int64     `json:"bytes"`        // sent to the printer since start
	PaperOuts   int64     `json:"paper_outs"`   // paper-out events since start
	PaperMM     float64   `json:"paper_mm"`     // estimated paper used since start
	Reconnects  int64     `json:"reconnects"`   // port (re)opened
	LastPrinted time.Time `json:"last_printed"` // zero: nothing yet
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

func (d *Printer) take(ctx context.Context) error {
	select {
	case d.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *Printer) give() { <-d.turn }

// Print renders the slip for the profile and sends it (a
// printqueue.PrintFunc).
func (d *Printer) Print(ctx context.Context, doc receipt.Document) error {
	prof := d.Profile()
	data, err := receipt.Render(doc, prof)
	if err != nil {
		return err
	}
	if err := d.take(ctx); err != nil {
		return err
	}
	defer d.give()
	return d.send(ctx, data, estimatePaperMM(doc, prof))
}

// PrintBytes sends ESC/POS bytes made elsewhere (the calibration slip,
// calibrate.Plan.Job) as one job, counted like a slip.
func (d *Printer) PrintBytes(ctx context.Context, data []byte) error {
	if err := d.take(ctx); err != nil {
		return err
	}
	defer d.give()
	return d.send(ctx, data, 0)
}

// Identify asks the printer its maker, model and firmware (GS I), between
// jobs; fields it does not answer stay empty.
func (d *Printer) Identify(ctx context.Context) (escpos.Identity, error) {
	if err := d.take(ctx); err != nil {
		return escpos.Identity{}, err
	}
	defer d.give()
	return d.p.Identify(ctx, 500*time.Millisecond)
}

// SetProfile lays out every slip from now on for p (a profile the
// technician just calibrated): the job printing keeps the old one.
func (d *Printer) SetProfile(p escpos.Profile) {
	d.mu.Lock()
	d.prof, d.st.Profile = p, p.Name
	d.mu.Unlock()
}

// send is one job on the port, with its counters; the caller holds the turn.
func (d *Printer) send(ctx context.Context, data []byte, paperMM float64) error {
	err := d.p.Print(ctx, data)
	d.mu.Lock()
	defer d.mu.Unlock()
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
	d.st.PaperMM += paperMM
	d.st.LastPrinted = d.st.Checked
	d.st.OK, d.st.Error = true, ""
	return nil
}

// Status asks the printer now: an empty job is a status query (DLE EOT)
// and nothing is printed. While a slip prints it answers "printing".
func (d *Printer) Status(ctx context.Context) State {
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
func (d *Printer) Last() State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st
}

// Profile is the printer model the slips are laid out for.
func (d *Printer) Profile() escpos.Profile {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.prof
}

// Close closes the port.
func (d *Printer) Close() error {
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
