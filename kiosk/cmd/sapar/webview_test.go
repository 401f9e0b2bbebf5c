package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// buildWebview builds the webview binary once per test: tags "webview" is
// the shipped binary (no test hooks), "webview,webviewtest" the one tests
// drive with SAPAR_TEST_SCRIPT and SAPAR_READY_FILE (window_testhooks_webview.go).
func buildWebview(t *testing.T, dir, tags string) string {
	t.Helper()
	bin := filepath.Join(dir, "sapar-"+strings.ReplaceAll(tags, ",", "-"))
	build := exec.Command("go", "build", "-tags", tags, "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("webview build: %v\n%s", err, out)
	}
	return bin
}

func needWebviewEnv(t *testing.T, gate string) {
	t.Helper()
	if os.Getenv(gate) != "1" {
		t.Skipf("set %s=1 under xvfb-run to test the webview build (bash .ci/run does for the smoke test)", gate)
	}
	if os.Getenv("DISPLAY") == "" {
		t.Fatalf("%s=1 but no DISPLAY: run under xvfb-run", gate)
	}
}

// readyLines returns the lines the window has recorded so far.
func readyLines(path string) []string {
	b, _ := os.ReadFile(path)
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func grabScreen(t *testing.T, dir, name string) image.Image {
	t.Helper()
	shot := filepath.Join(dir, name+".png")
	if out, err := exec.Command("import", "-window", "root", shot).CombinedOutput(); err != nil {
		t.Fatalf("screenshot (imagemagick import): %v\n%s", err, out)
	}
	if art := os.Getenv("SAPAR_ARTIFACTS"); art != "" {
		os.MkdirAll(art, 0o755)
		if b, err := os.ReadFile(shot); err == nil {
			os.WriteFile(filepath.Join(art, "webview-"+name+".png"), b, 0o644)
		}
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestWebviewWindowShowsTheKiosk builds the webview binary with its test
// hooks (the shipped rendering settings), runs `sapar demo`
// on the X display the test runs under (CI: xvfb-run) with a tour script
// (testdata/webview-tour.js) that walks the main screens, screenshots each
// (none may be blank or black), then tries to leave for another origin by
// location.href and window.open: WebKit must refuse both (decide-policy in
// lockdown_webview.c) and the page must still be the kiosk. Set
// SAPAR_WEBVIEW_TEST=1 to run it (needs libwebkit2gtk-4.0-dev, a display
// and imagemagick).
func TestWebviewWindowShowsTheKiosk(t *testing.T) {
	needWebviewEnv(t, "SAPAR_WEBVIEW_TEST")
	dir := t.TempDir()
	bin := buildWebview(t, dir, "webview,webviewtest")
	ready := filepath.Join(dir, "ready")
	tour, _ := filepath.Abs("testdata/webview-tour.js")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var logs bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "demo", "--addr", "127.0.0.1:0", "--out", filepath.Join(dir, "slips"))
	cmd.Env = append(os.Environ(), "SAPAR_READY_FILE="+ready, "SAPAR_TEST_SCRIPT="+tour)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(75 * time.Second)
	shots := map[string]bool{}
	var done string
	for done == "" {
		for _, line := range readyLines(ready) {
			switch {
			case strings.HasPrefix(line, "shot "):
				name := strings.TrimPrefix(line, "shot ")
				if shots[name] {
					continue
				}
				shots[name] = true
				time.Sleep(300 * time.Millisecond) // the frame reaches the X server
				img := grabScreen(t, dir, name)
				if light, dark := tones(img); light < 0.1 || dark < 0.002 || (light < 0.3 && !strings.HasPrefix(name, "qr")) {
					t.Errorf("%s: screenshot looks blank: %.1f%% light pixels, %.2f%% dark (text) pixels", name, 100*light, 100*dark)
				}
			case strings.HasPrefix(line, "tour-"):
				done = line
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("webview demo exited during the tour: %v\n%s", err, logs.String())
		case <-deadline:
			t.Fatalf("the tour did not finish within 75 s; got %v\n%s", readyLines(ready), logs.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	lines := readyLines(ready)
	t.Logf("window reported: %q", lines)
	if !strings.HasPrefix(done, "tour-done http://127.0.0.1:") {
		t.Errorf("after the escape attempts the window is not on the kiosk: %q", done)
	}
	for _, want := range []string{"attract", "langs", "home-ky", "list-ky", "guide-ky", "qr-ky", "search-ky", "home-ur", "guide-ur"} {
		if !shots[want] {
			t.Errorf("no screenshot of %s", want)
		}
	}
	refused := strings.Join(lines, "\n")
	for _, want := range []string{"refused https://example.org/popup", "refused https://example.org/"} {
		if !strings.Contains(refused, want) {
			t.Errorf("the window did not report %q", want)
		}
	}
	if !strings.Contains(logs.String(), "navigation refused") {
		t.Errorf("no 'navigation refused' in the log:\n%s", logs.String())
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

// procTable reads every process's parent and process group from /proc.
func procTable() (parent, group map[int]int) {
	parent, group = map[int]int{}, map[int]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		st := string(b)
		i := strings.LastIndexByte(st, ')')
		if i < 0 {
			continue
		}
		if f := strings.Fields(st[i+2:]); len(f) > 2 {
			parent[p], _ = strconv.Atoi(f[1])
			group[p], _ = strconv.Atoi(f[2])
		}
	}
	return parent, group
}

// procPSS is one process's proportional set size in kB; ok is false when
// the process is gone.
func procPSS(pid int) (kb int, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0, false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, found := strings.CutPrefix(l, "Pss:"); found {
			kb, _ = strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb, true
		}
	}
	return 0, false
}

// pss sums the proportional set size (kB) of pid and all its descendants.
func pss(pid int) (kb int, procs int) {
	parent, _ := procTable()
	children := map[int][]int{}
	for p, pp := range parent {
		children[pp] = append(children[pp], p)
	}
	stack := []int{pid}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		stack = append(stack, children[p]...)
		if n, ok := procPSS(p); ok {
			kb += n
			procs++
		}
	}
	return kb, procs
}
