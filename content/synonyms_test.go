package content

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"sapar/content/bundle"
)

func synonymsFS(yaml string) map[string]string {
	return map[string]string{
		"guides/g/guide.yaml": checkGuide,
		"guides/g/en.md":      md("Work visa", "", "Check it."),
		"guides/g/ru.md":      md("Регистрация и виза", "", "Проверьте регистрацию."),
		SynonymsFile:          yaml,
	}
}

func TestSynonymsFileIsStrict(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown language", "ru:\n  terms:\n    виза: [визa]\nxx:\n  terms:\n    a: [b]\n", "synonyms.yaml:4: unknown language \"xx\""},
		{"language spelled like a browser", "uz-latn:\n  common: [va]\n", "synonyms.yaml:1: unknown language \"uz-latn\""},
		{"unknown key under a language", "en:\n  terms:\n    visa: [permit]\n  synonym:\n    visa: [x]\n", "synonyms.yaml:4: unknown key \"synonym\" under en"},
		{"terms as a list", "en:\n  terms: [visa, permit]\n", "synonyms.yaml:2: en.terms: a map"},
		{"a term with no words", "en:\n  terms:\n    visa: []\n", "synonyms.yaml:3: \"visa\": give a list of words"},
		{"a term with one word, not a list", "en:\n  terms:\n    visa: permit\n", "synonyms.yaml:3: \"visa\": give a list of words"},
		{"a phone number is not a word", "en:\n  guides:\n    g: [call 0312 123456]\n", "synonyms.yaml:3: \"call 0312 123456\": a number"},
		{"a web address is not a word", "en:\n  guides:\n    g: [migrant.kg]\n", "synonyms.yaml:3: \"migrant.kg\": a web address"},
		{"a sentence is not a search word", "en:\n  guides:\n    g: [" + strings.Repeat("word ", 8) + "]\n", "synonyms.yaml:3: \"" + strings.TrimSpace(strings.Repeat("word ", 8)) + "\": 8 words"},
		{"words for a guide that does not exist", "en:\n  guides:\n    no-such-guide: [visa]\n", "synonyms.yaml:3: guide \"no-such-guide\" is not in guides/"},
		{"a language twice", "en:\n  common: [my]\nen:\n  common: [the]\n", "synonyms.yaml:3: language en already given on line 1"},
		{"the same term twice", "en:\n  terms:\n    visa: [permit]\n    Visa: [stamp]\n", "synonyms.yaml:4: \"Visa\" is already listed on line 3"},
		{"common words are single words", "en:\n  common: [how to]\n", "synonyms.yaml:2: \"how to\": common words are single words"},
		{"broken YAML names its line", "en:\n  terms:\n    visa: [permit\n", "synonyms.yaml:"},
		{"a map at the top", "- ru\n- en\n", "synonyms.yaml:1: synonyms.yaml is a map of languages"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(checkFS(synonymsFS(tc.yaml)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load error:\n%v\nwant one containing %q", err, tc.want)
			}
		})
	}
	set, err := Load(checkFS(synonymsFS("ru:\n  terms:\n    регистрация: [прописка]\n  guides:\n    g: [виза на работу]\n  common: [как]\n")))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Synonyms) != 3 || set.Synonyms[0].Term != "регистрация" || set.Synonyms[1].Guide != "g" || !set.Synonyms[2].Common || set.Synonyms[1].Line != 5 {
		t.Fatalf("parsed %+v %+v %+v", set.Synonyms[0], set.Synonyms[1], set.Synonyms[2])
	}
}

func TestCheckReviewsSynonyms(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	opt := CheckOptions{Now: now, Required: []string{"en"}}
	cases := []struct {
		name, yaml, err, warn string
	}{
		{"clean", "ru:\n  terms:\n    регистрация: [прописка]\n", "", ""},
		{"a word in the wrong keyboard's letters", "ru:\n  terms:\n    регистрация: [пропискa]\n", "synonyms.yaml:3: \"пропискa\": word \"пропискa\" mixes Latin and Cyrillic", ""},
		{"Uzbek oʻ with an ASCII apostrophe", "uz-Latn:\n  guides:\n    g: [qora ro'yxat]\n", "synonyms.yaml:3: \"qora ro'yxat\": \"o'\": write oʻ with ʻ (U+02BB)", ""},
		{"a word search already finds by the term", "ru:\n  terms:\n    регистрация: [Регистрация, прописка]\n", "", "synonyms.yaml:3: \"Регистрация\" is the term itself"},
		{"a word twice after folding", "ru:\n  guides:\n    g: [прописка, propiska]\n", "", "\"propiska\" is already in the list as \"прописка\""},
		{"a term no guide uses", "ru:\n  terms:\n    патент: [разрешение]\n", "", "synonyms.yaml:3: term \"патент\" is in no ru guide"},
		{"a term found in another form", "ru:\n  terms:\n    регистрации: [прописка]\n", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Check(checkFS(synonymsFS(tc.yaml)), opt)
			errs, warns := r.Errors.Error(), r.Warnings.Error()
			if tc.err == "" && len(r.Errors) > 0 {
				t.Fatalf("unexpected errors:\n%s", errs)
			}
			if tc.err != "" && !strings.Contains(errs, tc.err) {
				t.Fatalf("errors:\n%s\nwant one containing %q", errs, tc.err)
			}
			if tc.warn == "" && strings.Contains(warns, SynonymsFile) {
				t.Fatalf("unexpected warnings:\n%s", warns)
			}
			if tc.warn != "" && !strings.Contains(warns, tc.warn) {
				t.Fatalf("warnings:\n%s\nwant one containing %q", warns, tc.warn)
			}
		})
	}
}

