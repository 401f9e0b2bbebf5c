package usage

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// CSVHeader is the first line of an exported CSV. One line per kiosk, hour,
// metric, topic, language and detail: several kiosks' files concatenate
// (after their headers) into a fleet report.
var CSVHeader = []string{"kiosk", "hour", "metric", "topic", "lang", "detail", "count"}

// WriteCSV exports rows, labelled with kioskID.
func WriteCSV(w io.Writer, kioskID string, rows []Row) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	for _, r := range rows {
		k := r.Kiosk
		if k == "" {
			k = kioskID
		}
		cw.Write([]string{k, r.Hour.UTC().Format(time.RFC3339), r.Metric, r.Topic, r.Lang, r.Detail, strconv.FormatInt(r.Count, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// ReadCSV reads a CSV written by WriteCSV (or several concatenated: repeated
// header lines are skipped), for a fleet report.
func ReadCSV(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(CSVHeader)
	var out []Row
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("usage: csv: %w", err)
		}
		if slices.Equal(rec, CSVHeader) {
			continue
		}
		h, err := time.Parse(time.RFC3339, rec[1])
		if err != nil {
			return nil, fmt.Errorf("usage: csv line %d: hour %q: %w", line, rec[1], err)
		}
		n, err := strconv.ParseInt(rec[6], 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("usage: csv line %d: count %q", line, rec[6])
		}
		out = append(out, Row{Kiosk: rec[0], Hour: h.UTC(), Metric: rec[2], Topic: rec[3], Lang: rec[4], Detail: rec[5], Count: n})
	}
}

// Report is the information-needs report over some rows.
type Report struct {
	From, To      time.Time
	Location      *time.Location
	Sessions      int64
	IdleResets    int64
	Languages     map[string]int64
	Guides        []GuideLine         // most opened first
	Searches      map[string][2]int64 // lang → {found, none}
	PrintsOK      int64
	PrintFailures map[string]int64 // reason → count
	Agency        [2]int64         // found, not found
	ByHourOfDay   [24]int64        // sessions by local hour of day
	Detail        []DetailLine     // hour × topic × language
	// MinCount is set by Suppress: cells under it are Hidden.
	MinCount int64
}

// GuideLine is one topic's use.
type GuideLine struct {
	Topic  string
	Total  int64
	ByLang map[string]int64
	ByFrom map[string]int64
	Prints int64
}

// DetailLine is one hour × topic × language.
type DetailLine struct {
	Hour            time.Time
	Topic, Lang     string
	Opened, Printed int64
}

// Summarise builds the report; loc is the kiosk's time zone (hour of day).
func Summarise(rows []Row, from, to time.Time, loc *time.Location) Report {
	if loc == nil {
		loc = time.UTC
	}
	r := Report{From: from, To: to, Location: loc, Languages: map[string]int64{},
		Searches: map[string][2]int64{}, PrintFailures: map[string]int64{}}
	guides := map[string]*GuideLine{}
	guide := func(t string) *GuideLine {
		g := guides[t]
		if g == nil {
			g = &GuideLine{Topic: t, ByLang: map[string]int64{}, ByFrom: map[string]int64{}}
			guides[t] = g
		}
		return g
	}
	type dk struct {
		h           int64
		topic, lang string
	}
	detail := map[dk]*DetailLine{}
	line := func(x Row) *DetailLine {
		k := dk{x.Hour.Unix(), x.Topic, x.Lang}
		d := detail[k]
		if d == nil {
			d = &DetailLine{Hour: x.Hour, Topic: x.Topic, Lang: x.Lang}
			detail[k] = d
		}
		return d
	}
	for _, x := range rows {
		switch x.Metric {
		case MetricSession:
			r.Sessions += x.Count
			r.ByHourOfDay[x.Hour.In(loc).Hour()] += x.Count
		case MetricIdleReset:
			r.IdleResets += x.Count
		case MetricLanguage:
			r.Languages[x.Lang] += x.Count
		case MetricGuide:
			g := guide(x.Topic)
			g.Total += x.Count
			g.ByLang[x.Lang] += x.Count
			g.ByFrom[x.Detail] += x.Count
			line(x).Opened += x.Count
		case MetricSearch:
			s := r.Searches[x.Lang]
			if x.Detail == "found" {
				s[0] += x.Count
			} else {
				s[1] += x.Count
			}
			r.Searches[x.Lang] = s
		case MetricPrint:
			if x.Detail == "ok" {
				r.PrintsOK += x.Count
				guide(x.Topic).Prints += x.Count
				line(x).Printed += x.Count
			} else {
				r.PrintFailures[x.Detail] += x.Count
			}
		case MetricAgencyCheck:
			if x.Detail == "found" {
				r.Agency[0] += x.Count
			} else {
				r.Agency[1] += x.Count
			}
		}
	}
	for _, g := range guides {
		r.Guides = append(r.Guides, *g)
	}
	slices.SortFunc(r.Guides, func(a, b GuideLine) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.Topic, b.Topic))
	})
	for _, d := range detail {
		r.Detail = append(r.Detail, *d)
	}
	slices.SortFunc(r.Detail, func(a, b DetailLine) int {
		return cmp.Or(a.Hour.Compare(b.Hour), cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Lang, b.Lang))
	})
	return r
}

