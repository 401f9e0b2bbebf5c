package release

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
		}, "did not answer"},
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
