package release

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sapar/content"
	"sapar/content/atomicfile"
	"sapar/content/bundle"
)

// IndexDB is the SQLite index Prepare builds inside each release
// (STATE/content/releases/<name>/index.db), next to the bundle.
const IndexDB = "index.db"

// Index is the release hooks the updater requires (updates.Indexer): build
// the index in a staging dir, health-check an activated release.
type Index struct{}

// Prepare builds the index of the release in dir.
func (Index) Prepare(dir string) error { return Prepare(dir) }

// Health checks the release in dir.
func (Index) Health(dir string) error { return Health(dir) }

// Prepare builds the SQLite index of a release from its verified bundle.
// The index is built beside its final name, synced and renamed over it, so
// a crash never leaves a release with a half-built index.
func Prepare(dir string) error {
	b, err := bundle.Open(dir)
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	set, err := content.LoadBundle(b)
	if err != nil {
		return fmt.Errorf("release: content of %s: %w", b.Index.Version, err)
	}
	path := filepath.Join(dir, IndexDB)
	tmp := path + ".new"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p) // a half-built index left by a crash
	}
	st, err := content.BuildStore(tmp)
	if err != nil {
		return fmt.Errorf("release: build index: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := st.Replace(ctx, set, b.Index.Version); err != nil {
		st.Close()
		return fmt.Errorf("release: build index: %w", err)
	}
	if err := st.Close(); err != nil {
		return fmt.Errorf("release: build index: %w", err)
	}
	if err := atomicfile.SyncFile(tmp); err != nil { // built without syncs: durable before it is named
		return fmt.Errorf("release: build index: %w", err)
	}
	for _, p := range []string{path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("release: build index: %w", err)
	}
	return atomicfile.SyncDir(dir)
}

// Health checks every page of a release's index (PRAGMA quick_check), opens
// it and asks it questions: the version is the bundle's, guides are listed,
// a search answers. It is what sapar doctor and the updater ask.
func Health(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, IndexDB)); err != nil {
		return fmt.Errorf("health: index missing: %w", err)
	}
	if err := QuickCheck(filepath.Join(dir, IndexDB)); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, bundle.IndexName))
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	idx, err := bundle.ParseIndex(raw)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	st, err := content.OpenStore(filepath.Join(dir, IndexDB))
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return answers(ctx, st, idx.Version)
}

// answers asks an open index the questions a kiosk depends on, and checks
// it was built from the bundle beside it.
func answers(ctx context.Context, st *content.Store, version string) error {
	v, err := st.Version(ctx)
	if err != nil {
		return fmt.Errorf("health: version: %w", err)
	}
	if v != version {
		return fmt.Errorf("health: index built from %q, bundle is %q", v, version)
	}
	return Answers(ctx, st)
}

// Answers asks an open index what the screens ask: the guide list with
// every summary, a guide, a search in two scripts. /healthz, the watchdog
// probe and the maintenance screen ask it of the index being served, so a
// kiosk whose screens would answer 500 is not reported healthy (a count of
// guides still answers from an index whose search pages are garbage). It
// reads a few dozen pages: cheap enough for every probe.
func Answers(ctx context.Context, st *content.Store) error {
	list, err := st.List(ctx, "", "en")
	if err != nil {
		return fmt.Errorf("health: list: %w", err)
	}
	if len(list) == 0 {
		return errors.New("health: no guides in the index")
	}
	if _, err := st.Guide(ctx, list[0].ID, "ky"); err != nil {
		return fmt.Errorf("health: guide %s: %w", list[0].ID, err)
	}
	for _, q := range []struct{ lang, text string }{{"ru", "работа"}, {"ky", "виза"}} {
		if _, err := st.Search(ctx, q.lang, q.text); err != nil {
			return fmt.Errorf("health: search: %w", err)
		}
	}
	return nil
}