// WriteText writes the report for people: what was asked, in which
// language, when, and what the kiosk could not answer.
func (r Report) WriteText(w io.Writer, title string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	loc := r.Location
	fmt.Fprintf(tw, "Information needs — %s\n%s … %s (%s)\n\n", title,
		r.From.In(loc).Format("2006-01-02 15:04"), r.To.In(loc).Format("2006-01-02 15:04"), loc)
	fmt.Fprintf(tw, "Sessions\t%d\t(idle resets %d)\n", r.Sessions, r.IdleResets)
	fmt.Fprintf(tw, "Languages chosen\t%s\n", joinCounts(r.Languages))
	var found, none int64
	byLangNone := map[string]int64{}
	for l, s := range r.Searches {
		found += s[0]
		none += s[1]
		if s[1] > 0 {
			byLangNone[l] = s[1]
		}
	}
	fmt.Fprintf(tw, "Searches\t%d\t(no result: %d%s)\n", found+none, none, ifAny(" — "+joinCounts(byLangNone), none))
	var failed int64
	for _, n := range r.PrintFailures {
		failed += n
	}
	fmt.Fprintf(tw, "Prints\t%d ok, %d failed\t%s\n", r.PrintsOK, failed, joinCounts(r.PrintFailures))
	fmt.Fprintf(tw, "Agency checks\t%d found, %d not found\n", r.Agency[0], r.Agency[1])
	fmt.Fprintf(tw, "\nGuides opened, most first\n")
	fmt.Fprintf(tw, "topic\topened\tprinted\tby language\tfrom\n")
	for _, g := range r.Guides {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", g.Topic, g.Total, g.Prints, joinCounts(g.ByLang), joinCounts(g.ByFrom))
	}
	fmt.Fprintf(tw, "\nSessions by hour of day (%s)\n", loc)
	var max int64
	for _, n := range r.ByHourOfDay {
		max = maxOf(max, n)
	}
	for h, n := range r.ByHourOfDay {
		if n == 0 {
			continue
		}
		fmt.Fprintf(tw, "%02d:00\t%d\t%s\n", h, n, strings.Repeat("█", int((n*30+max-1)/max)))
	}
	fmt.Fprintf(tw, "\nHour × topic × language\nhour\ttopic\tlanguage\topened\tprinted\n")
	for _, d := range r.Detail {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\n", d.Hour.In(loc).Format("2006-01-02 15:00"), d.Topic, d.Lang, d.Opened, d.Printed)
	}
	return tw.Flush()
}

func maxOf(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func ifAny(s string, n int64) string {
	if n == 0 {
		return ""
	}
	return s
}

// joinCounts renders "ru 12, ky 7" most first.
func joinCounts(m map[string]int64) string {
	type kv struct {
		k string
		n int64
	}
	var l []kv
	for k, n := range m {
		l = append(l, kv{k, n})
	}
	slices.SortFunc(l, func(a, b kv) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.k, b.k)) })
	parts := make([]string, len(l))
	for i, x := range l {
		parts[i] = fmt.Sprintf("%s %d", x.k, x.n)
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}
