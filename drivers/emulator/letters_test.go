package emulator

import (
	"strings"
	"testing"

	"sapar/drivers/internal/refslips"
	"sapar/drivers/receipt"
)

func docFields(d receipt.Document) []string {
	f := []string{d.Title, d.Subtitle, d.Notice, d.QRCaption}
	f = append(f, d.Steps...)
	f = append(f, d.Paragraphs...)
	f = append(f, d.Contacts...)
	return append(f, d.Footer...)
}

// Letters no code table holds (Uzbek ҳ, Karakalpak ǵ ń, Tajik ӯ ҷ) print
// right: user-defined characters where the model takes them, a raster line
// elsewhere, a readable look-alike on a printer with neither — never '?'.
func TestLettersNoTableHolds(t *testing.T) {
	for _, lang := range []string{"uz-Cyrl", "kaa", "tg"} {
		doc := refslips.All()[lang]
		t.Run(lang+" with user-defined characters is exact", func(t *testing.T) {
			p := mustProfile(t, "TM-T20III")
			job, err := receipt.Render(doc, p)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Decode(job, p)
			if err != nil {
				t.Fatal(err)
			}
			savePNG(t, lang+"-TM-T20III", s)
			if len(s.UserChars) == 0 {
				t.Error("no user-defined characters downloaded")
			}
			text := flat(s.Text)
			for _, f := range docFields(doc) {
				if !strings.Contains(text, flat(f)) {
					t.Errorf("decoded slip lacks %q", f)
				}
			}
			if len(s.Warnings) > 0 {
				t.Errorf("warnings %v", s.Warnings)
			}
		})
		t.Run(lang+" without user-defined characters uses raster lines", func(t *testing.T) {
			p := mustProfile(t, "POS-5890")
			job, err := receipt.Render(doc, p)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Decode(job, p)
			if err != nil {
				t.Fatal(err)
			}
			savePNG(t, lang+"-POS-5890", s)
			if s.Images < 2 { // the QR and at least one text line
				t.Errorf("images %d", s.Images)
			}
			if strings.ContainsAny(s.Text, "?\uFFFD") || len(s.Warnings) > 0 {
				t.Errorf("text %q warnings %v", s.Text, s.Warnings)
			}
		})
		t.Run(lang+" on a printer with neither is transliterated, never '?'", func(t *testing.T) {
			p := mustProfile(t, "minimal-58")
			job, err := receipt.Render(doc, p)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Decode(job, p)
			if err != nil {
				t.Fatal(err)
			}
			if strings.ContainsAny(s.Text, "?\uFFFD") || len(s.Warnings) > 0 || s.Images != 0 {
				t.Errorf("text %q warnings %v images %d", s.Text, s.Warnings, s.Images)
			}
			if !strings.Contains(s.Text, doc.QRURL[:20]) {
				t.Errorf("no QR, so the link should print as text")
			}
		})
	}
}

func TestUrduPrintsAsRightAlignedRasterLines(t *testing.T) {
	doc := refslips.Urdu()
	p := mustProfile(t, "TM-T20III")
	job, err := receipt.Render(doc, p)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(job, p)
	if err != nil {
		t.Fatal(err)
	}
	savePNG(t, "ur-TM-T20III", s)
	// Title, subtitle, 5 steps, 1 paragraph, 2 contacts, caption: 11 lines at least, plus the QR (native).
	if s.Images < 11 || len(s.QRData) != 1 {
		t.Errorf("images %d, QR %v", s.Images, s.QRData)
	}
	right := 0
	for _, b := range s.blocks {
		if b.img != nil && b.align == 2 {
			right++
		}
	}
	if right < 11 {
		t.Errorf("%d right-aligned images, want ≥ 11", right)
	}
	// Only the Latin footer and notice remain as text.
	if !strings.Contains(s.Text, "Bishkek, Manas airport") || strings.ContainsAny(s.Text, "?\uFFFD") {
		t.Errorf("text %q", s.Text)
	}
}
