package web

import (
	"strings"
	"time"

	"sapar/content"
	"sapar/drivers/receipt"
)

// HelpDesk is the kiosk site's own contact (the MRC desk or partner office
// where the kiosk stands), from the provisioning file: a number the operator
// knows, never one the content invents. Sample marks the demo's placeholder,
// which has no digits and says so in the reader's language.
type HelpDesk struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Hours   string `json:"hours"`
	Address string `json:"address"`
	Sample  bool   `json:"sample"`
}

// SampleHelpDesk is the demo's help desk: clearly not a real contact.
var SampleHelpDesk = HelpDesk{Name: "Sapar demo", Sample: true}

// Lines are the help desk as slip lines in lang: a heading, then name,
// phone and hours, address; a sample one says it is not a real number.
// Nothing when none is provisioned.
func (h HelpDesk) Lines(lang string, strs map[string]map[string]string) []string {
	if h.empty() {
		return nil
	}
	word := func(key string) string { return word(strs, lang, key) }
	out := []string{word("helpDesk") + ":"}
	if h.Name != "" {
		out = append(out, h.Name)
	}
	var reach []string
	for _, v := range []string{h.Phone, h.Hours} {
		if v != "" {
			reach = append(reach, v)
		}
	}
	if h.Sample {
		reach = append(reach, word("helpDeskSample"))
	}
	if len(reach) > 0 {
		out = append(out, strings.Join(reach, " · "))
	}
	if h.Address != "" {
		out = append(out, h.Address)
	}
	return out
}

func (h HelpDesk) empty() bool { return h.Name == "" && h.Phone == "" && h.Address == "" }

// word is a UI string in lang, following its fallback chain, else English.
func word(strs map[string]map[string]string, lang, key string) string {
	for _, l := range content.Chain(lang) {
		if v := strs[l][key]; v != "" {
			return v
		}
	}
	return strs["en"][key]
}

// SlipOptions is what a slip says besides the guide.
type SlipOptions struct {
	Place   string // where the kiosk stands (footer)
	Notice  string // e.g. that the content is a demo sample (printed prominently)
	Version string // content version (footer)
	// HelpDesk is the site's own contact, printed on every slip before the
	// guide's contacts.
	HelpDesk HelpDesk
	// Urgent are the content's notices valid now, in the reader's
	// language: printed at the top, before Notice.
	Urgent []string
	Now    time.Time // printed date and time, in Location
	// Location is the kiosk's time zone (provisioning Config.Location);
	// nil: Now's own.
	Location *time.Location
	// Strings are the UI strings by language (ui/static/i18n.json), for
	// the stage names; ui.Strings loads them.
	Strings map[string]map[string]string
}

// Slip turns a guide into the neutral document the receipt layout prints:
// title; the stage and country line in the guide's language; the numbered
// steps; the kiosk's help desk and the key contacts; the QR of the first link with its label; a
// footer with the place, date and content version. The kiosk and
// `sapar print` both use it, so the printed slip is the same from either.
func Slip(g *content.GuideView, o SlipOptions) receipt.Document {
	notice := strings.Join(append(append([]string{}, o.Urgent...), o.Notice), "\n")
	doc := receipt.Document{Lang: g.Lang, Title: g.Title, Steps: g.Print, Notice: strings.TrimSpace(notice), Subtitle: slipSubtitle(g, o.Strings)}
	doc.Contacts = append(doc.Contacts, o.HelpDesk.Lines(g.Lang, o.Strings)...)
	for _, c := range g.Contacts {
		line := contactLine(c)
		if line == c.Name && !o.HelpDesk.empty() {
			// no number or address in any source: the desk knows the way
			line += " — " + word(o.Strings, g.Lang, "askHelpDesk")
		}
		doc.Contacts = append(doc.Contacts, line)
	}
	if len(g.Links) > 0 {
		doc.QRURL, doc.QRCaption = g.Links[0].URL, g.Links[0].Label
	}
	if o.Place != "" {
		doc.Footer = append(doc.Footer, o.Place)
	}
	now := o.Now
	if o.Location != nil {
		now = now.In(o.Location)
	}
	doc.Footer = append(doc.Footer, now.Format("2006-01-02 15:04"))
	if o.Version != "" {
		doc.Footer = append(doc.Footer, "Sapar · content "+o.Version)
	}
	return doc
}

// contactLine is one key contact on the slip: its name in the reader's
// language and whatever way to reach it the content has (phone first: many
// readers have no smartphone). Empty fields stay empty: nothing is invented.
func contactLine(c content.ContactView) string {
	var reach []string
	web := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(c.Website, "https://"), "http://"), "/")
	for _, v := range []string{c.Phone, web, strings.TrimPrefix(c.Telegram, "https://")} {
		if v != "" {
			reach = append(reach, v)
		}
	}
	if len(reach) == 0 {
		return c.Name
	}
	return c.Name + " — " + strings.Join(reach, ", ")
}

// slipSubtitle is the slip's stage and country line, in the guide's
// language: "Кетүүнү ойлонуп жатам · Россия".
func slipSubtitle(g *content.GuideView, strs map[string]map[string]string) string {
	var parts []string
	for _, st := range g.Stages {
		for _, l := range content.Chain(g.Lang) {
			if v := strs[l]["stage."+st]; v != "" {
				parts = append(parts, v)
				break
			}
		}
	}
	for _, c := range g.Countries {
		parts = append(parts, content.CountryName(c, g.Lang))
	}
	return strings.Join(parts, " · ")
}
