package report

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sapar/content"
	"sapar/content/sample"
	"sapar/kiosk/usage"
)

var writeHTML = flag.String("html", "", "also write the sample report to this file (to look at it)")

var t0 = time.Date(2026, 11, 20, 6, 30, 0, 0, time.UTC) // 12:30 in Bishkek

// fill opens a usage DB in a temp dir, lets do count through the usage API
// at t0 (do may move the clock), flushes and returns the rows.
func fill(t *testing.T, do func(u *usage.Counter, at func(time.Time))) []usage.Row {
	t.Helper()
	now := t0
	opt := usage.DefaultOptions()
	opt.Now = func() time.Time { return now }
	u, err := usage.Open(context.Background(), filepath.Join(t.TempDir(), "usage.db"), opt)
	if err != nil {
		t.Fatal(err)
	}
	do(u, func(at time.Time) { now = at })
	if err := u.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows, err := u.Rows(context.Background(), t0.AddDate(0, 0, -30), t0.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// parsed is what the tests read back from the HTML.
type parsed struct {
	bars   map[string]int      // figure id → <rect class="bar"> count
	texts  map[string][]string // figure id → SVG <text> contents
	empty  map[string]string   // figure id → "nothing counted" paragraph
	all    []string            // every piece of character data
	svgs   int
	hasRef bool // any src=, href= or url(: something fetched from outside
}

// parse reads the page as XML (the template writes well-formed markup), so
// a broken tag fails the test.
func parse(t *testing.T, page []byte) parsed {
	t.Helper()
	p := parsed{bars: map[string]int{}, texts: map[string][]string{}, empty: map[string]string{}}
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	var fig string
	var stack []xml.StartElement
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("report is not well-formed: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			stack = append(stack, x)
			attr := func(n string) string {
				for _, a := range x.Attr {
					if a.Name.Local == n {
						return a.Value
					}
				}
				return ""
			}
			for _, a := range x.Attr {
				if a.Name.Local == "src" || a.Name.Local == "href" {
					p.hasRef = true
				}
			}
			switch x.Name.Local {
			case "figure":
				fig = attr("id")
			case "rect":
				if attr("class") == "bar" {
					p.bars[fig]++
				}
			case "svg":
				p.svgs++
			case "script", "img", "link", "iframe", "object":
				p.hasRef = true
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if x.Name.Local == "figure" {
				fig = ""
			}
		case xml.CharData:
			s := strings.TrimSpace(string(x))
			if s == "" || len(stack) == 0 {
				continue
			}
			top := stack[len(stack)-1]
			if top.Name.Local == "style" && strings.Contains(s, "url(") {
				p.hasRef = true
			}
			p.all = append(p.all, s)
			if fig != "" && top.Name.Local == "text" {
				p.texts[fig] = append(p.texts[fig], s)
			}
			if fig != "" && top.Name.Local == "p" && len(top.Attr) > 0 && top.Attr[0].Value == "empty" {
				p.empty[fig] = s
			}
		}
	}
	return p
}

func sampleCatalog(t *testing.T) Catalog {
	t.Helper()
	set, err := content.Load(sample.FS())
	if err != nil {
		t.Fatal(err)
	}
	return CatalogFromSet(set, "en")
}

func render(t *testing.T, rows []usage.Row, cat Catalog) ([]byte, parsed) {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Bishkek")
	var buf bytes.Buffer
	d := Data{Title: "Osh airport (osh-airport-01)", Report: Build(rows, t0.AddDate(0, 0, -30), t0.AddDate(0, 0, 1), loc),
		Guides: cat, Generated: t0}
	if err := HTML(&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), parse(t, buf.Bytes())
}

func has(l []string, want string) bool {
	for _, s := range l {
		if s == want {
			return true
		}
	}
	return false
}

func TestHTML(t *testing.T) {
	cat := sampleCatalog(t)
	visaTitle := cat.title("work-visa-vs-tourist-visa")
	regTitle := cat.title("registration-and-documents")
	if visaTitle == "work-visa-vs-tourist-visa" || regTitle == "registration-and-documents" {
		t.Fatal("sample content has no English titles for the test guides")
	}
	tests := []struct {
		name    string
		do      func(u *usage.Counter, at func(time.Time))
		cat     Catalog
		bars    map[string]int      // figure id → bars
		texts   map[string][]string // figure id → labels that must be there
		empty   []string            // figures that must say "nothing"
		figures []string            // headline figures: "N name"
	}{
		{
			name: "guides stacked by language with titles from the content",
			do: func(u *usage.Counter, _ func(time.Time)) {
				for range 5 {
					u.GuideOpened("work-visa-vs-tourist-visa", "ky", usage.FromBrowse)
				}
				for range 3 {
					u.GuideOpened("work-visa-vs-tourist-visa", "ru", usage.FromQR)
				}
				u.GuideOpened("registration-and-documents", "uz-Latn", usage.FromSearch)
				u.GuideOpened("registration-and-documents", "uz-Latn", usage.FromSearch)
				u.Print("work-visa-vs-tourist-visa", "ky", "")
			},
			cat:  cat,
			bars: map[string]int{"guides-by-language": 3, "guide-sources": 3}, // work-visa is in thinking+preparing; registration in preparing+abroad? counted from the content below

			texts: map[string][]string{
				"guides-by-language": {visaTitle, regTitle, "8 opened · 1 printed", "2 opened · 0 printed", "Kyrgyz", "Russian", "Uzbek (Latin)"},
				"guide-sources":      {"browsing", "search", "QR code"},
				"prints":             {"printed"},
			},
			empty:   []string{"sessions-by-hour", "unmet-searches", "agency-checks", "languages"},
			figures: []string{"10 guides opened", "1 slips printed"},
		},
		{
			name: "ids shown when the content does not know the guide",
			do: func(u *usage.Counter, _ func(time.Time)) {
				u.GuideOpened("guide-from-a-newer-release", "en", usage.FromBrowse)
			},
			cat:   nil,
			bars:  map[string]int{"guides-by-language": 1, "guides-by-stage": 1},
			texts: map[string][]string{"guides-by-language": {"guide-from-a-newer-release"}, "guides-by-stage": {"Not in this content", "guide-from-a-newer-release"}},
		},
		{
			name: "unmet searches by language with their share",
			do: func(u *usage.Counter, _ func(time.Time)) {
				for range 3 {
					u.Search("ky", false)
				}
				u.Search("ky", true)
				u.Search("ru", true)
			},
			bars:    map[string]int{"unmet-searches": 3}, // ky none, ky found, ru found
			texts:   map[string][]string{"unmet-searches": {"Kyrgyz", "Russian", "3 of 4 found nothing (75 %)", "0 of 1 found nothing (0 %)", "no result"}},
			figures: []string{"5 searches", "3 searches with no result"},
		},
		{
			name: "prints ok and failed by reason",
			do: func(u *usage.Counter, _ func(time.Time)) {
				for range 4 {
					u.Print("country-russia", "ru", "")
				}
				u.Print("country-russia", "ru", "paper-out")
				u.Print("country-russia", "ru", "paper-out")
				u.Print("country-korea", "ky", "cover-open")
			},
			bars:  map[string]int{"prints": 3},
			texts: map[string][]string{"prints": {"printed", "failed: paper out", "failed: cover open", "4", "2", "1"}},
		},
		{
			name: "agency checks found and not found",
			do: func(u *usage.Counter, _ func(time.Time)) {
				u.AgencyCheck("ky", true)
				u.AgencyCheck("ky", false)
				u.AgencyCheck("uz-Cyrl", false)
			},
			bars:    map[string]int{"agency-checks": 2},
			texts:   map[string][]string{"agency-checks": {"found in the registry", "not found", "1", "2"}},
			figures: []string{"3 agency checks"},
		},
		{
			name: "sessions by local hour of day",
			do: func(u *usage.Counter, at func(time.Time)) {
				u.Session() // 06:30 UTC = 12:30 Bishkek
				u.Session()
				at(t0.Add(-3 * 24 * time.Hour).Add(2 * time.Hour)) // 14:30 Bishkek, another day
				u.Session()
				u.IdleReset()
				u.Language("kaa")
			},
			bars:    map[string]int{"sessions-by-hour": 2, "languages": 1},
			texts:   map[string][]string{"sessions-by-hour": {"00:00", "12:00", "2", "1"}, "languages": {"Karakalpak"}},
			figures: []string{"3 sessions", "1 idle resets"},
		},
		{
			name:  "nothing counted: every chart says so, no bars",
			do:    func(*usage.Counter, func(time.Time)) {},
			bars:  map[string]int{},
			empty: []string{"guides-by-language", "guides-by-stage", "sessions-by-hour", "unmet-searches", "languages", "guide-sources", "prints", "agency-checks"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, p := render(t, fill(t, tc.do), tc.cat)
			if p.hasRef {
				t.Error("report refers to something outside itself (src/href/script/img/url())")
			}
			for fig, n := range tc.bars {
				if p.bars[fig] != n {
					t.Errorf("%s: %d bars, want %d (texts %q)", fig, p.bars[fig], n, p.texts[fig])
				}
			}
			for fig, want := range tc.texts {
				for _, w := range want {
					if !has(p.texts[fig], w) {
						t.Errorf("%s: no label %q in %q", fig, w, p.texts[fig])
					}
				}
			}
			for _, fig := range tc.empty {
				if p.empty[fig] == "" || p.bars[fig] != 0 {
					t.Errorf("%s: want the empty message and no bars, got %q and %d bars", fig, p.empty[fig], p.bars[fig])
				}
			}
			flat := strings.Join(p.all, " ")
			for _, f := range tc.figures {
				n, name, _ := strings.Cut(f, " ")
				if !strings.Contains(flat, n+" "+name) {
					t.Errorf("headline %q missing", f)
				}
			}
			if *writeHTML != "" && tc.name == tests[0].name {
				os.WriteFile(*writeHTML, page, 0o644)
			}
		})
	}
}

func TestStagesFromContent(t *testing.T) {
	cat := sampleCatalog(t)
	id := "check-agency-licence" // stages: thinking, preparing
	rows := fill(t, func(u *usage.Counter, _ func(time.Time)) {
		u.GuideOpened(id, "ky", usage.FromBrowse)
		u.GuideOpened(id, "ky", usage.FromBrowse)
	})
	_, p := render(t, rows, cat)
	if p.bars["guides-by-stage"] != len(cat[id].Stages) {
		t.Errorf("guide of %d stages drawn %d times", len(cat[id].Stages), p.bars["guides-by-stage"])
	}
	for _, s := range cat[id].Stages {
		if !has(p.texts["guides-by-stage"], stageNames[s]) {
			t.Errorf("stage %q missing: %q", stageNames[s], p.texts["guides-by-stage"])
		}
	}
	if has(p.texts["guides-by-stage"], stageNames["foreigners"]) {
		t.Error("a stage with nothing opened is drawn")
	}
}

// The usage API takes no free text; a CSV handed in for a fleet report can
// hold anything. Whatever it holds, the page shows only known labels.
func TestOnlyKnownLabels(t *testing.T) {
	typed := []string{"<script>alert(1)</script>", "как получить патент", "Aziz Karimov +996555123456", "javascript:x", "../../etc"}
	var rows []usage.Row
	h := t0.Truncate(time.Hour)
	for _, s := range typed {
		rows = append(rows,
			usage.Row{Kiosk: s, Hour: h, Metric: usage.MetricGuide, Topic: s, Lang: s, Detail: s, Count: 1},
			usage.Row{Kiosk: s, Hour: h, Metric: usage.MetricSearch, Lang: s, Detail: s, Count: 1},
			usage.Row{Kiosk: s, Hour: h, Metric: usage.MetricPrint, Topic: s, Lang: s, Detail: s, Count: 1},
			usage.Row{Kiosk: s, Hour: h, Metric: usage.MetricAgencyCheck, Lang: s, Detail: s, Count: 1},
			usage.Row{Kiosk: s, Hour: h, Metric: usage.MetricLanguage, Lang: s, Count: 1},
			usage.Row{Kiosk: s, Hour: h, Metric: s, Topic: s, Lang: s, Detail: s, Count: 1},
		)
	}
	// Also straight into HTML, bypassing Clean: the charts clean labels again.
	for _, rep := range []usage.Report{Build(rows, t0.AddDate(0, 0, -1), t0.AddDate(0, 0, 1), time.UTC), usage.Summarise(rows, t0.AddDate(0, 0, -1), t0.AddDate(0, 0, 1), time.UTC)} {
		var buf bytes.Buffer
		if err := HTML(&buf, Data{Title: "fleet", Kiosks: typed, Report: rep, Generated: t0}); err != nil {
			t.Fatal(err)
		}
		page := buf.String()
		for _, s := range typed {
			for _, frag := range []string{s, "alert", "патент", "Aziz", "996555", "javascript", "etc"} {
				if strings.Contains(page, frag) && frag != "etc" || strings.Contains(page, "../..") {
					t.Errorf("typed text %q reached the report", frag)
				}
			}
		}
		p := parse(t, buf.Bytes())
		for fig, texts := range p.texts {
			for _, s := range texts {
				if !knownLabel(s) {
					t.Errorf("%s: unexpected label %q", fig, s)
				}
			}
		}
	}
}

// knownLabel: a label from the closed lists, a figure, an hour, or "other".
func knownLabel(s string) bool {
	for _, m := range []map[string]string{languageNames, printReasons, sourceNames, stageNames} {
		for _, v := range m {
			if s == v || s == "failed: "+v {
				return true
			}
		}
	}
	switch s {
	case "other", "failed: other", "found in the registry", "not found", "no result", "found something":
		return true
	}
	return valueRe.MatchString(s)
}

// valueRe: the figures drawn next to bars and on the hour axis.
var valueRe = regexp.MustCompile(`^(\d+|\d\d:00|\d+ opened · \d+ printed|\d+ of \d+ found nothing \(\d+ %\)|\d+ times a guide of this stage was opened)$`)

func TestClean(t *testing.T) {
	h := t0.Truncate(time.Hour)
	in := []usage.Row{
		{Kiosk: "osh-airport-01", Hour: h, Metric: usage.MetricGuide, Topic: "country-russia", Lang: "ru", Detail: "qr", Count: 2},
		{Kiosk: "Osh Airport!", Hour: h, Metric: usage.MetricGuide, Topic: "Country Russia", Lang: "russian", Detail: "poster", Count: 1},
		{Hour: h, Metric: "keystrokes", Count: 9},
		{Hour: h, Metric: usage.MetricSearch, Lang: "ky", Detail: "maybe", Count: 1},
		{Hour: h, Metric: usage.MetricAgencyCheck, Lang: "ky", Detail: "FOUND", Count: 1},
	}
	want := []usage.Row{
		{Kiosk: "osh-airport-01", Hour: h, Metric: usage.MetricGuide, Topic: "country-russia", Lang: "ru", Detail: "qr", Count: 2},
		{Kiosk: "other", Hour: h, Metric: usage.MetricGuide, Topic: "other", Lang: "und", Detail: "other", Count: 1},
		{Hour: h, Metric: usage.MetricSearch, Lang: "ky", Detail: "none", Count: 1},
		{Hour: h, Metric: usage.MetricAgencyCheck, Lang: "ky", Detail: "not-found", Count: 1},
	}
	got := Clean(in)
	if len(got) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if !got[i].Hour.Equal(want[i].Hour) || got[i].Kiosk != want[i].Kiosk || got[i].Metric != want[i].Metric ||
			got[i].Topic != want[i].Topic || got[i].Lang != want[i].Lang || got[i].Detail != want[i].Detail || got[i].Count != want[i].Count {
			t.Errorf("row %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestCatalogFromStore(t *testing.T) {
	set, err := content.Load(sample.FS())
	if err != nil {
		t.Fatal(err)
	}
	st, err := content.OpenStore(filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Replace(context.Background(), set, "test"); err != nil {
		t.Fatal(err)
	}
	cat, err := CatalogFromStore(context.Background(), st, []string{"check-agency-licence", "not-a-guide"}, "en")
	if err != nil {
		t.Fatal(err)
	}
	want := CatalogFromSet(set, "en")["check-agency-licence"]
	if got := cat["check-agency-licence"]; got.Title != want.Title || strings.Join(got.Stages, ",") != strings.Join(want.Stages, ",") {
		t.Errorf("from the index %+v, from the set %+v", got, want)
	}
	if _, ok := cat["not-a-guide"]; ok || len(cat) != 1 {
		t.Errorf("unknown guide in the catalog: %+v", cat)
	}
}
