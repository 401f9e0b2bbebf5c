package kiosk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sapar/content/sample/sampletest"
	"sapar/drivers/receipt"
	"sapar/kiosk/internal/kiosktest"
	"sapar/kiosk/printqueue"
	"sapar/kiosk/web"
	"sapar/kiosk/web/ui"
)

// serveQueue runs a UI server on the sample content with the print queue
// at path until the returned stop is called.
func serveQueue(t *testing.T, path string, print printqueue.PrintFunc) (*web.Server, string, func()) {
	t.Helper()
	srv, err := web.NewServer(web.Options{Store: sampletest.Store(t, "e2e"), Print: print, QueueDB: path, Log: kiosktest.QuietLog(), Espeak: "-"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return srv, "http://" + ln.Addr().String() + "/", stop
}

// The kiosk restarts while an Urdu reader's slip is printing (crash, power
// cut, watchdog): nothing prints on its own, but the page that comes up
// with the restarted kiosk is back in Urdu and says what happened, with
// the QR code and a "print again" button that prints the slip once.
func TestRestartMidPrintOffersTheSlipAgainOnScreen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.db")
	printing := make(chan struct{})
	srv1, base1, stop1 := serveQueue(t, path, func(ctx context.Context, doc receipt.Document) error {
		close(printing)
		<-ctx.Done() // mid-slip when the kiosk stops
		return ctx.Err()
	})
	body, _ := json.Marshal(map[string]string{"topic": "foreigners-working-in-kyrgyzstan", "lang": "ur"})
	req, _ := http.NewRequest("POST", base1+"api/print", bytes.NewReader(body))
	req.Header.Set("X-Sapar-Token", srv1.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("print: %v %v", resp, err)
	}
	resp.Body.Close()
	select {
	case <-printing:
	case <-time.After(20 * time.Second):
		t.Fatal("the slip never started printing")
	}
	stop1()

	var printed atomic.Int32
	_, base2, _ := serveQueue(t, path, func(context.Context, receipt.Document) error { printed.Add(1); return nil })
	if printed.Load() != 0 {
		t.Fatal("the interrupted slip printed again on its own")
	}
	tr, err := ui.Strings()
	if err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	b := &page{t: t, ctx: ctx}
	b.do(chromedp.Navigate(base2), chromedp.WaitVisible(`body[data-ready="1"] #print-status[data-reason="interrupted"]`))
	if got, want := b.text(`#print-message`), tr["ur"]["printInterrupted"]; got != want {
		t.Errorf("the offer says %q, want %q", got, want)
	}
	if dir := b.eval(`document.documentElement.dir`); dir != "rtl" {
		t.Errorf("the offer is not laid out right to left (dir %q)", dir)
	}
	if n := b.eval(`String(document.querySelectorAll('#print-status .qr img').length)`); n != "1" {
		t.Errorf("%s QR codes offered, want 1", n)
	}
	screenshot(t, ctx, "reprint-offer-ur")
	if printed.Load() != 0 {
		t.Fatal("the slip printed before the reader asked")
	}
	b.do(chromedp.Click(`#print-again`), chromedp.WaitVisible(`#print-status[data-state="done"]`))
	if n := printed.Load(); n != 1 {
		t.Fatalf("%d slips printed after one tap on print again", n)
	}
}
