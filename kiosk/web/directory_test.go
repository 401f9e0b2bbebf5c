package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"sapar/content"
	"sapar/drivers/receipt"
	"sapar/kiosk/web/ui"
)

func contentServer(t *testing.T) http.Handler { return agencyServer(t, true) }

// agencyServer serves the sample content; sample: as the demo does (the
// sample registry answers, marked as sample), else as a production kiosk.
func agencyServer(t *testing.T, sample bool) http.Handler {
	t.Helper()
	st := versionStore(t, "t")
	srv, err := NewServer(Options{Store: st, Print: func(context.Context, receipt.Document) error { return nil },
		Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }, SampleAgencies: sample})
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

func getJSON(t *testing.T, h http.Handler, url string, v any) int {
	t.Helper()
	req := httptest.NewRequest("GET", "http://127.0.0.1"+url, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if v != nil && rec.Code == 200 {
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			t.Fatalf("%s: %v: %s", url, err, rec.Body)
		}
	}
	return rec.Code
}

func TestContentEndpoints(t *testing.T) {
	h := contentServer(t)
	t.Run("agency check: exact name across scripts says licensed and sample", func(t *testing.T) {
		var res struct {
			Status  string `json:"status"`
			Sample  bool   `json:"sample"`
			Matches []struct {
				LicenceNo string `json:"licence_no"`
				Sample    bool   `json:"sample"`
			} `json:"matches"`
			Next struct {
				Steps []string `json:"steps"`
				Lang  string   `json:"lang"`
			} `json:"next"`
			Registries []struct{ Country, URL, QR string } `json:"registries"`
		}
		if code := getJSON(t, h, "/api/agency?lang=ky&q="+urlq("Jibek Jolu Travel Work"), &res); code != 200 {
			t.Fatalf("status %d", code)
		}
		if res.Status != "licensed" || !res.Sample || len(res.Matches) == 0 || !res.Matches[0].Sample {
			t.Fatalf("%+v", res)
		}
		if res.Next.Lang != "ky" || len(res.Next.Steps) == 0 {
			t.Errorf("what to do next missing in Kyrgyz: %+v", res.Next)
		}
		if len(res.Registries) == 0 || res.Registries[0].Country != "KG" || res.Registries[0].URL != "https://migrant.kg" {
			t.Errorf("registries: %+v", res.Registries)
		}
		if code := getJSON(t, h, res.Registries[0].QR, nil); code != 200 {
			t.Errorf("registry QR: %d", code)
		}
	})
	for _, tc := range []struct{ name, q, status string }{
		{"«ала» is never a verdict", "ала", "similar"},
		{"a misspelt name is only similar", "Jibek Joly", "similar"},
		{"licence number gives the verdict", "SAMPLE-KG-0002", "licensed"},
		{"exact Cyrillic name gives the verdict", "Ала-Тоо Кадр", "licensed"},
	} {
		t.Run("agency check: "+tc.name, func(t *testing.T) {
			var res struct {
				Status  string
				Matches []struct{ Match string }
			}
			getJSON(t, h, "/api/agency?lang=ru&q="+urlq(tc.q), &res)
			if res.Status != tc.status || len(res.Matches) == 0 {
				t.Fatalf("%q: %+v, want %s", tc.q, res, tc.status)
			}
		})
	}
	t.Run("unknown agency is not_found", func(t *testing.T) {
		var res struct{ Status string }
		getJSON(t, h, "/api/agency?lang=en&q=Nowhere+Recruiting", &res)
		if res.Status != "not_found" {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("contacts filtered by country in Uzbek Latin", func(t *testing.T) {
		var list []struct {
			ID, Country, Name, Lang, Phone string
			QR                             map[string]string `json:"qr"`
		}
		getJSON(t, h, "/api/contacts?lang=uz&country=uz", &list)
		if len(list) == 0 {
			t.Fatal("no Uzbek contacts")
		}
		for _, c := range list {
			if c.Country != "UZ" || c.Lang != "uz-Latn" || c.Name == "" {
				t.Errorf("%+v", c)
			}
		}
	})
	t.Run("bad kind parameter is a 400", func(t *testing.T) {
		if code := getJSON(t, h, "/api/contacts?kind="+urlq("x'; DROP"), nil); code != 400 {
			t.Fatalf("status %d", code)
		}
	})
	t.Run("QR only for addresses the content holds", func(t *testing.T) {
		if code := getJSON(t, h, "/api/contacts/qr?id=istikbolli-avlod&field=website", nil); code != 404 {
			t.Fatalf("status %d for a contact without a website", code)
		}
	})
	t.Run("countries with names and guides", func(t *testing.T) {
		var list []struct {
			Code, Name string
			Guides     []struct{ ID string }
		}
		getJSON(t, h, "/api/countries?lang=ru", &list)
		if len(list) == 0 || list[0].Name == "" || len(list[0].Guides) == 0 {
			t.Fatalf("%+v", list)
		}
	})
}

func urlq(s string) string { return strings.NewReplacer(" ", "+", "'", "%27", ";", "%3B").Replace(s) }

// A hostile client sent a 900 KB agency query and got all of it back: the
// query is bounded (MaxQueryRunes) and a longer one is refused without
// echoing it. Search is bounded the same way.
func TestLongQueriesAreRefusedNotEchoed(t *testing.T) {
	h := contentServer(t)
	for _, tc := range []struct {
		name, path, q string
		code          int
	}{
		{"900 KB agency query refused", "/api/agency", strings.Repeat("Ж", 450_000), 400},
		{"agency query one rune too long refused", "/api/agency", strings.Repeat("ж", MaxQueryRunes+1), 400},
		{"agency query at the limit answered", "/api/agency", strings.Repeat("ж", MaxQueryRunes), 200},
		{"900 KB search refused", "/api/search", strings.Repeat("работа ", 130_000), 400},
		{"search at the limit answered", "/api/search", strings.Repeat("ж", MaxQueryRunes), 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "http://127.0.0.1"+tc.path+"?lang=ru&q="+url.QueryEscape(tc.q), nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.code {
				t.Fatalf("status %d, want %d: %.200s", rec.Code, tc.code, rec.Body)
			}
			if tc.code != 200 && rec.Body.Len() > 512 {
				t.Fatalf("refusal is %d bytes: the query was echoed", rec.Body.Len())
			}
			if tc.code == 200 && rec.Body.Len() > 64<<10 {
				t.Fatalf("answer is %d bytes for a %d-byte query", rec.Body.Len(), len(tc.q))
			}
		})
	}
}

// A production kiosk that started on the sample content once answered
// "licensed" from fictional entries: it must say it cannot check, and
// still give the official registries.
func TestAgencyCheckWithoutRealRegistry(t *testing.T) {
	h := agencyServer(t, false)
	var res struct {
		Status     string
		Registry   string
		Matches    []any
		Registries []struct{ Country string }
	}
	getJSON(t, h, "/api/agency?lang=ky&q="+urlq("Ала-Тоо Кадр"), &res)
	if res.Status != "cannot_check" || res.Registry != "sample" || len(res.Matches) != 0 || len(res.Registries) == 0 {
		t.Fatalf("%+v", res)
	}
}

// The sample, similar and cannot-check verdicts and the help desk words
// are on screen in every language the kiosk offers, in that language.
func TestAgencyVerdictWordsInEveryLanguage(t *testing.T) {
	strs, err := ui.Strings()
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"agencySampleCheck", "agencySimilar", "agencyCannotCheck", "helpDesk", "helpDeskSample", "askHelpDesk", "sampleContent", "notReviewed",
		"originAsk", "originKG", "originUZ", "originTJ", "originOther"}
	for _, l := range content.Languages() {
		for _, k := range keys {
			v := strs[l.Tag][k]
			if v == "" {
				t.Errorf("%s: no %s", l.Tag, k)
				continue
			}
			if l.Tag != "en" && v == strs["en"][k] {
				t.Errorf("%s: %s is the English text", l.Tag, k)
			}
		}
	}
}
