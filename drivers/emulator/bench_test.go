package emulator

import (
	"bytes"
	"fmt"
	"testing"

	"sapar/drivers/escpos"
	"sapar/drivers/internal/refslips"
	"sapar/drivers/receipt"
)

// wireSeconds is the time bytes take on an 8N1 line (10 bits a byte).
func wireSeconds(n, baud int) float64 { return float64(n*10) / float64(baud) }

// fullRaster is the same slip sent as one picture: what a driver without
// code pages does to get every glyph right.
func fullRaster(t testing.TB, job []byte, p escpos.Profile) []byte {
	s, err := Decode(job, p)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	e := escpos.NewEncoder(&buf, p, escpos.DefaultOpts())
	e.Init()
	if err := e.Image(s.Image()); err != nil {
		t.Fatal(err)
	}
	e.Cut()
	return buf.Bytes()
}

// BenchmarkSlipOnTheWire reports, for the reference slips on an 80 mm
// TM-T20III, the bytes on the wire and the transmission time at 9600,
// 38400 and 115200 baud, beside the same slip as full raster.
// Run: go test ./drivers/emulator -run '^$' -bench SlipOnTheWire
func BenchmarkSlipOnTheWire(b *testing.B) {
	p := mustProfile(b, "TM-T20III")
	for _, lang := range refslips.Langs {
		doc := refslips.All()[lang]
		b.Run(lang, func(b *testing.B) {
			var job []byte
			for b.Loop() {
				var err error
				job, err = receipt.Render(doc, p)
				if err != nil {
					b.Fatal(err)
				}
			}
			raster := fullRaster(b, job, p)
			b.ReportMetric(float64(len(job)), "wire-B")
			b.ReportMetric(float64(len(raster)), "raster-B")
			for _, baud := range []int{9600, 38400, 115200} {
				b.ReportMetric(wireSeconds(len(job), baud), fmt.Sprintf("s@%d", baud))
				b.ReportMetric(wireSeconds(len(raster), baud), fmt.Sprintf("raster-s@%d", baud))
			}
		})
	}
}

// Targets of issue 5, on byte counts (deterministic): Uzbek Cyrillic and
// Karakalpak within 1.5× of Kyrgyz with every letter right; each text slip
// far below its full-raster form.
func TestSlipByteBudgets(t *testing.T) {
	p := mustProfile(t, "TM-T20III")
	size := map[string]int{}
	for _, lang := range refslips.Langs {
		job, err := receipt.Render(refslips.All()[lang], p)
		if err != nil {
			t.Fatal(err)
		}
		size[lang] = len(job)
		if r := len(fullRaster(t, job, p)); lang != "ur" && len(job)*10 > r {
			t.Errorf("%s: %d bytes is not a tenth of full raster (%d)", lang, len(job), r)
		}
	}
	for _, lang := range []string{"uz-Cyrl", "kaa"} {
		if float64(size[lang]) > 1.5*float64(size["ky"]) {
			t.Errorf("%s needs %d bytes, more than 1.5× Kyrgyz (%d)", lang, size[lang], size["ky"])
		}
	}
	t.Logf("bytes on the wire: %v", size)
}
