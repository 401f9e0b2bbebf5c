package main

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWebviewWindowShowsTheKiosk builds the webview binary, runs `sapar demo`
// on the X display the test runs under (CI: xvfb-run), waits until the page
// calls the bound saparReady(), and screenshots the screen: it must show the
// language picker, not a blank or black window. Set SAPAR_WEBVIEW_TEST=1 to
// run it (it needs libwebkit2gtk-4.0-dev, a display and imagemagick).
func TestWebviewWindowShowsTheKiosk(t *testing.T) {
	if os.Getenv("SAPAR_WEBVIEW_TEST") != "1" {
		t.Skip("set SAPAR_WEBVIEW_TEST=1 under xvfb-run to test the webview build (bash .ci/run does)")
	}
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("SAPAR_WEBVIEW_TEST=1 but no DISPLAY: run under xvfb-run")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "sapar-webview")
	build := exec.Command("go", "build", "-tags", "webview", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("webview build: %v\n%s", err, out)
	}
	ready := filepath.Join(dir, "ready")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var logs bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "demo", "--addr", "127.0.0.1:0", "--out", filepath.Join(dir, "slips"))
	cmd.Env = append(os.Environ(), "SAPAR_READY_FILE="+ready, "WEBKIT_DISABLE_COMPOSITING_MODE=1")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(45 * time.Second)
	for {
		if b, _ := os.ReadFile(ready); strings.HasPrefix(string(b), "start") {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("webview demo exited before the page was ready: %v\n%s", err, logs.String())
		case <-deadline:
			t.Fatalf("page never called saparReady within 45 s\n%s", logs.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
	time.Sleep(700 * time.Millisecond) // let the first frame reach the X server
	shot := filepath.Join(dir, "webview.png")
	if out, err := exec.Command("import", "-window", "root", shot).CombinedOutput(); err != nil {
		t.Fatalf("screenshot (imagemagick import): %v\n%s", err, out)
	}
	if art := os.Getenv("SAPAR_ARTIFACTS"); art != "" {
		os.MkdirAll(art, 0o755)
		if b, err := os.ReadFile(shot); err == nil {
			os.WriteFile(filepath.Join(art, "webview-start.png"), b, 0o644)
		}
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	light, dark := tones(img)
	if light < 0.5 || dark < 0.002 {
		t.Errorf("screenshot looks blank: %.1f%% light pixels, %.2f%% dark (text) pixels", 100*light, 100*dark)
	}
	// SIGTERM (what systemd sends) must close the window and end the process.
	cmd.Process.Signal(os.Interrupt)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Errorf("webview demo did not stop within 10 s of SIGINT\n%s", logs.String())
	}
}

// tones returns the share of light (background) and dark (text) pixels.
func tones(img image.Image) (light, dark float64) {
	b := img.Bounds()
	var nl, nd, n int
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			lum := (299*r + 587*g + 114*bl) / 1000 >> 8
			switch {
			case lum > 200:
				nl++
			case lum < 80:
				nd++
			}
			n++
		}
	}
	return float64(nl) / float64(n), float64(nd) / float64(n)
}
