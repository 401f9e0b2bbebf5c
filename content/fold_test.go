package content

import "testing"

func TestFoldMeetsAcrossScriptsAndSpellings(t *testing.T) {
	cases := []struct {
		name, a, b string
	}{
		{"Uzbek Cyrillic query meets Latin guide", "Ишчи визаси", "Ishchi vizasi"},
		{"oʻ with U+02BB meets ASCII apostrophe", "Oʻzbekiston", "O'zbekiston"},
		{"oʻ with U+2019 meets no apostrophe", "O’zbekiston", "Ozbekiston"},
		{"gʻ with U+2018 meets U+02BB", "g‘alla", "gʻalla"},
		{"Kyrgyz ө ү ң typed as о у н", "Өлкө үчүн маалымат таңда", "олко учун маалымат танда"},
		{"Karakalpak dotless ı meets i", "Qaraqalpaqsha jumıs", "qaraqalpaqsha jumis"},
		{"Karakalpak ǵ meets g", "ǵárezsiz", "garezsiz"},
		{"case and punctuation", "WORK-VISA!", "work visa"},
		{"Urdu typed on an Arabic keyboard (ي ك ه)", "ويزا كى تنخواه", "ویزا کی تنخواہ"},
		{"Urdu with a zero-width non-joiner and a tatweel", "پاس\u200cپورٹ ویـزا", "پاسپورٹ ویزا"},
		{"Eastern Arabic-Indic digits", "۱۴۰۰", "1400"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if fa, fb := Fold(tc.a), Fold(tc.b); fa != fb {
				t.Errorf("Fold(%q) = %q, Fold(%q) = %q: they should meet", tc.a, fa, tc.b, fb)
			}
		})
	}
}

func TestFoldKeepsDifferentWordsApart(t *testing.T) {
	if Fold("виза") == Fold("воза") {
		t.Error("different words folded together")
	}
}

func TestNormalizeTag(t *testing.T) {
	cases := map[string]string{
		"uz": "uz-Latn", "uz-Latn-UZ": "uz-Latn", "uz-Cyrl": "uz-Cyrl", "kaa": "kaa",
		"kaa-Latn": "kaa", "ky-KG": "ky", "ur-PK": "ur", "en-GB": "en",
	}
	for in, want := range cases {
		if got := NormalizeTag(in); got != want {
			t.Errorf("NormalizeTag(%q) = %q, want %q", in, got, want)
		}
	}
}
