package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The production session is cage (wlroots) with the webview build inside.
// These helpers run it the way a kiosk without a GPU does: wlroots headless
// backend, pixman software renderer, no input devices, as an unprivileged
// user (cage refuses root), and take screenshots with grim.

// cageUserName is the account the tests run cage as when they run as root
// (CI); it is created on first use.
const cageUserName = "sapar-cage-test"

// paintedThresholds: a painted attract screen measured 0.0 % black pixels and
// 50–52 edges per 1000 pixels (10 starts); the black screens 92–100 % black
// and 0–3 edges; background without text 15.6 % black and 2 edges.
const (
	maxBlack      = 0.10
	minEdgesPer1k = 15.0
)

// needCage skips (or, with SAPAR_WEBVIEW_TEST=1, fails) when the production
// session's parts are missing.
func needCage(t *testing.T) {
	t.Helper()
	var missing []string
	for _, tool := range []string{"cage", "grim", "Xwayland", "pkg-config"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		if err := exec.Command("pkg-config", "--exists", "webkit2gtk-4.0").Run(); err != nil {
			missing = append(missing, "libwebkit2gtk-4.0-dev")
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("the webview under cage needs %s (apt-get install cage xwayland grim libwebkit2gtk-4.0-dev)", strings.Join(missing, ", "))
	if os.Getenv("SAPAR_WEBVIEW_TEST") == "1" {
		t.Fatalf("SAPAR_WEBVIEW_TEST=1 but %s", msg)
	}
	t.Skipf("%s; SAPAR_WEBVIEW_TEST=1 makes this a failure", msg)
}

// cageCredential is nil when the test is not root (cage runs as the test's
// own user), else the credential of cageUserName, created if absent.
func cageCredential(t *testing.T) *syscall.Credential {
	t.Helper()
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup(cageUserName)
	if err != nil {
		out, err := exec.Command("useradd", "--system", "--user-group", "--no-create-home",
			"--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", cageUserName).CombinedOutput()
		if err != nil {
			t.Fatalf("cage refuses root and no user %s could be made: %v\n%s", cageUserName, err, out)
		}
		if u, err = user.Lookup(cageUserName); err != nil {
			t.Fatal(err)
		}
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
}

// cageDir is a fresh directory the cage user can read and write (t.TempDir's
// parent is root-only), removed at the end of the test.
func cageDir(t *testing.T, cred *syscall.Credential) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sapar-cage-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	for _, sub := range []string{"home", "xdg", "shots", "out"} {
		p := filepath.Join(dir, sub)
		os.Mkdir(p, 0o700)
		if cred != nil {
			os.Chown(p, int(cred.Uid), int(cred.Gid))
		}
	}
	return dir
}

type cageSession struct {
	dir  string
	cred *syscall.Credential
	cmd  *exec.Cmd
	logs *bytes.Buffer
	done chan error
}

// sessionEnv is the whole environment of the session: nothing of the test's
// (DISPLAY from xvfb-run, say) leaks in.
func sessionEnv(dir string, extra ...string) []string {
	return append([]string{
		"HOME=" + filepath.Join(dir, "home"),
		"PATH=" + os.Getenv("PATH"),
		"XDG_RUNTIME_DIR=" + filepath.Join(dir, "xdg"),
		"WLR_BACKENDS=headless", "WLR_RENDERER=pixman", "WLR_LIBINPUT_NO_DEVICES=1",
	}, extra...)
}

// startCage runs `cage -- app...` in its own process group.
func startCage(t *testing.T, dir string, cred *syscall.Credential, app ...string) *cageSession {
	t.Helper()
	s := &cageSession{dir: dir, cred: cred, logs: &bytes.Buffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command("cage", append([]string{"--"}, app...)...)
	s.cmd.Env = sessionEnv(dir)
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("cage: %v", err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	return s
}

// shot takes a grim screenshot of the session's output, keeps a copy under
// $SAPAR_ARTIFACTS and returns the decoded image.
func (s *cageSession) shot(t *testing.T, name string) image.Image {
	t.Helper()
	path := filepath.Join(s.dir, "shots", name+".png")
	g := exec.Command("grim", path)
	g.Env = sessionEnv(s.dir, "WAYLAND_DISPLAY=wayland-0")
	g.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	if out, err := g.CombinedOutput(); err != nil {
		t.Fatalf("grim: %v\n%s\ncage log:\n%s", err, out, s.logs.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if art := os.Getenv("SAPAR_ARTIFACTS"); art != "" {
		os.MkdirAll(art, 0o755)
		os.WriteFile(filepath.Join(art, "cage-"+name+".png"), b, 0o644)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// stop ends the session: SIGTERM to cage, then SIGKILL to its process group
// (Xwayland and the WebKit processes are in it), and removes the X sockets
// cage 0.1.4 leaves behind (it aborts on exit).
func (s *cageSession) stop() {
	pgid := s.cmd.Process.Pid
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
	syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
	uid := uint32(os.Getuid())
	if s.cred != nil {
		uid = s.cred.Uid
	}
	for _, pattern := range []string{"/tmp/.X11-unix/X*", "/tmp/.X*-lock"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			if fi, err := os.Lstat(f); err == nil {
				if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == uid {
					os.Remove(f)
				}
			}
		}
	}
}

// paintStats measures a screenshot: the share of black pixels (luminance
// < 16) and edges per 1000 pixels (a neighbour differs by more than 40 in
// luminance: text, outlines, pictograms).
func paintStats(img image.Image) (black, edgesPer1k float64) {
	b := img.Bounds()
	lum := func(x, y int) int {
		r, g, bl, _ := img.At(x, y).RGBA()
		return int((299*r + 587*g + 114*bl) / 1000 >> 8)
	}
	var nb, ne, n int
	for y := b.Min.Y; y < b.Max.Y-1; y++ {
		for x := b.Min.X; x < b.Max.X-1; x++ {
			l := lum(x, y)
			if l < 16 {
				nb++
			}
			if abs(l-lum(x+1, y)) > 40 || abs(l-lum(x, y+1)) > 40 {
				ne++
			}
			n++
		}
	}
	return float64(nb) / float64(n), 1000 * float64(ne) / float64(n)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// cageAttempts: the first screen under headless cage 0.1.4 (wlroots 0.15)
// is itself unreliable: with WebKit's compositing on about 10 of 22 starts
// painted here, Chromium painted in none of 8 (only its first small frame
// and the animated hand reach the output), with compositing off none of 23.
// So a start that stays black is retried: a setting that blanks every start
// fails; at ~45 % per start ten starts leave a ~0.3 % false failure (CI runs it alone). Each
// attempt is logged and its screenshot kept.
const cageAttempts = 10

// TestWebviewPaintsUnderCage runs the shipped webview build (no test hooks)
// as the production session runs it, `cage -- sapar demo`, and fails if
// the screenshot 15 s after start is not a painted page (the defect: with
// WebKit's compositing off the screen was 94 % black). Needs cage, xwayland
// and grim; skips without them unless SAPAR_WEBVIEW_TEST=1.
func TestWebviewPaintsUnderCage(t *testing.T) {
	needCage(t)
	cred := cageCredential(t)
	dir := cageDir(t, cred)
	bin := buildWebview(t, dir, "webview")
	if b, err := os.ReadFile(bin); err == nil && bytes.Contains(b, []byte("SAPAR_TEST_SCRIPT")) {
		t.Errorf("the shipped webview build contains the test hook SAPAR_TEST_SCRIPT")
	}
	var tried []string
	for i := 1; i <= cageAttempts; i++ {
		s := startCage(t, dir, cred, bin, "demo", "--addr", "127.0.0.1:0", "--out", filepath.Join(dir, "out"))
		time.Sleep(15 * time.Second)
		select {
		case err := <-s.done:
			t.Fatalf("cage exited before the screenshot: %v\n%s", err, s.logs.String())
		default:
		}
		img := s.shot(t, fmt.Sprintf("attract-%d", i))
		s.stop()
		black, edges := paintStats(img)
		t.Logf("start %d: %dx%d, %.1f%% black, %.1f edges/1000 (painted: ≤ %.0f%% black, ≥ %.0f edges)",
			i, img.Bounds().Dx(), img.Bounds().Dy(), 100*black, edges, 100*maxBlack, minEdgesPer1k)
		tried = append(tried, fmt.Sprintf("%.1f%% black/%.1f edges", 100*black, edges))
		if black <= maxBlack && edges >= minEdgesPer1k {
			if i > 1 {
				t.Logf("painted on start %d of %d: headless cage left %d start(s) black (see the report's open defect)", i, cageAttempts, i-1)
			}
			return
		}
		if i == cageAttempts {
			t.Errorf("the page is not painted under cage in %d starts (%s); screenshots in %s or $SAPAR_ARTIFACTS/cage-attract-N.png\nlast cage log:\n%s",
				cageAttempts, strings.Join(tried, ", "), filepath.Join(dir, "shots"), s.logs.String())
		}
	}
}
