package content

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func checkFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

const checkGuide = "id: g\nstages: [thinking]\npictogram: visa\nlinks:\n  - id: site\n    url: https://migrant.kg\nsources: [x]\n"

func md(title, extra string, print ...string) string {
	s := "---\ntitle: " + title + "\nsummary: " + title + "\nreviewed: 2026-11-01\nlinks:\n  site: " + title + "\n" + extra + "print:\n"
	for _, p := range print {
		s += "  - " + p + "\n"
	}
	return s + "translation: human\nreviewed_by: MRC editor\n---\n" + title + "\n"
}

func TestCheckFindsEditorialProblems(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	base := func() map[string]string {
		return map[string]string{"guides/g/guide.yaml": checkGuide, "guides/g/en.md": md("Work visa", "", "Check it.")}
	}
	one := CheckOptions{Now: now, Required: []string{"en"}}
	cases := []struct {
		name     string
		edit     func(map[string]string)
		opt      CheckOptions
		want     string // substring of an error ("" for none)
		warnWant string
	}{
		{"clean source passes", func(map[string]string) {}, one, "", ""},
		{"missing required language", func(m map[string]string) {}, CheckOptions{Now: now, Required: []string{"en", "ky"}}, "guides/g: no ky.md", ""},
		{"Uzbek Latin oʻ typed with ASCII apostrophe", func(m map[string]string) {
			m["guides/g/uz-Latn.md"] = md("Ish vizasi", "", "O'zbekistondan chiqishdan oldin tekshiring.")
		}, one, "guides/g/uz-Latn.md:8: \"O'\": write Oʻ with ʻ (U+02BB), not U+0027", ""},
		{"Uzbek Latin gʻ typed with U+2019", func(m map[string]string) {
			m["guides/g/uz-Latn.md"] = md("Ish vizasi", "", "Qirg’izistonda ishlash.")
		}, one, "write gʻ with ʻ (U+02BB), not U+2019", ""},
		{"tutuq belgisi as ASCII apostrophe is a warning", func(m map[string]string) {
			m["guides/g/uz-Latn.md"] = md("Ish vizasi", "", "Ta'lim haqida.")
		}, one, "", "write the tutuq belgisi as ʼ (U+02BC)"},
		{"Kyrgyz word with a Latin look-alike letter", func(m map[string]string) {
			m["guides/g/ky.md"] = md("Жумуш визасы", "", "Иштоогo чейин текшериңиз.")
		}, one, "guides/g/ky.md:8: word \"Иштоогo\" mixes Latin and Cyrillic", ""},
		{"Kyrgyz text written in Latin", func(m map[string]string) {
			m["guides/g/ky.md"] = md("Jumush vizasy", "", "Chet olkodo ishtoodon murun tekshiriniz.")
		}, one, "guides/g/ky.md:8: this line is not in Cyrillic script", ""},
		{"Karakalpak text written in Cyrillic", func(m map[string]string) {
			m["guides/g/kaa.md"] = md("Жумыс визасы", "", "Шет елде жумыс ислеўден алдын тексериң.")
		}, one, "guides/g/kaa.md:8: this line is not in Latin script", ""},
		{"brand names in a Kyrgyz text are fine", func(m map[string]string) {
			m["guides/g/ky.md"] = md("Жумуш визасы", "", "Telegram же WhatsApp аркылуу гана келген жумушка ишенбеңиз.")
		}, one, "", ""},
		{"slip step too long names its line", func(m map[string]string) {
			m["guides/g/en.md"] = md("Work visa", "", "Short.", strings.Repeat("long ", 30))
		}, one, "guides/g/en.md:9: slip step 2 has 149 characters", ""},
		{"too many slip steps", func(m map[string]string) {
			m["guides/g/en.md"] = md("Work visa", "", "a", "b", "c", "d", "e", "f", "g", "h", "i")
		}, one, "guides/g/en.md:7: the slip has 9 steps", ""},
		{"numbered slip step warns", func(m map[string]string) {
			m["guides/g/en.md"] = md("Work visa", "", "1. Check it.")
		}, one, "", "starts with a number"},
		{"stale review date warns", func(m map[string]string) {
			m["guides/g/en.md"] = strings.Replace(md("Work visa", "", "Check."), "2026-11-01", "2024-01-01", 1)
		}, one, "", "guides/g/en.md:4: last reviewed 2024-01-01"},
		{"text without translation provenance", func(m map[string]string) {
			m["guides/g/en.md"] = strings.Replace(md("Work visa", "", "Check."), "translation: human\n", "", 1)
		}, one, "guides/g/en.md:2: no translation: add 'translation: machine' or 'translation: human'", ""},
		{"unknown translation kind", func(m map[string]string) {
			m["guides/g/en.md"] = strings.Replace(md("Work visa", "", "Check."), "translation: human", "translation: ai", 1)
		}, one, "translation \"ai\": write machine or human", ""},
		{"a review date needs a reviewer", func(m map[string]string) {
			m["guides/g/en.md"] = strings.Replace(md("Work visa", "", "Check."), "reviewed_by: MRC editor\n", "", 1)
		}, one, "guides/g/en.md:4: reviewed without reviewed_by", ""},
		{"a reviewer needs a review date", func(m map[string]string) {
			m["guides/g/en.md"] = strings.Replace(md("Work visa", "", "Check."), "reviewed: 2026-11-01\n", "", 1)
		}, one, "reviewed_by without reviewed", ""},
		{"unreviewed machine text passes check", func(m map[string]string) {
			m["guides/g/en.md"] = strings.Replace(strings.Replace(md("Work visa", "", "Check."), "reviewed: 2026-11-01\n", "", 1),
				"translation: human\nreviewed_by: MRC editor\n", "translation: machine\n", 1)
		}, one, "", ""},
		{"bad review date", func(m map[string]string) {
			m["guides/g/en.md"] = strings.Replace(md("Work visa", "", "Check."), "2026-11-01", "01.11.2026", 1)
		}, one, "guides/g/en.md:4: reviewed \"01.11.2026\"", ""},
		{"missing link label", func(m map[string]string) {
			m["guides/g/en.md"] = strings.Replace(md("Work visa", "", "Check."), "  site: Work visa\n", "", 1)
		}, one, "no label for link \"site\"", ""},
		{"web address in the body warns", func(m map[string]string) {
			m["guides/g/en.md"] = md("Work visa", "", "Check.") + "See https://migrant.kg now.\n"
		}, one, "", "guides/g/en.md:13: web address in the body"},
		{"link that is not a web address", func(m map[string]string) {
			m["guides/g/guide.yaml"] = strings.Replace(checkGuide, "https://migrant.kg", "https://", 1)
		}, one, "is not a full web address", ""},
		{"load problems are errors too", func(m map[string]string) {
			m["guides/g/en.md"] = "---\ntitle: [\n---\n"
		}, one, "guides/g/en.md:2:", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := base()
			tc.edit(files)
			r := Check(checkFS(files), tc.opt)
			errs, warns := r.Errors.Error(), Problems(r.Warnings).Error()
			if tc.want == "" && len(r.Errors) > 0 {
				t.Fatalf("unexpected errors:\n%s", errs)
			}
			if tc.want != "" && !strings.Contains(errs, tc.want) {
				t.Fatalf("errors:\n%s\nwant one containing %q", errs, tc.want)
			}
			if tc.warnWant != "" && !strings.Contains(warns, tc.warnWant) {
				t.Fatalf("warnings:\n%s\nwant one containing %q", warns, tc.warnWant)
			}
		})
	}
}

