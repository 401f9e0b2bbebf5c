package printer

import (
	"fmt"

	"sapar/drivers/escpos"
)

// Status is the printer's state from DLE EOT 1, 2 and 4.
type Status struct {
	Offline, CoverOpen, PaperOut, PaperNearEnd, Error bool
	// RollRead: the roll sensor (DLE EOT 4) was asked in this read, so
	// PaperNearEnd means something. Polls during a job ask only DLE EOT 2;
	// their PaperNearEnd is always false and must not clear a warning.
	RollRead bool
}

// Err maps a status to the typed error a UI shows, nil if it can print.
func (s Status) Err() error {
	switch {
	case s.PaperOut:
		return ErrPaperOut
	case s.CoverOpen:
		return ErrCoverOpen
	case s.Error:
		return ErrPrinter
	case s.Offline:
		return ErrOffline
	}
	return nil
}

func (s Status) String() string {
	return fmt.Sprintf("offline=%v cover=%v paper-out=%v near-end=%v error=%v", s.Offline, s.CoverOpen, s.PaperOut, s.PaperNearEnd, s.Error)
}

// isStatusByte reports whether b has the fixed bits of a DLE EOT reply.
func isStatusByte(b byte) bool { return b&escpos.StatusFixedMask == escpos.StatusFixedValue }

// apply folds the reply to DLE EOT n into s.
func (s *Status) apply(n, b byte) {
	switch n {
	case 1:
		s.Offline = s.Offline || b&escpos.StatusOffline != 0
	case 2:
		s.CoverOpen = s.CoverOpen || b&escpos.StatusCoverOpen != 0
		s.PaperOut = s.PaperOut || b&escpos.StatusPaperStop != 0
		// Bit 6 "error occurred" accompanies cover open and paper out; only
		// count it as a printer error when neither explains it.
		if b&escpos.StatusErrorOccur != 0 && b&(escpos.StatusCoverOpen|escpos.StatusPaperStop) == 0 {
			s.Error = true
		}
	case 3:
		s.Error = s.Error || b&(escpos.StatusAutocutter|escpos.StatusUnrecover|escpos.StatusAutoRecover) != 0
	case 4:
		s.RollRead = true
		s.PaperOut = s.PaperOut || b&escpos.StatusPaperEnd == escpos.StatusPaperEnd
		s.PaperNearEnd = s.PaperNearEnd || b&escpos.StatusNearEnd == escpos.StatusNearEnd
	}
}
