package maint

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"sapar/content"
	"sapar/drivers/escpos"
	"sapar/drivers/receipt"
	"sapar/kiosk/slipprinter"
	"sapar/kiosk/usage"
	"sapar/provisioning/doctor"
	"sapar/provisioning/pin"
	"sapar/updates"
)

// Maintenance is the technician's screen on the running kiosk: what it
// needs from the kiosk, and its state (the one unlocked session, the update
// started from it, the page heartbeat). kiosk.Start fills it; tests may
// fill only some fields, and every nil field is shown as "not available".
// It never holds a PIN in clear: only the argon2id hash from the signed
// provisioning. Handler serves it.
type Maintenance struct {
	// Token is the kiosk's per-boot token (the UI server's), which every
	// call carries besides the session.
	Token string
	// Print prints a document on the kiosk's printer (the test slip).
	Print func(ctx context.Context, doc receipt.Document) error
	// Store is the content being served (its version, the report's titles).
	Store func() *content.Store
	// ContentStatus is the UI server's last content check ("" when it
	// answered) and the repairs made to the content since start (rebuilt
	// index, previous release); nil: none known.
	ContentStatus func() (lastErr string, repairs []string)
	Log           *slog.Logger
	Started       time.Time

	PINHash string
	Guard   *pin.Guard // wrong-PIN lockout, persisted in the state dir

	KioskID, KioskName, DeviceID, Place string
	StateDir                            string
	Languages                           []string // offered: the test slip prints a line in each
	Location                            *time.Location
	// MaintenanceWindow is the provisioned maintenance_window ("02:00-04:00",
	// on Location's clock): when security updates install (sapar maintenance).
	MaintenanceWindow string

	Printer PrinterControl
	// PrinterModel is the provisioned built-in profile (printer.profile):
	// the model a calibration starts from.
	PrinterModel string
	// PrintRaw sends ESC/POS bytes made elsewhere to the kiosk's printer
	// (the calibration slip): slipprinter.Printer.PrintBytes.
	PrintRaw func(ctx context.Context, job []byte) error
	// Identify asks the printer's maker and model (GS I); nil: not asked.
	Identify func(ctx context.Context) (escpos.Identity, error)
	// UseProfile switches the running printer to a profile just
	// calibrated (slipprinter.Printer.SetProfile); nil: the screen says to
	// restart the kiosk.
	UseProfile func(escpos.Profile)
	// TechLanguage is the screen's language before the technician picks
	// one (provisioning's technician.language; "": techtext.Default).
	TechLanguage string

	Usage  UsageRows
	Errors *ErrorRing
	// Update runs one update cycle now: from the mirrors, or from the
	// sticks mounted under the USB root (usb=true). It returns what happened
	// in a sentence for the technician.
	Update func(ctx context.Context, usb bool) (string, error)
	// Doctor runs the same checks as `sapar doctor`.
	Doctor func(ctx context.Context) doctor.Report
	// Restart ends the process; systemd (Restart=always) starts it again.
	Restart func()
	// SessionTTL ends an unlocked maintenance session after this much
	// idleness (default 5 min).
	SessionTTL time.Duration
	Now        func() time.Time

	heartbeat atomic.Int64 // unix nanos of the page's last POST /api/heartbeat

	mu       sync.Mutex
	session  string // the one unlocked session token; "" when locked
	lastUsed time.Time
	upd      updateRun
	reports  reportLinks // one-time keys for the report frame
	cal      *calRun     // the calibration slip printed last
	calBusy  bool        // a calibration slip is being printed
}

// PrinterControl is the technician's handle on the printer
// (*slipprinter.Printer).
type PrinterControl interface {
	// Status asks the printer now (DLE EOT) and says in words what it is doing.
	Status(ctx context.Context) slipprinter.State
	// Last is the state seen at the last job or query, without asking.
	Last() slipprinter.State
	// Profile is the printer model the slips are laid out for.
	Profile() escpos.Profile
}

// UsageRows is the part of *usage.Counter the usage report needs.
type UsageRows interface {
	Rows(ctx context.Context, from, to time.Time) ([]usage.Row, error)
	Flush(ctx context.Context) error
}

type updateRun struct {
	Running bool      `json:"running"`
	Source  string    `json:"source,omitempty"`
	Started time.Time `json:"started,omitzero"`
	Result  string    `json:"result,omitempty"`
	Error   string    `json:"error,omitempty"`
}

func (m *Maintenance) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Heartbeat records that the page is alive (POST /api/heartbeat).
func (m *Maintenance) Heartbeat(t time.Time) { m.heartbeat.Store(t.UnixNano()) }

// LastHeartbeat is when the page last said it was alive (zero: never).
func (m *Maintenance) LastHeartbeat() time.Time {
	n := m.heartbeat.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

func (m *Maintenance) ttl() time.Duration {
	if m.SessionTTL > 0 {
		return m.SessionTTL
	}
	return 5 * time.Minute
}

// openSession starts the one maintenance session (a new unlock ends the
// previous one) and returns its token.
func (m *Maintenance) openSession() string {
	var b [16]byte
	rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	m.mu.Lock()
	m.session, m.lastUsed = tok, m.now()
	m.mu.Unlock()
	return tok
}

// checkSession reports whether tok is the live session, and extends it.
func (m *Maintenance) checkSession(tok string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.session == "" || len(tok) != len(m.session) {
		return false
	}
	if !constantEq(tok, m.session) {
		return false
	}
	now := m.now()
	if now.Sub(m.lastUsed) > m.ttl() || now.Before(m.lastUsed.Add(-time.Minute)) {
		m.session = ""
		return false
	}
	m.lastUsed = now
	return true
}

func (m *Maintenance) closeSession() {
	m.mu.Lock()
	m.session = ""
	m.mu.Unlock()
}

func constantEq(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// startUpdate runs Update in the background; the page polls its progress.
func (m *Maintenance) startUpdate(ctx context.Context, usb bool) bool {
	m.mu.Lock()
	if m.upd.Running || m.Update == nil {
		m.mu.Unlock()
		return false
	}
	src := "network"
	if usb {
		src = "usb"
	}
	m.upd = updateRun{Running: true, Source: src, Started: m.now()}
	m.mu.Unlock()
	go func() {
		res, err := m.Update(context.WithoutCancel(ctx), usb)
		m.mu.Lock()
		defer m.mu.Unlock()
		m.upd.Running, m.upd.Result, m.upd.Error = false, res, ""
		if err != nil {
			m.upd.Error = err.Error()
		}
	}()
	return true
}

func (m *Maintenance) updateProgress() updateRun {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.upd
}

// updateStatus reads what the updater recorded in the state dir.
func (m *Maintenance) updateStatus() (updates.Status, error) {
	if m.StateDir == "" {
		return updates.Status{}, nil
	}
	return updates.ReadStatus(m.StateDir)
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