func TestMatrixTable(t *testing.T) {
	r := Check(checkFS(map[string]string{"guides/g/guide.yaml": checkGuide, "guides/g/en.md": md("Work visa", "", "Check.")}),
		CheckOptions{Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	var b strings.Builder
	r.Matrix.Write(&b)
	lines := strings.Split(b.String(), "\n")
	if strings.Join(strings.Fields(lines[0]), " ") != "guide ky uz-Latn uz-Cyrl kaa ru en tg ur" ||
		strings.Join(strings.Fields(lines[1]), " ") != "g ✗ ✗ ✗ ✗ ✗ ✓ · ·" || strings.Join(strings.Fields(lines[2]), " ") != "1 guides 0 0 0 0 0 1 0 0" {
		t.Fatalf("matrix:\n%s", b.String())
	}
}

// All 192 sample files once said reviewed: 2026-11-27, the day they were
// written. The matrix shows what a native speaker checked (✓), what a
// person wrote but nobody reviewed (h) and what a machine made (m).
func TestProvenanceMatrix(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	reviewed := md("Work visa", "", "Check.")
	machine := strings.Replace(strings.Replace(reviewed, "reviewed: 2026-11-01\n", "", 1), "translation: human\nreviewed_by: MRC editor\n", "translation: machine\n", 1)
	human := strings.Replace(strings.Replace(reviewed, "reviewed: 2026-11-01\n", "", 1), "reviewed_by: MRC editor\n", "", 1)
	r := Check(checkFS(map[string]string{"guides/g/guide.yaml": checkGuide, "guides/g/en.md": reviewed,
		"guides/g/ru.md": human, "guides/g/uz-Cyrl.md": strings.Replace(machine, "Work visa", "Иш визаси", -1)}), CheckOptions{Now: now, Required: []string{"en"}})
	if !r.OK() {
		t.Fatalf("%v", r.Errors)
	}
	if got := r.Matrix.Prov["g"]; got["en"] != ProvReviewed || got["ru"] != ProvHuman || got["uz-Cyrl"] != ProvMachine {
		t.Fatalf("provenance %v", got)
	}
	var b strings.Builder
	r.Matrix.Write(&b)
	if !strings.Contains(b.String(), "unreviewed") {
		t.Fatalf("no unreviewed count:\n%s", b.String())
	}
}
