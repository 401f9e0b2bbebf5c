package calibrate

// DefaultLangs are the languages a kiosk can offer (DESIGN.md), in the
// order the slips list them.
var DefaultLangs = []string{"ky", "uz-Latn", "uz-Cyrl", "kaa", "ru", "en", "tg", "ur"}

// hardest are, per language, the letters that need a particular code
// table, user-defined characters or raster: what the calibration slip
// checks. Lower case only, to fit 58 mm paper; a table holding a lower-case
// letter holds its capital too. Urdu is always shaped raster and English
// is ASCII: nothing to calibrate.
var hardest = map[string]string{
	"ky":      "ңөү",
	"ru":      "жяёы",
	"uz-Cyrl": "ҳқғў",
	"uz-Latn": "ʻ",
	"kaa":     "ǵńıáóú",
	"tg":      "ӣӯҷҳқғ",
}

// Samples are the test slip's line per language: a short sentence and its
// hardest letters (ky ң ө ү; uz-Latn oʻ gʻ; uz-Cyrl ҳ қ ғ ў; kaa ǵ ń ı;
// tg ӣ ӯ ҷ; Urdu shaped right to left; Russian and English basic).
var Samples = map[string]string{
	"ky":      "Өз укуктарыңызды билиңиз — ң ө ү Ң Ө Ү",
	"uz-Latn": "Oʻz huquqlaringizni biling — oʻ gʻ Oʻ Gʻ sh ch",
	"uz-Cyrl": "Ўз ҳуқуқларингизни билинг — ҳ қ ғ ў Ҳ Қ Ғ Ў",
	"kaa":     "Óz huqıqlarıńızdı biliń — ǵ ń ı á ó ú Ǵ Ń",
	"ru":      "Знайте свои права — ё ж щ ъ Ё Ж Щ",
	"en":      "Know your rights — The quick brown fox",
	"tg":      "Ҳуқуқҳои худро донед — ӣ ӯ ҷ ҳ Ӣ Ӯ Ҷ",
	"ur":      "اپنے حقوق جانیں",
}

// letters returns the hardest letters of langs, each once, in order.
func letters(langs []string) []rune {
	var out []rune
	seen := map[rune]bool{}
	for _, l := range langs {
		for _, r := range hardest[l] {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}
