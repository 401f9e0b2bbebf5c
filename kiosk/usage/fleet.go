package usage

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FleetSource reads the fleet's usage counts from the fleet database over
// the Prometheus HTTP API (VictoriaMetrics or Prometheus): the same
// counters every kiosk exports (kiosk/metrics), pushed with the kiosk's id,
// city and place kind, turned back into hourly Rows with increase().
type FleetSource struct {
	URL    string       // base URL, e.g. http://metrics.mrc.example.org:8428
	Client *http.Client // nil: a client with a 60 s timeout
	// Group is the label rows are grouped by into Row.Kiosk: "kiosk"
	// (default), "city" or "place"; "fleet" puts every kiosk in one group.
	Group string
	// Match narrows the kiosks, as a PromQL label matcher list such as
	// `city="Osh"` ("" = all).
	Match string
}

// fleetMetric maps one exported counter back to stored rows.
type fleetMetric struct {
	name   string
	labels []string // by these, beside the group label
	row    func(l map[string]string) (metric, topic, lang, detail string, ok bool)
}

var fleetMetrics = []fleetMetric{
	{"sapar_session_events_total", []string{"event"}, func(l map[string]string) (string, string, string, string, bool) {
		switch l["event"] {
		case "start":
			return MetricSession, "", "", "", true
		case "idle-reset":
			return MetricIdleReset, "", "", "", true
		}
		return "", "", "", "", false
	}},
	{"sapar_languages_chosen_total", []string{"lang"}, func(l map[string]string) (string, string, string, string, bool) {
		return MetricLanguage, "", l["lang"], "", true
	}},
	{"sapar_guides_opened_total", []string{"guide", "lang", "from"}, func(l map[string]string) (string, string, string, string, bool) {
		return MetricGuide, l["guide"], l["lang"], l["from"], true
	}},
	{"sapar_searches_total", []string{"lang", "result"}, func(l map[string]string) (string, string, string, string, bool) {
		return MetricSearch, "", l["lang"], l["result"], true
	}},
	{`sapar_prints_total{result="ok"}`, []string{"guide", "lang"}, func(l map[string]string) (string, string, string, string, bool) {
		return MetricPrint, l["guide"], l["lang"], "ok", true
	}},
	{"sapar_print_failures_total", []string{"reason"}, func(l map[string]string) (string, string, string, string, bool) {
		return MetricPrint, "", "", l["reason"], true
	}},
	{"sapar_agency_checks_total", []string{"result"}, func(l map[string]string) (string, string, string, string, bool) {
		return MetricAgencyCheck, "", "", l["result"], true
	}},
}

// Rows returns the hourly counts with from <= hour < to (to is cut at now:
// the current hour so far). Counts are increase() over each hour, rounded.
func (f FleetSource) Rows(ctx context.Context, from, to, now time.Time) ([]Row, error) {
	group := f.Group
	if group == "" {
		group = "kiosk"
	}
	switch group {
	case "kiosk", "city", "place", "fleet":
	default:
		return nil, fmt.Errorf("usage: fleet: group by kiosk, city, place or fleet, not %q", group)
	}
	from = from.Truncate(time.Hour)
	end := to
	if now.Before(end) {
		end = now
	}
	var out []Row
	for _, m := range fleetMetrics {
		by := append([]string{}, m.labels...)
		if group != "fleet" {
			by = append(by, group)
		}
		sel := f.selector(m.name)
		// Whole hours: a range query, one point per hour at its end.
		lastFull := end.Truncate(time.Hour)
		if lastFull.After(from) {
			q := fmt.Sprintf("sum by (%s) (increase(%s[1h]))", strings.Join(by, ", "), sel)
			res, err := f.query(ctx, "query_range", url.Values{"query": {q},
				"start": {unixS(from.Add(time.Hour))}, "end": {unixS(lastFull)}, "step": {"3600"}})
			if err != nil {
				return nil, err
			}
			for _, s := range res {
				for _, p := range s.Values {
					out = appendRow(out, m, s.Metric, group, p, time.Hour)
				}
			}
		}
		// The hour in progress, up to end.
		if end.After(lastFull) && !lastFull.Before(from) {
			secs := int(math.Ceil(end.Sub(lastFull).Seconds()))
			q := fmt.Sprintf("sum by (%s) (increase(%s[%ds]))", strings.Join(by, ", "), sel, secs)
			res, err := f.query(ctx, "query", url.Values{"query": {q}, "time": {unixS(end)}})
			if err != nil {
				return nil, err
			}
			for _, s := range res {
				p := s.Value
				p[0] = float64(lastFull.Add(time.Hour).Unix())
				out = appendRow(out, m, s.Metric, group, p, time.Hour)
			}
		}
	}
	return out, nil
}

func appendRow(out []Row, m fleetMetric, labels map[string]string, group string, p [2]float64, step time.Duration) []Row {
	n := int64(math.Round(p[1]))
	if n <= 0 {
		return out
	}
	metric, topic, lang, detail, ok := m.row(labels)
	if !ok {
		return out
	}
	g := "fleet"
	if group != "fleet" {
		g = slug(labels[group])
	}
	hour := time.Unix(int64(p[0]), 0).UTC().Add(-step)
	return append(out, Row{Kiosk: g, Hour: hour, Metric: metric, Topic: topic, Lang: lang, Detail: detail, Count: n})
}

func (f FleetSource) selector(name string) string {
	if f.Match == "" {
		return name
	}
	if i := strings.IndexByte(name, '{'); i >= 0 {
		return name[:len(name)-1] + "," + f.Match + "}"
	}
	return name + "{" + f.Match + "}"
}

func unixS(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

type promSeries struct {
	Metric map[string]string
	Values [][2]float64 // query_range
	Value  [2]float64   // query
}

// query calls the Prometheus HTTP API and decodes a vector or matrix.
func (f FleetSource) query(ctx context.Context, endpoint string, v url.Values) ([]promSeries, error) {
	c := f.Client
	if c == nil {
		c = &http.Client{Timeout: 60 * time.Second}
	}
	u := strings.TrimSuffix(f.URL, "/") + "/api/v1/" + endpoint
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(v.Encode()))
	if err != nil {
		return nil, fmt.Errorf("usage: fleet database %s: %w", f.URL, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("usage: fleet database: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("usage: fleet database: %w", err)
	}
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Values [][2]any          `json:"values"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("usage: fleet database %s answered %s, not the Prometheus API (%.80q): is the URL the database's base URL?", f.URL, resp.Status, body)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("usage: fleet database %s: %s %s", f.URL, resp.Status, r.Error)
	}
	out := make([]promSeries, 0, len(r.Data.Result))
	for _, x := range r.Data.Result {
		s := promSeries{Metric: x.Metric}
		for _, p := range x.Values {
			s.Values = append(s.Values, point(p))
		}
		if x.Value[0] != nil {
			s.Value = point(x.Value)
		}
		out = append(out, s)
	}
	return out, nil
}

func point(p [2]any) [2]float64 {
	var out [2]float64
	if t, ok := p[0].(float64); ok {
		out[0] = t
	}
	if s, ok := p[1].(string); ok {
		out[1], _ = strconv.ParseFloat(s, 64)
	}
	return out
}

// slug turns a city or place kind into an id the report shows ("Jalal-Abad"
// → "jalal-abad"); a kiosk id is one already.
func slug(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, strings.TrimSpace(s))
}
