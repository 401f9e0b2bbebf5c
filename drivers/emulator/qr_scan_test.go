package emulator

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sapar/drivers/escpos"
	"sapar/drivers/internal/refslips"
	"sapar/drivers/receipt"
)

// zbarimg returns the path of zbarimg (Debian zbar-tools), skipping the test
// when it is absent unless SAPAR_REQUIRE_ZBAR=1 (CI) makes that a failure.
func zbarimg(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("SAPAR_REQUIRE_ZBAR") == "1" {
			t.Fatal("zbarimg not found: install Debian package zbar-tools")
		}
		t.Skip("zbarimg not found (Debian package zbar-tools)")
	}
	return p
}

// The QR on the printed slip scans back to the guide's link: decoded by an
// independent reader (ZBar) from the emulator's PNG of the whole slip, for
// a native GS ( k QR (Epson) and a raster QR (POS-5890), with Kyrgyz and
// Urdu around it.
func TestSlipQRScansToTheLink(t *testing.T) {
	zbar := zbarimg(t)
	cases := []struct {
		name, profile string
		doc           receipt.Document
	}{
		{"native QR on TM-T20III, Kyrgyz", "TM-T20III", refslips.Kyrgyz()},
		{"native QR on TM-T88V, Urdu", "TM-T88V", refslips.Urdu()},
		{"raster QR on POS-5890, Kyrgyz", "POS-5890", refslips.Kyrgyz()},
		{"raster QR on POS-5890, Karakalpak", "POS-5890", refslips.Karakalpak()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := escpos.ProfileByName(c.profile)
			if err != nil {
				t.Fatal(err)
			}
			if c.doc.QRURL == "" {
				t.Fatal("reference slip without a QR link")
			}
			job, err := receipt.Render(c.doc, p)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Decode(job, p)
			if err != nil {
				t.Fatal(err)
			}
			if p.NativeQR != (len(s.QRData) == 1) {
				t.Fatalf("native QR commands %d on a profile with NativeQR=%v", len(s.QRData), p.NativeQR)
			}
			var png bytes.Buffer
			if err := s.WritePNG(&png); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "slip.png")
			if err := os.WriteFile(file, png.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(zbar, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", file).Output()
			if err != nil {
				t.Fatalf("zbarimg found no QR code in the slip (%v); PNG kept at %s", err, keep(t, png.Bytes()))
			}
			got := strings.TrimRight(string(out), "\n")
			if got != c.doc.QRURL {
				t.Errorf("QR scans to %q, want %q", got, c.doc.QRURL)
			}
			t.Logf("%s: %d bytes, QR scans to %s", c.profile, len(job), got)
		})
	}
}

func keep(t *testing.T, png []byte) string {
	f, err := os.CreateTemp("", "sapar-qr-*.png")
	if err != nil {
		return "(not kept)"
	}
	defer f.Close()
	f.Write(png)
	return f.Name()
}
