package content

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Search matches the stem of each query word as a prefix of the indexed
// (folded, unstemmed) words, so only the query is stemmed:
//
//   - Russian words (а–я only) by the Snowball stemmer: "договоров" →
//     dogovor*, which meets "договоре" and "договор";
//   - every folded word by a light suffix stripper for the Turkic languages
//     and Tajik, which agglutinate: Kyrgyz "Кореяга" (to Korea) → korey*,
//     which meets "Кореяда" (in Korea); Uzbek "shartnomasida" → shartnom*;
//     Tajik "шартномаҳо" → shartnom*; Latin-typed Russian "zarplatu" → zarplat*.
//
// The shorter of the two stems is used. A stem keeps at least minStemRunes
// letters, so short words are matched as typed.

// minStemRunes is the shortest stem the stripper leaves: "kor" (Tajik
// "work"), "ish" (Uzbek "work") stay as typed.
const minStemRunes = 4

// turkicSuffixes are the case, plural, possessive and derivational endings
// of Kyrgyz, Uzbek, Karakalpak and Tajik in their folded (Latin) form, with
// their vowel-harmony variants after Fold (ө→o, ү→u, ы→i).
var turkicSuffixes = []string{
	// genitive, ablative, locative-attributive
	"ning", "nin", "nun", "din", "dun", "tin", "tun",
	"dan", "den", "don", "tan", "ten", "ton",
	"dagi", "degi", "tagi", "teki", "daki", "deki",
	// plural
	"lar", "ler", "lor", "dar", "der", "dor", "tar", "ter", "tor",
	// dative, locative
	"ga", "ge", "go", "ka", "ke", "ko", "qa", "da", "de", "do", "ta", "te", "to",
	// accusative, possessive
	"ni", "nu", "di", "du", "ti", "tu", "si", "su", "im", "ing", "ingiz", "imiz",
	// Tajik plural, object marker, plural of persons
	"ho", "ro", "on", "ash",
}

// stripSuffixes removes up to three endings from a folded word, longest
// first, never leaving fewer than minStemRunes letters; then one final
// vowel from a word of five or more letters ("koreya" → "korey", which still
// meets "koreyada").
func stripSuffixes(w string) string {
	for range 3 {
		best := ""
		for _, s := range turkicSuffixes {
			if len(s) > len(best) && strings.HasSuffix(w, s) && utf8.RuneCountInString(w)-len(s) >= minStemRunes {
				best = s
			}
		}
		if best == "" {
			break
		}
		w = w[:len(w)-len(best)]
	}
	if n := utf8.RuneCountInString(w); n >= 5 {
		if strings.ContainsRune("aeiouy", rune(w[len(w)-1])) {
			w = w[:len(w)-1]
		}
	}
	return w
}

// isRussianWord: every letter is а–я or ё (Kyrgyz ө ү ң, Uzbek ў қ ғ ҳ and
// Tajik ӣ ӯ ҷ ҳ make a word not Russian).
func isRussianWord(w string) bool {
	for _, r := range w {
		if (r < 'а' || r > 'я') && r != 'ё' {
			return false
		}
	}
	return w != ""
}

// wordStem is the search stem of one folded word f typed as orig (lower
// case), and ru, its Russian stem when orig is a Russian-looking word whose
// Russian stem is shorter ("" otherwise). Which one a search uses depends on
// the screen (see Search): Kyrgyz «маяна» must not become Russian mayа*,
// which meets «маятник».
func wordStem(orig, f string) (stem, ru string) {
	st := stripSuffixes(f)
	if isRussianWord(orig) {
		// A three-letter Russian stem only for a word of four letters
		// ("визы" → viz*): "корее" → kor* would meet Tajik «кор».
		r := Fold(StemRussian(orig))
		n := utf8.RuneCountInString(r)
		if r != "" && !strings.Contains(r, " ") && len(r) < len(st) && (n >= 4 || n == 3 && utf8.RuneCountInString(orig) <= 4) {
			return st, r
		}
	}
	return st, ""
}

// queryWord is one word of a query: as folded, and its stem; ru its
// Russian stem (see wordStem); alt is the stem of the word read as Russian
// or Kyrgyz typed in Latin letters the common way (see latinVariant), ""
// when that reads the same.
type queryWord struct {
	folded, stem, ru, alt string
}

