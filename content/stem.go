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

// wordStem is the search stem of one folded word f typed as orig (lower case).
func wordStem(orig, f string) string {
	st := stripSuffixes(f)
	if isRussianWord(orig) {
		if ru := Fold(StemRussian(orig)); ru != "" && !strings.Contains(ru, " ") && len(ru) < len(st) && utf8.RuneCountInString(ru) >= 3 {
			st = ru
		}
	}
	return st
}

// queryWord is one word of a query: as folded, and its stem.
type queryWord struct {
	folded, stem string
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
			out = append(out, queryWord{folded: f, stem: wordStem(o, f)})
		}
	}
	return out
}

// notQueryRune separates words; apostrophes stay inside (oʻ, o').
func notQueryRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) && !isApostrophe(r)
}

// stemMatches says whether a folded token is a form of a stem: a prefix,
// or equal for stems too short to be told apart as prefixes.
func stemMatches(token, stem string) bool {
	if utf8.RuneCountInString(stem) < 3 {
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

func termStems(term string) []string {
	var out []string
	for _, w := range splitQueryWords(term) {
		out = append(out, w.stem)
	}
	return out
}
