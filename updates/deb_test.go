package updates

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildDeb writes a minimal .deb (ar: debian-binary, control.tar.gz,
// data.tar.gz) with the given control file; payload makes packages differ.
func buildDeb(t testing.TB, dir, name, control, payload string) string {
	t.Helper()
	var ctl bytes.Buffer
	zw := gzip.NewWriter(&ctl)
	tw := tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Name: "./control", Mode: 0o644, Size: int64(len(control)), Typeflag: tar.TypeReg})
	tw.Write([]byte(control))
	tw.Close()
	zw.Close()
	var data bytes.Buffer
	zw = gzip.NewWriter(&data)
	tw = tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Name: "./usr/share/sapar/payload", Mode: 0o644, Size: int64(len(payload)), Typeflag: tar.TypeReg})
	tw.Write([]byte(payload))
	tw.Close()
	zw.Close()
	var ar bytes.Buffer
	ar.WriteString("!<arch>\n")
	member := func(n string, b []byte) {
		fmt.Fprintf(&ar, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", n, 0, 0, 0, "100644", len(b))
		ar.Write(b)
		if len(b)%2 == 1 {
			ar.WriteByte('\n')
		}
	}
	member("debian-binary", []byte("2.0\n"))
	member("control.tar.gz", ctl.Bytes())
	member("data.tar.gz", data.Bytes())
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, ar.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func controlFor(version, arch string) string {
	return fmt.Sprintf("Package: sapar\nVersion: %s\nArchitecture: %s\nMaintainer: MRC <it@mrc.example.org>\nDescription: Sapar kiosk\n multi-line\n", version, arch)
}

func TestReadDebInfo(t *testing.T) {
	dir := t.TempDir()
	p := buildDeb(t, dir, "ok.deb", controlFor("1.2.3-1", "arm64"), "x")
	got, err := ReadDebInfo(p)
	if err != nil {
		t.Fatal(err)
	}
	if got != (DebInfo{Package: "sapar", Version: "1.2.3-1", Architecture: "arm64"}) {
		t.Fatalf("got %+v", got)
	}
}

// TestReadDebInfoDpkgDeb reads a package built by the real dpkg-deb with
// control.tar.xz (what systemd/package.sh makes) and with gzip and none.
func TestReadDebInfoDpkgDeb(t *testing.T) {
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb not installed")
	}
	for _, z := range []string{"xz", "gzip", "none"} {
		root := t.TempDir()
		os.MkdirAll(filepath.Join(root, "DEBIAN"), 0o755)
		os.MkdirAll(filepath.Join(root, "usr/share/doc/sapar"), 0o755)
		os.WriteFile(filepath.Join(root, "usr/share/doc/sapar/README"), []byte("hi"), 0o644)
		os.WriteFile(filepath.Join(root, "DEBIAN/control"), []byte(controlFor("2:1.0~rc1-3", "armhf")), 0o644)
		out := filepath.Join(t.TempDir(), "p.deb")
		if b, err := exec.Command("dpkg-deb", "--root-owner-group", "-Z"+z, "--build", root, out).CombinedOutput(); err != nil {
			t.Fatalf("dpkg-deb -Z%s: %v %s", z, err, b)
		}
		got, err := ReadDebInfo(out)
		if err != nil {
			t.Fatalf("-Z%s: %v", z, err)
		}
		if got.Version != "2:1.0~rc1-3" || got.Architecture != "armhf" || got.Package != "sapar" {
			t.Fatalf("-Z%s: got %+v", z, got)
		}
	}
}

func TestReadDebInfoRefusesNonDeb(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]byte{
		"text file":          []byte("hello, this is not a package\n"),
		"empty":              {},
		"ar without control": []byte("!<arch>\ndebian-binary   0           0     0     100644  4         `\n2.0\n"),
		"wrong deb version":  []byte("!<arch>\ndebian-binary   0           0     0     100644  4         `\n9.0\n"),
		"truncated header":   []byte("!<arch>\ndebian-bin"),
	}
	for name, b := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".deb")
		os.WriteFile(p, b, 0o644)
		if _, err := ReadDebInfo(p); !errors.Is(err, ErrNotDeb) {
			t.Errorf("%s: err = %v, want ErrNotDeb", name, err)
		}
	}
	for name, ctl := range map[string]string{
		"no version":      "Package: sapar\nArchitecture: arm64\n",
		"no architecture": "Package: sapar\nVersion: 1.0\n",
		"bad version":     "Package: sapar\nVersion: x.y\nArchitecture: arm64\n",
	} {
		p := buildDeb(t, dir, "c.deb", ctl, "")
		if _, err := ReadDebInfo(p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestCohortSpread: 1,000 simulated identities, a 10% rollout picks
// 100 ± 3σ (σ = √(1000·0.1·0.9) ≈ 9.5), every bucket is in 0–99, and the
// bucket is stable for a key.
func TestCohortSpread(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 2026))
	seed := make([]byte, ed25519.SeedSize)
	n, in10, in50 := 1000, 0, 0
	hist := make([]int, 100)
	for i := 0; i < n; i++ {
		for j := range seed {
			seed[j] = byte(rng.Uint32())
		}
		pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
		c, err := CohortFor(pub, "")
		if err != nil {
			t.Fatal(err)
		}
		if c.Bucket < 0 || c.Bucket > 99 {
			t.Fatalf("bucket %d", c.Bucket)
		}
		if again, _ := CohortFor(pub, ""); again != c {
			t.Fatal("bucket not stable")
		}
		hist[c.Bucket]++
		if c.Takes(10) {
			in10++
		}
		if c.Takes(50) {
			in50++
		}
	}
	sigma := math.Sqrt(float64(n) * 0.1 * 0.9)
	if math.Abs(float64(in10)-100) > 3*sigma {
		t.Errorf("10%% rollout took %d of %d kiosks, want 100 ± %.1f", in10, n, 3*sigma)
	}
	if s50 := math.Sqrt(float64(n) * 0.25); math.Abs(float64(in50)-500) > 3*s50 {
		t.Errorf("50%% rollout took %d, want 500 ± %.1f", in50, 3*s50)
	}
	t.Logf("10%%: %d kiosks, 50%%: %d (of %d)", in10, in50, n)
}

func TestCohortGroups(t *testing.T) {
	for _, c := range []struct {
		name    string
		cohort  Cohort
		percent int
		want    bool
	}{
		{"canary takes 1%", Cohort{Bucket: 99, Group: CohortCanary}, 1, true},
		{"canary not at 0%", Cohort{Bucket: 0, Group: CohortCanary}, 0, false},
		{"late waits at 99%", Cohort{Bucket: 0, Group: CohortLate}, 99, false},
		{"late takes 100%", Cohort{Bucket: 0, Group: CohortLate}, 100, true},
		{"bucket 9 inside 10%", Cohort{Bucket: 9}, 10, true},
		{"bucket 10 outside 10%", Cohort{Bucket: 10}, 10, false},
		{"raising keeps bucket 9", Cohort{Bucket: 9}, 20, true},
	} {
		if got := c.cohort.Takes(c.percent); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
	if _, err := CohortFor([]byte("k"), "early"); err == nil {
		t.Error("unknown group accepted")
	}
}