// latinVariant reads a word typed in Latin letters as Russian or Kyrgyz is
// usually typed on a Latin keyboard, in Fold's spelling: zh → j (жумуш is
// typed zhumush), kh → x (хат: khat), and y between consonants or at the
// end after one → i (ы: kyrgyz → кыргыз, aylyk → айлык). The word as typed
// is searched too: "Kazakhstan" stays findable in English.
func latinVariant(f string) string {
	for _, r := range f {
		if r >= 0x80 {
			return "" // not typed in Latin
		}
	}
	v := strings.NewReplacer("zh", "j", "kh", "x").Replace(f)
	b := []byte(v)
	isVowel := func(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }
	for i := 1; i < len(b); i++ {
		if b[i] == 'y' && !isVowel(b[i-1]) && (i+1 == len(b) || !isVowel(b[i+1])) {
			b[i] = 'i'
		}
	}
	if v = string(b); v == f {
		return ""
	}
	return v
}

// splitQueryWords splits text into words with their stems. Words are what
// Fold separates; the Russian stemmer sees the original of a word that
// folds to one word.
func splitQueryWords(text string) []queryWord {
	var out []queryWord
	for _, orig := range strings.FieldsFunc(strings.ToLower(text), notQueryRune) {
		fs := strings.Fields(Fold(orig))
		for _, f := range fs {
			o := ""
			if len(fs) == 1 {
				o = orig
			}
			w := queryWord{folded: f}
			w.stem, w.ru = wordStem(o, f)
			v := latinVariant(f)
			if v == "" {
				v = plainCyrillicVariant(o, f)
			}
			if v != "" {
				if st := stripSuffixes(v); st != w.stem && utf8.RuneCountInString(st) >= 4 {
					w.alt = st
				}
			}
			out = append(out, w)
		}
	}
	return out
}

// notQueryRune separates words; apostrophes stay inside (oʻ, o').
func notQueryRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) && !isApostrophe(r)
}

// minPrefixRunes is the shortest stem matched as a prefix: two letters
// typed on the way to a word («ви» for «виза») already find it; one letter
// is no query.
const minPrefixRunes = 2

// stemMatches says whether a folded token is a form of a stem: a prefix,
// or equal for stems too short to be told apart as prefixes.
func stemMatches(token, stem string) bool {
	if utf8.RuneCountInString(stem) < minPrefixRunes {
		return token == stem
	}
	return strings.HasPrefix(token, stem)
}

// containsTerm says whether tokens (a folded text, split) hold the term's
// stems as consecutive words.
func containsTerm(tokens []string, stems []string) bool {
	if len(stems) == 0 {
		return false
	}
	for i := 0; i+len(stems) <= len(tokens); i++ {
		ok := true
		for j, s := range stems {
			if !stemMatches(tokens[i+j], s) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// termStems are the stems of an editor's term in lang: Russian terms by
// the Russian stemmer, the others by the suffix stripper.
func termStems(term, lang string) []string {
	var out []string
	for _, w := range splitQueryWords(term) {
		if lang == "ru" && w.ru != "" {
			out = append(out, w.ru)
		} else {
			out = append(out, w.stem)
		}
	}
	return out
}

// plainCyrillicVariant reads a Cyrillic word typed without the letters a
// Russian keyboard lacks, as Tajik and Uzbek are often typed: х for ҳ, к
// for қ, ч for ҷ («мухочират» for «муҳоҷират» folds to muxochirat; this
// gives muhojirat). "" when orig has the letters, or is not one Cyrillic word.
func plainCyrillicVariant(orig, f string) string {
	if orig == "" || strings.ContainsAny(orig, "ҳҷқғӣӯўҲҶҚҒӢӮЎ") {
		return ""
	}
	cyr := false
	for _, r := range orig {
		if unicode.Is(unicode.Cyrillic, r) {
			cyr = true
		} else if unicode.IsLetter(r) {
			return ""
		}
	}
	if !cyr || !strings.ContainsAny(orig, "хкч") {
		return ""
	}
	v := strings.NewReplacer("ch", "j", "x", "h", "k", "q").Replace(f)
	if v == f {
		return ""
	}
	return v
}
