package content

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"sapar/content/migrate"

	_ "modernc.org/sqlite" // pure-Go SQLite with FTS5: the default build needs no cgo
)

// migrations is the ordered schema history, applied by content/migrate
// (each in its own transaction; schema version = len(migrations)). Search columns hold Fold()ed text; the
// texts table holds what is shown.
var migrations = []string{
	`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
	 CREATE TABLE guides (
		id TEXT PRIMARY KEY, pictogram TEXT NOT NULL, stages TEXT NOT NULL,
		audiences TEXT NOT NULL, countries TEXT NOT NULL, links TEXT NOT NULL, sources TEXT NOT NULL);
	 CREATE TABLE texts (
		guide_id TEXT NOT NULL REFERENCES guides(id), lang TEXT NOT NULL,
		title TEXT NOT NULL, summary TEXT NOT NULL, body_html TEXT NOT NULL,
		print TEXT NOT NULL, link_labels TEXT NOT NULL, reviewed TEXT NOT NULL,
		PRIMARY KEY (guide_id, lang));
	 CREATE VIRTUAL TABLE search_words USING fts5(
		guide_id UNINDEXED, lang UNINDEXED, title, summary, body,
		tokenize = 'unicode61 remove_diacritics 2');
	 CREATE VIRTUAL TABLE search_trigrams USING fts5(
		guide_id UNINDEXED, lang UNINDEXED, text, tokenize = 'trigram');`,
	// 2: contacts directory and agency registry, stored as JSON in source order.
	`CREATE TABLE contacts (
		id TEXT PRIMARY KEY, ord INTEGER NOT NULL, kind TEXT NOT NULL, country TEXT NOT NULL, data TEXT NOT NULL);
	 CREATE TABLE agencies (
		ord INTEGER PRIMARY KEY, licence_key TEXT NOT NULL UNIQUE, data TEXT NOT NULL);`,
	// 3: Russian texts stemmed (StemRussian, then Fold), so word forms meet.
	`CREATE VIRTUAL TABLE search_stems USING fts5(
		guide_id UNINDEXED, lang UNINDEXED, text, tokenize = 'unicode61 remove_diacritics 2');`,
	// 4: the key contacts of a guide (ids in contacts), printed on its slip.
	`ALTER TABLE guides ADD COLUMN contacts TEXT NOT NULL DEFAULT '[]';`,
	// 5: search as people type. search_words gains the editors' search
	// words (synonyms.yaml) as a column of their own, weighed next to the
	// title, and prefix indexes for the first letters typed; trigrams cover
	// the search words too; search_df says in how many guides each indexed
	// word occurs (how telling it is). Query stems replace the table of
	// stemmed Russian texts. An index from before is emptied here and
	// rebuilt (Stale: its index_format is older).
	`DROP TABLE search_words;
	 DROP TABLE search_trigrams;
	 DROP TABLE search_stems;
	 CREATE VIRTUAL TABLE search_words USING fts5(
		guide_id UNINDEXED, lang UNINDEXED, title, synonyms, summary, body,
		tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
	 CREATE VIRTUAL TABLE search_trigrams USING fts5(
		guide_id UNINDEXED, lang UNINDEXED, text, tokenize = 'trigram');
	 CREATE TABLE search_df (term TEXT PRIMARY KEY, guides INTEGER NOT NULL) WITHOUT ROWID;
	 CREATE TABLE search_common (stem TEXT PRIMARY KEY) WITHOUT ROWID;
	 DELETE FROM meta WHERE key = 'index_format';`,
	// 6: urgent notices (notices.yaml), stored as JSON in source order;
	// shown while valid. The format bump (notices-1) rebuilds an index made
	// before, so a bundle's notices are never missing from it.
	`CREATE TABLE notices (ord INTEGER PRIMARY KEY, data TEXT NOT NULL);`,
}

// Store is the kiosk's read side of the content: an SQLite index built from
// a Set (or a bundle) and queried by the UI.
type Store struct {
	db       *sql.DB
	mu       sync.Mutex
	prepared map[string]*sql.Stmt // search's fixed queries (see stmt)
}

// StoreMaxOpenConns bounds the connections (and descriptors on index.db)
// an open store holds: 200 concurrent searches opened 200 of them.
const StoreMaxOpenConns = 4

