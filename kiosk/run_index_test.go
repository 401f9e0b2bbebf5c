package kiosk

import (
	"context"
	"database/sql"
	"testing"
)

// A kiosk upgraded to a binary that folds search text differently must not
// keep serving an index folded the old way: openRelease rebuilds it from the
// release's verified bundle, and a query folded the new way finds guides.
func TestStaleIndexIsRebuiltOnOpen(t *testing.T) {
	dir := makeBundle(t, sampleFiles(t, nil))
	if err := prepareRelease(dir); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+dir+"/"+IndexDB)
	if err != nil {
		t.Fatal(err)
	}
	// What an older binary left: another fold and no searchable words.
	for _, q := range []string{`UPDATE meta SET value = 'fold-1' WHERE key = 'index_format'`, `DELETE FROM search_words`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	st, err := openRelease(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if stale, err := st.Stale(ctx); err != nil || stale {
		t.Fatalf("after open: stale=%v err=%v", stale, err)
	}
	res, err := st.Search(ctx, "ky", "жумуш визасы")
	if err != nil || len(res) == 0 {
		t.Fatalf("search after rebuild: %v %v", res, err)
	}
	if err := healthCheck(dir); err != nil {
		t.Fatalf("health after rebuild: %v", err)
	}
}
