package content

import "strings"

// StemRussian reduces a lower-case Russian word to its stem with the
// Snowball Russian algorithm (snowballstem.org/algorithms/russian), so that
// "договоре", "договора" and "договор" meet, and "лицензию" meets
// "лицензия". Words that are not Cyrillic are returned unchanged. Kyrgyz and
// Uzbek words pass through it harmlessly: they are matched by prefix anyway.
//
// Why a stemmer and not only trigrams: trigrams catch one changed ending in
// a long word but not the short words Russian inflects most ("визы",
// "визе"), and they cost more per query.
func StemRussian(word string) string {
	w := []rune(strings.ReplaceAll(word, "ё", "е"))
	for _, r := range w {
		if r < 'а' || r > 'я' {
			return word
		}
	}
	rv := regionRV(w)
	if rv >= len(w) {
		return string(w)
	}
	r2 := regionR2(w)
	pre, s := w[:rv], w[rv:]

	// Step 1.
	if t, ok := cutGroup(s, perfectiveGerund1, true); ok {
		s = t
	} else if t, ok := cutAny(s, perfectiveGerund2); ok {
		s = t
	} else {
		if t, ok := cutAny(s, reflexive); ok {
			s = t
		}
		if t, ok := cutAdjectival(s); ok {
			s = t
		} else if t, ok := cutGroup(s, verb1, true); ok {
			s = t
		} else if t, ok := cutAny(s, verb2); ok {
			s = t
		} else if t, ok := cutAny(s, noun); ok {
			s = t
		}
	}
	// Step 2.
	if strings.HasSuffix(string(s), "и") {
		s = s[:len(s)-1]
	}
	// Step 3: derivational endings inside R2.
	for _, suf := range []string{"ость", "ост"} {
		n := len([]rune(suf))
		if strings.HasSuffix(string(s), suf) && rv+len(s)-n >= r2 {
			s = s[:len(s)-n]
			break
		}
	}
	// Step 4.
	if t, ok := cutAny(s, []string{"ейше", "ейш"}); ok {
		s = t
	}
	switch {
	case strings.HasSuffix(string(s), "нн"):
		s = s[:len(s)-1]
	case strings.HasSuffix(string(s), "ь"):
		s = s[:len(s)-1]
	}
	return string(pre) + string(s)
}

var (
	perfectiveGerund1 = []string{"вшись", "вши", "в"} // after а or я
	perfectiveGerund2 = []string{"ывшись", "ившись", "ывши", "ивши", "ив", "ыв"}
	reflexive         = []string{"ся", "сь"}
	adjective         = []string{"ими", "ыми", "его", "ого", "ему", "ому", "ее", "ие", "ые", "ое", "ей", "ий", "ый", "ой", "ем", "им", "ым", "ом", "их", "ых", "ую", "юю", "ая", "яя", "ою", "ею"}
	participle1       = []string{"ем", "нн", "вш", "ющ", "щ"} // after а or я
	participle2       = []string{"ивш", "ывш", "ующ"}
	verb1             = []string{"ла", "на", "ете", "йте", "ли", "й", "л", "ем", "н", "ло", "но", "ет", "ют", "ны", "ть", "ешь", "нно"} // after а or я
	verb2             = []string{"ила", "ыла", "ена", "ейте", "уйте", "ите", "или", "ыли", "ей", "уй", "ил", "ыл", "им", "ым", "ен", "ило", "ыло", "ено", "ят", "ует", "уют", "ит", "ыт", "ены", "ить", "ыть", "ишь", "ую", "ю"}
	noun              = []string{"иями", "ями", "ами", "ией", "иям", "ием", "иях", "ев", "ов", "ие", "ье", "еи", "ии", "ей", "ой", "ий", "ям", "ем", "ам", "ом", "ах", "ях", "ию", "ью", "ия", "ья", "а", "е", "и", "й", "о", "у", "ы", "ь", "ю", "я"}
)

func isRuVowel(r rune) bool { return strings.ContainsRune("аеиоуыэюя", r) }

// regionRV is the index after the first vowel.
func regionRV(w []rune) int {
	for i, r := range w {
		if isRuVowel(r) {
			return i + 1
		}
	}
	return len(w)
}

// regionR2 is R1 of R1: each is the index after the first non-vowel that
// follows a vowel.
func regionR2(w []rune) int {
	r1 := len(w)
	for i := 1; i < len(w); i++ {
		if !isRuVowel(w[i]) && isRuVowel(w[i-1]) {
			r1 = i + 1
			break
		}
	}
	for i := r1 + 1; i < len(w); i++ {
		if !isRuVowel(w[i]) && isRuVowel(w[i-1]) {
			return i + 1
		}
	}
	return len(w)
}

// cutAny removes the longest of the suffixes s ends with.
func cutAny(s []rune, sufs []string) ([]rune, bool) {
	best := 0
	str := string(s)
	for _, suf := range sufs {
		if n := len([]rune(suf)); n > best && strings.HasSuffix(str, suf) {
			best = n
		}
	}
	if best == 0 {
		return s, false
	}
	return s[:len(s)-best], true
}

// cutGroup removes the longest suffix that follows а or я (which stays).
func cutGroup(s []rune, sufs []string, afterAYa bool) ([]rune, bool) {
	best := 0
	str := string(s)
	for _, suf := range sufs {
		n := len([]rune(suf))
		if n > best && len(s) > n && strings.HasSuffix(str, suf) {
			if p := s[len(s)-n-1]; !afterAYa || p == 'а' || p == 'я' {
				best = n
			}
		}
	}
	if best == 0 {
		return s, false
	}
	return s[:len(s)-best], true
}

// cutAdjectival removes an adjective ending and a participle before it.
func cutAdjectival(s []rune) ([]rune, bool) {
	t, ok := cutAny(s, adjective)
	if !ok {
		return s, false
	}
	if u, ok := cutAny(t, participle2); ok {
		return u, true
	}
	if u, ok := cutGroup(t, participle1, true); ok {
		return u, true
	}
	return t, true
}
