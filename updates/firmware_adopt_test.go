package updates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdoptFirmware: the package a kiosk was installed from becomes what
// the first over-the-air install rolls back to, only if it is that package.
func TestAdoptFirmware(t *testing.T) {
	pkgDir := t.TempDir()
	deb := buildDeb(t, pkgDir, "sapar_1.0_amd64.deb", controlFor("1.0", "amd64"), "build 1.0")
	installed := func(t *testing.T, payload string) string {
		root := t.TempDir()
		os.MkdirAll(filepath.Join(root, "usr/share/sapar"), 0o755)
		if payload != "" {
			os.WriteFile(filepath.Join(root, "usr/share/sapar/payload"), []byte(payload), 0o644)
		}
		return root
	}
	for _, c := range []struct {
		name      string
		version   string
		arch      string
		payload   string
		file      string
		wantError string
	}{
		{"the installed package is kept", "1.0", "amd64", "build 1.0", deb, ""},
		{"another version refused", "0.9", "amd64", "build 1.0", deb, "not its package"},
		{"another architecture refused", "1.0", "arm64", "build 1.0", deb, "not its package"},
		{"same version, other build refused", "1.0", "amd64", "build 1.0 (rebuilt)", deb, "differs"},
		{"file missing on the system refused", "1.0", "amd64", "", deb, "not installed"},
		{"not a .deb refused", "1.0", "amd64", "build 1.0", writeFile(t, pkgDir, "x.deb", "<html>"), "not a Debian package"},
	} {
		t.Run(c.name, func(t *testing.T) {
			keep := filepath.Join(t.TempDir(), "sapar-firmware")
			n, err := AdoptFirmware(c.file, AdoptOptions{KeepDir: keep, Arch: c.arch, Installed: c.version, Root: installed(t, c.payload)})
			kept, kerr := KeptPackage(keep, c.version, c.arch)
			if c.wantError == "" {
				if err != nil || n != 1 || !kept || kerr != nil {
					t.Fatalf("n %d, err %v; kept %v (%v)", n, err, kept, kerr)
				}
				if fi, err := os.Stat(keep); err != nil || fi.Mode().Perm() != 0o700 {
					t.Fatalf("keep dir %v %v", fi, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantError) {
				t.Fatalf("err %v, want %q", err, c.wantError)
			}
			if kept {
				t.Fatal("kept a package that is not the installed one")
			}
		})
	}
}

func writeFile(t *testing.T, dir, name, body string) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
