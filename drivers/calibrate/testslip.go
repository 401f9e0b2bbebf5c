package calibrate

import (
	"fmt"
	"strings"

	"sapar/drivers/escpos"
	"sapar/drivers/receipt"
)

// TestSlipOpts says what the technician's test slip shows.
type TestSlipOpts struct {
	// Langs are the offered languages; nil: DefaultLangs.
	Langs []string
	// Name gives a language's endonym for its line ("Кыргызча"); nil or
	// "" prints the tag. (The kiosk passes content.LookupLanguage's.)
	Name func(tag string) string
	// Kiosk is printed under the title (kiosk name or place).
	Kiosk string
	// Profile is the printer's: the rulers show its columns and dots.
	Profile escpos.Profile
	// QRURL, if set, is printed as a QR code (e.g. the device id), with
	// QRCaption under it.
	QRURL, QRCaption string
	// Footer lines (date, profile name, content version).
	Footer []string
	// Title and Ruler are the slip's own words in the technician's
	// language (BCP 47 Lang); "" and nil: English. Ruler says the
	// profile's width over the rulers.
	Title, Lang string
	Ruler       func(profile string, columns, dots int) string
}

// TestSlip is the technician's test slip: per offered language a line with
// its hardest letters (Samples), then rulers at the profile's width, and a QR code if asked. Render
// it with receipt.Render(doc, profile): with the calibrated profile every
// letter prints as itself, by code table, user-defined character or raster.
func TestSlip(o TestSlipOpts) receipt.Document {
	langs := o.Langs
	if len(langs) == 0 {
		langs = DefaultLangs
	}
	doc := receipt.Document{Lang: "en", Title: "Sapar test slip", Subtitle: o.Kiosk, QRURL: o.QRURL, QRCaption: o.QRCaption, Footer: o.Footer}
	if o.Title != "" {
		doc.Title = o.Title
	}
	if o.Lang != "" {
		doc.Lang = o.Lang
	}
	for _, tag := range langs {
		sample, ok := Samples[tag]
		if !ok {
			continue
		}
		name := tag
		if o.Name != nil {
			if n := o.Name(tag); n != "" {
				name = n
			}
		}
		doc.Paragraphs = append(doc.Paragraphs, name+": "+sample)
	}
	cols := o.Profile.Columns
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
	// Rulers as paragraphs: a numbered step's "1. " would push them past the edge.
	ruler := fmt.Sprintf("%s: %d columns, %d dots:", o.Profile.Name, cols, o.Profile.Dots)
	if o.Ruler != nil {
		ruler = o.Ruler(o.Profile.Name, cols, o.Profile.Dots)
	}
	doc.Paragraphs = append(doc.Paragraphs, ruler, digits.String(), marks.String())
	return doc
}
