package maint

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sapar/content"
	"sapar/content/sample/sampletest"
	"sapar/drivers/receipt"
	"sapar/kiosk/internal/kiosktest"
	"sapar/kiosk/web"
	"sapar/kiosk/web/httpx"
	"sapar/kiosk/web/ui"
	"sapar/provisioning/pin"
)

const examplePIN = "482916" // provisioning/example.yaml's demo PIN

// exampleHash is provisioning/example.yaml's hash of examplePIN.
const exampleHash = "$argon2id$v=19$m=65536,t=3,p=2$dTf4l/jkpOlG5g/DsiSguA$GlEk/l4UWDUctmTMPatz0NHtfXnbaWLDDp1Ps9mkgzk"

func TestMaintenancePINLockoutOverHTTP(t *testing.T) {
	st := sampletest.Store(t, "t")
	dir := t.TempDir()
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	var logs bytes.Buffer
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) { logMu.Lock(); defer logMu.Unlock(); return logs.Write(p) }), nil))
	lockFile := filepath.Join(dir, "pin-lockout.json")
	m := &Maintenance{PINHash: exampleHash, Guard: pin.NewGuard(lockFile, pin.DefaultPolicy), KioskID: "t-01", Now: clock, Errors: NewErrorRing(10)}
	ts := httptest.NewServer(mount(t, st, m, web.Options{Log: log, Now: clock}))
	defer ts.Close()
	c := &kiosktest.Client{T: t, Base: ts.URL}
	tok := c.BootToken("/maintenance")
	unlock := func(p string) (int, map[string]any) {
		code, b := c.Do("POST", "/api/maintenance/unlock", map[string]string{"X-Sapar-Token": tok}, map[string]string{"pin": p})
		var out map[string]any
		json.Unmarshal(b, &out)
		return code, out
	}

	cases := []struct {
		name string
		pin  string
		want int
	}{
		{"no token, no check", "", 0},
		{"wrong PIN 1", "111222", http.StatusForbidden},
		{"wrong PIN 2", "000001", http.StatusForbidden},
		{"wrong PIN 3", "482917", http.StatusForbidden},
		{"wrong PIN 4", "999", http.StatusForbidden},
		{"fifth wrong PIN locks", "123987", http.StatusTooManyRequests},
		{"right PIN while locked is refused unchecked", examplePIN, http.StatusTooManyRequests},
	}
	for _, tc := range cases {
		if tc.want == 0 {
			code, _ := c.Do("POST", "/api/maintenance/unlock", nil, map[string]string{"pin": examplePIN})
			if code != http.StatusForbidden {
				t.Fatalf("%s: %d", tc.name, code)
			}
			continue
		}
		code, body := unlock(tc.pin)
		if code != tc.want {
			t.Fatalf("%s: got %d %v, want %d", tc.name, code, body, tc.want)
		}
	}
	// Maintenance API stays closed without a session.
	if code, _ := c.Do("GET", "/api/maintenance/status", map[string]string{"X-Sapar-Token": tok}, nil); code != http.StatusUnauthorized {
		t.Fatalf("status without session: %d", code)
	}
	// A restart does not reset the count: the lock is in the state file.
	m2 := &Maintenance{PINHash: exampleHash, Guard: pin.NewGuard(lockFile, pin.DefaultPolicy)}
	if ok, _, err := m2.Guard.Check(exampleHash, examplePIN, clock()); ok || err == nil {
		t.Fatalf("a fresh guard on the same file let the right PIN in while locked: ok=%v err=%v", ok, err)
	}
	// After the lock (5 minutes) the right PIN opens a session.
	advance(5*time.Minute + time.Second)
	code, body := unlock(examplePIN)
	if code != http.StatusOK || body["session"] == "" {
		t.Fatalf("right PIN after the lock: %d %v", code, body)
	}
	auth := map[string]string{"X-Sapar-Token": tok, "X-Sapar-Maint": body["session"].(string)}
	if code, b := c.Do("GET", "/api/maintenance/status", auth, nil); code != http.StatusOK || !strings.Contains(string(b), `"id":"t-01"`) {
		t.Fatalf("status with session: %d %s", code, b)
	}
	// The session ends after 5 idle minutes.
	advance(6 * time.Minute)
	if code, _ := c.Do("GET", "/api/maintenance/status", auth, nil); code != http.StatusUnauthorized {
		t.Fatalf("idle session still open: %d", code)
	}
	logMu.Lock()
	defer logMu.Unlock()
	for _, p := range []string{examplePIN, "111222", "482917", "123987"} {
		if strings.Contains(logs.String(), p) {
			t.Errorf("a PIN (%s) reached the log:\n%s", p, logs.String())
		}
	}
	raw, _ := os.ReadFile(lockFile)
	if bytes.Contains(raw, []byte(examplePIN)) {
		t.Error("PIN in the lockout file")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// mount serves m inside a UI server, as the running kiosk does: the same
// token, the same routes.
func mount(t testing.TB, st *content.Store, m *Maintenance, o web.Options) http.Handler {
	t.Helper()
	tok, err := httpx.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	assets, err := ui.Load()
	if err != nil {
		t.Fatal(err)
	}
	m.Token = tok
	if m.Log == nil {
		m.Log = o.Log
	}
	o.Store, o.Token, o.Assets = st, tok, assets
	if o.Print == nil {
		o.Print = func(context.Context, receipt.Document) error { return nil }
	}
	m.Print = o.Print
	o.Maintenance, o.Heartbeat = m.Handler(assets), m.Heartbeat
	srv, err := web.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	m.Store = srv.Store
	return srv.Handler()
}
