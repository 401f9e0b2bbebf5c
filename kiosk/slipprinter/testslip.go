package slipprinter

import (
	"fmt"
	"strings"
	"time"

	"sapar/content"
	"sapar/drivers/escpos"
	"sapar/drivers/receipt"
)

// testSlipSamples is one line in each script the kiosk can offer, with the
// letters that need a code page, user-defined characters or raster.
var testSlipSamples = map[string]string{
	"ky":      "Өз укуктарыңызды билиңиз — ң ө ү",
	"uz-Latn": "Oʻz huquqlaringizni biling — gʻ oʻ sh ch",
	"uz-Cyrl": "Ўз ҳуқуқларингизни билинг — ҳ ғ қ ў",
	"kaa":     "Óz huqıqlarıńızdı biliń — ǵ ń ó ú ı",
	"ru":      "Знайте свои права — ё ж щ ъ",
	"en":      "Know your rights — The quick brown fox",
	"tg":      "Ҳуқуқҳои худро донед — ӣ ӯ ҷ ҳ",
	"ur":      "اپنے حقوق جانیں",
}

// Kiosk is what the test slip says of the kiosk it was printed on.
type Kiosk struct {
	ID, Name, DeviceID string
	Languages          []string // offered: a line in each
	Location           *time.Location
}

// TestSlip is the technician's test: a line in every offered script, a QR
// (of the device id), and rulers at the profile's width.
func TestSlip(m Kiosk, p escpos.Profile, now time.Time) receipt.Document {
	doc := receipt.Document{Lang: "en", Title: "Sapar test slip", Subtitle: m.Name}
	for _, tag := range m.Languages {
		name := tag
		if l, ok := content.LookupLanguage(tag); ok && l.Endonym != "" {
			name = l.Endonym
		}
		doc.Paragraphs = append(doc.Paragraphs, name+": "+testSlipSamples[tag])
	}
	cols := p.Columns
	if cols <= 0 {
		cols = 32
	}
	var digits, marks strings.Builder
	for i := 1; i <= cols; i++ {
		digits.WriteByte(byte('0' + i%10))
		switch {
		case i%10 == 0:
			marks.WriteByte('|')
		case i%5 == 0:
			marks.WriteByte('+')
		default:
			marks.WriteByte('-')
		}
	}
	doc.Steps = []string{fmt.Sprintf("%d columns, %d dots:", cols, p.Dots), digits.String(), marks.String()}
	if m.DeviceID != "" {
		doc.QRURL, doc.QRCaption = m.DeviceID, "Device id "+m.DeviceID
	}
	loc := m.Location
	if loc == nil {
		loc = time.UTC
	}
	doc.Footer = []string{m.ID, now.In(loc).Format("2006-01-02 15:04 MST"), "profile " + p.Name}
	return doc
}
