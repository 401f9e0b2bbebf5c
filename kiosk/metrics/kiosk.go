package kiosk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"sapar/updates"
)

// serveMetrics runs the opt-in fleet listener (metrics.listen in the
// provisioning): GET /metrics only, the same figures as the loopback
// /metrics (the server's counters plus writeExtraMetrics). Nothing else of
// the kiosk is reachable on it.
//
// The text format is written by hand rather than with
// prometheus/client_golang: a few dozen counters and gauges do not justify
// its dependency tree on a Pi image.
func (k *Kiosk) serveMetrics(ctx context.Context, addr string, srv *Server) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		srv.handleMetrics(w, r)
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			k.log.Error("metrics listener", "err", err)
		}
		close(done)
	}()
	k.log.Info("metrics listener", "addr", ln.Addr().String())
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		<-done
	}, nil
}

// writeExtraMetrics adds what the kiosk's own /metrics does not know:
// update results (from STATE/update-status.json), the printer, errors and
// the page heartbeat. Labels carry no personal data.
func (k *Kiosk) writeExtraMetrics(w io.Writer) {
	now := k.o.Now()
	st, err := updates.ReadStatus(k.o.StateDir)
	if err == nil {
		ok := 0
		if st.Error == "" && !st.LastSuccess.IsZero() {
			ok = 1
		}
		fmt.Fprintf(w, "sapar_update_last_attempt_timestamp_seconds %d\n", unix(st.LastAttempt))
		fmt.Fprintf(w, "sapar_update_last_success_timestamp_seconds %d\n", unix(st.LastSuccess))
		if !st.LastSuccess.IsZero() {
			fmt.Fprintf(w, "sapar_update_last_success_age_seconds %.0f\n", now.Sub(st.LastSuccess).Seconds())
		}
		fmt.Fprintf(w, "sapar_update_last_ok %d\n", ok)
		fmt.Fprintf(w, "sapar_updates_succeeded_total %d\n", st.Succeeded)
		fmt.Fprintf(w, "sapar_updates_failed_total %d\n", st.Failed)
	}
	if rel, err := updates.ActiveRelease(k.o.StateDir); err == nil {
		fmt.Fprintf(w, "sapar_content_info{version=%q} 1\n", rel.Version)
	}
	if m := k.maint; m.Printer != nil {
		p := m.Printer.Last()
		fmt.Fprintf(w, "sapar_printer_ok %d\n", b2i(p.OK))
		fmt.Fprintf(w, "sapar_printer_state{state=%q} 1\n", p.State)
		fmt.Fprintf(w, "sapar_printer_slips_total %d\n", p.Slips)
		fmt.Fprintf(w, "sapar_printer_failed_total %d\n", p.Failed)
		fmt.Fprintf(w, "sapar_printer_paper_out_events_total %d\n", p.PaperOuts)
		fmt.Fprintf(w, "sapar_printer_paper_used_mm_total %.0f\n", p.PaperMM)
	}
	fmt.Fprintf(w, "sapar_log_errors_total %d\n", k.ring.Total())
	if hb := k.maint.LastHeartbeat(); !hb.IsZero() {
		fmt.Fprintf(w, "sapar_page_heartbeat_age_seconds %.0f\n", now.Sub(hb).Seconds())
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
