package content

import (
	"context"
	"testing"
)

func TestStemRussian(t *testing.T) {
	cases := []struct{ a, b string }{
		{"договоре", "договора"}, {"договор", "договорами"}, {"лицензию", "лицензия"},
		{"визы", "виза"}, {"мигрантов", "мигранты"}, {"пенсионные", "пенсионных"}, {"запрета", "запрет"},
	}
	for _, c := range cases {
		if StemRussian(c.a) != StemRussian(c.b) {
			t.Errorf("StemRussian(%q) = %q, StemRussian(%q) = %q: word forms should meet", c.a, StemRussian(c.a), c.b, StemRussian(c.b))
		}
	}
	if StemRussian("Telegram") != "Telegram" || StemRussian("ўзбек") != "ўзбек" {
		t.Error("non-Russian words must pass unchanged")
	}
}

func TestSampleSearch(t *testing.T) {
	st := sampleStore(t)
	cases := []struct {
		name, lang, query, want string
	}{
		{"Russian prepositional finds nominative title", "ru", "о трудовом договоре", "contract-must-contain"},
		{"Russian genitive plural", "ru", "договоров", "contract-must-contain"},
		{"Russian accusative of licence", "ru", "лицензию агентства", "check-agency-licence"},
		{"Russian plural of visa", "ru", "туристические визы", "work-visa-vs-tourist-visa"},
		{"Uzbek Cyrillic query finds the Uzbek guide from Latin UI", "uz-Latn", "меҳнат шартномаси", "contract-must-contain"},
		{"Uzbek Latin query in the Cyrillic UI", "uz-Cyrl", "mehnat shartnomasi", "contract-must-contain"},
		{"oʻ typed with U+2019", "uz-Latn", "o’zbekiston tashkiliy", "organized-recruitment-uzbekistan"},
		{"oʻ typed with a backtick", "uz-Latn", "o`zbekiston tashkiliy", "organized-recruitment-uzbekistan"},
		{"Kyrgyz ө ү ң typed as о у н", "ky", "эмгек келишими", "contract-must-contain"},
		{"Karakalpak dotless ı typed as i", "kaa", "miynet shartnamasi", "contract-must-contain"},
		{"typo in a long word (trigrams)", "en", "trafficcking", "human-trafficking"},
		{"English prefix while typing", "en", "pensi", "pension-and-social-benefits"},
		{"FTS syntax around a real word", "en", `"pension*" NEAR( -`, "pension-and-social-benefits"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.Search(context.Background(), tc.lang, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range got {
				if i < 3 && r.ID == tc.want {
					return
				}
			}
			t.Fatalf("Search(%q, %q): %s not in the first 3 of %+v", tc.lang, tc.query, tc.want, got)
		})
	}
}

func TestFoldFollowsCLDRUzbek(t *testing.T) {
	cases := []struct{ name, cyr, lat string }{
		{"е at a word start is ye", "Ер", "Yer"},
		{"е after a vowel is ye", "поезд", "poyezd"},
		{"ц at a word start is s", "цирк", "sirk"},
		{"ц inside a word is ts", "лицензия", "litsenziya"},
		{"ъ is the tutuq belgisi", "таълим", "taʼlim"},
		{"ғ ў with U+02BB", "ғўза", "gʻoʻza"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if Fold(c.cyr) != Fold(c.lat) {
				t.Errorf("Fold(%q) = %q, Fold(%q) = %q", c.cyr, Fold(c.cyr), c.lat, Fold(c.lat))
			}
		})
	}
}
