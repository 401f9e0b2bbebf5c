package maint

import (
	"sapar/kiosk/slipprinter"
	"sapar/provisioning/techtext"
)

// pageBoot is the technician page's boot data: the token, the mode
// (maintenance or first-boot setup), the language to start in and every
// technician word in every technician language (techtext's one catalog,
// the same the doctor and the command line use), so the technician can
// switch language on the screen without asking the kiosk.
func pageBoot(token, mode, lang string) map[string]any {
	if l, ok := techtext.Match(lang); ok {
		lang = l
	} else {
		lang = techtext.Default
	}
	return map[string]any{"token": token, "mode": mode, "lang": lang, "langs": techtext.Languages, "strings": techtext.Strings()}
}

// slipKiosk is what the test slip says of this kiosk, its own words in
// lang (the screen's; else the provisioned technician language).
func (m *Maintenance) slipKiosk(lang string) slipprinter.Kiosk {
	l, ok := techtext.Match(lang)
	if !ok {
		if l, ok = techtext.Match(m.TechLanguage); !ok {
			l = techtext.Default
		}
	}
	return slipprinter.Kiosk{ID: m.KioskID, Name: m.KioskName, DeviceID: m.DeviceID, Languages: m.Languages,
		Location: m.Location, TechLanguage: l}
}
