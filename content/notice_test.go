package content

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/content/bundle"
)

const noticeGuide = "id: g\nstages: [thinking]\npictogram: visa\nsources: [x]\n"
const noticeText = "---\ntitle: T\nsummary: S\ntranslation: human\nprint: [a]\n---\nbody\n"

// A notice without an expiry would stay on every screen for ever; one
// without a language says nothing to anyone.
func TestNoticesChecked(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"no expiry refused", "- id: border\n  start: 2026-12-01T08:00:00+06:00\n  texts: {ru: Граница закрыта}\n", "notices.yaml:1: notice \"border\": no expires"},
		{"no language refused", "- id: border\n  start: 2026-12-01T08:00:00+06:00\n  expires: 2026-12-03T08:00:00+06:00\n", "no texts"},
		{"unknown language refused", "- id: border\n  start: 2026-12-01T08:00:00+06:00\n  expires: 2026-12-03T08:00:00+06:00\n  texts: {xx: a}\n", "unknown language"},
		{"expiry before start refused", "- id: border\n  start: 2026-12-03T08:00:00+06:00\n  expires: 2026-12-01T08:00:00+06:00\n  texts: {ru: a}\n", "after start"},
		{"date without time zone refused", "- id: border\n  start: 2026-12-01\n  expires: 2026-12-03T08:00:00+06:00\n  texts: {ru: a}\n", "RFC 3339"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Check(checkFS(map[string]string{"guides/g/guide.yaml": noticeGuide, "guides/g/en.md": noticeText, NoticesFile: tc.yaml}), CheckOptions{Required: []string{"en"}})
			if r.OK() || !strings.Contains(r.Errors.Error(), tc.want) {
				t.Fatalf("want %q, got %v", tc.want, r.Errors)
			}
		})
	}
}

// A valid notice shows from its start to its expiry in the reader's
// language, only where it is meant to, and survives a bundle round trip.
func TestNoticesShownWhileValid(t *testing.T) {
	fsys := checkFS(map[string]string{"guides/g/guide.yaml": noticeGuide, "guides/g/en.md": noticeText,
		NoticesFile: "- id: border\n  start: 2026-12-01T08:00:00+06:00\n  expires: 2026-12-03T08:00:00+06:00\n  countries: [KG]\n  texts: {ru: Граница закрыта, en: The border is closed}\n"})
	set, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Compile(set)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Open(writeSampleBundle(t, files))
	if err != nil {
		t.Fatal(err)
	}
	set, err = LoadBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	st, err := OpenStore(filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.Replace(ctx, set, "v"); err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	for _, tc := range []struct {
		name, lang, now, country string
		want                     string
	}{
		{"before the start nothing", "ru", "2026-12-01T07:59:00+06:00", "KG", ""},
		{"while valid, in Russian", "ru", "2026-12-02T12:00:00+06:00", "KG", "Граница закрыта"},
		{"Kyrgyz falls back to Russian", "ky", "2026-12-02T12:00:00+06:00", "KG", "Граница закрыта"},
		{"another country's kiosk nothing", "ru", "2026-12-02T12:00:00+06:00", "UZ", ""},
		{"expired disappears without an update", "en", "2026-12-03T08:00:00+06:00", "KG", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := st.Notices(ctx, tc.lang, at(tc.now), tc.country, "Osh")
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if len(list) > 0 {
				got = list[0].Text
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
