package metrics

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/kiosk/slipprinter"
)

func scrape(t *testing.T, r *Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

func TestRegistry(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	now := t0
	state := t.TempDir()
	printer := slipprinter.State{OK: false, State: "paper out", Slips: 3, Failed: 1, PaperOuts: 1}
	r := New(Options{Now: func() time.Time { return now }, Health: Health{StateDir: state, BuildTime: t0.Add(-time.Hour),
		Printer: func() slipprinter.State { return printer }, Heartbeat: func() time.Time { return t0 }}})
	now = t0.Add(90 * time.Second)

	r.GuideOpened("work-permit", "uz-Latn", []string{"abroad", "returning"}, "search")
	r.GuideOpened("Ищу работу в Москве", "ky", nil, "browse") // typed text never becomes a label
	r.GuideOpened("work-permit", "x-klingon", []string{"nowhere"}, "evil")
	r.Searched("ru", false)
	r.Searched("ru", true)
	r.Printed("work-permit", "uz-Latn", "", true)
	r.Printed("work-permit", "uz-Latn", "paper-out", false)
	r.Printed("work-permit", "uz-Latn", "the printer said: HCF!", false)
	r.SessionEvent("start", "")
	r.SessionEvent("language", "kaa")
	r.SessionEvent("idle-reset", "")
	r.AgencyCheck(false)
	r.ReadAloud("ky")
	out := scrape(t, r)

	for _, want := range []string{
		"# HELP sapar_guides_opened_total ", "# TYPE sapar_guides_opened_total counter",
		`sapar_guides_opened_total{from="search",guide="work-permit",lang="uz-Latn",stage="abroad"} 1`,
		`sapar_guides_opened_total{from="browse",guide="other",lang="ky",stage="other"} 1`,
		`sapar_guides_opened_total{from="other",guide="work-permit",lang="und",stage="other"} 1`,
		`sapar_searches_total{lang="ru",result="none"} 1`,
		`sapar_prints_total{guide="work-permit",lang="uz-Latn",result="ok"} 1`,
		`sapar_prints_total{guide="work-permit",lang="uz-Latn",result="failed"} 2`,
		`sapar_print_failures_total{reason="paper-out"} 1`,
		`sapar_print_failures_total{reason="other"} 1`,
		"sapar_prints_paper_low_total 1",
		`sapar_session_events_total{event="idle-reset"} 1`,
		`sapar_languages_chosen_total{lang="kaa"} 1`,
		`sapar_agency_checks_total{result="not-found"} 1`,
		`sapar_read_aloud_total{lang="ky"} 1`,
		"sapar_uptime_seconds 90",
		"sapar_printer_paper_out 1", "sapar_printer_paper_near_end 0", `sapar_printer_state{state="paper-out"} 1`,
		"sapar_printer_slips_total 3", "sapar_page_heartbeat_age_seconds 90", "sapar_clock_ok 1",
		"sapar_disk_free_bytes ", "# TYPE go_goroutines gauge", "process_resident_memory_bytes ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(out, "Москве") || strings.Contains(out, "HCF") {
		t.Error("free text reached a label")
	}
}

// However many ids a broken or hostile content bundle holds, the guide
// label stays bounded.
func TestGuideLabelIsBounded(t *testing.T) {
	known := func(id string) bool { return !strings.HasPrefix(id, "gone-") }
	r := New(Options{KnownGuide: known})
	r.GuideOpened("gone-guide", "ru", nil, "browse")
	for i := range MaxGuides + 50 {
		r.GuideOpened("g"+strings.Repeat("x", i%60)+string(rune('a'+i%26))+string(rune('a'+i/26%26)), "ru", nil, "browse")
	}
	out := scrape(t, r)
	if n := strings.Count(out, "sapar_guides_opened_total{"); n > MaxGuides+1 {
		t.Errorf("%d guide series, want at most %d", n, MaxGuides+1)
	}
	if strings.Contains(out, "gone-guide") {
		t.Error("an id the content does not hold became a label")
	}
}

func TestClockBeforeBuild(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), nil, 0o644)
	r := New(Options{Now: func() time.Time { return time.Unix(0, 0) }, Health: Health{StateDir: dir, BuildTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}})
	if out := scrape(t, r); !strings.Contains(out, "sapar_clock_ok 0") {
		t.Errorf("a 1970 clock is not flagged:\n%s", out)
	}
}
