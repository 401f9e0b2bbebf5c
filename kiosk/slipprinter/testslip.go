package slipprinter

import (
	"time"

	"sapar/content"
	"sapar/drivers/calibrate"
	"sapar/drivers/escpos"
	"sapar/drivers/receipt"
)

// Kiosk is what the test slip says of the kiosk it was printed on.
type Kiosk struct {
	ID, Name, DeviceID string
	Languages          []string // offered: a line in each
	Location           *time.Location
}

// TestSlip is the technician's test: per offered language a line with its
// hardest letters (drivers/calibrate's samples: ң ө ү, oʻ gʻ, ҳ қ ғ ў, ǵ ń
// ı, ӣ ӯ ҷ, Urdu shaped), rulers at the profile's width and a QR of the
// device id, so a technician sees at a glance what a migrant will get.
func TestSlip(m Kiosk, p escpos.Profile, now time.Time) receipt.Document {
	loc := m.Location
	if loc == nil {
		loc = time.UTC
	}
	o := calibrate.TestSlipOpts{Langs: m.Languages, Kiosk: m.Name, Profile: p,
		Footer: []string{m.ID, now.In(loc).Format("2006-01-02 15:04 MST"), "profile " + p.Name},
		Name: func(tag string) string {
			if l, ok := content.LookupLanguage(tag); ok && l.Endonym != "" {
				return l.Endonym
			}
			return tag
		}}
	if m.DeviceID != "" {
		o.QRURL, o.QRCaption = m.DeviceID, "Device id "+m.DeviceID
	}
	return calibrate.TestSlip(o)
}
