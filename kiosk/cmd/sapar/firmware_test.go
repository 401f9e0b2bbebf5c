package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// debFor builds a sapar package with the real dpkg-deb (control.tar.xz, as
// systemd/package.sh makes it).
func debFor(t *testing.T, version, arch string) string {
	t.Helper()
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb not installed")
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "DEBIAN"), 0o755)
	os.MkdirAll(filepath.Join(root, "usr/share/doc/sapar"), 0o755)
	os.WriteFile(filepath.Join(root, "usr/share/doc/sapar/VERSION"), []byte(version), 0o644)
	ctl := fmt.Sprintf("Package: sapar\nVersion: %s\nArchitecture: %s\nMaintainer: MRC <it@mrc.example.org>\nDescription: Sapar kiosk\n", version, arch)
	os.WriteFile(filepath.Join(root, "DEBIAN/control"), []byte(ctl), 0o644)
	out := filepath.Join(t.TempDir(), fmt.Sprintf("sapar_%s_%s.deb", version, arch))
	if b, err := exec.Command("dpkg-deb", "--root-owner-group", "-Zxz", "--build", root, out).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb: %v %s", err, b)
	}
	return out
}

// TestPublishFirmwareCommand runs `sapar publish firmware|rollout|status`
// as the MRC does, with the exit statuses of main.go.
func TestPublishFirmwareCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	repo, keys := filepath.Join(dir, "repo"), filepath.Join(dir, "keys")
	rk := []string{"--repo", repo, "--keys", keys}
	if code, _, errs := runSapar(t, ctx, append([]string{"publish", "init"}, rk...)...); code != 0 {
		t.Fatalf("init: %d %s", code, errs)
	}
	v2 := debFor(t, "2.0-1", "arm64")
	code, out, errs := runSapar(t, ctx, append([]string{"publish", "firmware", v2, "--rollout", "10"}, rk...)...)
	if code != 0 || !strings.Contains(out, "arm64 2.0-1") {
		t.Fatalf("firmware: %d %s %s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(repo, "targets", "firmware", "arm64")); err != nil {
		t.Fatal(err)
	}
	notDeb := filepath.Join(dir, "sapar_3.0_arm64.deb")
	os.WriteFile(notDeb, []byte("<html>not a package</html>"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"not a .deb refused", []string{"publish", "firmware", notDeb}, 1, "not a Debian package"},
		{"same version refused", []string{"publish", "firmware", v2}, 1, "lower or equal"},
		{"no file is a usage error", []string{"publish", "firmware"}, 2, "expected 1 argument"},
		{"rollout over 100 is a usage error", []string{"publish", "firmware", v2, "--rollout", "120"}, 2, "0 (paused) to 100"},
		{"rollout of an unpublished arch", []string{"publish", "rollout", "firmware", "armhf", "50"}, 1, "no firmware is published for armhf"},
		{"rollout without percentage", []string{"publish", "rollout", "firmware", "arm64"}, 2, "firmware ARCH PERCENT"},
		{"rollout percentage not a number", []string{"publish", "rollout", "content", "ten"}, 2, "not a percentage"},
	} {
		code, _, errs := runSapar(t, ctx, append(c.args, rk...)...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", c.name, code, errs, c.code, c.want)
		}
	}
	if code, _, errs := runSapar(t, ctx, append([]string{"publish", "rollout", "firmware", "arm64", "50"}, rk...)...); code != 0 {
		t.Fatalf("rollout: %d %s", code, errs)
	}
	code, out, _ = runSapar(t, ctx, append([]string{"publish", "status"}, rk...)...)
	if code != 0 || !strings.Contains(out, "firmware  arm64   2.0-1") || !strings.Contains(out, "50%") {
		t.Fatalf("status: %d\n%s", code, out)
	}
	t.Logf("\n%s", out)
}

func TestFirmwareInstallCommandNothingStaged(t *testing.T) {
	state := t.TempDir()
	code, out, errs := runSapar(t, context.Background(), "firmware", "install", "--state", state, "--keep", t.TempDir())
	if code != 0 || !strings.Contains(out, "nothing to do") {
		t.Fatalf("%d %s %s", code, out, errs)
	}
	if code, _, _ := runSapar(t, context.Background(), "firmware", "install"); code != 2 {
		t.Fatalf("no --state: exit %d", code)
	}
	code, out, _ = runSapar(t, context.Background(), "firmware", "status", "--state", state)
	if code != 0 || !strings.Contains(out, `"arch"`) {
		t.Fatalf("status: %d %s", code, out)
	}
}

// TestKioskURL: the installer's health check looks where sapar.service's
// sapar run listens (SAPAR_ARGS of /etc/default/sapar).
func TestKioskURL(t *testing.T) {
	for _, c := range []struct{ name, url, args, want string }{
		{"shipped defaults", "", "", "http://127.0.0.1:8080/"},
		{"--addr with a space", "", "--heartbeat 60s --addr 127.0.0.1:9000", "http://127.0.0.1:9000/"},
		{"-addr=", "", "-addr=127.0.0.1:9001", "http://127.0.0.1:9001/"},
		{"--addr= last one wins", "", "--addr=127.0.0.1:1 --addr=127.0.0.1:2", "http://127.0.0.1:2/"},
		{"--url wins", "http://127.0.0.1:7/", "--addr 127.0.0.1:9000", "http://127.0.0.1:7/"},
	} {
		if got := kioskURL(c.url, c.args); got != c.want {
			t.Errorf("%s: %q", c.name, got)
		}
	}
}

// TestFirmwareAdoptCommand: adopt refuses a package that is not the
// installed one (here no sapar is installed at all, or it is another
// version), with exit status 1 and what to do.
func TestFirmwareAdoptCommand(t *testing.T) {
	deb := debFor(t, "9.9.9-test", "amd64")
	code, _, errs := runSapar(t, context.Background(), "firmware", "adopt", "--keep", t.TempDir(), deb)
	if code != 1 || !strings.Contains(errs, "sapar firmware adopt:") {
		t.Fatalf("code %d: %s", code, errs)
	}
	if code, _, _ := runSapar(t, context.Background(), "firmware", "adopt"); code != 2 {
		t.Fatalf("no FILE: code %d, want 2", code)
	}
}
