package content

import (
	"sort"
	"strings"
)

// synonymIndex is synonyms.yaml made ready for indexing: per language, the
// terms (as stems) with their folded words, and per guide the folded words.
type synonymIndex struct {
	terms  map[string][]synTerm           // lang → terms
	guides map[string]map[string][]string // guide → lang → folded words
}

type synTerm struct {
	stems []string
	words string // folded, space-separated
}

func newSynonymIndex(list []*SearchWords) *synonymIndex {
	x := &synonymIndex{terms: map[string][]synTerm{}, guides: map[string]map[string][]string{}}
	for _, sw := range list {
		if sw.Common {
			continue
		}
		var folded []string
		for _, w := range sw.Words {
			if f := Fold(w); f != "" {
				folded = append(folded, f)
			}
		}
		if sw.Term != "" {
			if st := termStems(sw.Term, sw.Lang); len(st) > 0 {
				x.terms[sw.Lang] = append(x.terms[sw.Lang], synTerm{stems: st, words: strings.Join(folded, " ")})
			}
			continue
		}
		if x.guides[sw.Guide] == nil {
			x.guides[sw.Guide] = map[string][]string{}
		}
		x.guides[sw.Guide][sw.Lang] = append(x.guides[sw.Guide][sw.Lang], folded...)
	}
	return x
}

// prepare folds a guide's texts into rows of search_words. A term's words
// join the synonyms column where the term is in the title or summary, and
// the body where it is only in the body, so a guide that mentions the term
// in passing is not lifted by it. A language with search words for the
// guide but no text gets a row of its own.
func (x *synonymIndex) prepare(g *Guide) preparedGuide {
	p := preparedGuide{guide: g}
	distinct := map[string]bool{}
	addWords := func(s string) {
		for _, w := range strings.Fields(s) {
			distinct[w] = true
		}
	}
	for _, t := range sortedTexts(g) {
		f := foldedText{text: t, lang: t.Lang, title: Fold(t.Title), summary: Fold(t.Summary), body: Fold(t.Body)}
		var syn, extra []string
		syn = append(syn, x.guides[g.ID][t.Lang]...)
		if terms := x.terms[t.Lang]; len(terms) > 0 {
			head := strings.Fields(f.title + " " + f.summary)
			body := strings.Fields(f.body)
			for _, tm := range terms {
				switch {
				case containsTerm(head, tm.stems):
					syn = append(syn, tm.words)
				case containsTerm(body, tm.stems):
					extra = append(extra, tm.words)
				}
			}
		}
		f.synonyms = strings.Join(syn, " ")
		if len(extra) > 0 {
			f.body += " " + strings.Join(extra, " ")
		}
		addWords(f.title)
		addWords(f.synonyms)
		addWords(f.summary)
		addWords(f.body)
		p.texts = append(p.texts, f)
	}
	var langs []string
	for l := range x.guides[g.ID] {
		if g.Texts[l] == nil {
			langs = append(langs, l)
		}
	}
	sort.Strings(langs)
	for _, l := range langs {
		f := foldedText{lang: l, synonyms: strings.Join(x.guides[g.ID][l], " ")}
		addWords(f.synonyms)
		p.texts = append(p.texts, f)
	}
	p.words = make([]string, 0, len(distinct))
	for w := range distinct {
		p.words = append(p.words, w)
	}
	return p
}

// commonStems are the stems of the words synonyms.yaml calls common, as
// the query side stems them.
func commonStems(list []*SearchWords) []string {
	var out []string
	for _, sw := range list {
		if !sw.Common {
			continue
		}
		for _, w := range sw.Words {
			for _, q := range splitQueryWords(w) {
				out = append(out, q.stem)
			}
		}
	}
	return out
}
