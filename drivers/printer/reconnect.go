package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Dialer opens the printer's port, e.g. serialport.Open on a stable udev
// name, so a printer that was unplugged and comes back is found again.
type Dialer func() (io.ReadWriteCloser, error)

// ReconnectOpts tunes Printer.
type ReconnectOpts struct {
	Send Opts
	// MinBackoff and MaxBackoff space reconnect attempts: a printer being
	// power-cycled needs seconds; hammering open() floods the journal.
	MinBackoff, MaxBackoff time.Duration
	// Attempts bounds the tries of one job (dial + send); the job then
	// fails with the last error and the kiosk's queue keeps it.
	Attempts int
}

// DefaultReconnectOpts: 250 ms doubling to 5 s, 6 attempts (about 15 s).
func DefaultReconnectOpts() ReconnectOpts {
	return ReconnectOpts{Send: DefaultOpts(), MinBackoff: 250 * time.Millisecond, MaxBackoff: 5 * time.Second, Attempts: 6}
}

// Printer keeps a port open across jobs and reopens it with backoff when it
// breaks. A job is sent whole on one connection or reported failed: after
// a disconnect it is resent from the start (Send clears the printer's
// buffers first). Not safe for concurrent use: one queue worker owns it.
type Printer struct {
	dial Dialer
	o    ReconnectOpts
	rw   io.ReadWriteCloser
}

// NewPrinter returns a Printer that opens ports with dial.
func NewPrinter(dial Dialer, o ReconnectOpts) *Printer {
	d := DefaultReconnectOpts()
	if o.MinBackoff <= 0 {
		o.MinBackoff = d.MinBackoff
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(d.MaxBackoff, o.MinBackoff)
	}
	if o.Attempts <= 0 {
		o.Attempts = d.Attempts
	}
	if o.Send.Sleep == nil {
		o.Send.Sleep = time.Sleep
	}
	return &Printer{dial: dial, o: o}
}

// Print sends job, reconnecting on disconnects. Printer conditions (paper
// out, cover open) are returned at once: waiting will not fix them.
func (p *Printer) Print(ctx context.Context, job []byte) error {
	wait := p.o.MinBackoff
	var last error
	for attempt := 1; attempt <= p.o.Attempts; attempt++ {
		if attempt > 1 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("printer: print: %w (last: %w)", ctx.Err(), last)
			default:
			}
			p.o.Send.Sleep(wait)
			wait = min(2*wait, p.o.MaxBackoff)
		}
		if p.rw == nil {
			rw, err := p.dial()
			if err != nil {
				last = fmt.Errorf("printer: open port (attempt %d): %w: %w", attempt, ErrDisconnected, err)
				continue
			}
			p.rw = rw
		}
		err := Send(ctx, p.rw, job, p.o.Send)
		if err == nil {
			return nil
		}
		last = err
		if !errors.Is(err, ErrDisconnected) && !errors.Is(err, ErrOffline) {
			return err
		}
		// Reopen: after an unplug the old descriptor stays dead.
		_ = p.rw.Close()
		p.rw = nil
	}
	return last
}

// Close closes the port, if open.
func (p *Printer) Close() error {
	if p.rw == nil {
		return nil
	}
	err := p.rw.Close()
	p.rw = nil
	return err
}
