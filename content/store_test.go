package content

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testStore(t testing.TB) *Store {
	t.Helper()
	set, err := Load(os.DirFS("testdata/src"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := OpenStore(filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Replace(context.Background(), set, "test-1"); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestSearchFindsAcrossScripts(t *testing.T) {
	st := testStore(t)
	cases := []struct {
		name, lang, query, want string
	}{
		{"Uzbek Cyrillic query finds Latin guide", "uz-Latn", "ишчи визаси", "work-visa"},
		{"Uzbek Latin query finds Cyrillic guide", "uz-Cyrl", "litsenziya", "agency-licence"},
		{"apostrophe U+02BB typed as ASCII", "uz-Latn", "O'zbekistondan", "work-visa"},
		{"apostrophe left out", "uz-Latn", "Ozbekistondan", "work-visa"},
		{"Kyrgyz ө typed as о", "ky", "иштоогo", "work-visa"},
		{"prefix of a word", "en", "touri", "work-visa"},
		{"one wrong letter", "en", "tourist vusa", "work-visa"},
		{"Russian word in another form", "ru", "лицензию", "agency-licence"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.Search(context.Background(), tc.lang, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 || got[0].ID != tc.want {
				t.Fatalf("Search(%q, %q) = %+v, want %s first", tc.lang, tc.query, got, tc.want)
			}
		})
	}
}

func TestSearchNeverErrorsOnFTSSyntax(t *testing.T) {
	st := testStore(t)
	for _, q := range []string{`"`, `viza"`, `*`, `NEAR(viza`, `-viza`, `viza;DROP TABLE texts`, `AND OR NOT`, `)(`, "\x00", strings.Repeat("виза ", 500), `^viza`, `title:viza`} {
		if _, err := st.Search(context.Background(), "en", q); err != nil {
			t.Errorf("Search(%q) error: %v", q, err)
		}
	}
}

func TestFallbackIsMarked(t *testing.T) {
	st := testStore(t)
	g, err := st.Guide(context.Background(), "agency-licence", "ky")
	if err != nil {
		t.Fatal(err)
	}
	if g.Lang != "ru" || !g.Fallback {
		t.Fatalf("Kyrgyz reader of a guide only in ru and uz-Cyrl got lang %q fallback %v, want ru marked as fallback", g.Lang, g.Fallback)
	}
	g, err = st.Guide(context.Background(), "work-visa", "ky")
	if err != nil || g.Lang != "ky" || g.Fallback {
		t.Fatalf("Kyrgyz guide: %+v %v", g, err)
	}
	if !strings.Contains(g.Title, "Жумуш") {
		t.Errorf("title %q", g.Title)
	}
	res, err := st.Search(context.Background(), "ky", "виза")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Fallback && i+1 < len(res) && !res[i+1].Fallback {
			t.Errorf("a fallback result came before one in the user's language: %+v", res)
		}
	}
}

func FuzzSearch(f *testing.F) {
	st := testStore(f)
	for _, s := range []string{"viza", `"NEAR(`, "oʻzbek", "ишчи", "ۋ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := st.Search(context.Background(), "uz-Latn", q); err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
	})
}

func TestIndexFromAnOlderFoldIsStale(t *testing.T) {
	st := testStore(t)
	ctx := context.Background()
	if stale, err := st.Stale(ctx); err != nil || stale {
		t.Fatalf("fresh index stale=%v err=%v", stale, err)
	}
	if _, err := st.db.Exec(`UPDATE meta SET value = 'fold-1' WHERE key = 'index_format'`); err != nil {
		t.Fatal(err)
	}
	if stale, err := st.Stale(ctx); err != nil || !stale {
		t.Fatalf("index from an older fold: stale=%v err=%v, want stale", stale, err)
	}
}
