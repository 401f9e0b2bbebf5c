package content

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxQueryRunes bounds the work a query can cause; longer input is cut.
const MaxQueryRunes = 200

// maxResults is how many hits a search returns: a screenful.
const maxResults = 20

// Search finds guides for a query typed in any script or spelling. It never
// fails on odd input: the query is folded to letters and digits before it
// reaches FTS5, so FTS syntax (quotes, *, NEAR, -) is just text.
// Results in lang (or its fallbacks, marked) come best first: all words
// matching as prefixes first, then any word, then near spellings (trigrams).
func (s *Store) Search(ctx context.Context, lang, query string) ([]Summary, error) {
	if utf8.RuneCountInString(query) > MaxQueryRunes {
		query = string([]rune(query)[:MaxQueryRunes])
	}
	words := strings.Fields(Fold(query))
	if len(words) == 0 {
		return []Summary{}, nil
	}
	if len(words) > 12 {
		words = words[:12]
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = `"` + w + `"*`
	}
	scores := map[string]float64{}
	// Each tier only adds guides the earlier tiers missed, with a worse score.
	tiers := []struct {
		table, match string
		base         float64
	}{
		{"search_words", strings.Join(quoted, " AND "), 0},
		{"search_stems", stemQuery(query), 500},
		// Any word, but only in titles and summaries: a body that holds one
		// common word of several is no answer, and ranking every such body
		// was the slowest step over a large index.
		{"search_words", "{title summary} : (" + strings.Join(quoted, " OR ") + ")", 1000},
		{"search_trigrams", trigramQuery(words), 2000},
	}
	for _, t := range tiers {
		if t.match == "" || len(scores) >= maxResults {
			continue
		}
		var langs []string
		if t.base == 1000 {
			// Folding has already joined the scripts, so the reader's
			// chain holds every text this weak tier should rank.
			langs = Chain(lang)
		}
		found, err := s.searchTier(ctx, t.table, t.match, t.base, words, scores, langs)
		if err != nil {
			return nil, err
		}
		for id, sc := range found {
			scores[id] = sc
		}
	}
	out := make([]Summary, 0, len(scores))
	for id := range scores {
		sum, ok, err := s.summary(ctx, id, lang)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, sum)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Fallback != out[j].Fallback {
			return !out[i].Fallback
		}
		if scores[out[i].ID] != scores[out[j].ID] {
			return scores[out[i].ID] < scores[out[j].ID]
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > maxResults {
		out = out[:maxResults]
	}
	return out, nil
}

// minTrigramShare is the share of a query's trigrams a title or summary must
// hold to count as a near spelling: one typo in a 7-letter word keeps 2 of 5.
const minTrigramShare = 0.4

func (s *Store) searchTier(ctx context.Context, table, match string, base float64, words []string, have map[string]float64, langs []string) (map[string]float64, error) {
	var q string
	if table == "search_trigrams" {
		q = `SELECT guide_id, lang, text FROM search_trigrams WHERE search_trigrams MATCH ? LIMIT 200`
	} else {
		q = `SELECT guide_id, lang, bm25(search_words, 0, 0, 10, 4, 1) FROM search_words WHERE search_words MATCH ?` + langFilter(langs) + ` ORDER BY 3 LIMIT 200`
	}
	if table == "search_stems" {
		q = `SELECT guide_id, lang, bm25(search_stems) FROM search_stems WHERE search_stems MATCH ? ORDER BY 3 LIMIT 200`
	}
	args := []any{match}
	for _, l := range langs {
		args = append(args, l)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("content: search: %w", err)
	}
	defer rows.Close()
	grams := trigrams(words)
	found := map[string]float64{}
	for rows.Next() {
		var id, l string
		var score float64
		if table == "search_trigrams" {
			var text string
			if err := rows.Scan(&id, &l, &text); err != nil {
				return nil, fmt.Errorf("content: search: %w", err)
			}
			n := 0
			for _, g := range grams {
				if strings.Contains(text, g) {
					n++
				}
			}
			share := float64(n) / float64(len(grams))
			if share < minTrigramShare {
				continue
			}
			score = base + 100*(1-share)
		} else {
			var r float64
			if err := rows.Scan(&id, &l, &r); err != nil {
				return nil, fmt.Errorf("content: search: %w", err)
			}
			score = base + r // bm25: lower is better
		}
		if _, done := have[id]; done {
			continue
		}
		if old, ok := found[id]; !ok || score < old {
			found[id] = score
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: search: %w", err)
	}
	return found, nil
}

func trigrams(words []string) []string {
	var grams []string
	seen := map[string]bool{}
	for _, w := range words {
		r := []rune(w)
		if len(r) < 4 {
			continue
		}
		for i := 0; i+3 <= len(r); i++ {
			g := string(r[i : i+3])
			if !seen[g] {
				seen[g] = true
				grams = append(grams, g)
			}
		}
	}
	return grams
}

// trigramQuery ORs the trigrams of the longer words, so "kontrakt" still
// finds "kontrakti" and one wrong letter leaves most trigrams matching.
func trigramQuery(words []string) string {
	grams := trigrams(words)
	for i, g := range grams {
		grams[i] = `"` + g + `"`
	}
	return strings.Join(grams, " OR ")
}

// stemText is the stems table's form of a Russian text: each Cyrillic word
// stemmed, then folded like everything else.
func stemText(s string, cache map[string]string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(strings.ToLower(s), notWordRune) {
		f, ok := cache[w]
		if !ok {
			f = Fold(StemRussian(w))
			if len(cache) < 100000 {
				cache[w] = f
			}
		}
		b.WriteString(f)
		b.WriteByte(' ')
	}
	return b.String()
}

func notWordRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
}

// stemQuery matches every stemmed word of the query as a prefix in the
// stems table; "" (no tier) when the query has no Cyrillic word.
func stemQuery(query string) string {
	var parts []string
	cyr := false
	for _, w := range strings.FieldsFunc(strings.ToLower(query), notWordRune) {
		for _, r := range w {
			if unicode.Is(unicode.Cyrillic, r) {
				cyr = true
				break
			}
		}
		for _, f := range strings.Fields(Fold(StemRussian(w))) {
			parts = append(parts, `"`+f+`"*`)
		}
		if len(parts) >= 12 {
			break
		}
	}
	if !cyr || len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, " AND ")
}

func langFilter(langs []string) string {
	if len(langs) == 0 {
		return ""
	}
	return " AND lang IN (?" + strings.Repeat(",?", len(langs)-1) + ")"
}
