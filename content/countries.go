package content

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// CountryName names an ISO 3166 country in lang, following the language's
// fallback chain through the CLDR names x/text carries (it has none for
// Karakalpak, which falls back to Uzbek). Unknown codes are returned as is.
func CountryName(code, lang string) string {
	region, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	for _, l := range Chain(lang) {
		tag, err := language.Parse(l)
		if err != nil {
			continue
		}
		if n := display.Regions(tag); n != nil {
			if name := n.Name(region); name != "" {
				return name
			}
		}
	}
	return code
}
