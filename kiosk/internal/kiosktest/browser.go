package kiosktest

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Chromium finds Debian's Chromium (or $SAPAR_CHROMIUM). Without it the
// browser tests skip, unless SAPAR_REQUIRE_E2E=1 (CI) makes its absence a
// failure.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("SAPAR_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("SAPAR_REQUIRE_E2E") == "1" {
		t.Fatal("chromium not found and SAPAR_REQUIRE_E2E=1: install Debian's chromium (bash .ci/run does)")
	}
	t.Skip("chromium not installed: browser tests skipped (install it, or run bash .ci/run)")
	return ""
}

// Browser starts a fresh headless Chromium, 1080×1920 like the kiosk's
// portrait screen, that talks to nothing but loopback (no background
// networking, updates or sync), and returns its chromedp context, derived
// from parent and ended with the test.
func Browser(t testing.TB, parent context.Context) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)),
		chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1080, 1920),
	)
	actx, cancel := chromedp.NewExecAllocator(parent, opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	return ctx
}
