package escpos

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// sameScript maps letters that some languages add to Cyrillic and Latin to
// the nearest letter a common table holds, for printers that can neither
// download characters nor print graphics. A reader of Uzbek Cyrillic reads
// "х" for "ҳ"; this is the fallback of last resort, never '?'.
var sameScript = map[rune]string{
	'Ҳ': "Х", 'ҳ': "х", 'Ң': "Н", 'ң': "н", 'Ө': "О", 'ө': "о", 'Ү': "У", 'ү': "у",
	'Ғ': "Г", 'ғ': "г", 'Қ': "К", 'қ': "к", 'Ӯ': "У", 'ӯ': "у", 'Ӣ': "И", 'ӣ': "и",
	'Ҷ': "Ч", 'ҷ': "ч", 'Ў': "У", 'ў': "у", 'Ә': "А", 'ә': "а", 'Ұ': "У", 'ұ': "у",
	'Һ': "Х", 'һ': "х", 'Ǵ': "G'", 'ǵ': "g'", 'Ń': "N'", 'ń': "n'", 'ı': "i",
	'ʻ': "'", 'ʼ': "'", '‘': "'", '’': "'", '“': "\"", '”': "\"", '«': "\"", '»': "\"",
	'—': "-", '–': "-", '…': "...", '№': "No", '\u00A0': " ", '•': "*", '€': "EUR",
}

// turkicLatin gives Kyrgyz and Kazakh letters their Turkic Latin forms
// (ö ü ñ ä), which CP437 and CP1252 hold: "Чет өлкөгө" reads "Chet ölkögö".
var turkicLatin = map[rune]string{'ө': "ö", 'ү': "ü", 'ң': "ñ", 'ә': "ä", 'Ө': "Ö", 'Ү': "Ü", 'Ң': "Ñ", 'Ә': "Ä"}

// latin transliterates Cyrillic (Russian, Kyrgyz, Uzbek, Tajik, Karakalpak
// letters) and Arabic-script Urdu to ASCII.
var latin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya", 'ң': "ng", 'ө': "o'", 'ү': "u'",
	'ҳ': "h", 'ғ': "g'", 'қ': "q", 'ў': "o'", 'ӯ': "u", 'ӣ': "i", 'ҷ': "j", 'ә': "a'", 'ұ': "u", 'һ': "h",
	'і': "i", 'ї': "yi", 'є': "ye", 'ђ': "dj", 'ј': "j", 'љ': "lj", 'њ': "nj", 'ћ': "c", 'џ': "dz", 'ґ': "g",
	// Urdu (Arabic script), a plain romanization.
	'ا': "a", 'آ': "aa", 'ب': "b", 'پ': "p", 'ت': "t", 'ٹ': "t", 'ث': "s", 'ج': "j", 'چ': "ch",
	'ح': "h", 'خ': "kh", 'د': "d", 'ڈ': "d", 'ذ': "z", 'ر': "r", 'ڑ': "r", 'ز': "z", 'ژ': "zh",
	'س': "s", 'ش': "sh", 'ص': "s", 'ض': "z", 'ط': "t", 'ظ': "z", 'ع': "'", 'غ': "gh", 'ف': "f",
	'ق': "q", 'ک': "k", 'ك': "k", 'گ': "g", 'ل': "l", 'م': "m", 'ن': "n", 'ں': "n", 'و': "o",
	'ہ': "h", 'ھ': "h", 'ه': "h", 'ۃ': "t", 'ء': "'", 'ی': "i", 'ي': "i", 'ے': "e", 'ۓ': "e", 'ئ': "'",
	'ؤ': "o", 'أ': "a", '،': ",", '۔': ".", '؟': "?", '؛': ";",
	'۰': "0", '۱': "1", '۲': "2", '۳': "3", '۴': "4", '۵': "5", '۶': "6", '۷': "7", '۸': "8", '۹': "9",
}

// Transliterate returns a readable ASCII form of s: Cyrillic and Urdu
// letters romanized, Latin diacritics stripped, typographic punctuation
// simplified. Marks it cannot place are dropped; it never yields '?' for a
// letter.
func Transliterate(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x7F {
			b.WriteRune(r)
			continue
		}
		if t, ok := sameScript[r]; ok && isASCII(t) {
			b.WriteString(t)
			continue
		}
		lower := unicode.ToLower(r)
		if t, ok := latin[lower]; ok {
			if lower != r && t != "" {
				t = strings.ToUpper(t[:1]) + t[1:]
			}
			b.WriteString(t)
			continue
		}
		for _, d := range norm.NFD.String(string(r)) {
			if d < 0x7F {
				b.WriteRune(d)
			}
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x7F {
			return false
		}
	}
	return true
}
