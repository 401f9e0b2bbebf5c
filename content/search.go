package content

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxQueryRunes bounds the work a query can cause; longer input is cut.
const MaxQueryRunes = 200

// maxResults is how many hits a search returns: a screenful.
const maxResults = 20

// Weights of the columns of search_words in bm25: a word in the title says
// most about a guide, one of the editors' search words nearly as much, the
// summary less and the body least.
const (
	weightTitle    = 10.0
	weightSynonyms = 8.0
	weightSummary  = 4.0
	weightBody     = 1.0
)

// Tuning of the ranking (see Search).
const (
	maxWordQueries  = 4    // FTS queries per search (rarest words first)
	rowsPerWord     = 60   // texts ranked per word (a guide has up to 8): three screens
	fallbackFactor  = 0.75 // a guide the reader sees in a fallback language
	minShareOfBest  = 0.1  // a guide scoring less than this share of the best is no answer
	typoWeight      = 0.5  // a near spelling counts half as much as the word itself
	commonWordShare = 0.5  // a word in more than this share of guides is only queried when it is the rarest
	// What a word costs is the texts it matches: a word in more guides
	// than these is looked for in titles, search words and summaries only,
	// or (and in most guides) in titles and search words, unranked.
	headOnlyDF = 300
	unrankedDF = 1000
)

// Search finds guides for a query typed in any script, spelling or of the
// kiosk's languages, best first. It never fails on odd input: the query is
// folded to letters and digits before it reaches FTS5, so FTS syntax
// (quotes, *, NEAR, -) is just text.
//
// How it ranks: each word of the query is stemmed (see stem.go) and matched
// as a prefix against every language's index (titles, the editors' search
// words from synonyms.yaml, summaries, bodies). A word weighs by how telling
// it is — its inverse document frequency over guides, so in «Кореяга
// иштөөгө баруу» the rare «Корея» decides and the common «work» and «go» do
// little — times how well it matches in that guide (bm25 with the column
// weights above, relative to the word's best guide). A word that matches
// nothing is looked for as a near spelling (trigrams). Guides the reader
// would see in a fallback language weigh a little less, and are marked.
//
// Nothing found is an empty (non-nil) list: the screen then offers Popular
// guides and the stage tiles, never a blank.
func (s *Store) Search(ctx context.Context, lang, query string) ([]Summary, error) {
	if utf8.RuneCountInString(query) > MaxQueryRunes {
		query = string([]rune(query)[:MaxQueryRunes])
	}
	var words []queryWord
	seen := map[string]bool{}
	n, err := s.guideCount(ctx)
	if err != nil || n == 0 {
		return []Summary{}, err
	}
	reader := NormalizeTag(lang)
	for _, w := range splitQueryWords(query) {
		// One letter says nothing (and as a prefix it matches every guide).
		if utf8.RuneCountInString(w.folded) < 2 {
			continue
		}
		// A Russian-looking word takes its Russian stem on a Russian
		// screen, or where the suffix stripper's stem meets nothing
		// ("договоров"); elsewhere it may be Kyrgyz, Uzbek or Tajik.
		if w.ru != "" {
			if reader == "ru" {
				w.stem = w.ru
			} else if df, err := s.prefixDF(ctx, w.stem, n); err != nil {
				return nil, err
			} else if df == 0 {
				w.stem = w.ru
			}
		}
		if seen[w.stem] {
			continue
		}
		seen[w.stem] = true
		words = append(words, w)
		if len(words) == 12 {
			break
		}
	}
	if len(words) == 0 {
		return []Summary{}, nil
	}
	type scored struct {
		queryWord
		df int
	}
	var found, typos []scored
	common, err := s.commonWords(ctx, words)
	if err != nil {
		return nil, err
	}
	for _, w := range words {
		df, err := s.prefixDF(ctx, w.stem, n)
		if err != nil {
			return nil, err
		}
		if w.alt != "" {
			dfAlt, err := s.prefixDF(ctx, w.alt, n)
			if err != nil {
				return nil, err
			}
			df = max(df, dfAlt)
		}
		if common[w.stem] && df > 0 {
			df = n // says little: the other words decide
		}
		if df > 0 {
			found = append(found, scored{w, df})
		} else if utf8.RuneCountInString(w.folded) >= 4 {
			typos = append(typos, scored{w, df})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].df < found[j].df })
	scores := map[string]float64{}
	for i, w := range found {
		if i >= maxWordQueries || (i > 0 && float64(w.df) > commonWordShare*float64(n)) {
			break
		}
		where := everywhere
		switch {
		case float64(w.df) > commonWordShare*float64(n) && w.df > unrankedDF:
			where = titlesUnranked
		case i > 0 || w.df > headOnlyDF:
			// The rarest word has found the guides; the others add where
			// they stand in a title, search word or summary.
			where = headOnly
		}
		if err := s.scoreWord(ctx, w.queryWord, idf(n, w.df), where, scores); err != nil {
			return nil, err
		}
	}
	for _, w := range typos {
		if err := s.scoreNearSpelling(ctx, w.folded, typoWeight*idf(n, 1), scores); err != nil {
			return nil, err
		}
	}
	return s.rank(ctx, lang, scores)
}

