package web

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"sapar/drivers/receipt"
)

// What `sapar maintenance` reads on /metrics before a security update or a
// reboot: someone at the screen (a session, the maintenance screen, a tap
// within the idle timeout) is in use; the attract screen with nobody
// tapping is not.
func TestPresenceOnMetrics(t *testing.T) {
	srv, err := NewServer(Options{Store: versionStore(t, "a"), IdleTimeout: 400 * time.Millisecond,
		Print: func(context.Context, receipt.Document) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Serve(ctx, ln)
	base := "http://" + ln.Addr().String()
	post := func(path, body string) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("X-Sapar-Token", srv.Token())
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("POST %s %s: %s", path, body, resp.Status)
		}
	}
	metric := func() string {
		t.Helper()
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var lines []string
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "sapar_kiosk_in_use ") || strings.HasPrefix(l, "sapar_page_screen{") {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "; ")
	}
	steps := []struct {
		name string
		do   func()
		want string
	}{
		{"fresh kiosk, page not heard yet: idle", func() {}, `sapar_kiosk_in_use 0; sapar_page_screen{screen="unknown"} 1`},
		{"attract screen: idle", func() { post("/api/heartbeat", `{"screen":"attract"}`) }, `sapar_kiosk_in_use 0; sapar_page_screen{screen="attract"} 1`},
		{"a tap starts a session: in use before the next heartbeat", func() { post("/api/session", `{"event":"start"}`) }, `sapar_kiosk_in_use 1; sapar_page_screen{screen="attract"} 1`},
		{"the page says session: in use", func() { post("/api/heartbeat", `{"screen":"session"}`) }, `sapar_kiosk_in_use 1; sapar_page_screen{screen="session"} 1`},
		{"reading a guide without tapping, past the idle timeout: still in use", func() { time.Sleep(500 * time.Millisecond); post("/api/heartbeat", `{"screen":"session"}`) },
			`sapar_kiosk_in_use 1; sapar_page_screen{screen="session"} 1`},
		{"idle reset, back on the attract screen: idle", func() { post("/api/heartbeat", `{"screen":"attract"}`) }, `sapar_kiosk_in_use 0; sapar_page_screen{screen="attract"} 1`},
		{"technician on the maintenance screen: in use", func() { post("/api/heartbeat", `{"screen":"maintenance"}`) }, `sapar_kiosk_in_use 1; sapar_page_screen{screen="maintenance"} 1`},
		{"an older page's empty heartbeat: unknown, idle once nobody taps", func() { post("/api/heartbeat", "") }, `sapar_kiosk_in_use 0; sapar_page_screen{screen="unknown"} 1`},
		{"a made-up screen word: unknown", func() { post("/api/heartbeat", `{"screen":"<script>"}`) }, `sapar_kiosk_in_use 0; sapar_page_screen{screen="unknown"} 1`},
	}
	for _, st := range steps {
		st.do()
		if got := metric(); got != st.want {
			t.Fatalf("%s:\n got %s\nwant %s", st.name, got, st.want)
		}
	}
}
