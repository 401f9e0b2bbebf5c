package content

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"sapar/content/bundle"
	"sapar/content/sample"
)

func writeSampleBundle(t testing.TB, files map[string][]byte) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	if _, err := bundle.Write(dir, "test-1", time.Unix(0, 0), files); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBundleRoundTrip(t *testing.T) {
	set, err := Load(sample.FS())
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
	got, err := LoadBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Guides) != len(set.Guides) || !reflect.DeepEqual(got.Contacts, stripLines(set.Contacts)) || len(got.Agencies) != len(set.Agencies) {
		t.Fatalf("round trip lost content: %d/%d guides, %d/%d agencies", len(got.Guides), len(set.Guides), len(got.Agencies), len(set.Agencies))
	}
	for i, g := range set.Guides {
		for l, tx := range g.Texts {
			gt := got.Guides[i].Texts[l]
			if gt == nil || gt.Title != tx.Title || gt.Body != tx.Body || gt.BodyHTML != tx.BodyHTML || !reflect.DeepEqual(gt.Print, tx.Print) {
				t.Fatalf("%s/%s differs after the round trip", g.ID, l)
			}
		}
	}
	st, err := OpenStore(filepath.Join(t.TempDir(), "i.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Replace(context.Background(), got, "test-1"); err != nil {
		t.Fatal(err)
	}
	if res, _ := st.CheckAgency(context.Background(), "Жибек Жолу Тревел Ворк", checkDay); res.Status != CheckLicensed {
		t.Fatalf("agency check on a bundle-built index: %+v", res)
	}
}

func stripLines(cs []*Contact) []*Contact {
	out := make([]*Contact, len(cs))
	for i, c := range cs {
		cc := *c
		cc.File, cc.Line = "", 0
		out[i] = &cc
	}
	return out
}

func TestLoadBundleRefusesBadContent(t *testing.T) {
	// One guide and the sample registries: each case writes a bundle, and
	// bundle.Write fsyncs every object.
	full, err := Load(sample.FS())
	if err != nil {
		t.Fatal(err)
	}
	set := &Set{Guides: []*Guide{full.Guide("eps-korea")}, Contacts: full.Contacts, Agencies: full.Agencies}
	cases := []struct {
		name string
		edit func(map[string][]byte)
		want string
	}{
		{"unknown field in a text", func(f map[string][]byte) {
			f["guides/eps-korea/en.json"] = []byte(strings.Replace(string(f["guides/eps-korea/en.json"]), `"lang"`, `"colour":"red","lang"`, 1))
		}, "unknown field"},
		{"text whose guide.json is missing", func(f map[string][]byte) { delete(f, "guides/eps-korea/guide.json") }, "texts without guide.json"},
		{"language listed but its text missing", func(f map[string][]byte) { delete(f, "guides/eps-korea/ky.json") }, "eps-korea"},
		{"unexpected file", func(f map[string][]byte) { f["run.sh"] = []byte("#!/bin/sh") }, "unexpected file"},
		{"agency with an invented status", func(f map[string][]byte) {
			f["agencies.json"] = []byte(strings.Replace(string(f["agencies.json"]), `"status":"licensed"`, `"status":"ok"`, 1))
		}, "status"},
		{"contact with a bad telegram", func(f map[string][]byte) {
			f["contacts.json"] = []byte(strings.Replace(string(f["contacts.json"]), `"telegram":"https://t.me/`, `"telegram":"javascript:`, 1))
		}, "telegram"},
		{"truncated JSON", func(f map[string][]byte) { f["contacts.json"] = f["contacts.json"][:10] }, "contacts.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files, err := Compile(set)
			if err != nil {
				t.Fatal(err)
			}
			tc.edit(files)
			b, err := bundle.Open(writeSampleBundle(t, files))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := LoadBundle(b); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadBundle error = %v, want %q", err, tc.want)
			}
		})
	}
}
