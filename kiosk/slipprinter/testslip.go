package slipprinter

import (
	"time"

	"sapar/content"
	"sapar/drivers/calibrate"
	"sapar/drivers/escpos"
	"sapar/drivers/receipt"
	"sapar/provisioning/techtext"
)

// Kiosk is what the test slip says of the kiosk it was printed on.
type Kiosk struct {
	ID, Name, DeviceID string
	Languages          []string // offered: a line in each
	Location           *time.Location
	// TechLanguage is the technician's language for the slip's own words
	// (techtext; "": English).
	TechLanguage string
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
	tl := m.TechLanguage
	if tl == "" {
		tl = "en"
	}
	say := func(key string, kv ...any) string { return techtext.Format(tl, techtext.M(key, kv...)) }
	o := calibrate.TestSlipOpts{Langs: m.Languages, Kiosk: m.Name, Profile: p, Title: say("slip.title"), Lang: tl,
		Ruler: func(profile string, cols, dots int) string {
			return say("slip.ruler", "profile", profile, "cols", cols, "dots", dots)
		},
		Footer: []string{m.ID, now.In(loc).Format("2006-01-02 15:04 MST"), say("slip.profile", "name", p.Name)},
		Name: func(tag string) string {
			if l, ok := content.LookupLanguage(tag); ok && l.Endonym != "" {
				return l.Endonym
			}
			return tag
		}}
	if m.DeviceID != "" {
		o.QRURL, o.QRCaption = m.DeviceID, say("slip.device", "id", m.DeviceID)
	}
	return calibrate.TestSlip(o)
}