// idf is how telling a word found in df of n guides is (BM25's, kept
// positive).
func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// guideCount is the number of guides, recorded when the index is built.
func (s *Store) guideCount(ctx context.Context) (int, error) {
	var n int
	rows, err := s.stmt(ctx, `SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'guides'`)
	if err == nil {
		err = sql.ErrNoRows
		if rows.Next() {
			err = rows.Scan(&n)
		}
		rows.Close()
	}
	if err != nil {
		// An index being rebuilt, or built before the count was recorded.
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM guides`).Scan(&n); err != nil {
			return 0, fmt.Errorf("content: search: %w", err)
		}
	}
	return n, nil
}

// commonWords says which of the words synonyms.yaml calls common.
func (s *Store) commonWords(ctx context.Context, words []queryWord) (map[string]bool, error) {
	out := map[string]bool{}
	args := make([]any, len(words))
	for i, w := range words {
		args[i] = w.stem
	}
	rows, err := s.db.QueryContext(ctx, `SELECT stem FROM search_common WHERE stem IN (?`+strings.Repeat(",?", len(words)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("content: search: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			return nil, fmt.Errorf("content: search: %w", err)
		}
		out[st] = true
	}
	return out, rows.Err()
}

// prefixDF estimates in how many guides a word starting with stem occurs.
// The index counts each word form (koreya, koreyada, koreyaga …) apart, so
// the estimate is the most frequent form plus a share of the others (their
// guides mostly overlap), capped at n — and n when the prefix is so short
// that it starts hundreds of words.
func (s *Store) prefixDF(ctx context.Context, stem string, n int) (int, error) {
	const maxTerms = 300
	var rows interface {
		Next() bool
		Scan(...any) error
		Close() error
		Err() error
	}
	var err error
	if utf8.RuneCountInString(stem) < minPrefixRunes {
		rows, err = s.stmt(ctx, `SELECT guides FROM search_df WHERE term = ?`, stem)
	} else {
		rows, err = s.stmt(ctx, `SELECT guides FROM search_df WHERE term >= ? AND term < ? LIMIT ?`, stem, stem+"\U0010FFFF", maxTerms)
	}
	if err != nil {
		return 0, fmt.Errorf("content: search: %w", err)
	}
	defer rows.Close()
	most, sum, terms := 0, 0, 0
	for rows.Next() {
		var g int
		if err := rows.Scan(&g); err != nil {
			return 0, fmt.Errorf("content: search: %w", err)
		}
		most, sum = max(most, g), sum+g
		terms++
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("content: search: %w", err)
	}
	df := most + (sum-most)/4
	if terms == maxTerms || df > n {
		df = n
	}
	return df, nil
}

// How much a word says about a guide by where it stands in the guide's
// best text: in the title or the editors' search words, in the summary, or
// only in the body.
const (
	hitHead    = 1.0
	hitSummary = 0.45
	hitBody    = 0.15
	bm25Share  = 0.1 // added at most, relative to the word's best text
)

// Where scoreWord looks for a word.
type wordScope int

const (
	everywhere     wordScope = iota // all columns, ranked by bm25
	headOnly                        // titles, search words and summaries, ranked by bm25
	titlesUnranked                  // titles and search words, the first found: a word in most guides ranks nothing
)

var scopeSQL = map[wordScope]string{
	everywhere: `SELECT w.guide_id, w.title, w.synonyms, w.summary, top.r FROM
		(SELECT rowid AS id, bm25(search_words, 0, 0, %[1]g, %[2]g, %[3]g, %[4]g) AS r FROM search_words WHERE search_words MATCH ? ORDER BY r LIMIT %[5]d) AS top
		JOIN search_words w ON w.rowid = top.id`,
	titlesUnranked: `SELECT w.guide_id, w.title, w.synonyms, w.summary, 0 FROM
		(SELECT rowid AS id FROM search_words WHERE search_words MATCH ? LIMIT %[5]d) AS top
		JOIN search_words w ON w.rowid = top.id`,
}

// scoreWord adds weight × (where the stem stands in the guide) to the
// score of each of the rowsPerWord texts bm25 ranks best for it (column
// weights above). The inner query ranks row ids only: reading a row's
// columns costs a lookup, done for the best rows rather than every match.
func (s *Store) scoreWord(ctx context.Context, w queryWord, weight float64, scope wordScope, scores map[string]float64) error {
	stems := []string{w.stem}
	if w.alt != "" {
		stems = append(stems, w.alt)
	}
	var parts []string
	for _, st := range stems {
		p := `"` + st + `"`
		if utf8.RuneCountInString(st) >= minPrefixRunes {
			p += `*`
		}
		parts = append(parts, p)
	}
	match := strings.Join(parts, " OR ")
	if len(parts) > 1 {
		match = "(" + match + ")"
	}
	q := scopeSQL[everywhere]
	switch scope {
	case headOnly:
		match = `{title synonyms summary} : ` + match
	case titlesUnranked:
		match = `{title synonyms} : ` + match
		q = scopeSQL[titlesUnranked]
	}
	rows, err := s.stmt(ctx, fmt.Sprintf(q, weightTitle, weightSynonyms, weightSummary, weightBody, rowsPerWord), match)
	if err != nil {
		return fmt.Errorf("content: search: %w", err)
	}
	defer rows.Close()
	has := func(text string) bool {
		for _, t := range strings.Fields(text) {
			for _, st := range stems {
				if stemMatches(t, st) {
					return true
				}
			}
		}
		return false
	}
	got := map[string]float64{}
	best := 0.0
	for rows.Next() {
		var id, title, syn, summary string
		var r float64
		if err := rows.Scan(&id, &title, &syn, &summary, &r); err != nil {
			return fmt.Errorf("content: search: %w", err)
		}
		f := hitBody
		switch {
		case has(title) || has(syn):
			f = hitHead
		case has(summary):
			f = hitSummary
		}
		// Within a place, bm25 (how often, in how short a text) orders.
		best = min(best, r)
		if best < 0 {
			f += bm25Share * r / best
		}
		if f > got[id] {
			got[id] = f
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("content: search: %w", err)
	}
	for id, f := range got {
		scores[id] += weight * f
	}
	return nil
}

// minTrigramShare is the share of a word's trigrams a title, summary or
// search word must hold to count as a near spelling: one typo in a 7-letter
// word keeps 2 of 5.
const minTrigramShare = 0.4

// scoreNearSpelling adds weight × share to the guides whose title, summary
// or search words hold enough of word's trigrams ("trafficcking").
func (s *Store) scoreNearSpelling(ctx context.Context, word string, weight float64, scores map[string]float64) error {
	grams := trigrams([]string{word})
	if len(grams) == 0 {
		return nil
	}
	quoted := make([]string, len(grams))
	for i, g := range grams {
		quoted[i] = `"` + g + `"`
	}
	rows, err := s.stmt(ctx, `SELECT guide_id, text FROM search_trigrams WHERE search_trigrams MATCH ? LIMIT 200`, strings.Join(quoted, " OR "))
	if err != nil {
		return fmt.Errorf("content: search: %w", err)
	}
	defer rows.Close()
	got := map[string]float64{}
	for rows.Next() {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			return fmt.Errorf("content: search: %w", err)
		}
		n := 0
		for _, g := range grams {
			if strings.Contains(text, g) {
				n++
			}
		}
		if share := float64(n) / float64(len(grams)); share >= minTrigramShare && share > got[id] {
			got[id] = share
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("content: search: %w", err)
	}
	for id, sh := range got {
		scores[id] += weight * sh * sh
	}
	return nil
}

// rank turns scores into summaries in the reader's language (or the first
// fallback that has the guide, marked), best first.
func (s *Store) rank(ctx context.Context, lang string, scores map[string]float64) ([]Summary, error) {
	ids := make([]string, 0, len(scores))
	for id := range scores {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if scores[ids[i]] != scores[ids[j]] {
			return scores[ids[i]] > scores[ids[j]]
		}
		return ids[i] < ids[j]
	})
	// A fallback penalty can move a guide by a factor of fallbackFactor at
	// most: two screens of candidates are plenty.
	if len(ids) > 2*maxResults {
		ids = ids[:2*maxResults]
	}
	sums, err := s.summaries(ctx, ids, lang)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(sums))
	final := map[string]float64{}
	top := 0.0
	for _, id := range ids {
		sum, ok := sums[id]
		if !ok {
			continue
		}
		sc := scores[id]
		if sum.Fallback {
			sc *= fallbackFactor
		}
		final[id] = sc
		top = max(top, sc)
		out = append(out, sum)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if final[out[i].ID] != final[out[j].ID] {
			return final[out[i].ID] > final[out[j].ID]
		}
		return out[i].ID < out[j].ID
	})
	cut := len(out)
	for i, sum := range out {
		if final[sum.ID] < minShareOfBest*top {
			cut = i
			break
		}
	}
	out = out[:min(cut, maxResults)]
	return out, nil
}

// summaries looks the guides up in the reader's language chain in one
// prepared statement (the ids and the chain travel as JSON): for each
// guide, the first language of the chain it has a text in.
func (s *Store) summaries(ctx context.Context, ids []string, lang string) (map[string]Summary, error) {
	out := map[string]Summary{}
	if len(ids) == 0 {
		return out, nil
	}
	chain := Chain(lang)
	rows, err := s.stmt(ctx, `SELECT t.guide_id, t.lang, t.title, t.summary, g.pictogram
		FROM json_each(?1) AS j JOIN guides g ON g.id = j.value
		JOIN texts t ON t.guide_id = j.value AND t.lang = (
			SELECT c.value FROM json_each(?2) AS c
			WHERE EXISTS (SELECT 1 FROM texts x WHERE x.guide_id = j.value AND x.lang = c.value)
			ORDER BY c.key LIMIT 1)`, jsonText(ids), jsonText(chain))
	if err != nil {
		return nil, fmt.Errorf("content: search: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sum Summary
		if err := rows.Scan(&sum.ID, &sum.Lang, &sum.Title, &sum.Summary, &sum.Pictogram); err != nil {
			return nil, fmt.Errorf("content: search: %w", err)
		}
		sum.Fallback = sum.Lang != chain[0]
		out[sum.ID] = sum
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: search: %w", err)
	}
	return out, nil
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

func notWordRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
}

// stmt runs one of the search's fixed queries through a statement prepared
// once per store (parsing was a tenth of a short search).
func (s *Store) stmt(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s.mu.Lock()
	st, ok := s.prepared[query]
	s.mu.Unlock()
	if !ok {
		var err error
		if st, err = s.db.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		s.mu.Lock()
		if old, dup := s.prepared[query]; dup {
			st.Close()
			st = old
		} else {
			if s.prepared == nil {
				s.prepared = map[string]*sql.Stmt{}
			}
			s.prepared[query] = st
		}
		s.mu.Unlock()
	}
	return st.QueryContext(ctx, args...)
}
