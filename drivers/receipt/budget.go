package receipt

import (
	"strconv"
	"strings"

	"sapar/drivers/fonts"
)

// DefaultMaxBodyLines is the body budget of DefaultOpts: 40 lines of Font A
// (30 dots each at 203 dpi) is about 15 cm of steps, paragraphs and
// contacts; with title, QR and footer a slip stays under about 25 cm.
const DefaultMaxBodyLines = 40

// morePhrases is the line printed where a long guide was cut, by language;
// Document.More overrides it. The QR on the slip links to the whole guide.
var morePhrases = map[string]string{
	"en":       "More: scan the QR code",
	"ru":       "Подробнее: отсканируйте QR-код",
	"ky":       "Толугураак: QR-кодду сканерлеңиз",
	"uz":       "Batafsil: QR-kodni skanerlang",
	"uz-Latn":  "Batafsil: QR-kodni skanerlang",
	"uz-Cyrl":  "Батафсил: QR-кодни сканерланг",
	"kaa":      "Tolıǵıraq: QR-kodtı skanerleń",
	"kaa-Latn": "Tolıǵıraq: QR-kodtı skanerleń",
	"tg":       "Муфассал: рамзи QR-ро скан кунед",
	"ur":       "مزید معلومات: QR کوڈ اسکین کریں",
}

// MorePhrase returns the "More: scan the QR code" line for lang (BCP 47),
// English if the language has none.
func MorePhrase(lang string) string {
	for l := lang; l != ""; {
		if s, ok := morePhrases[l]; ok {
			return s
		}
		i := strings.LastIndexByte(l, '-')
		if i < 0 {
			break
		}
		l = l[:i]
	}
	return morePhrases["en"]
}

// trim fits the body (steps, paragraphs, contacts) into max lines as l
// would print them. Contacts are kept first (a hotline is what a person in
// trouble needs; up to half the budget), then whole steps in order, then
// whole paragraphs; nothing is cut mid-sentence. It reports whether
// anything was left out, and the More line then takes one line of the
// budget.
func (l *layout) trim(doc Document, max int) (Document, bool) {
	if max <= 0 {
		return doc, false
	}
	cols := l.p.Columns
	ruleAndGap := 0
	if len(doc.Contacts) > 0 {
		ruleAndGap++ // the rule above the contacts
	}
	if len(doc.Steps) > 0 && len(doc.Paragraphs) > 0 {
		ruleAndGap++ // the blank line between steps and paragraphs
	}
	steps, paras, contacts := 0, 0, 0
	for i, s := range doc.Steps {
		prefix := strconv.Itoa(i+1) + ". "
		steps += l.count(prefix+s, cols, func() []string { return hanging(prefix, s, cols) })
	}
	for _, p := range doc.Paragraphs {
		paras += l.count(p, cols, func() []string { return wrap(p, cols) })
	}
	cl := make([]int, len(doc.Contacts))
	for i, c := range doc.Contacts {
		cl[i] = l.count(c, cols, func() []string { return hanging("* ", c, cols) })
		contacts += cl[i]
	}
	if steps+paras+contacts+ruleAndGap <= max {
		return doc, false
	}
	budget := max - 1 - ruleAndGap // the More line
	out := doc
	// Contacts: up to half the budget, whole entries.
	out.Contacts = nil
	used := 0
	for i, c := range doc.Contacts {
		if used+cl[i] > budget/2 {
			break
		}
		out.Contacts = append(out.Contacts, c)
		used += cl[i]
	}
	out.Steps = nil
	for i, s := range doc.Steps {
		prefix := strconv.Itoa(i+1) + ". "
		n := l.count(prefix+s, cols, func() []string { return hanging(prefix, s, cols) })
		if used+n > budget {
			break
		}
		out.Steps = append(out.Steps, s)
		used += n
	}
	out.Paragraphs = nil
	if len(out.Steps) == len(doc.Steps) {
		for _, p := range doc.Paragraphs {
			n := l.count(p, cols, func() []string { return wrap(p, cols) })
			if used+n > budget {
				break
			}
			out.Paragraphs = append(out.Paragraphs, p)
			used += n
		}
	}
	return out, true
}

// count is how many body lines text takes: right-to-left text is shaped
// raster about 1.5 lines high, counted as 2.
func (l *layout) count(text string, cols int, ltr func() []string) int {
	if !fonts.HasRTL(text) || !l.p.Raster {
		if fonts.HasRTL(text) {
			return len(wrap(text, cols)) // transliterated: about as long
		}
		return len(ltr())
	}
	t, err := l.rtlFace(false)
	if err != nil {
		return len(wrap(text, cols)) * 2
	}
	return 2 * len(wrapWidth(text, l.p.Dots, t.Width))
}
