package report

import (
	"sapar/content"
	"slices"

	"sapar/kiosk/usage"
)

// Languages the kiosk offers, with the names the report shows. "und" is
// what usage counts for anything else.
var languageNames = map[string]string{
	"ky":      "Kyrgyz",
	"uz-Latn": "Uzbek (Latin)",
	"uz-Cyrl": "Uzbek (Cyrillic)",
	"kaa":     "Karakalpak",
	"ru":      "Russian",
	"en":      "English",
	"tg":      "Tajik",
	"ur":      "Urdu",
	"und":     "not known",
}

// languageOrder is the order of languages in legends and charts.
var languageOrder = []string{"ky", "uz-Latn", "uz-Cyrl", "kaa", "ru", "en", "tg", "ur", "und"}

// printReasons are the print outcomes the kiosk records, in plain words.
// A reason that is a short code but not listed here is shown as the code.
var printReasons = map[string]string{
	"ok":         "printed",
	"paper-out":  "paper out",
	"offline":    "printer offline",
	"cover-open": "cover open",
	"timeout":    "printer did not answer",
	"other":      "other failure",
}

var sourceNames = map[string]string{
	string(usage.FromBrowse): "browsing",
	string(usage.FromSearch): "search",
	string(usage.FromQR):     "QR code",
	"other":                  "other",
}

const maxLabel = 64

func cleanID(s string, max int) string {
	if len(s) > max || !content.ValidID(s) {
		return "other"
	}
	return s
}

func cleanLang(s string) string {
	if _, ok := languageNames[s]; ok {
		return s
	}
	return "und"
}

func cleanKiosk(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > 40 || !content.ValidID(s) {
		return "other"
	}
	return s
}

// Clean returns rows whose every label is one the report may show: metrics
// usage knows, topics that look like content ids, offered languages, the
// closed details of each metric, short reason codes and kiosk ids. Anything
// else becomes "other" or "und"; rows of unknown metrics are dropped. The
// kiosk's own database holds only such labels already; a CSV handed in for
// a fleet report may hold anything.
func Clean(rows []usage.Row) []usage.Row {
	out := make([]usage.Row, 0, len(rows))
	for _, r := range rows {
		c := usage.Row{Kiosk: cleanKiosk(r.Kiosk), Hour: r.Hour.UTC(), Metric: r.Metric, Count: r.Count}
		if c.Count < 0 {
			continue
		}
		switch r.Metric {
		case usage.MetricSession, usage.MetricIdleReset:
		case usage.MetricLanguage:
			c.Lang = cleanLang(r.Lang)
		case usage.MetricGuide:
			c.Topic, c.Lang = cleanID(r.Topic, maxLabel), cleanLang(r.Lang)
			c.Detail = "other"
			if _, ok := sourceNames[r.Detail]; ok {
				c.Detail = r.Detail
			}
		case usage.MetricSearch:
			c.Lang, c.Detail = cleanLang(r.Lang), oneOf(r.Detail, "found", "none")
		case usage.MetricPrint:
			c.Topic, c.Lang, c.Detail = cleanID(r.Topic, maxLabel), cleanLang(r.Lang), cleanID(r.Detail, 32)
		case usage.MetricAgencyCheck:
			c.Lang, c.Detail = cleanLang(r.Lang), oneOf(r.Detail, "found", "not-found")
		default:
			continue
		}
		out = append(out, c)
	}
	return out
}

// oneOf returns s if it is one of the allowed values, else the last one
// (the "not found" side: an unreadable detail is not counted as a success).
func oneOf(s string, allowed ...string) string {
	if slices.Contains(allowed, s) {
		return s
	}
	return allowed[len(allowed)-1]
}

func langName(tag string) string {
	if n, ok := languageNames[tag]; ok {
		return n
	}
	return tag
}

func reasonName(code string) string {
	if n, ok := printReasons[code]; ok {
		return n
	}
	return code
}
