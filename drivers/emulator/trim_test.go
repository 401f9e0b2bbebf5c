package emulator

import (
	"fmt"
	"strings"
	"testing"

	"sapar/drivers/internal/refslips"
	"sapar/drivers/receipt"
)

// longGuide is a reference slip with its steps four times over and a long
// paragraph: a guide an editor did not write for paper.
func longGuide(d receipt.Document) receipt.Document {
	var steps []string
	for i := range 4 {
		for _, s := range d.Steps {
			steps = append(steps, fmt.Sprintf("%s (%d)", s, i+1))
		}
	}
	d.Steps = steps
	d.Paragraphs = append(d.Paragraphs, strings.Repeat(d.Paragraphs[0]+" ", 4))
	return d
}

// Long guides are cut to the length budget on 58 and 80 mm: whole steps
// from the start, contacts kept, "More: scan the QR code" in the slip's
// language, the QR still there, and the slip under about 25 cm; a guide
// that fits prints whole.
func TestLongGuideTrimmedToBudget(t *testing.T) {
	const maxDots = 25 * 8 * 10 // 25 cm at 203 dpi (8 dots a mm)
	for _, c := range []struct {
		name, profile string
		doc           receipt.Document
		more          string // what the More line decodes to ("" when it is raster)
	}{
		{"Kyrgyz on 80 mm", "TM-T20III", longGuide(refslips.Kyrgyz()), "Толугураак: QR-кодду сканерлеңиз"},
		{"Kyrgyz on 58 mm (raster lines)", "POS-5890", longGuide(refslips.Kyrgyz()), ""},
		{"Russian on 58 mm", "POS-5890", longGuide(russian()), "Подробнее: отсканируйте QR-код"},
		{"Kyrgyz on 58 mm without graphics", "minimal-58", longGuide(refslips.Kyrgyz()), ""},
		{"Urdu on 80 mm", "TM-T20III", longGuide(refslips.Urdu()), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := mustProfile(t, c.profile)
			job, err := receipt.Render(c.doc, p)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Decode(job, p)
			if err != nil {
				t.Fatal(err)
			}
			var whole strings.Builder
			o := receipt.DefaultOpts()
			o.MaxBodyLines = 0
			if err := receipt.RenderTo(&whole, c.doc, p, o); err != nil {
				t.Fatal(err)
			}
			ws, _ := Decode([]byte(whole.String()), p)
			h, wh := s.Image().Bounds().Dy(), ws.Image().Bounds().Dy()
			t.Logf("%s: %d bytes, %.1f cm (whole guide %.1f cm)", c.profile, len(job), float64(h)/80, float64(wh)/80)
			if h > maxDots || h >= wh {
				t.Errorf("slip is %d dots long (whole guide %d): not trimmed to the budget", h, wh)
			}
			text := strings.Join(strings.Fields(s.Text), " ")
			if c.more != "" && !strings.Contains(text, c.more) {
				t.Errorf("no %q line in %q", c.more, text)
			}
			if c.profile != "minimal-58" && len(s.QRData) == 0 && s.Images == 0 {
				t.Error("the QR is gone")
			}
			if !s.Cut && p.Cutter {
				t.Error("no cut")
			}
			if p.Raster && !strings.Contains(c.doc.Lang, "ur") && c.profile == "TM-T20III" {
				for _, want := range []string{"1. ", "2. ", "+996 312 00 00 00", "1212"} {
					if !strings.Contains(text, want) {
						t.Errorf("%q missing: the first steps and the contacts are kept", want)
					}
				}
				if strings.Contains(text, fmt.Sprintf("%d. ", len(c.doc.Steps))) {
					t.Errorf("the last step printed: nothing was trimmed")
				}
			}
		})
	}
	t.Run("a guide that fits prints whole", func(t *testing.T) {
		p := mustProfile(t, "POS-5890")
		d := russian()
		job, _ := receipt.Render(d, p)
		s, _ := Decode(job, p)
		if text := strings.Join(strings.Fields(s.Text), " "); strings.Contains(text, "Подробнее") || !strings.Contains(text, fmt.Sprintf("%d. ", len(d.Steps))) {
			t.Errorf("a short guide was trimmed: %q", text)
		}
	})
}

func russian() receipt.Document {
	return receipt.Document{
		Lang: "ru", Title: "Отъезд на работу за рубеж", Subtitle: "Перед отъездом · Россия",
		Steps: []string{
			"Проверьте паспорт: он должен действовать ещё не меньше 6 месяцев.",
			"Спросите список лицензированных агентств в Агентстве по миграции.",
			"Перед подписанием трудового договора получите его копию.",
			"Оставьте семье свой адрес и номер телефона.",
		},
		Paragraphs: []string{"Никогда не отдавайте паспорт работодателю. Знайте свои права."},
		Contacts:   []string{"Центр миграционных ресурсов: +996 312 00 00 00", "Телефон доверия: 1212"},
		QRURL:      "https://example.org/ru/guide/leaving-for-work", QRCaption: "Полный текст по ссылке",
		Footer: []string{"Бишкек", "2025-06-01"},
	}
}
