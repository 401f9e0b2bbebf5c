package kiosk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"sapar/kiosk/slipprinter"
)

// probe is what the watchdog checks before each WATCHDOG=1.
func (k *Kiosk) probe(ctx context.Context) error {
	if s := k.srv.Load(); s != nil {
		// What the screens ask, not a count of rows: an index with garbage
		// under its search pages still counts its guides.
		if err := s.ContentHealth(ctx); err != nil {
			return fmt.Errorf("content: %w", err)
		}
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, k.URL+"healthz", nil)
	resp, err := k.client.Do(req)
	if err != nil {
		return fmt.Errorf("http self-request: %w", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("http self-request: /healthz answered %s", resp.Status)
	}
	if k.o.RequireHeartbeat {
		last := k.maint.LastHeartbeat()
		since := last
		if since.IsZero() {
			since = k.started // grace for the page to load
		}
		if age := k.o.Now().Sub(since); age > k.o.HeartbeatMaxAge {
			if last.IsZero() {
				return fmt.Errorf("page heartbeat: none in %s since start", age.Round(time.Second))
			}
			return fmt.Errorf("page heartbeat %s old", age.Round(time.Second))
		}
	}
	return nil
}

// statusLine is what systemctl status shows.
func statusLine(prn *slipprinter.Printer, version string) string {
	return fmt.Sprintf("content %s; printer %s", version, prn.Last().State)
}

// waitHTTP waits until the UI server answers /healthz.
func (k *Kiosk) waitHTTP(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, k.URL+"healthz", nil)
		resp, err := k.client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return fmt.Errorf("run: the UI server does not answer: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
