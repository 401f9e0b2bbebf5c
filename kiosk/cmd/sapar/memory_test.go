package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestMemoryWebviewVsChromium measures the whole kiosk stack's memory (PSS,
// sapar plus every browser process) under Xvfb: the webview build with
// WebKit's default settings and with WEBKIT_DISABLE_COMPOSITING_MODE=1, and
// Chromium --kiosk showing the same UI from `sapar demo --no-window`; then
// the growth after 1,000 scripted navigations (app.js #soak=1000). Figures
// are logged, not judged (timing and memory never decide a unit test).
//
//	SAPAR_MEMORY_TEST=1 xvfb-run -a -s "-screen 0 1080x1920x24" go test -run Memory -v ./kiosk/cmd/sapar/
func TestMemoryWebviewVsChromium(t *testing.T) {
	needWebviewEnv(t, "SAPAR_MEMORY_TEST")
	dir := t.TempDir()
	bin := buildWebview(t, dir)
	soak, _ := filepath.Abs("testdata/memory-soak.js")
	type row struct {
		name                string
		settled, warm, soak int
		procs               int
	}
	var rows []row
	for _, mode := range []struct{ name, env string }{
		{"webview, WebKit's default rendering", "SAPAR_WEBKIT_COMPOSITING=1"},
		{"webview, WEBKIT_DISABLE_COMPOSITING_MODE=1", "SAPAR_WEBKIT_COMPOSITING=1 WEBKIT_DISABLE_COMPOSITING_MODE=1"},
		{"webview, sapar's default (software, small caches)", ""},
	} {
		ready := filepath.Join(dir, fmt.Sprintf("ready-%d", len(rows)))
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		cmd := exec.CommandContext(ctx, bin, "demo", "--addr", "127.0.0.1:0", "--out", filepath.Join(dir, "slips"))
		cmd.Env = append(os.Environ(), "SAPAR_READY_FILE="+ready, "SAPAR_TEST_SCRIPT="+soak)
		cmd.Env = append(cmd.Env, strings.Fields(mode.env)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitLine(t, ready, "settled", 60*time.Second)
		time.Sleep(4 * time.Second)
		settled, procs := pss(cmd.Process.Pid)
		waitLine(t, ready, "soak-warm", 60*time.Second)
		time.Sleep(4 * time.Second)
		warm, _ := pss(cmd.Process.Pid)
		waitLine(t, ready, "soak-done", 150*time.Second)
		time.Sleep(4 * time.Second)
		after, _ := pss(cmd.Process.Pid)
		rows = append(rows, row{mode.name, settled, warm, after, procs})
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		cancel()
	}

	// Chromium --kiosk on the same UI, served by the same binary.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// The server for Chromium is the pure-Go build (no WebKit linked in),
	// as a Chromium kiosk would run it.
	plain := filepath.Join(dir, "sapar-plain")
	if out, err := exec.Command("go", "build", "-o", plain, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	srv := exec.CommandContext(ctx, plain, "demo", "--no-window", "--addr", "127.0.0.1:0", "--out", filepath.Join(dir, "slips"))
	out, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Signal(os.Interrupt); srv.Wait() }()
	url := ""
	sc := bufio.NewScanner(out)
	for sc.Scan() && url == "" {
		url = regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(sc.Text())
	}
	go func() {
		for sc.Scan() {
		}
	}()
	chromium := "/usr/bin/chromium"
	if _, err := exec.LookPath(chromium); err != nil {
		t.Skip("no chromium for the comparison")
	}
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("kiosk", true), chromedp.UserDataDir(filepath.Join(dir, "chromium")),
		chromedp.WindowSize(1080, 1920),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true))
	defer acancel()
	cctx, ccancel := chromedp.NewContext(actx)
	defer ccancel()
	if err := chromedp.Do(cctx, chromedp.Navigate(url), chromedp.WaitVisible(`body[data-ready="1"] #attract`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	browserPid := chromedp.FromContext(cctx).Browser.Process().Pid
	c1, cprocs := pss(browserPid)
	s1, _ := pss(srv.Process.Pid)
	if err := chromedp.Do(cctx, chromedp.Navigate(url+"?soak#soak=1000,100"), chromedp.WaitVisible(`body[data-soak="warm"]`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	cw, _ := pss(browserPid)
	sw, _ := pss(srv.Process.Pid)
	if err := chromedp.Do(cctx, chromedp.WaitVisible(`body[data-soak]:not([data-soak="warm"])`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	c2, _ := pss(browserPid)
	s2, _ := pss(srv.Process.Pid)
	rows = append(rows, row{"Chromium --kiosk (+ sapar demo --no-window)", c1 + s1, cw + sw, c2 + s2, cprocs + 1})

	t.Logf("%-50s %8s %9s %9s %12s %12s %5s", "stack (PSS, MB)", "settled", "+100 nav", "+1100", "growth cold", "growth warm", "procs")
	for _, r := range rows {
		t.Logf("%-50s %8.1f %9.1f %9.1f %11.1f%% %11.1f%% %5d", r.name, mb(r.settled), mb(r.warm), mb(r.soak),
			100*float64(r.soak-r.settled)/float64(r.settled), 100*float64(r.soak-r.warm)/float64(r.warm), r.procs)
	}
	chrome := rows[len(rows)-1].settled
	for _, r := range rows[:len(rows)-1] {
		t.Logf("%s / Chromium = %.0f%%", r.name, 100*float64(r.settled)/float64(chrome))
	}
}

func mb(kb int) float64 { return float64(kb) / 1024 }

func waitLine(t *testing.T, path, prefix string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		for _, l := range readyLines(path) {
			if strings.HasPrefix(l, prefix) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("window never reported %q within %v: %q", prefix, limit, readyLines(path))
}
