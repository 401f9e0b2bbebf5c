package kiosk_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sapar/content/sample"
	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/kiosk"
	"sapar/kiosk/internal/kiosktest"
)

// browser starts a fresh headless Chromium that talks to nothing but
// loopback, for at most 90 s.
func browser(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return kiosktest.Browser(t, ctx)
}

func startDemo(t *testing.T, idle time.Duration) *kiosk.Demo {
	t.Helper()
	d, err := kiosk.StartDemo(context.Background(), kiosk.DemoOptions{
		Addr: "127.0.0.1:0", OutDir: t.TempDir(), IdleTimeout: idle, Content: sample.FS()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("SAPAR_ARTIFACTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

// A Kyrgyz reader picks Кыргызча, opens the work-visa guide, taps Print:
// the slip that reaches the printer (through the pty) carries the guide's
// Kyrgyz title letter for letter, and the UI confirms with the QR code.
func TestKyrgyzJourneyPrintsTheGuide(t *testing.T) {
	d := startDemo(t, 90*time.Second)
	ctx := browser(t)
	const guide = "work-visa-vs-tourist-visa"
	b := &page{t: t, ctx: ctx}
	b.do(chromedp.Navigate(d.URL), chromedp.WaitVisible(`body[data-ready="1"] #attract`), chromedp.Click(`#attract`),
		chromedp.WaitVisible(`button[data-lang="ky"]`))
	screenshot(t, ctx, "start")
	b.do(chromedp.Click(`button[data-lang="ky"]`), chromedp.WaitVisible(`button[data-stage="thinking"]`))
	screenshot(t, ctx, "home-ky")
	b.do(chromedp.Click(`button[data-stage="thinking"]`), chromedp.WaitVisible(`button[data-guide="`+guide+`"]`),
		chromedp.Click(`button[data-guide="`+guide+`"]`), chromedp.WaitVisible(`#print`))
	title := b.text(`article.guide h1`)
	screenshot(t, ctx, "guide-ky")
	b.do(chromedp.Click(`#print`), chromedp.WaitVisible(`#print-status[data-state]`))
	state := b.eval(`document.querySelector('#print-status').dataset.state`)
	msg := b.text(`#print-message`)
	qrs := b.eval(`String(document.querySelectorAll('#print-status .qr img').length)`)
	screenshot(t, ctx, "printed-ky")
	if state != "done" {
		t.Fatalf("print state %q, message %q", state, msg)
	}
	if !strings.Contains(msg, "принтерден") {
		t.Errorf("confirmation %q is not the Kyrgyz 'take your slip'", msg)
	}
	if qrs != "1" {
		t.Errorf("confirmation shows %s QR codes, want the guide's link as 1", qrs)
	}
	raw, err := os.ReadFile(filepath.Join(d.OutDir, "001.bin"))
	if err != nil {
		t.Fatalf("no slip bytes saved: %v", err)
	}
	if _, err := os.Stat(filepath.Join(d.OutDir, "001.png")); err != nil {
		t.Errorf("no slip picture saved: %v", err)
	}
	prof, _ := escpos.ProfileByName("TM-T20III")
	slip, err := emulator.Decode(raw, prof)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(slip.Text), " ")
	want := []string{title}
	var g struct{ Print []string }
	getJSON(t, d.URL+"api/guides/"+guide+"?lang=ky", &g)
	want = append(want, g.Print...)
	kyrgyzLetters := 0
	for _, w := range want {
		w = strings.Join(strings.Fields(w), " ")
		if !strings.Contains(flat, w) {
			t.Errorf("slip text does not carry %q letter for letter; slip:\n%s", w, slip.Text)
		}
		kyrgyzLetters += strings.Count(w, "ң") + strings.Count(w, "ө") + strings.Count(w, "ү")
	}
	if kyrgyzLetters == 0 {
		t.Errorf("the guide's title and steps have none of ң ө ү: pick a guide that tests them")
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// page runs chromedp steps and fails the test on the first error.
type page struct {
	t   *testing.T
	ctx context.Context
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatal(err)
	}
}

func (p *page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(sel))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (p *page) eval(js string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}