// OpenStore opens (creating if needed) the index at path and brings its
// schema up to date.
func OpenStore(path string) (*Store, error) {
	// Reads are memory-mapped: a search touches pages all over the FTS
	// index, and a read system call per page was a tenth of its time.
	s, err := openStore(path, "_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)&_pragma=mmap_size(268435456)")
	if err != nil {
		return nil, err
	}
	// A kiosk serves one person: a few connections answer every search
	// (more only contend for the same cores), the rest wait their turn.
	// Idle ones stay open, each with its prepared searches, and are closed
	// after minutes of nobody searching.
	s.db.SetMaxOpenConns(StoreMaxOpenConns)
	s.db.SetMaxIdleConns(StoreMaxOpenConns)
	s.db.SetConnMaxIdleTime(10 * time.Minute)
	return s, nil
}

// BuildStore creates a new index at path for a one-off build: no journal
// and no syncs while it fills (SD-card care, and the build is about twice as
// fast). Only for a file nobody else reads, built aside and renamed into
// place: a crash mid-build leaves a file that is thrown away. Close it,
// fsync the file, rename it, then use OpenStore.
func BuildStore(path string) (*Store, error) {
	return openStore(path, "_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=cache_size(-8192)")
}

func openStore(path, pragmas string) (*Store, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		return nil, fmt.Errorf("content: open store %s: %w", path, err)
	}
	s := &Store{db: db}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.mu.Lock()
	for _, st := range s.prepared {
		st.Close()
	}
	s.prepared = nil
	s.mu.Unlock()
	return s.db.Close()
}

func (s *Store) migrate() error {
	return migrate.Apply(context.Background(), s.db, "content: index", migrations)
}