func TestBundleCarriesSynonyms(t *testing.T) {
	set := sampleSet(t)
	files, err := Compile(set)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files[bundleSynonyms]; !ok {
		t.Fatal("no synonyms.json in the bundle")
	}
	b, err := bundle.Open(writeSampleBundle(t, files))
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]*SearchWords, len(set.Synonyms))
	for i, sw := range set.Synonyms {
		c := *sw
		c.File, c.Line, c.Lines = "", 0, nil
		want[i] = &c
	}
	if !reflect.DeepEqual(got.Synonyms, want) {
		t.Fatalf("synonyms differ after the round trip: %d entries, want %d", len(got.Synonyms), len(want))
	}
	// Content without search words compiles without the file, so kiosks
	// whose firmware predates it still read the bundle.
	set.Synonyms = nil
	if files, _ := Compile(set); files[bundleSynonyms] != nil {
		t.Fatal("synonyms.json written for content without synonyms")
	}
}

func TestLoadBundleRefusesBadSynonyms(t *testing.T) {
	full := sampleSet(t)
	set := &Set{Guides: []*Guide{full.Guide("eps-korea")}, Contacts: full.Contacts, Agencies: full.Agencies,
		Synonyms: []*SearchWords{{Lang: "ru", Guide: "eps-korea", Words: []string{"ЕПС"}}}}
	cases := []struct {
		name string
		json string
		want string
	}{
		{"words for a guide the bundle lacks", `[{"lang":"ru","guide":"unpaid-wages-help","words":["зп"]}]`, "unknown guide"},
		{"a number among the words", `[{"lang":"ru","guide":"eps-korea","words":["0312 123456"]}]`, "a number"},
		{"an unknown field", `[{"lang":"ru","guide":"eps-korea","words":["x"],"weight":9}]`, "unknown field"},
		{"an unknown language", `[{"lang":"xx","guide":"eps-korea","words":["x"]}]`, "unknown language"},
		{"a term and a guide at once", `[{"lang":"ru","term":"виза","guide":"eps-korea","words":["x"]}]`, "one of a term, a guide or common"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files, err := Compile(set)
			if err != nil {
				t.Fatal(err)
			}
			files[bundleSynonyms] = []byte(tc.json)
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

// An index built by the firmware before search words (schema 4) is
// migrated, reported stale and rebuilt; the rebuilt one finds them.
func TestIndexFromBeforeSynonymsIsRebuilt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range migrations[:4] {
		if _, err := db.Exec(m); err != nil {
			t.Fatalf("migration %d: %v", i+1, err)
		}
	}
	if _, err := db.Exec(`PRAGMA user_version = 4; INSERT INTO meta VALUES ('index_format', 'fold-3+ru-stem-1');
		INSERT INTO search_words VALUES ('g', 'ru', 'виза', 'виза', 'виза')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, err := OpenStore(path)
	if err != nil {
		t.Fatalf("opening a schema-4 index: %v", err)
	}
	defer st.Close()
	ctx := context.Background()
	if stale, err := st.Stale(ctx); err != nil || !stale {
		t.Fatalf("schema-4 index: stale=%v err=%v, want stale", stale, err)
	}
	if got, err := st.Search(ctx, "ru", "виза"); err != nil || len(got) != 0 {
		t.Fatalf("search on a migrated, not yet rebuilt index: %v %v", got, err)
	}
	if err := st.Replace(ctx, sampleSet(t), "rebuilt"); err != nil {
		t.Fatal(err)
	}
	if stale, err := st.Stale(ctx); err != nil || stale {
		t.Fatalf("rebuilt index: stale=%v err=%v", stale, err)
	}
	got, err := st.Search(ctx, "ru", "прописка")
	if err != nil || len(got) == 0 || got[0].ID != "registration-and-documents" {
		t.Fatalf("rebuilt index: %v %v", ids(got), err)
	}
	var v int
	st.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != len(migrations) {
		t.Fatal(fmt.Sprintf("schema %d, want %d", v, len(migrations)))
	}
}

// synonyms.yaml is written by people: any bytes give problems, never a panic.
func FuzzSynonymsFile(f *testing.F) {
	for _, s := range []string{"ru:\n  terms:\n    регистрация: [прописка]\n", "en:\n  common: [my]\n  guides:\n    g: [a, b]\n", "- [", "ru: {terms: {a: [[b]]}}", "ur:\n  guides:\n    g: [تنخواہ]\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, y string) {
		set, err := Load(checkFS(synonymsFS(y)))
		if err == nil {
			if err := validateSynonyms(set.Synonyms, map[string]bool{"g": true}); err != nil {
				t.Fatalf("Load accepted what a bundle refuses: %v", err)
			}
			newSynonymIndex(set.Synonyms).prepare(set.Guides[0])
		}
	})
}
