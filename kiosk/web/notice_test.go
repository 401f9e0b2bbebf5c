package web

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"sapar/content"
	"sapar/content/sample"
	"sapar/drivers/receipt"
)

// withNotices is the sample content plus a notices.yaml.
type withNotices struct {
	fs.FS
	notices string
}

func (w withNotices) Open(name string) (fs.File, error) {
	if name == content.NoticesFile {
		return fstest.MapFS{name: {Data: []byte(w.notices)}}.Open(name)
	}
	return w.FS.Open(name)
}

// An urgent notice shows on every screen (the page asks /api/notices) and
// prints at the top of every slip while valid; after its expiry it is gone
// without any content update.
func TestUrgentNoticeWhileValid(t *testing.T) {
	set, err := content.Load(withNotices{sample.FS(), "- id: border\n  start: 2026-12-01T00:00:00+06:00\n  expires: 2026-12-02T00:00:00+06:00\n  countries: [KG]\n  texts: {ru: Пункт пропуска закрыт, en: The border post is closed}\n"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := content.OpenStore(filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Replace(context.Background(), set, "n"); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	var printed []receipt.Document
	srv, err := NewServer(Options{Store: st, Country: "KG", Now: func() time.Time { return now },
		Print: func(_ context.Context, d receipt.Document) error { printed = append(printed, d); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	var list []struct{ Text, Lang string }
	getJSON(t, h, "/api/notices?lang=ky", &list)
	if len(list) != 1 || list[0].Text != "Пункт пропуска закрыт" {
		t.Fatalf("notices in ky (falls back to ru): %+v", list)
	}
	g, err := st.Guide(context.Background(), "entry-ban-check", "en")
	if err != nil {
		t.Fatal(err)
	}
	if doc := srv.slip(g, "n"); !strings.HasPrefix(doc.Notice, "The border post is closed") {
		t.Fatalf("slip notice %q", doc.Notice)
	}
	now = now.Add(24 * time.Hour) // past the expiry
	list = nil
	getJSON(t, h, "/api/notices?lang=en", &list)
	if len(list) != 0 {
		t.Fatalf("expired notice still shown: %+v", list)
	}
	if doc := srv.slip(g, "n"); strings.Contains(doc.Notice, "border") {
		t.Fatalf("expired notice still printed: %q", doc.Notice)
	}
}
