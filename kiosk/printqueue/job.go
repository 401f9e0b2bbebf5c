package printqueue

import (
	"context"
	"errors"
	"time"

	"sapar/drivers/printer"
	"sapar/drivers/receipt"
)

// PrintFunc prints one slip; it returns when the printer has the whole job
// or with an error the UI can explain (slipprinter.Printer.Print). What the
// printer reports besides errors (paper near end) reaches the queue through
// Queue.PrinterStatus.
type PrintFunc func(ctx context.Context, doc receipt.Document) error

// Job states as the UI sees them.
const (
	JobQueued   = "queued"
	JobPrinting = "printing"
	JobDone     = "done"
	JobFailed   = "failed"
)

// Reasons a job failed, beyond the printer's own (failureReason).
const (
	// ReasonInterrupted: the kiosk stopped (crash, power cut, restart)
	// while the job was printing. None, part or all of the slip may be on
	// paper; the job is not retried on its own, the person is offered a
	// reprint (Job.Reprint; see recoverJobs).
	ReasonInterrupted = "interrupted"
	// ReasonTooMany: more prints were asked for in the last minute than
	// Opts.MaxPerMinute (the job was refused, never stored: ErrTooMany).
	ReasonTooMany = "too-many"
	// ReasonExpired: the job waited in the queue longer than anyone waits
	// at a kiosk (e.g. queued before a power cut): printing it now would
	// hand someone else's slip to the next person.
	ReasonExpired = "expired"
)

// Job is one print request as GET /api/print/{job} returns it.
type Job struct {
	ID       string    `json:"job"`
	Topic    string    `json:"topic"`
	Lang     string    `json:"lang"`
	State    string    `json:"state"`
	Error    string    `json:"error,omitempty"`  // for the technician's log, not shown raw
	Reason   string    `json:"reason,omitempty"` // paper-out, offline, … for the UI's words
	QRURL    string    `json:"qr_url,omitempty"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
	Attempts int       `json:"attempts"`            // times the job went to the printer
	PaperLow bool      `json:"paper_low,omitempty"` // the printer reported paper near end: staff should change the roll soon
	Reprint  bool      `json:"reprint,omitempty"`   // interrupted by a restart a moment ago: the page offers to print it again
	doc      receipt.Document
}

// ErrFull: too many slips wait already (Opts.MaxQueued).
var ErrFull = errors.New("the printer has too many slips waiting")

// ErrTooMany: too many slips were asked for in the last minute (Opts.MaxPerMinute).
var ErrTooMany = errors.New("many slips were printed in the last minute: wait a minute, or scan the QR code")

// FailureReason names why a print failed in a word the UI turns into a
// sentence in the user's language, with the way out (scan the QR instead).
func FailureReason(err error) string {
	switch {
	case errors.Is(err, printer.ErrPaperOut):
		return "paper-out"
	case errors.Is(err, printer.ErrCoverOpen):
		return "cover-open"
	case errors.Is(err, printer.ErrOffline), errors.Is(err, printer.ErrDisconnected):
		return "offline"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "error"
}
