package content

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadReportsFileAndLine(t *testing.T) {
	good := "id: g\nstages: [thinking]\npictogram: visa\nsources: [x]\n"
	cases := []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"unknown key in front matter names its line", fstest.MapFS{
			"guides/g/guide.yaml": {Data: []byte(good)},
			"guides/g/en.md":      {Data: []byte("---\ntitle: T\nsummary: S\ncolour: red\nprint: [a]\n---\nbody\n")},
		}, "guides/g/en.md:4:"},
		{"unknown key in guide.yaml", fstest.MapFS{
			"guides/g/guide.yaml": {Data: []byte(good + "flavour: x\n")},
			"guides/g/en.md":      {Data: []byte("---\ntitle: T\nsummary: S\nprint: [a]\n---\n")},
		}, "guides/g/guide.yaml:5:"},
		{"id differs from folder", fstest.MapFS{
			"guides/h/guide.yaml": {Data: []byte(good)},
		}, "must equal the folder name"},
		{"invalid UTF-8 names the line", fstest.MapFS{
			"guides/g/guide.yaml": {Data: []byte(good)},
			"guides/g/en.md":      {Data: []byte("---\ntitle: T\nsummary: \xff\n---\n")},
		}, "guides/g/en.md:3: not valid UTF-8"},
		{"unknown language file", fstest.MapFS{
			"guides/g/guide.yaml": {Data: []byte(good)},
			"guides/g/xx.md":      {Data: []byte("---\ntitle: T\n---\n")},
		}, `unknown language "xx"`},
		{"front matter not closed", fstest.MapFS{
			"guides/g/guide.yaml": {Data: []byte(good)},
			"guides/g/en.md":      {Data: []byte("---\ntitle: T\n")},
		}, "not closed"},
		{"broken link url", fstest.MapFS{
			"guides/g/guide.yaml": {Data: []byte(good + "links:\n  - id: a\n    url: ftp://x\n")},
			"guides/g/en.md":      {Data: []byte("---\ntitle: T\nsummary: S\nprint: [a]\n---\n")},
		}, "must start with https://"},
		{"malformed YAML", fstest.MapFS{
			"guides/g/guide.yaml": {Data: []byte("id: [g\n")},
		}, "guides/g/guide.yaml:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.files)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func FuzzLoadText(f *testing.F) {
	f.Add([]byte("---\ntitle: T\nsummary: S\nprint: [a]\n---\nbody *x*\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\ntitle: [\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"guides/g/guide.yaml": {Data: []byte("id: g\nstages: [thinking]\npictogram: visa\nsources: [x]\n")},
			"guides/g/en.md":      {Data: data},
		}
		set, err := Load(fsys)
		if err == nil && (len(set.Guides) != 1 || set.Guides[0].Texts["en"].Title == "") {
			t.Fatalf("accepted a guide without a title: %+v", set)
		}
	})
}

func TestGuideNamingAnUnknownContactIsRefused(t *testing.T) {
	fsys := fstest.MapFS{
		"guides/g/guide.yaml": {Data: []byte("id: g\nstages: [thinking]\npictogram: visa\nsources: [x]\ncontacts: [no-such-office]\n")},
		"guides/g/en.md":      {Data: []byte("---\ntitle: T\nsummary: S\nprint: [a]\n---\n")},
	}
	_, err := Load(fsys)
	if err == nil || !strings.Contains(err.Error(), `contact "no-such-office" is not in contacts.yaml`) {
		t.Fatalf("Load error = %v", err)
	}
}
