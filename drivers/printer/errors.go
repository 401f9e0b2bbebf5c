package printer

import (
	"errors"
	"fmt"
)

// Errors a UI can explain. Test with errors.Is; the messages are meant for people.
var (
	ErrPaperOut  = errors.New("the printer is out of paper — staff need to load a new roll; scan the QR code on screen instead")
	ErrCoverOpen = errors.New("the printer cover is open — close it firmly and try again")
	ErrOffline   = errors.New("the printer is offline or not answering — check its power and cable")
	ErrPrinter   = errors.New("the printer reports an error — switch it off and on again")
	ErrGarbled   = errors.New("the printer's answers make no sense — check the baud rate and cable")
	// ErrDisconnected: reading or writing the port failed (unplugged, power-cycled).
	ErrDisconnected = errors.New("the printer was disconnected — check its cable and power")
)

// JobError says how far a job got before it failed. Sent bytes may have
// printed in part; the job must be retried whole (Send clears the printer's
// buffers first, so the retry does not follow the broken half).
type JobError struct {
	Op    string // "status before job", "chunk 3/7", "wait for printer"
	Sent  int    // bytes written to the printer
	Total int    // bytes of the job
	Err   error
}

func (e *JobError) Error() string {
	return fmt.Sprintf("printer: %s (%d of %d bytes sent): %v", e.Op, e.Sent, e.Total, e.Err)
}

func (e *JobError) Unwrap() error { return e.Err }

// UserMessage returns the sentence to show for err: the typed error's own
// message, or a generic one.
func UserMessage(err error) string {
	for _, t := range []error{ErrPaperOut, ErrCoverOpen, ErrDisconnected, ErrOffline, ErrPrinter, ErrGarbled} {
		if errors.Is(err, t) {
			return t.Error()
		}
	}
	if err == nil {
		return ""
	}
	return "printing failed — please ask staff for help; scan the QR code on screen instead"
}
