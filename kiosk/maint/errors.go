package maint

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// ErrorRing keeps the last warnings and errors the kiosk logged, in memory
// only, for the maintenance screen ("recent errors") and /metrics. The
// kiosk never logs what a person typed, and the ring keeps only the
// message and short attribute values, so nothing personal lands here.
type ErrorRing struct {
	mu    sync.Mutex
	buf   []LogEntry
	next  int
	full  bool
	total int64
}

// LogEntry is one remembered record.
type LogEntry struct {
	Time  time.Time `json:"time"`
	Level string    `json:"level"`
	Msg   string    `json:"msg"`
	Attrs string    `json:"attrs,omitempty"`
}

// NewErrorRing remembers the last n warnings and errors.
func NewErrorRing(n int) *ErrorRing {
	if n <= 0 {
		n = 50
	}
	return &ErrorRing{buf: make([]LogEntry, n)}
}

func (r *ErrorRing) add(e LogEntry) {
	r.mu.Lock()
	r.buf[r.next] = e
	r.next = (r.next + 1) % len(r.buf)
	if r.next == 0 {
		r.full = true
	}
	r.total++
	r.mu.Unlock()
}

// Entries returns the remembered records, newest first.
func (r *ErrorRing) Entries() []LogEntry {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.next
	if r.full {
		n = len(r.buf)
	}
	out := make([]LogEntry, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, r.buf[(r.next-i+len(r.buf))%len(r.buf)])
	}
	return out
}

// Total counts every warning and error since start (for /metrics).
func (r *ErrorRing) Total() int64 {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}

// Handler wraps next so that records at Warn and above are also kept.
func (r *ErrorRing) Handler(next slog.Handler) slog.Handler {
	return &ringHandler{ring: r, next: next}
}

type ringHandler struct {
	ring  *ErrorRing
	next  slog.Handler
	attrs []slog.Attr
	group string
}

func (h *ringHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn || h.next.Enabled(ctx, l)
}

func (h *ringHandler) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Level >= slog.LevelWarn {
		var b strings.Builder
		add := func(a slog.Attr) bool {
			if b.Len() > 300 {
				return false
			}
			v := a.Value.Resolve().String()
			if len(v) > 160 {
				v = v[:160] + "…"
			}
			fmt.Fprintf(&b, "%s=%q ", a.Key, v)
			return true
		}
		for _, a := range h.attrs {
			add(a)
		}
		rec.Attrs(add)
		msg := rec.Message
		if h.group != "" {
			msg = h.group + ": " + msg
		}
		h.ring.add(LogEntry{Time: rec.Time, Level: rec.Level.String(), Msg: msg, Attrs: strings.TrimSpace(b.String())})
	}
	if h.next.Enabled(ctx, rec.Level) {
		return h.next.Handle(ctx, rec)
	}
	return nil
}

func (h *ringHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &ringHandler{ring: h.ring, next: h.next.WithAttrs(as), attrs: append(append([]slog.Attr(nil), h.attrs...), as...), group: h.group}
}

func (h *ringHandler) WithGroup(name string) slog.Handler {
	g := name
	if h.group != "" {
		g = h.group + "." + name
	}
	return &ringHandler{ring: h.ring, next: h.next.WithGroup(name), attrs: h.attrs, group: g}
}
