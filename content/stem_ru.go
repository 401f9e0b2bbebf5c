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
	w := word
	if strings.Contains(w, "ё") {
		w = strings.ReplaceAll(w, "ё", "е")
	}
	// Every letter is а–я, two bytes in UTF-8: byte offsets are 2× rune offsets.
	for _, r := range w {
		if r < 'а' || r > 'я' {
			return word
		}
	}
	rv := regionRV(w)
	if rv >= len(w) {
		return w
	}
	r2 := regionR2(w)
	pre, s := w[:rv], w[rv:]

	// Step 1.
	if t, ok := cutGroup(s, perfectiveGerund1); ok {
		s = t
	} else if t, ok := cutAny(s, perfectiveGerund2); ok {
		s = t
	} else {
		if t, ok := cutAny(s, reflexive); ok {
			s = t
		}
		if t, ok := cutAdjectival(s); ok {
			s = t
		} else if t, ok := cutGroup(s, verb1); ok {
			s = t
		} else if t, ok := cutAny(s, verb2); ok {
			s = t
		} else if t, ok := cutAny(s, noun); ok {
			s = t
		}
	}
	// Step 2.
	s = strings.TrimSuffix(s, "и")
	// Step 3: derivational endings inside R2.
	for _, suf := range []string{"ость", "ост"} {
		if strings.HasSuffix(s, suf) && rv+len(s)-len(suf) >= r2 {
			s = s[:len(s)-len(suf)]
			break
		}
	}
	// Step 4.
	if t, ok := cutAny(s, []string{"ейше", "ейш"}); ok {
		s = t
	}
	switch {
	case strings.HasSuffix(s, "нн"):
		s = s[:len(s)-len("н")]
	case strings.HasSuffix(s, "ь"):
		s = s[:len(s)-len("ь")]
	}
	return pre + s
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

func isRuVowel(r rune) bool {
	switch r {
	case 'а', 'е', 'и', 'о', 'у', 'ы', 'э', 'ю', 'я':
		return true
	}
	return false
}

// regionRV is the byte index after the first vowel.
func regionRV(w string) int {
	for i, r := range w {
		if isRuVowel(r) {
			return i + len(string(r))
		}
	}
	return len(w)
}

// regionR2 is R1 of R1: each is the byte index after the first non-vowel
// that follows a vowel.
func regionR2(w string) int {
	after := func(from int) int {
		prevVowel := false
		for i, r := range w[from:] {
			v := isRuVowel(r)
			if !v && prevVowel {
				return from + i + len(string(r))
			}
			prevVowel = v
		}
		return len(w)
	}
	r1 := after(0)
	if r1 >= len(w) {
		return len(w)
	}
	return after(r1)
}

// cutAny removes the longest of the suffixes s ends with.
func cutAny(s string, sufs []string) (string, bool) {
	best := 0
	for _, suf := range sufs {
		if len(suf) > best && strings.HasSuffix(s, suf) {
			best = len(suf)
		}
	}
	if best == 0 {
		return s, false
	}
	return s[:len(s)-best], true
}

// cutGroup removes the longest suffix that follows а or я (which stays).
func cutGroup(s string, sufs []string) (string, bool) {
	best := 0
	for _, suf := range sufs {
		n := len(suf)
		if n > best && len(s) > n && strings.HasSuffix(s, suf) {
			if p := s[:len(s)-n]; strings.HasSuffix(p, "а") || strings.HasSuffix(p, "я") {
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
func cutAdjectival(s string) (string, bool) {
	t, ok := cutAny(s, adjective)
	if !ok {
		return s, false
	}
	if u, ok := cutAny(t, participle2); ok {
		return u, true
	}
	if u, ok := cutGroup(t, participle1); ok {
		return u, true
	}
	return t, true
}
