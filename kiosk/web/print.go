package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"sapar/content"
	"sapar/drivers/receipt"
	"sapar/kiosk/printqueue"
	"sapar/kiosk/web/httpx"
)

// printed counts a print's outcome (the queue's OnResult).
func (s *Server) printed(job printqueue.Job, reason string, paperLow bool) {
	s.opt.Usage.Print(job.Topic, job.Lang, reason)
	s.metrics.Printed(job.Topic, job.Lang, reason, paperLow)
}

type printRequest struct {
	Topic string `json:"topic"`
	Lang  string `json:"lang"`
	// Origin is whose rules apply (content.Origins: KG, UZ, TJ, other):
	// the slip's QR and contacts follow it; "" prints the guide as it is.
	Origin string `json:"origin,omitempty"`
}

func (s *Server) handlePrint(w http.ResponseWriter, r *http.Request) {
	if !httpx.RequireToken(w, r, s.token) {
		return
	}
	var req printRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.Topic == "" {
		httpx.Error(w, http.StatusBadRequest, `send {"topic": ID, "lang": TAG}`)
		return
	}
	g, ok := s.guide(w, r, req.Topic, content.NormalizeTag(req.Lang))
	if !ok || !s.forOrigin(w, r, g, req.Origin) {
		return
	}
	version, _ := s.Store().Version(r.Context())
	job, err := s.jobs.Submit(g.ID, g.Lang, s.slip(g, version))
	if errors.Is(err, printqueue.ErrTooMany) {
		// The page says it in the reader's language (printTooMany) with the QR way out.
		httpx.JSON(w, http.StatusTooManyRequests, map[string]string{"error": err.Error(), "reason": printqueue.ReasonTooMany})
		return
	}
	if err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	httpx.JSON(w, http.StatusAccepted, map[string]string{"job": job.ID})
}

// slip turns a guide into the neutral document the receipt layout prints.
func (s *Server) slip(g *content.GuideView, version string) receipt.Document {
	o := s.opt
	o.Store = s.Store() // the release being served now (a reload swaps it)
	return PrintedSlip(context.Background(), o, s.i18n, g, version)
}

// PrintedSlip is the slip this kiosk prints for g: the site's help desk,
// place and time zone from o, the content's urgent notices valid now for o's
// country and city, the sample notice when o.SampleContent. The UI server and
// `sapar print` both use it, so a slip proofed on a laptop is the one the
// kiosk prints. strs are the UI strings (ui.Strings).
func PrintedSlip(ctx context.Context, o Options, strs map[string]map[string]string, g *content.GuideView, version string) receipt.Document {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	var urgent []string
	if o.Store != nil {
		if list, err := o.Store.Notices(ctx, g.Lang, now(), o.Country, o.City); err == nil {
			for _, n := range list {
				urgent = append(urgent, n.Text)
			}
		}
	}
	notice := o.Notice
	if o.SampleContent {
		notice = word(strs, g.Lang, "sampleContent")
	}
	return Slip(g, SlipOptions{Place: o.Place, Notice: notice, HelpDesk: o.HelpDesk, Urgent: urgent, Version: version, Now: now(), Location: o.Location, Strings: strs})
}

func (s *Server) handleJob(w http.ResponseWriter, r *http.Request) {
	job, ok := s.jobs.Get(r.PathValue("job"))
	if !ok {
		httpx.Error(w, http.StatusNotFound, "no such print job")
		return
	}
	httpx.JSON(w, http.StatusOK, job)
}

// reprintOffer is what the page that starts after a restart offers: the
// guide whose slip the restart cut short a moment ago (nil: none). The
// page asks whether a slip came out and prints it again on a tap.
func reprintOffer(jobs []printqueue.Job) map[string]string {
	if len(jobs) == 0 {
		return nil
	}
	j := jobs[len(jobs)-1]
	return map[string]string{"job": j.ID, "topic": j.Topic, "lang": j.Lang}
}
