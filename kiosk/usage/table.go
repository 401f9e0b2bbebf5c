package usage

import (
	"cmp"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"time"
)

// TableHeader is the first line of WriteTable's CSV.
var TableHeader = []string{"group", "table", "key", "subkey", "count"}

// WriteTable writes a report's tables as CSV — the figures the HTML draws,
// one cell a line, hidden cells as "<N" after Suppress: what an MRC
// publishes or pastes into a spreadsheet. group names the kiosk, city,
// place kind or "fleet". Lines are sorted, so equal reports give equal
// files.
func WriteTable(w io.Writer, header bool, group string, r Report) error {
	var lines [][]string
	cell := func(table, key, sub string, n int64) {
		if n == 0 {
			return
		}
		v := strconv.FormatInt(n, 10)
		if n == Hidden {
			v = "<" + strconv.FormatInt(max(r.MinCount, 1), 10)
		}
		lines = append(lines, []string{group, table, key, sub, v})
	}
	cell("sessions", "", "", r.Sessions)
	cell("idle_resets", "", "", r.IdleResets)
	for l, n := range r.Languages {
		cell("languages", l, "", n)
	}
	for l, s := range r.Searches {
		cell("searches", l, "found", s[0])
		cell("searches", l, "none", s[1])
	}
	cell("prints", "ok", "", r.PrintsOK)
	for reason, n := range r.PrintFailures {
		cell("prints", "failed", reason, n)
	}
	cell("agency_checks", "found", "", r.Agency[0])
	cell("agency_checks", "not-found", "", r.Agency[1])
	for h, n := range r.ByHourOfDay {
		cell("sessions_by_hour", strconv.Itoa(h), "", n)
	}
	for _, g := range r.Guides {
		cell("guides_opened", g.Topic, "", g.Total)
		cell("guides_printed", g.Topic, "", g.Prints)
		for l, n := range g.ByLang {
			cell("guides_by_lang", g.Topic, l, n)
		}
		for f, n := range g.ByFrom {
			cell("guides_by_source", g.Topic, f, n)
		}
	}
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	for _, d := range r.Detail {
		h := d.Hour.In(loc).Format("2006-01-02T15")
		cell("hour_topic_lang_opened", h+" "+d.Topic, d.Lang, d.Opened)
		cell("hour_topic_lang_printed", h+" "+d.Topic, d.Lang, d.Printed)
	}
	slices.SortFunc(lines, func(a, b []string) int {
		for i := range a {
			if c := cmp.Compare(a[i], b[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	cw := csv.NewWriter(w)
	if header {
		cw.Write(TableHeader)
	}
	cw.WriteAll(lines)
	return cw.Error()
}
