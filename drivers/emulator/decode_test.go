package emulator

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sapar/drivers/escpos"
	"sapar/drivers/internal/refslips"
	"sapar/drivers/receipt"
)

func mustProfile(t testing.TB, name string) escpos.Profile {
	t.Helper()
	p, err := escpos.ProfileByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// flat joins text lines with single spaces, so wrapped text compares with its source.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// savePNG keeps a slip picture under $SAPAR_SLIP_DIR for a person to look at.
func savePNG(t *testing.T, name string, s *Slip) {
	dir := os.Getenv("SAPAR_SLIP_DIR")
	if dir == "" {
		return
	}
	var buf bytes.Buffer
	if err := s.WritePNG(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestKyrgyzSlipDecodesLetterForLetter(t *testing.T) {
	doc := refslips.Kyrgyz()
	for _, name := range []string{"TM-T20III", "TM-T88V"} {
		t.Run(name, func(t *testing.T) {
			p := mustProfile(t, name)
			job, err := receipt.Render(doc, p)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Decode(job, p)
			if err != nil {
				t.Fatal(err)
			}
			savePNG(t, "ky-"+name, s)
			if len(s.Warnings) > 0 {
				t.Errorf("warnings: %v", s.Warnings)
			}
			if strings.ContainsRune(s.Text, 0xFFFD) || strings.ContainsRune(s.Text, '?') {
				t.Errorf("replacement characters in %q", s.Text)
			}
			text := flat(s.Text)
			fields := []string{doc.Title, doc.Subtitle, doc.Notice, doc.QRCaption}
			fields = append(fields, doc.Steps...)
			fields = append(fields, doc.Paragraphs...)
			fields = append(fields, doc.Contacts...)
			fields = append(fields, doc.Footer...)
			for _, f := range fields {
				if !strings.Contains(text, flat(f)) {
					t.Errorf("decoded slip lacks %q", f)
				}
			}
			if len(s.QRData) != 1 || s.QRData[0] != doc.QRURL {
				t.Errorf("QR data %q, want %q", s.QRData, doc.QRURL)
			}
			if !s.Cut {
				t.Error("no cut")
			}
			if got := s.Tables; len(got) != 1 || got[0] != 53 {
				t.Errorf("tables %v, want one switch to 53 (KZ-1048)", got)
			}
		})
	}
}

func TestDecodeWrapsLikeThePrinter(t *testing.T) {
	p := mustProfile(t, "POS-5890")
	job := append(append([]byte{}, escpos.CmdInit...), []byte(strings.Repeat("x", 40)+"\n")...)
	s, err := Decode(job, p)
	if err != nil {
		t.Fatal(err)
	}
	if s.Text != strings.Repeat("x", 32)+"\n"+strings.Repeat("x", 8) {
		t.Errorf("got %q", s.Text)
	}
}

func TestDecodeRasterQRWithoutNativeQR(t *testing.T) {
	p := mustProfile(t, "POS-5890")
	job, err := receipt.Render(refslips.Kyrgyz(), p)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(job, p)
	if err != nil {
		t.Fatal(err)
	}
	savePNG(t, "ky-POS-5890", s)
	if len(s.QRData) != 0 || s.Images == 0 {
		t.Errorf("want a raster QR: QRData %v images %d", s.QRData, s.Images)
	}
	if len(s.Warnings) > 0 {
		t.Errorf("warnings: %v", s.Warnings)
	}
}

func TestDecodeWarnsOnGarbage(t *testing.T) {
	p := mustProfile(t, "TM-T20III")
	s, err := Decode([]byte{0x1B, 'Z', 0x1D, 'v', '0', 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x1D}, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) == 0 {
		t.Error("no warnings for garbage")
	}
}
