package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"sapar/content"
	"sapar/kiosk/usage"
)

//go:embed report.html.tmpl
var pageTemplate string

// page is parsed once; a broken template fails at start, loudly.
var page = template.Must(template.New("report").Parse(pageTemplate))

// Data is what HTML draws.
type Data struct {
	// Title names the kiosk ("Osh airport, arrivals hall (osh-airport-01)")
	// or the fleet.
	Title string
	// Kiosks lists the kiosk ids of a fleet report (empty for one kiosk).
	Kiosks []string
	// Report is usage.Summarise over Clean(rows); Build does both.
	Report usage.Report
	// Guides gives titles and stages; nil shows content ids and puts every
	// guide under "not in this content".
	Guides Catalog
	// Generated is when the report was made (shown at the bottom).
	Generated time.Time
	// TopGuides is how many guides the top-guides chart shows (default 15).
	TopGuides int
}

// Build cleans rows (see Clean) and summarises them for HTML.
func Build(rows []usage.Row, from, to time.Time, loc *time.Location) usage.Report {
	return usage.Summarise(Clean(rows), from, to, loc)
}

// Colours: Okabe–Ito, readable by most colour-blind readers.
var langColour = map[string]string{
	"ky": "#0072B2", "uz-Latn": "#E69F00", "uz-Cyrl": "#56B4E9", "kaa": "#009E73",
	"ru": "#D55E00", "en": "#CC79A7", "tg": "#F0E442", "ur": "#7F4F9F", "und": "#999999",
}

var stageColour = map[string]string{
	"thinking": "#56B4E9", "preparing": "#009E73", "abroad": "#0072B2",
	"returning": "#E69F00", "foreigners": "#CC79A7", noStage: "#999999",
}

var stageNames = map[string]string{
	"thinking":   "Thinking of leaving",
	"preparing":  "Preparing to go",
	"abroad":     "Abroad",
	"returning":  "Coming back",
	"foreigners": "Foreigners here",
	noStage:      "Not in this content",
}

const (
	noStage   = "none"
	colourOK  = "#009E73"
	colourBad = "#D55E00"
	colourDim = "#BBBBBB"
	colourOne = "#0072B2"
)

// HTML writes the report as one self-contained page: no scripts, fonts or
// images from anywhere; the charts are inline SVG.
func HTML(w io.Writer, d Data) error {
	r := d.Report
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	if d.TopGuides <= 0 {
		d.TopGuides = 15
	}
	v := view{
		Title:     d.Title,
		Kiosks:    cleanKiosks(d.Kiosks),
		From:      r.From.In(loc).Format("2 January 2006, 15:04"),
		To:        r.To.Add(-time.Minute).In(loc).Format("2 January 2006, 15:04"),
		Zone:      loc.String(),
		Generated: d.Generated.In(loc).Format("2 January 2006, 15:04 MST"),
	}
	var searches, unmet, failed int64
	for _, s := range r.Searches {
		searches += shown(s[0]) + shown(s[1])
		unmet += shown(s[1])
	}
	for _, n := range r.PrintFailures {
		failed += shown(n)
	}
	var opened int64
	for _, g := range r.Guides {
		opened += shown(g.Total)
	}
	k := r.MinCount
	if k > 1 {
		v.Suppressed = fmt.Sprintf("So that nobody can be singled out, a count under %d is shown as \"<%d\", and so are enough others that it cannot be worked out by subtraction; totals add up the counts shown.", k, k)
	}
	v.Figures = []figure{
		{"sessions", Count(r.Sessions, k), "people who started using the kiosk"},
		{"guides opened", fmt.Sprint(opened), ""},
		{"searches", fmt.Sprint(searches), ""},
		{"searches with no result", fmt.Sprint(unmet), percent(unmet, searches) + " of searches"},
		{"slips printed", Count(r.PrintsOK, k), fmt.Sprintf("%d failed", failed)},
		{"agency checks", fmt.Sprint(shown(r.Agency[0]) + shown(r.Agency[1])), Count(r.Agency[1], k) + " not found in the registry"},
		{"idle resets", Count(r.IdleResets, k), "sessions wiped after nobody touched the screen"},
	}
	v.Charts = []svgChart{
		guidesByLanguage(r, d.Guides, d.TopGuides),
		guidesByStage(r, d.Guides),
		sessionsByHour(r, loc),
		unmetSearches(r),
		languagesChosen(r),
		guideSources(r),
		prints(r),
		agencyChecks(r),
	}
	if err := page.Execute(w, v); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return nil
}

