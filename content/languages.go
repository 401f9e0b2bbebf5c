package content

import (
	"golang.org/x/text/language"
)

// Language is one language the kiosk offers.
type Language struct {
	Tag      string   // BCP 47 tag used everywhere: "ky", "uz-Latn", "kaa" …
	Endonym  string   // the language's own name, shown on the picker (no flags)
	Script   string   // ISO 15924 script the texts must use
	RTL      bool     // right to left (Urdu)
	Fallback []string // tried in order when a guide has no text in Tag
}

// Languages lists the kiosk's languages in picker order. Karakalpak is
// written in Latin here: x/text defaults "kaa" to Cyrillic, so the tag is
// normalised with NormalizeTag before matching.
var languages = []Language{
	{Tag: "ky", Endonym: "Кыргызча", Script: "Cyrl", Fallback: []string{"ru", "en"}},
	{Tag: "uz-Latn", Endonym: "Oʻzbekcha", Script: "Latn", Fallback: []string{"uz-Cyrl", "ru", "en"}},
	{Tag: "uz-Cyrl", Endonym: "Ўзбекча", Script: "Cyrl", Fallback: []string{"uz-Latn", "ru", "en"}},
	{Tag: "kaa", Endonym: "Qaraqalpaqsha", Script: "Latn", Fallback: []string{"uz-Latn", "ru", "en"}},
	{Tag: "ru", Endonym: "Русский", Script: "Cyrl", Fallback: []string{"en"}},
	{Tag: "en", Endonym: "English", Script: "Latn", Fallback: []string{"ru"}},
	{Tag: "tg", Endonym: "Тоҷикӣ", Script: "Cyrl", Fallback: []string{"ru", "en"}},
	{Tag: "ur", Endonym: "اردو", Script: "Arab", RTL: true, Fallback: []string{"en", "ru"}},
}

// Languages returns the kiosk's languages in picker order.
func Languages() []Language {
	out := make([]Language, len(languages))
	copy(out, languages)
	return out
}

// LookupLanguage finds a language by tag (after NormalizeTag).
func LookupLanguage(tag string) (Language, bool) {
	t := NormalizeTag(tag)
	for _, l := range languages {
		if l.Tag == t {
			return l, true
		}
	}
	return Language{}, false
}

// NormalizeTag maps the spellings a browser, an editor or a config file may
// use to the kiosk's tags: "uz" and "uz-Latn-UZ" → "uz-Latn", "kaa-Latn" →
// "kaa", "ky-KG" → "ky". Unknown tags are returned canonicalised.
func NormalizeTag(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	base, _ := t.Base()
	script, conf := t.Script()
	switch base.String() {
	case "uz":
		if conf == language.Exact && script.String() == "Cyrl" {
			return "uz-Cyrl"
		}
		return "uz-Latn"
	case "kaa":
		return "kaa" // Latin is the kiosk's Karakalpak; x/text would guess Cyrillic
	case "ky", "ru", "en", "tg", "ur":
		return base.String()
	}
	return t.String()
}

// Chain returns tag followed by its fallbacks: the order in which a guide's
// texts are tried.
func Chain(tag string) []string {
	l, ok := LookupLanguage(tag)
	if !ok {
		return []string{"en", "ru"}
	}
	return append([]string{l.Tag}, l.Fallback...)
}
