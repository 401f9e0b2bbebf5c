package content

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold maps text to the one form that is indexed and searched, so that a
// query finds a guide whatever script and spelling the user typed:
//
//   - case is dropped;
//   - the apostrophes of Uzbek oʻ gʻ (U+02BB, U+2018, U+2019, U+02BC, ASCII ',
//     backtick) are dropped, so oʻ, o', o’ and plain o meet;
//   - Cyrillic is transliterated to Latin after the Uzbek rules (х→x, қ→q,
//     ш→sh, ч→ch, ж→j, ў→o, ғ→g), so Uzbek typed in Cyrillic finds the Latin
//     guide and the other way round;
//   - the extra letters of Kyrgyz, Tajik and Karakalpak fold onto the plain
//     ones a user types without them (ө→o, ү→u, ң→n, ӣ→i, ҷ→j, ı→i, ǵ→g …);
//   - other diacritics are stripped; anything not a letter or digit becomes a space.
//
// Fold is for matching only; texts are always shown as written.
func Fold(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := true
	prev := rune(' ') // previous letter of this word, ' ' at a word start
	for _, r := range strings.ToLower(s) {
		if isApostrophe(r) {
			continue
		}
		// CLDR uz_Cyrl-uz_Latn: е is "ye" at the start of a word and after
		// a vowel (Ер → Yer, поезд → poyezd); ц is "s" at the start of a
		// word (цирк → sirk) and "ts" elsewhere (лицензия → litsenziya).
		if r == 'е' && (prev == ' ' || strings.ContainsRune(cyrVowels, prev)) {
			b.WriteString("ye")
			space, prev = false, r
			continue
		}
		if r == 'ц' && prev == ' ' {
			b.WriteString("s")
			space, prev = false, r
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			prev = r
		} else if !unicode.Is(unicode.Mn, r) {
			prev = ' '
		}
		if t, ok := cyrLatin[r]; ok {
			b.WriteString(t)
			space = false
			continue
		}
		if r == 'ı' {
			b.WriteByte('i')
			space = false
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
			space = false
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	out, _, err := transform.String(stripMarks, b.String())
	if err != nil {
		out = b.String()
	}
	return strings.TrimSpace(out)
}

var stripMarks = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// cyrVowels are the vowels (and signs) after which CLDR writes е as "ye".
const cyrVowels = "аеёиоуўыэюяөүъь"

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '\u02BB', '\u02BC', '\u2018', '\u2019', '\u02B9', '\u00B4', '\u201B', '\u02BD', '\u2032', '\uFF07':
		return true
	}
	return false
}

// cyrLatin follows the Uzbek Cyrillic→Latin correspondence (CLDR uz_Cyrl-uz_Latn)
// for the letters Uzbek has, and folds the letters of Russian, Kyrgyz and
// Tajik onto the nearest of those.
var cyrLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ғ': "g", 'д': "d", 'е': "e", 'ё': "yo",
	'ж': "j", 'з': "z", 'и': "i", 'й': "y", 'к': "k", 'қ': "q", 'л': "l", 'м': "m",
	'н': "n", 'ң': "n", 'о': "o", 'ө': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ў': "o", 'ү': "u", 'ф': "f", 'х': "x", 'ҳ': "h", 'ц': "ts", 'ч': "ch",
	'ш': "sh", 'щ': "sh", 'ъ': "", 'ы': "i", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
	'ӣ': "i", 'ӯ': "u", 'ҷ': "j", 'і': "i", 'ә': "a", 'ұ': "u", 'һ': "h",
}