type view struct {
	Title, From, To, Zone, Generated string
	Kiosks                           []string
	Figures                          []figure
	Suppressed                       string // how small counts are shown
	Charts                           []svgChart
}

type figure struct {
	Name  string
	N     string
	Extra string
}

// Count shows a count, or "<min" for one Suppress hid.
func Count(n, min int64) string {
	if n == usage.Hidden {
		return fmt.Sprintf("<%d", max(min, 1))
	}
	return fmt.Sprint(n)
}

func cleanKiosks(ids []string) []string {
	var out []string
	for _, id := range ids {
		if c := cleanKiosk(id); c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

func percent(n, of int64) string {
	if of == 0 {
		return "0 %"
	}
	return fmt.Sprintf("%d %%", (n*100+of/2)/of)
}

// --- charts -----------------------------------------------------------

type svgChart struct {
	ID, Title, Note string
	W, H            int
	Rects           []svgRect
	Texts           []svgText
	Empty           string
}

type svgRect struct {
	X, Y, W, H  int
	Fill, Class string
	Tip         string
}

type svgText struct {
	X, Y     int
	Anchor   string
	Class, S string
}

type seg struct {
	Name, Fill string
	N          int64
}

type barRow struct {
	Label  string // shown left of the bar
	Tip    string // hover text
	Segs   []seg
	Value  string // shown right of the bar
	Header bool   // a group heading, no bar
}

type legendItem struct{ Name, Fill string }

const (
	chartW  = 900
	labelW  = 290
	barMaxW = 380
	rowH    = 24
	barH    = 16
)

// hbars draws horizontal (stacked) bars, one row each, longest = barMaxW.
func hbars(id, title, note, empty string, legend []legendItem, rows []barRow) svgChart {
	c := svgChart{ID: id, Title: title, Note: note, W: chartW}
	var max int64
	for _, r := range rows {
		var t int64
		for _, s := range r.Segs {
			t += shown(s.N)
		}
		max = maxOf(max, t)
	}
	if max == 0 {
		c.Empty = empty
		return c
	}
	y := 4
	if len(legend) > 0 {
		x := labelW
		for _, l := range legend {
			w := 24 + 8*utf8.RuneCountInString(l.Name)
			if x+w > chartW && x > labelW {
				x, y = labelW, y+rowH-4
			}
			c.Rects = append(c.Rects, svgRect{X: x, Y: y + 2, W: 12, H: 12, Fill: l.Fill, Class: "key", Tip: l.Name})
			c.Texts = append(c.Texts, svgText{X: x + 16, Y: y + 12, Class: "key", S: l.Name})
			x += w
		}
		y += rowH
	}
	for _, r := range rows {
		if r.Header {
			c.Texts = append(c.Texts, svgText{X: 4, Y: y + 16, Class: "head", S: r.Label})
			if r.Value != "" {
				c.Texts = append(c.Texts, svgText{X: labelW, Y: y + 16, Class: "value", S: r.Value})
			}
			y += rowH
			continue
		}
		c.Texts = append(c.Texts, svgText{X: labelW - 8, Y: y + 13, Anchor: "end", S: shorten(r.Label, 40)})
		x := labelW
		for _, s := range r.Segs {
			if s.N <= 0 { // none, or hidden by Suppress
				continue
			}
			w := int((s.N*barMaxW + max/2) / max)
			if w < 2 {
				w = 2
			}
			tip := fmt.Sprintf("%s: %d", s.Name, s.N)
			if r.Tip != "" {
				tip = r.Tip + " — " + tip
			}
			c.Rects = append(c.Rects, svgRect{X: x, Y: y, W: w, H: barH, Fill: s.Fill, Class: "bar", Tip: tip})
			x += w
		}
		c.Texts = append(c.Texts, svgText{X: x + 6, Y: y + 13, Class: "value", S: r.Value})
		y += rowH
	}
	c.H = y + 4
	return c
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func maxOf(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func (c Catalog) title(id string) string {
	if g, ok := c[id]; ok && g.Title != "" {
		return g.Title
	}
	return id
}

func (c Catalog) stages(id string) []string {
	if g, ok := c[id]; ok && len(g.Stages) > 0 {
		var out []string
		for _, s := range g.Stages {
			if slices.Contains(content.Stages, s) {
				out = append(out, s)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return []string{noStage}
}

// langsIn returns the languages present in the maps, in languageOrder.
func langsIn(ms ...map[string]int64) []string {
	var out []string
	for _, l := range languageOrder {
		for _, m := range ms {
			if m[l] != 0 { // counted, or hidden by Suppress
				out = append(out, l)
				break
			}
		}
	}
	return out
}

func langLegend(langs []string) []legendItem {
	var l []legendItem
	for _, t := range langs {
		l = append(l, legendItem{langName(t), langColour[t]})
	}
	return l
}

func guidesByLanguage(r usage.Report, cat Catalog, top int) svgChart {
	guides := r.Guides
	if len(guides) > top {
		guides = guides[:top]
	}
	var byLang []map[string]int64
	for _, g := range guides {
		byLang = append(byLang, cleanLangMap(g.ByLang))
	}
	langs := langsIn(byLang...)
	var rows []barRow
	for i, g := range guides {
		id := cleanID(g.Topic, maxLabel)
		row := barRow{Label: cat.title(id), Tip: cat.title(id) + " (" + id + ")",
			Value: Count(g.Total, r.MinCount) + " opened · " + Count(g.Prints, r.MinCount) + " printed"}
		for _, l := range langs {
			row.Segs = append(row.Segs, seg{langName(l), langColour[l], byLang[i][l]})
		}
		rows = append(rows, row)
	}
	note := "Each bar is one guide; its colours show the language it was read in."
	if len(r.Guides) > top {
		note += fmt.Sprintf(" The %d most opened of %d guides.", top, len(r.Guides))
	}
	return hbars("guides-by-language", "Most opened guides, by language", note,
		"No guide was opened in this period.", langLegend(langs), rows)
}

func cleanLangMap(m map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, n := range m {
		l := cleanLang(k)
		if n == usage.Hidden || out[l] == usage.Hidden {
			out[l] = usage.Hidden
			continue
		}
		out[l] += n
	}
	return out
}

func guidesByStage(r usage.Report, cat Catalog) svgChart {
	type line struct {
		id string
		n  int64
	}
	per := map[string][]line{}
	totals := map[string]int64{}
	for _, g := range r.Guides {
		id := cleanID(g.Topic, maxLabel)
		for _, s := range cat.stages(id) {
			per[s] = append(per[s], line{id, g.Total})
			totals[s] += shown(g.Total)
		}
	}
	var rows []barRow
	for _, s := range append(slices.Clone(content.Stages), noStage) {
		if totals[s] == 0 && len(per[s]) == 0 {
			continue
		}
		rows = append(rows, barRow{Header: true, Label: stageNames[s], Value: fmt.Sprintf("%d times a guide of this stage was opened", totals[s])})
		l := per[s]
		slices.SortStableFunc(l, func(a, b line) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.id, b.id)) })
		if len(l) > 5 {
			l = l[:5]
		}
		for _, x := range l {
			rows = append(rows, barRow{Label: cat.title(x.id), Tip: stageNames[s] + ": " + cat.title(x.id),
				Segs: []seg{{"opened", stageColour[s], x.n}}, Value: Count(x.n, r.MinCount)})
		}
	}
	return hbars("guides-by-stage", "Most opened guides, by stage of the journey",
		"The five most opened guides of each stage. A guide that belongs to two stages is counted under both.",
		"No guide was opened in this period.", nil, rows)
}

func sessionsByHour(r usage.Report, loc *time.Location) svgChart {
	c := svgChart{ID: "sessions-by-hour", Title: "Sessions by hour of day (" + loc.String() + ")",
		Note: "When people use the kiosk: all days of the period added up, by the local hour they started.", W: chartW}
	var max int64
	hidden := false
	for _, n := range r.ByHourOfDay {
		max = maxOf(max, n)
		hidden = hidden || n == usage.Hidden
	}
	if max == 0 && !hidden {
		c.Empty = "No session in this period."
		return c
	}
	max = maxOf(max, 1)
	const top, plotH, colW, left = 20, 180, 34, 40
	for h, n := range r.ByHourOfDay {
		x := left + h*colW
		if n == usage.Hidden {
			c.Texts = append(c.Texts, svgText{X: x + colW/2, Y: top + plotH - 4, Anchor: "middle", Class: "value", S: Count(n, r.MinCount)})
		}
		if n > 0 {
			bh := int((n*plotH + max/2) / max)
			if bh < 2 {
				bh = 2
			}
			c.Rects = append(c.Rects, svgRect{X: x + 3, Y: top + plotH - bh, W: colW - 6, H: bh, Fill: colourOne, Class: "bar",
				Tip: fmt.Sprintf("%02d:00–%02d:59: %d sessions", h, h, n)})
			c.Texts = append(c.Texts, svgText{X: x + colW/2, Y: top + plotH - bh - 4, Anchor: "middle", Class: "value", S: fmt.Sprint(n)})
		}
		if h%3 == 0 {
			c.Texts = append(c.Texts, svgText{X: x + colW/2, Y: top + plotH + 16, Anchor: "middle", S: fmt.Sprintf("%02d:00", h)})
		}
	}
	c.Rects = append(c.Rects, svgRect{X: left, Y: top + plotH, W: 24 * colW, H: 1, Fill: "#666666", Class: "axis"})
	c.H = top + plotH + 24
	return c
}

func unmetSearches(r usage.Report) svgChart {
	found, none := map[string]int64{}, map[string]int64{}
	for l, s := range r.Searches {
		found[cleanLang(l)] = addCount(found[cleanLang(l)], s[0])
		none[cleanLang(l)] = addCount(none[cleanLang(l)], s[1])
	}
	langs := langsIn(found, none)
	slices.SortStableFunc(langs, func(a, b string) int { return cmp.Compare(none[b], none[a]) })
	var rows []barRow
	for _, l := range langs {
		rows = append(rows, barRow{Label: langName(l), Tip: langName(l),
			Segs:  []seg{{"no result", colourBad, none[l]}, {"found something", colourDim, found[l]}},
			Value: fmt.Sprintf("%s of %s found nothing", Count(none[l], r.MinCount), countSum(r.MinCount, none[l], found[l])) + percentShown(none[l], found[l])})
	}
	return hbars("unmet-searches", "Searches with no result, by language",
		"What people looked for and the kiosk could not answer. The words typed are never kept — only that a search found nothing, and in which language. Many unmet searches in one language suggest guides missing in that language, or titles worded differently from how people ask.",
		"No search in this period.", []legendItem{{"no result", colourBad}, {"found something", colourDim}}, rows)
}

func languagesChosen(r usage.Report) svgChart {
	m := cleanLangMap(r.Languages)
	var rows []barRow
	for _, l := range langsIn(m) {
		rows = append(rows, barRow{Label: langName(l), Segs: []seg{{langName(l), langColour[l], m[l]}}, Value: Count(m[l], r.MinCount)})
	}
	slices.SortStableFunc(rows, func(a, b barRow) int { return cmp.Compare(b.Segs[0].N, a.Segs[0].N) })
	return hbars("languages", "Languages chosen", "How often each language was picked on the first screen.",
		"No language was chosen in this period.", nil, rows)
}

func guideSources(r usage.Report) svgChart {
	m := map[string]int64{}
	for _, g := range r.Guides {
		for k, n := range g.ByFrom {
			if _, ok := sourceNames[k]; !ok {
				k = "other"
			}
			m[k] += shown(n)
		}
	}
	var rows []barRow
	for _, k := range []string{"browse", "search", "qr", "other"} {
		if m[k] > 0 {
			rows = append(rows, barRow{Label: sourceNames[k], Segs: []seg{{sourceNames[k], colourOne, m[k]}}, Value: fmt.Sprint(m[k])})
		}
	}
	return hbars("guide-sources", "How guides were reached",
		"Browsing the stages, a search, or a QR code (from a poster or a printed slip).",
		"No guide was opened in this period.", nil, rows)
}

func prints(r usage.Report) svgChart {
	rows := []barRow{}
	if r.PrintsOK != 0 {
		rows = append(rows, barRow{Label: reasonName("ok"), Segs: []seg{{reasonName("ok"), colourOK, r.PrintsOK}}, Value: Count(r.PrintsOK, r.MinCount)})
	}
	fail := map[string]int64{}
	for k, n := range r.PrintFailures {
		fail[cleanID(k, 32)] = addCount(fail[cleanID(k, 32)], n)
	}
	keys := make([]string, 0, len(fail))
	for k := range fail {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(fail[b], fail[a]), cmp.Compare(a, b)) })
	for _, k := range keys {
		rows = append(rows, barRow{Label: "failed: " + reasonName(k), Segs: []seg{{reasonName(k), colourBad, fail[k]}}, Value: Count(fail[k], r.MinCount)})
	}
	return hbars("prints", "Printed slips, and why printing failed",
		"Paper out or a printer that does not answer means a technician visit; the person could still scan the QR code on the screen.",
		"Nothing was printed in this period.", nil, rows)
}

func agencyChecks(r usage.Report) svgChart {
	var rows []barRow
	if r.Agency[0] != 0 || r.Agency[1] != 0 {
		rows = []barRow{
			{Label: "found in the registry", Segs: []seg{{"found", colourOK, r.Agency[0]}}, Value: Count(r.Agency[0], r.MinCount)},
			{Label: "not found", Segs: []seg{{"not found", colourBad, r.Agency[1]}}, Value: Count(r.Agency[1], r.MinCount)},
		}
	}
	return hbars("agency-checks", "Recruitment agency checks",
		"People checking whether an agency is licensed. \"Not found\" means the name or licence number they entered is not in the registry the kiosk carries — possibly an unlicensed recruiter.",
		"No agency was checked in this period.", nil, rows)
}

func shown(n int64) int64 { return usage.Shown(n) }

// addCount adds a cell to a running figure: hidden stays hidden.
func addCount(a, b int64) int64 {
	if a == usage.Hidden || b == usage.Hidden {
		return usage.Hidden
	}
	return a + b
}

// countSum shows a sum of cells: "<k" only when all of them are hidden.
func countSum(k int64, ns ...int64) string {
	var t int64
	all := true
	for _, n := range ns {
		t += shown(n)
		all = all && n == usage.Hidden
	}
	if all {
		return Count(usage.Hidden, k)
	}
	return fmt.Sprint(t)
}

func percentShown(none, found int64) string {
	if none < 0 || found < 0 {
		return ""
	}
	return " (" + percent(none, none+found) + ")"
}
