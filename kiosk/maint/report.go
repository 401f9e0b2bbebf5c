package maint

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"sapar/kiosk/usage"
	"sapar/kiosk/usage/report"
	"sapar/kiosk/web/httpx"
)

// reportLinks are one-time keys that let the maintenance screen show the
// HTML information-needs report in a frame: a frame cannot send the
// session header, so an unlocked session mints a key that works once,
// for a minute.
type reportLinks struct {
	mu   sync.Mutex
	keys map[string]time.Time // key → expiry
}

func (l *reportLinks) mint(now time.Time) string {
	var b [16]byte
	rand.Read(b[:])
	k := hex.EncodeToString(b[:])
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.keys == nil {
		l.keys = map[string]time.Time{}
	}
	for old, exp := range l.keys {
		if now.After(exp) {
			delete(l.keys, old)
		}
	}
	l.keys[k] = now.Add(time.Minute)
	return k
}

func (l *reportLinks) use(k string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	exp, ok := l.keys[k]
	delete(l.keys, k)
	return ok && !now.After(exp)
}

// handleReportLink (behind the maintenance session) answers
// {"url": "/maintenance/report?key=…&days=N"} for the report frame.
func (m *Maintenance) handleReportLink(w http.ResponseWriter, r *http.Request) {
	days := r.URL.Query().Get("days")
	if _, err := strconv.Atoi(days); err != nil {
		days = "30"
	}
	k := m.reports.mint(m.now())
	httpx.JSON(w, http.StatusOK, map[string]string{"url": "/maintenance/report?key=" + k + "&days=" + days})
}

// usageWindow flushes the usage counts and reads the last ?days=N
// (default 30, at most 400) whole hours of them. The error is a sentence
// for the technician.
func (m *Maintenance) usageWindow(r *http.Request) (rows []usage.Row, from, to time.Time, err error) {
	if m.Usage == nil {
		return nil, from, to, errors.New("usage statistics are not kept on this kiosk")
	}
	days, _ := strconv.Atoi(r.URL.Query().Get("days"))
	if days <= 0 || days > 400 {
		days = 30
	}
	to = m.now().Truncate(time.Hour).Add(time.Hour)
	from = to.Add(-time.Duration(days) * 24 * time.Hour)
	if err := m.Usage.Flush(r.Context()); err != nil {
		m.Log.Warn("usage flush for report", "err", err)
	}
	rows, err = m.Usage.Rows(r.Context(), from, to)
	if err != nil {
		m.Log.Error("usage report", "err", err)
		return nil, from, to, errors.New("usage statistics cannot be read")
	}
	return rows, from, to, nil
}

// handleReportPage draws the HTML report (the same as `sapar report
// --html`) for a one-time key. Its page has inline styles and no scripts:
// its own CSP allows exactly that, and being framed by the kiosk itself.
func (m *Maintenance) handleReportPage(w http.ResponseWriter, r *http.Request) {
	if !m.reports.use(r.URL.Query().Get("key"), m.now()) {
		http.Error(w, "This report link has expired: open the report again from the maintenance screen.", http.StatusForbidden)
		return
	}
	rows, from, to, err := m.usageWindow(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	now := m.now()
	loc := m.Location
	if loc == nil {
		loc = time.UTC
	}
	rep := report.Build(rows, from, to, loc)
	var topics []string
	seen := map[string]bool{}
	for _, row := range rows {
		if row.Topic != "" && !seen[row.Topic] {
			seen[row.Topic] = true
			topics = append(topics, row.Topic)
		}
	}
	cat, err := report.CatalogFromStore(r.Context(), m.Store(), topics, "en")
	if err != nil {
		m.Log.Warn("usage report titles", "err", err)
	}
	var buf bytes.Buffer
	if err := report.HTML(&buf, report.Data{Title: m.KioskName + " (" + m.KioskID + ")", Report: rep, Guides: cat, Generated: now}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
