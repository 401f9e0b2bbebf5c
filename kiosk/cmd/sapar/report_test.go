package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	usagedb "sapar/kiosk/usage"
)

var reportHTML = flag.String("report.html", "", "write the busy-week fleet report here too (to look at it)")

var reportNow = time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)

func reportRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := reportCmd(env{ctx: context.Background(), stdout: &out, stderr: &errb, args: args}, func() time.Time { return reportNow })
	return code, out.String(), errb.String()
}

// busyWeek counts a plausible week at one kiosk through the usage API; k
// scales it so that two kiosks differ.
func busyWeek(u *usagedb.Counter, at func(time.Time), k int) {
	guides := []struct {
		id    string
		langs []string
	}{
		{"country-russia", []string{"ky", "ru", "uz-Latn", "ky"}},
		{"work-visa-vs-tourist-visa", []string{"ky", "uz-Latn", "uz-Cyrl"}},
		{"registration-and-documents", []string{"ru", "ky"}},
		{"check-agency-licence", []string{"uz-Latn", "kaa"}},
		{"eps-korea", []string{"ky", "en"}},
		{"returning-home-reintegration", []string{"ky"}},
		{"foreigners-working-in-kyrgyzstan", []string{"en", "ur"}},
		{"unpaid-wages-help", []string{"tg", "ru"}},
	}
	for day := range 7 {
		for h := 6; h < 22; h++ {
			at(reportNow.AddDate(0, 0, -day-1).Truncate(24 * time.Hour).Add(time.Duration(h-6) * time.Hour)) // Bishkek = UTC+6
			n := k * (1 + (h*7+day*3)%5) * (1 + boolInt(h >= 8 && h <= 11))
			for i := range n {
				u.Session()
				g := guides[(i+h+day)%len(guides)]
				l := g.langs[(i+day)%len(g.langs)]
				u.Language(l)
				src := []usagedb.Source{usagedb.FromBrowse, usagedb.FromSearch, usagedb.FromQR, usagedb.FromBrowse}[(i+h)%4]
				u.GuideOpened(g.id, l, src)
				u.Search(l, (i+h)%3 != 0 || l == "ru")
				switch (i + h + day) % 9 {
				case 0:
					u.Print(g.id, l, "paper-out")
				case 1, 2, 3:
					u.Print(g.id, l, "")
				case 4:
					if day == 2 {
						u.Print(g.id, l, "offline")
					}
				}
				if i%6 == 0 {
					u.AgencyCheck(l, i%12 == 0)
				}
				if i%4 == 3 {
					u.IdleReset()
				}
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// usageState makes a state dir whose usage.db was filled by fill.
func usageState(t *testing.T, fill func(u *usagedb.Counter, at func(time.Time))) string {
	t.Helper()
	dir := t.TempDir()
	now := reportNow
	opt := usagedb.DefaultOptions()
	opt.Now = func() time.Time { return now }
	u, err := usagedb.Open(context.Background(), filepath.Join(dir, "usage.db"), opt)
	if err != nil {
		t.Fatal(err)
	}
	fill(u, func(t time.Time) { now = t })
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeCSV(t *testing.T, dir, name, kiosk string, rows []usagedb.Row) string {
	t.Helper()
	var b bytes.Buffer
	if err := usagedb.WriteCSV(&b, kiosk, rows); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReportFromState(t *testing.T) {
	state := usageState(t, func(u *usagedb.Counter, at func(time.Time)) {
		at(reportNow.Add(-2 * time.Hour))
		u.Session()
		u.Session()
		u.GuideOpened("country-russia", "ky", usagedb.FromQR)
		u.Search("ky", false)
		at(reportNow.AddDate(0, 0, -45)) // outside the default 30 days
		u.Session()
	})
	out := filepath.Join(t.TempDir(), "r.html")
	code, _, errs := reportRun(t, "--state", state, "--html", out, "--tz", "Asia/Bishkek", "--min-count", "1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"What people asked the kiosk", "Russia", "1 of 1 found nothing (100 %)", `<td class="n">2</td><td>sessions</td>`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	code, csv, errs := reportRun(t, "--state", state, "--csv")
	if code != exitOK || !strings.HasPrefix(csv, "kiosk,hour,metric") || strings.Count(csv, "\n") != 4 {
		t.Errorf("csv: exit %d, %q, %s", code, csv, errs)
	}
	code, csv, _ = reportRun(t, "--state", state, "--csv", "--from", "2026-10-01", "--to", "2026-10-31")
	if code != exitOK || strings.Count(csv, "session") != 1 {
		t.Errorf("--from/--to: exit %d, %q", code, csv)
	}
}

func TestReportMerge(t *testing.T) {
	dir := t.TempDir()
	h := reportNow.Add(-5 * time.Hour).Truncate(time.Hour)
	a := writeCSV(t, dir, "osh.csv", "osh-airport-01", []usagedb.Row{
		{Hour: h, Metric: usagedb.MetricSession, Count: 5},
		{Hour: h, Metric: usagedb.MetricGuide, Topic: "country-russia", Lang: "ky", Detail: "browse", Count: 3},
		{Hour: h, Metric: usagedb.MetricSearch, Lang: "ky", Detail: "none", Count: 2},
	})
	b := writeCSV(t, dir, "tashkent.csv", "tashkent-station-02", []usagedb.Row{
		{Hour: h, Metric: usagedb.MetricSession, Count: 7},
		{Hour: h, Metric: usagedb.MetricGuide, Topic: "country-russia", Lang: "ky", Detail: "browse", Count: 4},
		{Hour: h, Metric: usagedb.MetricSearch, Lang: "ky", Detail: "none", Count: 1},
		{Hour: h, Metric: usagedb.MetricSearch, Lang: "ky", Detail: "found", Count: 1},
	})
	out := filepath.Join(dir, "fleet.html")
	code, _, errs := reportRun(t, "--merge", a, b, "--html", out, "--min-count", "1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	page, _ := os.ReadFile(out)
	for _, want := range []string{
		`<td class="n">12</td><td>sessions</td>`,
		"7 opened · 0 printed",
		"3 of 4 found nothing (75 %)",
		"Fleet report, 2 kiosks",
		"osh-airport-01, tashkent-station-02",
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("fleet report lacks %q", want)
		}
	}
	code, csv, _ := reportRun(t, "--merge", a, b, "--csv")
	if code != exitOK || !strings.Contains(csv, "osh-airport-01,") || !strings.Contains(csv, "tashkent-station-02,") {
		t.Errorf("merged csv: exit %d\n%s", code, csv)
	}
}

func TestReportBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := t.TempDir()
	bad := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	header := strings.Join(usagedb.CSVHeader, ",") + "\n"
	notSQLite := t.TempDir()
	os.WriteFile(filepath.Join(notSQLite, "usage.db"), []byte("this is not a database, just some bytes that fill a page "+strings.Repeat("x", 200)), 0o600)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"state without usage.db", []string{"--state", empty, "--csv"}, exitFailure, "usage.db is missing"},
		{"state dir that does not exist", []string{"--state", filepath.Join(dir, "nope"), "--csv"}, exitFailure, "give the kiosk's state directory"},
		{"usage.db that is not SQLite", []string{"--state", notSQLite, "--csv"}, exitFailure, "cannot be read"},
		{"csv count not a number", []string{"--merge", bad("n.csv", header+"osh-airport-01,2026-11-27T10:00:00Z,session,,,,many\n"), "--csv"}, exitFailure, "n.csv"},
		{"csv hour not a time", []string{"--merge", bad("h.csv", header+"osh-airport-01,yesterday,session,,,,1\n"), "--csv"}, exitFailure, "export it again"},
		{"csv with too few columns", []string{"--merge", bad("c.csv", header+"osh-airport-01,2026-11-27T10:00:00Z,session\n"), "--csv"}, exitFailure, "c.csv"},
		{"not a csv at all", []string{"--merge", bad("x.csv", "hello\n"), "--csv"}, exitFailure, "x.csv"},
		{"empty file", []string{"--merge", bad("e.csv", ""), "--csv"}, exitFailure, "not a usage CSV"},
		{"csv file missing", []string{"--merge", filepath.Join(dir, "gone.csv"), "--csv"}, exitFailure, "gone.csv"},
		{"no flags", nil, exitUsage, "need --state"},
		{"no output chosen", []string{"--state", empty}, exitUsage, "need --csv, --table or --html"},
		{"state and merge", []string{"--state", empty, "--merge", "a.csv", "--csv"}, exitUsage, "give one of"},
		{"prometheus and state", []string{"--state", empty, "--prometheus", "http://127.0.0.1:1", "--table"}, exitUsage, "give one of"},
		{"by without prometheus", []string{"--state", empty, "--table", "--by", "city"}, exitUsage, "go with --prometheus"},
		{"by something unknown", []string{"--prometheus", "http://127.0.0.1:1", "--table", "--by", "street"}, exitUsage, "fleet, kiosk, city or place"},
		{"min-count zero", []string{"--state", empty, "--table", "--min-count", "0"}, exitUsage, "at least 1"},
		{"fleet database not answering", []string{"--prometheus", "http://127.0.0.1:1", "--table"}, exitFailure, "check --prometheus"},
		{"merge without files", []string{"--merge", "--csv"}, exitUsage, "needs the CSV files"},
		{"stray argument", []string{"--state", empty, "--csv", "extra"}, exitUsage, "unexpected argument"},
		{"bad day", []string{"--state", empty, "--csv", "--from", "27/11/2026"}, exitUsage, "YYYY-MM-DD"},
		{"from after to", []string{"--state", empty, "--csv", "--from", "2026-11-20", "--to", "2026-11-01"}, exitUsage, "not before"},
		{"bad zone", []string{"--state", empty, "--csv", "--tz", "Mars/Olympus"}, exitUsage, "IANA"},
		{"unknown flag", []string{"--state", empty, "--pdf"}, exitUsage, "Usage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := reportRun(t, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errs, tc.code, tc.msg)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(empty, "usage.db")); err == nil {
		t.Error("report created usage.db in a state without one")
	}
}

// Small counts never reach a published report, neither directly nor by
// subtraction from a total (table and HTML alike).
func TestReportSuppressesSmallCounts(t *testing.T) {
	dir := t.TempDir()
	h := reportNow.Add(-5 * time.Hour).Truncate(time.Hour)
	a := writeCSV(t, dir, "osh.csv", "osh-airport-01", []usagedb.Row{
		{Hour: h, Metric: usagedb.MetricSession, Count: 40},
		{Hour: h, Metric: usagedb.MetricLanguage, Lang: "ky", Count: 30},
		{Hour: h, Metric: usagedb.MetricLanguage, Lang: "ru", Count: 8},
		{Hour: h, Metric: usagedb.MetricLanguage, Lang: "ur", Count: 2}, // one Urdu reader: never shown
		{Hour: h, Metric: usagedb.MetricSearch, Lang: "ky", Detail: "none", Count: 3},
	})
	code, table, errs := reportRun(t, "--merge", a, "--table")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"fleet,languages,ur,,<5", "fleet,languages,ru,,<5", "fleet,languages,ky,,30", "fleet,sessions,,,40", "fleet,searches,ky,none,<5"} {
		if !strings.Contains(table, want+"\n") {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	out := filepath.Join(dir, "r.html")
	if code, _, errs := reportRun(t, "--merge", a, "--html", out); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	page, _ := os.ReadFile(out)
	if !strings.Contains(string(page), "&lt;5") || strings.Contains(string(page), ">2<") || strings.Contains(string(page), ">8<") {
		t.Errorf("the HTML report shows a small count or one recoverable from the total")
	}
}

// TestReportBusyWeek draws a fleet report of two busy kiosks; with
// -report.html FILE it is kept to be looked at.
func TestReportBusyWeek(t *testing.T) {
	dir := t.TempDir()
	var csvs []string
	for i, id := range []string{"osh-airport-01", "tashkent-station-02"} {
		state := usageState(t, func(u *usagedb.Counter, at func(time.Time)) { busyWeek(u, at, i+1) })
		code, csv, errs := reportRun(t, "--state", state, "--csv")
		if code != exitOK {
			t.Fatalf("csv: %s", errs)
		}
		csv = strings.ReplaceAll(csv, "unprovisioned,", id+",")
		p := filepath.Join(dir, id+".csv")
		os.WriteFile(p, []byte(csv), 0o644)
		csvs = append(csvs, p)
	}
	out := *reportHTML
	if out == "" {
		out = filepath.Join(dir, "fleet.html")
	}
	code, _, errs := reportRun(t, append(append([]string{"--merge"}, csvs...), "--html", out, "--tz", "Asia/Bishkek")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
}
