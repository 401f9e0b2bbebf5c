package metrics

import (
	"fmt"
	"io"
	"time"

	"sapar/kiosk/slipprinter"
	"sapar/updates"
)

// Health is where the kiosk's health figures are read at each scrape; a
// nil field is left out.
type Health struct {
	StateDir  string // update results (update-status.json) and the active release
	Now       func() time.Time
	Printer   func() slipprinter.State
	LogErrors func() int64     // warnings and errors logged since start
	Heartbeat func() time.Time // the page's last heartbeat (zero: none yet)
}

// Write adds what the UI server's counters do not know: update results,
// the content version, the printer, errors and the page heartbeat. Labels
// carry no personal data.
func (h Health) Write(w io.Writer) {
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	st, err := updates.ReadStatus(h.StateDir)
	if err == nil {
		ok := 0
		if st.Error == "" && !st.LastSuccess.IsZero() {
			ok = 1
		}
		fmt.Fprintf(w, "%s %d\n", UpdateLastAttempt, unix(st.LastAttempt))
		fmt.Fprintf(w, "%s %d\n", UpdateLastSuccess, unix(st.LastSuccess))
		if !st.LastSuccess.IsZero() {
			fmt.Fprintf(w, "%s %.0f\n", UpdateSuccessAge, now.Sub(st.LastSuccess).Seconds())
		}
		fmt.Fprintf(w, "%s %d\n", UpdateLastOK, ok)
		fmt.Fprintf(w, "%s %d\n", UpdatesSucceeded, st.Succeeded)
		fmt.Fprintf(w, "%s %d\n", UpdatesFailed, st.Failed)
	}
	if rel, err := updates.ActiveRelease(h.StateDir); err == nil {
		fmt.Fprintf(w, "%s{version=%q} 1\n", ContentInfo, rel.Version)
	}
	if h.Printer != nil {
		p := h.Printer()
		fmt.Fprintf(w, "%s %d\n", PrinterOK, b2i(p.OK))
		fmt.Fprintf(w, "%s{state=%q} 1\n", PrinterState, p.State)
		fmt.Fprintf(w, "%s %d\n", PrinterSlips, p.Slips)
		fmt.Fprintf(w, "%s %d\n", PrinterFailed, p.Failed)
		fmt.Fprintf(w, "%s %d\n", PrinterPaperOuts, p.PaperOuts)
		fmt.Fprintf(w, "%s %.0f\n", PrinterPaperMM, p.PaperMM)
	}
	if h.LogErrors != nil {
		fmt.Fprintf(w, "%s %d\n", LogErrors, h.LogErrors())
	}
	if h.Heartbeat != nil {
		if hb := h.Heartbeat(); !hb.IsZero() {
			fmt.Fprintf(w, "%s %.0f\n", PageHeartbeatAge, now.Sub(hb).Seconds())
		}
	}
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