// QuickCheck reads every page of the index at path (PRAGMA quick_check):
// 8 KB of garbage that no list or search happens to touch is found here, at
// start, before the kiosk serves it.
func QuickCheck(path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("quick check: %w", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rows, err := db.QueryContext(ctx, `PRAGMA quick_check(5)`)
	if err != nil {
		return fmt.Errorf("the index is corrupt or not an index: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("the index is corrupt: %w", err)
		}
		if line != "ok" {
			problems = append(problems, strings.TrimSpace(strings.ReplaceAll(line, "\n", " ")))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("the index is corrupt: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("the index is corrupt: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Open opens the index of the release in dir. An index that is missing (a
// release installed by an older `sapar update`), corrupt (QuickCheck: a
// failing SD card), folded by an older binary, or that does not answer is
// rebuilt from the release's verified bundle;
// repaired then says what was done ("" when nothing was). An error means
// the release cannot be served: the caller falls back to another one.
func Open(dir string) (st *content.Store, repaired string, err error) {
	path := filepath.Join(dir, IndexDB)
	why := ""
	if _, err := os.Stat(path); err != nil {
		why = whyMissing
	} else if err := QuickCheck(path); err != nil {
		why = fmt.Sprintf("%s (%v)", whyCorrupt, err)
	} else if st, err = openAnswering(dir); err != nil {
		why = fmt.Sprintf("%s (%v)", whyNotAnswering, err)
	} else if stale, err := st.Stale(context.Background()); err == nil && stale {
		st.Close()
		why = whyStale
	} else {
		return st, "", nil
	}
	if err := Prepare(dir); err != nil {
		return nil, "", fmt.Errorf("release: %s and rebuilding it from the bundle failed: %w", why, err)
	}
	st, err = openAnswering(dir)
	if err != nil {
		return nil, "", fmt.Errorf("release: %s; rebuilt, but it still does not answer: %w", why, err)
	}
	return st, why + ": rebuilt it from the release's verified bundle", nil
}

// Why Open rebuilt an index: the start of its repair note.
const (
	whyMissing      = "the index was missing"
	whyCorrupt      = "the index failed its check"
	whyNotAnswering = "the index did not answer"
	whyStale        = "the index was built by an older binary"
)

// RepairReason names the repair note Open returned in one word, for a
// metric label: missing, corrupt, not-answering, stale ("" for no repair).
func RepairReason(note string) string {
	for _, w := range []struct{ prefix, reason string }{
		{whyMissing, "missing"}, {whyCorrupt, "corrupt"}, {whyNotAnswering, "not-answering"}, {whyStale, "stale"},
	} {
		if strings.HasPrefix(note, w.prefix) {
			return w.reason
		}
	}
	return ""
}

// openAnswering opens the index and checks it answers like Health does.
func openAnswering(dir string) (*content.Store, error) {
	raw, err := os.ReadFile(filepath.Join(dir, bundle.IndexName))
	if err != nil {
		return nil, err
	}
	idx, err := bundle.ParseIndex(raw)
	if err != nil {
		return nil, err
	}
	st, err := content.OpenStore(filepath.Join(dir, IndexDB))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := st.Ping(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := answers(ctx, st, idx.Version); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// WriteSourceBundle compiles content sources into a bundle in dir, as
// `sapar content build` does; its version is prefix + the sources' digest,
// created is stamped into the index (pass the binary's build time, or now).
func WriteSourceBundle(fsys fs.FS, dir, prefix string, created time.Time) (version string, err error) {
	set, err := content.Load(fsys)
	if err != nil {
		return "", fmt.Errorf("the content does not load — run sapar content check on it:\n%w", err)
	}
	files, err := content.Compile(set)
	if err != nil {
		return "", err
	}
	digest, err := content.Digest(fsys)
	if err != nil {
		return "", err
	}
	if len(digest) > 12 {
		digest = digest[:12]
	}
	version = prefix + digest
	if _, err := bundle.Write(dir, version, created, files); err != nil {
		return "", err
	}
	return version, nil
}

// Build compiles content sources into a bundle in dir, builds its index and
// opens it: what the demo and the preview serve, made the way a kiosk makes
// an installed release.
func Build(fsys fs.FS, dir, prefix string, created time.Time) (*content.Store, string, error) {
	v, err := WriteSourceBundle(fsys, dir, prefix, created)
	if err != nil {
		return nil, "", err
	}
	if err := Prepare(dir); err != nil {
		return nil, "", err
	}
	st, err := openAnswering(dir)
	if err != nil {
		return nil, "", fmt.Errorf("release: %w", err)
	}
	return st, v, nil
}