// Replace swaps the whole content for set in one transaction: readers see
// the old content or the new, never a mix.
func (s *Store) Replace(ctx context.Context, set *Set, version string) error {
	ctx, cancel := context.WithCancel(ctx) // stops prepareTexts' workers on an early return
	defer cancel()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("content: index: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM texts`, `DELETE FROM guides`, `DELETE FROM search_words`, `DELETE FROM search_trigrams`,
		`DELETE FROM contacts`, `DELETE FROM agencies`, `DELETE FROM notices`, `DELETE FROM search_df`, `DELETE FROM search_common`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("content: index: %w", err)
		}
	}
	insG, err := tx.PrepareContext(ctx, `INSERT INTO guides (id, pictogram, stages, audiences, countries, links, sources, contacts) VALUES (?,?,?,?,?,?,?,?)`)
	if err != nil {
		return fmt.Errorf("content: index: %w", err)
	}
	insT, err := tx.PrepareContext(ctx, `INSERT INTO texts VALUES (?,?,?,?,?,?,?,?)`)
	if err != nil {
		return fmt.Errorf("content: index: %w", err)
	}
	insW, err := tx.PrepareContext(ctx, `INSERT INTO search_words VALUES (?,?,?,?,?,?)`)
	if err != nil {
		return fmt.Errorf("content: index: %w", err)
	}
	insTri, err := tx.PrepareContext(ctx, `INSERT INTO search_trigrams VALUES (?,?,?)`)
	if err != nil {
		return fmt.Errorf("content: index: %w", err)
	}
	// Folding is the CPU-heavy part of a rebuild: done on every core while
	// this goroutine feeds SQLite.
	df := map[string]int{}
	for p := range prepareTexts(ctx, set) {
		for _, w := range p.words {
			df[w]++
		}
		g := p.guide
		if _, err := insG.ExecContext(ctx, g.ID, g.Pictogram, jsonText(g.Stages), jsonText(g.Audiences),
			jsonText(g.Countries), jsonText(g.Links), jsonText(g.Sources), jsonText(nonNil(g.Contacts))); err != nil {
			return fmt.Errorf("content: index guide %s: %w", g.ID, err)
		}
		for _, f := range p.texts {
			if t := f.text; t != nil {
				if _, err := insT.ExecContext(ctx, g.ID, t.Lang, t.Title, t.Summary, t.BodyHTML,
					jsonText(t.Print), jsonText(t.LinkLabels), t.Reviewed); err != nil {
					return fmt.Errorf("content: index %s/%s: %w", g.ID, t.Lang, err)
				}
			}
			if _, err := insW.ExecContext(ctx, g.ID, f.lang, f.title, f.synonyms, f.summary, f.body); err != nil {
				return fmt.Errorf("content: index %s/%s: %w", g.ID, f.lang, err)
			}
			if _, err := insTri.ExecContext(ctx, g.ID, f.lang, strings.TrimSpace(f.title+" "+f.synonyms+" "+f.summary)); err != nil {
				return fmt.Errorf("content: index %s/%s: %w", g.ID, f.lang, err)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	insDF, err := tx.PrepareContext(ctx, `INSERT INTO search_df VALUES (?,?)`)
	if err != nil {
		return fmt.Errorf("content: index: %w", err)
	}
	for w, n := range df {
		if _, err := insDF.ExecContext(ctx, w, n); err != nil {
			return fmt.Errorf("content: index: %w", err)
		}
	}
	for _, stem := range commonStems(set.Synonyms) {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO search_common VALUES (?)`, stem); err != nil {
			return fmt.Errorf("content: index: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := replaceRegistries(ctx, tx, set); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta VALUES ('index_format', ?)`, IndexFormat); err != nil {
		return fmt.Errorf("content: index: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta VALUES ('guides', ?)`, fmt.Sprint(len(set.Guides))); err != nil {
		return fmt.Errorf("content: index: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta VALUES ('version', ?)`, version); err != nil {
		return fmt.Errorf("content: index: %w", err)
	}
	return tx.Commit()
}

// foldedText is one row of search_words: a guide's text in one language
// folded for search, with the search words synonyms.yaml gives it. text is
// nil for a language the guide has search words in but no text.
type foldedText struct {
	text                                 *Text
	lang, title, synonyms, summary, body string
}

type preparedGuide struct {
	guide *Guide
	texts []foldedText
	words []string // every distinct indexed word of the guide, for search_df
}

// prepareTexts folds every text on all cores and adds its search words.
// The channel is closed when all guides are sent or ctx ends.
func prepareTexts(ctx context.Context, set *Set) <-chan preparedGuide {
	syn := newSynonymIndex(set.Synonyms)
	in := make(chan *Guide)
	out := make(chan preparedGuide, 64)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range in {
				p := syn.prepare(g)
				select {
				case out <- p:
				case <-ctx.Done():
				}
			}
		}()
	}
	go func() {
		defer close(in)
		for _, g := range set.Guides {
			select {
			case in <- g:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(out) }()
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Version is the content version the index was built from.
// IndexFormat names how search text is folded and stemmed. Change it with
// Fold or the stemmer: an index built by an older binary holds text folded
// the old way, and queries folded the new way would miss it.
const IndexFormat = "fold-4+words-2+synonyms-1+notices-1"

// Stale reports whether the index was built by a binary that folds or stems
// differently (or before the format was recorded): it must be rebuilt from
// its bundle before it is used.
func (s *Store) Stale(ctx context.Context) (bool, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'index_format'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("content: index format: %w", err)
	}
	return v != IndexFormat, nil
}

func (s *Store) Version(ctx context.Context) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'version'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// Ping checks that the index answers.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	return s.db.QueryRowContext(ctx, `SELECT count(*) FROM guides`).Scan(&n)
}

// GuideView is a guide in the language the user asked for, or in the first
// fallback that has it (Lang says which, Fallback says that it happened).
type GuideView struct {
	ID        string        `json:"id"`
	Lang      string        `json:"lang"`
	Fallback  bool          `json:"fallback"`
	Title     string        `json:"title"`
	Summary   string        `json:"summary"`
	BodyHTML  string        `json:"body_html"`
	Print     []string      `json:"print"`
	Links     []LinkView    `json:"links"`
	Stages    []string      `json:"stages"`
	Countries []string      `json:"countries"`
	Pictogram string        `json:"pictogram"`
	Sources   []string      `json:"sources"`
	Reviewed  string        `json:"reviewed"`
	Contacts  []ContactView `json:"contacts,omitempty"` // the guide's key contacts, names in lang
	// Origin is the citizenship the view was narrowed to (ForOrigin); "" all.
	Origin string `json:"origin,omitempty"`
	// OriginMatters: the guide's links or contacts differ by citizenship,
	// so the screen asks whose rules apply.
	OriginMatters bool              `json:"origin_matters"`
	labels        map[string]string // unexported: folded into Links
}

// LinkView is a link with its label in the view's language.
type LinkView struct {
	ID      string   `json:"id"`
	URL     string   `json:"url"`
	Label   string   `json:"label"`
	Origins []string `json:"origins,omitempty"` // for citizens of these; empty: everyone
}

// ErrNotFound is returned for an unknown guide id.
var ErrNotFound = errors.New("content: not found")

// Guide returns guide id in lang, following the language's fallback chain.
func (s *Store) Guide(ctx context.Context, id, lang string) (*GuideView, error) {
	v := &GuideView{ID: id}
	var stages, countries, links, sources, contacts string
	err := s.db.QueryRowContext(ctx, `SELECT pictogram, stages, countries, links, sources, contacts FROM guides WHERE id = ?`, id).
		Scan(&v.Pictogram, &stages, &countries, &links, &sources, &contacts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: guide %q", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("content: guide %s: %w", id, err)
	}
	var rawLinks []Link
	json.Unmarshal([]byte(stages), &v.Stages)
	json.Unmarshal([]byte(countries), &v.Countries)
	json.Unmarshal([]byte(links), &rawLinks)
	json.Unmarshal([]byte(sources), &v.Sources)
	var contactIDs []string
	json.Unmarshal([]byte(contacts), &contactIDs)
	for _, cid := range contactIDs {
		c, err := s.Contact(ctx, cid, lang)
		if errors.Is(err, ErrNotFound) {
			continue // the loader refuses such content; an old index may lack it
		}
		if err != nil {
			return nil, err
		}
		v.Contacts = append(v.Contacts, c)
	}
	chain := Chain(lang)
	for i, l := range chain {
		var print, labels string
		err := s.db.QueryRowContext(ctx, `SELECT title, summary, body_html, print, link_labels, reviewed FROM texts WHERE guide_id = ? AND lang = ?`, id, l).
			Scan(&v.Title, &v.Summary, &v.BodyHTML, &print, &labels, &v.Reviewed)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("content: guide %s/%s: %w", id, l, err)
		}
		v.Lang, v.Fallback = l, i > 0
		json.Unmarshal([]byte(print), &v.Print)
		json.Unmarshal([]byte(labels), &v.labels)
		for _, rl := range rawLinks {
			label := v.labels[rl.ID]
			if label == "" {
				label = rl.URL
			}
			v.Links = append(v.Links, LinkView{ID: rl.ID, URL: rl.URL, Label: label, Origins: rl.Origins})
		}
		return v, nil
	}
	return nil, fmt.Errorf("%w: guide %q has no text in %s", ErrNotFound, id, strings.Join(chain, ", "))
}

// Summary is one line of a guide list or a search result.
type Summary struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Summary   string `json:"summary"`
	Lang      string `json:"lang"`
	Fallback  bool   `json:"fallback,omitempty"`
	Pictogram string `json:"pictogram"`
}

// List returns the guides of a stage ("" for all) in lang with fallbacks,
// ordered by title.
func (s *Store) List(ctx context.Context, stage, lang string) ([]Summary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, pictogram, stages FROM guides ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("content: list: %w", err)
	}
	type row struct{ id, pict string }
	var ids []row
	for rows.Next() {
		var id, pict, stages string
		if err := rows.Scan(&id, &pict, &stages); err != nil {
			rows.Close()
			return nil, fmt.Errorf("content: list: %w", err)
		}
		var st []string
		json.Unmarshal([]byte(stages), &st)
		if stage == "" || contains(st, stage) {
			ids = append(ids, row{id, pict})
		}
	}
	rows.Close()
	out := make([]Summary, 0, len(ids))
	for _, r := range ids {
		sum, ok, err := s.summary(ctx, r.id, lang)
		if err != nil {
			return nil, err
		}
		if ok {
			sum.Pictogram = r.pict
			out = append(out, sum)
		}
	}
	return out, nil
}

func (s *Store) summary(ctx context.Context, id, lang string) (Summary, bool, error) {
	for i, l := range Chain(lang) {
		sum := Summary{ID: id, Lang: l, Fallback: i > 0}
		err := s.db.QueryRowContext(ctx, `SELECT title, summary FROM texts WHERE guide_id = ? AND lang = ?`, id, l).Scan(&sum.Title, &sum.Summary)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return Summary{}, false, fmt.Errorf("content: summary %s: %w", id, err)
		}
		return sum, true, nil
	}
	return Summary{}, false, nil
}
