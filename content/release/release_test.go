package release

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/content"
	"sapar/content/sample"
)

// sampleRelease is a release dir holding the sample as a verified bundle,
// its index not yet built.
func sampleRelease(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "release")
	if _, err := WriteSourceBundle(sample.FS(), dir, "test-", time.Now()); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestOpenRepairsTheIndex(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, dir string)
		why    string
	}{
		{"release installed without an index (old sapar update)", func(t *testing.T, dir string) {}, "missing"},
		{"index folded by an older binary", func(t *testing.T, dir string) {
			mustPrepare(t, dir)
			db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, IndexDB))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, q := range []string{`UPDATE meta SET value = 'fold-1' WHERE key = 'index_format'`, `DELETE FROM search_words`} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
		}, "older binary"},
		{"index replaced by text", func(t *testing.T, dir string) {
			mustPrepare(t, dir)
			if err := os.WriteFile(filepath.Join(dir, IndexDB), []byte("not a database\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "not an index"},
		{"index of another release", func(t *testing.T, dir string) {
			other := sampleRelease(t)
			mustPrepare(t, other)
			db, err := sql.Open("sqlite", "file:"+filepath.Join(other, IndexDB))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`UPDATE meta SET value = 'someone-else' WHERE key = 'version'`); err != nil {
				t.Fatal(err)
			}
			db.Close()
			raw, err := os.ReadFile(filepath.Join(other, IndexDB))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, IndexDB), raw, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "did not answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := sampleRelease(t)
			tc.damage(t, dir)
			st, repaired, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if !strings.Contains(repaired, tc.why) || !strings.Contains(repaired, "rebuilt") {
				t.Errorf("repair note %q does not say %q and rebuilt", repaired, tc.why)
			}
			if RepairReason(repaired) == "" {
				t.Errorf("repair note %q has no reason for the metric", repaired)
			}
			res, err := st.Search(context.Background(), "ky", "жумуш визасы")
			if err != nil || len(res) == 0 {
				t.Fatalf("search after repair: %v %v", res, err)
			}
			if err := Health(dir); err != nil {
				t.Fatalf("health after repair: %v", err)
			}
			if _, again, err := Open(dir); err != nil || again != "" {
				t.Fatalf("second open repaired again (%q) or failed: %v", again, err)
			}
		})
	}
}

func TestHealthRefusesAReleaseWithoutIndex(t *testing.T) {
	dir := sampleRelease(t)
	if err := Health(dir); err == nil || !strings.Contains(err.Error(), "index missing") {
		t.Fatalf("health of a release without index: %v", err)
	}
	mustPrepare(t, dir)
	if err := Health(dir); err != nil {
		t.Fatal(err)
	}
}

func TestOpenGivesUpOnABrokenBundle(t *testing.T) {
	dir := sampleRelease(t)
	if err := os.WriteFile(filepath.Join(dir, "index.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(dir); err == nil {
		t.Fatal("a release whose bundle does not verify was opened")
	}
}

func TestBuildServesTheSources(t *testing.T) {
	st, v, err := Build(sample.FS(), filepath.Join(t.TempDir(), "b"), "sample-", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if !strings.HasPrefix(v, "sample-") {
		t.Fatalf("version %q", v)
	}
	if got, _ := st.Version(context.Background()); got != v {
		t.Fatalf("index version %q, bundle %q", got, v)
	}
}

func mustPrepare(t *testing.T, dir string) {
	t.Helper()
	if err := Prepare(dir); err != nil {
		t.Fatal(err)
	}
}

// garble overwrites 8 KB at off of the index with bytes no SQLite page
// holds: what a failing SD card does to a file nobody writes.
func garble(t testing.TB, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := make([]byte, 8192)
	for i := range junk {
		junk[i] = byte(i*7 + 3)
	}
	if _, err := f.WriteAt(junk, off); err != nil {
		t.Fatal(err)
	}
}

// 8 KB of garbage in the middle of index.db: the pages hit there are not
// the ones a list or a search reads first, so the index "answers" — but it
// is corrupt. Health (sapar doctor) says so, Open rebuilds it from the
// verified bundle and says why.
func TestCorruptIndexIsFoundAndRebuilt(t *testing.T) {
	dir := sampleRelease(t)
	mustPrepare(t, dir)
	path := filepath.Join(dir, IndexDB)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	garble(t, path, fi.Size()/2)
	if err := Health(dir); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("health of an index with 8 KB of garbage: %v", err)
	}
	st, repaired, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if !strings.Contains(repaired, "corrupt") || !strings.Contains(repaired, "rebuilt") {
		t.Errorf("repair note %q does not say corrupt and rebuilt", repaired)
	}
	if err := Health(dir); err != nil {
		t.Fatalf("health after the rebuild: %v", err)
	}
	if err := Answers(context.Background(), st); err != nil {
		t.Fatalf("the rebuilt index does not answer: %v", err)
	}
}

// Answers is the question /healthz and the watchdog probe ask: it must
// fail wherever a screen would (a garbled page under the guide list or the
// search tables), not only when the file is gone.
func TestAnswersFailsWhereTheScreensWould(t *testing.T) {
	dir := sampleRelease(t)
	mustPrepare(t, dir)
	path := filepath.Join(dir, IndexDB)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	broken := 0
	for off := int64(4096); off+8192 < int64(len(orig)); off += 32768 {
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		garble(t, path, off)
		st, err := content.OpenStore(path)
		if err != nil {
			continue
		}
		_, lerr := st.List(ctx, "", "en")
		_, serr := st.Search(ctx, "ru", "работа")
		aerr := Answers(ctx, st)
		st.Close()
		if lerr != nil || serr != nil {
			broken++
			if aerr == nil {
				t.Errorf("garbage at %d: the list (%v) or search (%v) fails, Answers says fine", off, lerr, serr)
			}
		}
	}
	if broken == 0 {
		t.Fatal("no offset broke the list or search: the test proves nothing")
	}
}

// BenchmarkQuickCheck is what the page check adds to every start.
func BenchmarkQuickCheck(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "release")
	if _, err := WriteSourceBundle(sample.FS(), dir, "test-", time.Now()); err != nil {
		b.Fatal(err)
	}
	if err := Prepare(dir); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(dir, IndexDB))
	b.ReportMetric(float64(fi.Size())/1e6, "index-MB")
	for b.Loop() {
		if err := QuickCheck(filepath.Join(dir, IndexDB)); err != nil {
			b.Fatal(err)
		}
	}
}
