package content

import (
	"strings"
	"unicode"

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
//   - Arabic-script letters an Arabic keyboard types differently (ي ك ه)
//     fold onto Urdu's (ی ک ہ), Arabic-Indic digits onto 0–9;
//   - other diacritics are stripped; anything not a letter or digit becomes a space.
//
// Fold is for matching only; texts are always shown as written.
func Fold(s string) string {
	// Decomposed input (и + U+0306) is composed first so that й stays й;
	// everything else is folded rune by rune (this runs over every text
	// of a bundle when the index is built: keep it allocation-light).
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xCC && s[i] <= 0xCD { // lead bytes of U+0300–U+036F
			s = norm.NFC.String(s)
			break
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	f := folder{b: &b, space: true, prev: ' '}
	for _, r := range s {
		f.rune(r, true)
	}
	return strings.TrimSuffix(b.String(), " ")
}

type folder struct {
	b     *strings.Builder
	space bool // the last byte written is a space (or nothing yet)
	prev  rune // previous letter of this word, ' ' at a word start
}

func (f *folder) letter(s string, r rune) {
	f.b.WriteString(s)
	f.space, f.prev = false, r
}

func (f *folder) rune(r rune, decompose bool) {
	if r < 0x80 {
		switch {
		case r >= 'A' && r <= 'Z':
			f.b.WriteByte(byte(r + 32))
			f.space, f.prev = false, r+32
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			f.b.WriteByte(byte(r))
			f.space, f.prev = false, r
		case r == '\'' || r == '`':
		default:
			f.sep()
		}
		return
	}
	r = unicode.ToLower(r)
	if isApostrophe(r) {
		return
	}
	if r >= 0x0600 && r <= 0x06FF || r >= 0x200C && r <= 0x200D {
		// Arabic script: an Arabic keyboard's ي ك ه meet Urdu's ی ک ہ,
		// Arabic-Indic digits meet ASCII ones, and the tatweel and the
		// zero-width (non-)joiner inside a word are dropped.
		switch {
		case r == 0x0640 || r == 0x200C || r == 0x200D:
			return
		case r >= 0x0660 && r <= 0x0669:
			r = '0' + (r - 0x0660)
		case r >= 0x06F0 && r <= 0x06F9:
			r = '0' + (r - 0x06F0)
		case r == 'ي' || r == 'ى':
			r = 'ی'
		case r == 'ك':
			r = 'ک'
		case r == 'ه' || r == 'ة':
			r = 'ہ'
		}
		if r < 0x80 {
			f.b.WriteByte(byte(r))
			f.space, f.prev = false, r
			return
		}
	}
	// CLDR uz_Cyrl-uz_Latn: е is "ye" at the start of a word and after a
	// vowel (Ер → Yer, поезд → poyezd); ц is "s" at the start of a word
	// (цирк → sirk) and "ts" elsewhere (лицензия → litsenziya).
	if r == 'е' && (f.prev == ' ' || strings.ContainsRune(cyrVowels, f.prev)) {
		f.letter("ye", r)
		return
	}
	if r == 'ц' && f.prev == ' ' {
		f.letter("s", r)
		return
	}
	if t, ok := cyrLatin[r]; ok {
		f.letter(t, r)
		return
	}
	if r == 'ı' {
		f.letter("i", r)
		return
	}
	if unicode.Is(unicode.Mn, r) {
		return // a mark left after composition: stripped
	}
	if decompose && r >= 0xA0 && (unicode.IsLetter(r) || unicode.IsDigit(r) || !unicode.IsSpace(r)) {
		// Latin letters with diacritics (á ǵ ń ó ú), ligatures and
		// full-width forms: compatibility decomposition, marks dropped.
		if d := norm.NFKD.String(string(r)); d != string(r) {
			for _, dr := range d {
				f.rune(dr, false)
			}
			return
		}
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		f.b.WriteRune(r)
		f.space, f.prev = false, r
		return
	}
	f.sep()
}

func (f *folder) sep() {
	if !f.space {
		f.b.WriteByte(' ')
		f.space = true
	}
	f.prev = ' '
}

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
