package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"sapar/kiosk/metrics"
	"sapar/kiosk/slipprinter"
	"sapar/systemd/fleet/fleettest"
)

// BenchmarkFleetSimulation feeds one victoria-metrics the series of many
// simulated kiosks — each the kiosk's own registry (kiosk/metrics) with its
// labels, scraped every minute of simulated time while simulated people
// use it — and measures what an MRC needs to size its server: ingestion
// rate, the database's memory and disk, the fleet report's time and each
// alert rule's query time. SAPAR_FLEET_SIM_KIOSKS (default 100) and
// SAPAR_FLEET_SIM_DAYS (default 1) scale it; the size is 1000 and
// 365 (hours of a big machine).
//
//	go test ./kiosk/cmd/sapar -run '^$' -bench FleetSimulation -benchtime 1x
func BenchmarkFleetSimulation(b *testing.B) {
	fleettest.Need(b, "victoria-metrics")
	kiosks := envIntB(b, "SAPAR_FLEET_SIM_KIOSKS", 100)
	days := envIntB(b, "SAPAR_FLEET_SIM_DAYS", 1)
	dir := b.TempDir()
	addr := fleettest.FreeAddr(b)
	vm := fleettest.VictoriaMetrics(b, filepath.Join(dir, "vm"), addr)
	end := time.Now().Truncate(time.Minute)
	start := end.Add(-time.Duration(days) * 24 * time.Hour)
	cities := []struct{ city, kind string }{{"Osh", "airport"}, {"Bishkek", "station"}, {"Tashkent", "market"}, {"Nukus", "mrc-office"}, {"Samarkand", "station"}}
	guides := []string{"check-agency-licence", "country-russia", "country-korea", "eps-korea", "human-trafficking", "labour-rights-abroad", "entry-ban-check"}
	langs := []string{"ky", "uz-Latn", "uz-Cyrl", "ru", "en"}
	for b.Loop() {
		var samples int64
		t0 := time.Now()
		for k := range kiosks {
			now := start
			c := cities[k%len(cities)]
			labels := fmt.Sprintf(`kiosk="k%04d",city=%q,place=%q`, k, c.city, c.kind)
			prn := slipprinter.State{OK: true, State: "ready"}
			reg := metrics.New(metrics.Options{Now: func() time.Time { return now },
				Health: metrics.Health{Printer: func() slipprinter.State { return prn }, BuildTime: start.Add(-time.Hour)}})
			var body bytes.Buffer
			flush := func() {
				if body.Len() == 0 {
					return
				}
				resp, err := http.Post("http://"+addr+"/api/v1/import/prometheus", "text/plain", &body)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				body.Reset()
			}
			for i := 0; now.Before(end); i++ {
				// People: a few an hour in the day, more at a busy place.
				if h := now.Hour(); h >= 7 && h <= 21 && i%(7+k%5) == 0 {
					l := langs[(i/7+k)%len(langs)]
					reg.SessionEvent("start", "")
					reg.SessionEvent("language", l)
					reg.GuideOpened(guides[(i+k)%len(guides)], l, []string{"preparing"}, "browse")
					reg.Searched(l, i%3 != 0)
					if i%4 == 0 {
						reg.Printed(guides[(i+k)%len(guides)], l, "", false)
						prn.Slips++
					}
				}
				samples += appendScrape(b, &body, reg, labels, now)
				if body.Len() > 4<<20 {
					flush()
				}
				now = now.Add(time.Minute)
			}
			flush()
		}
		ingest := time.Since(t0)
		b.ReportMetric(float64(samples)/ingest.Seconds(), "samples/s")
		b.Logf("%d kiosks × %d days: %d samples in %v (%.0f samples/s, importing over HTTP from this process)", kiosks, days, samples, ingest.Round(time.Second), float64(samples)/ingest.Seconds())
		http.Get("http://" + addr + "/internal/force_flush")
		time.Sleep(2 * time.Second)
		b.Logf("victoria-metrics RSS %.0f MB, data dir %.1f MB", procRSS(vm.Pid())/1e6, duBytes(filepath.Join(dir, "vm"))/1e6)

		// The fleet report over the whole period, by city.
		from, to := start.UTC().Format(time.DateOnly), end.UTC().Format(time.DateOnly)
		t1 := time.Now()
		var out, errs bytes.Buffer
		if code := dispatch(context.Background(), []string{"report", "--prometheus", "http://" + addr, "--by", "city", "--table", "--tz", "UTC", "--from", from, "--to", to}, &out, &errs); code != 0 {
			b.Fatalf("report: %s", errs.String())
		}
		b.Logf("sapar report --prometheus --by city --table: %v (%d lines)", time.Since(t1).Round(time.Millisecond), strings.Count(out.String(), "\n"))
		b.ReportMetric(time.Since(t1).Seconds(), "report-s")

		// Each alert rule's query at this size.
		raw, err := os.ReadFile("../../../systemd/fleet/rules/sapar-alerts.yml")
		if err != nil {
			b.Fatal(err)
		}
		var rf struct {
			Groups []struct {
				Rules []struct {
					Alert string `yaml:"alert"`
					Expr  string `yaml:"expr"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal(raw, &rf); err != nil {
			b.Fatal(err)
		}
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				t2 := time.Now()
				if _, err := fleettest.Query(addr, r.Expr); err != nil {
					b.Errorf("%s: %v", r.Alert, err)
				}
				b.Logf("rule %-20s %v", r.Alert, time.Since(t2).Round(time.Millisecond))
			}
		}
	}
}

// appendScrape writes one scrape of reg in VictoriaMetrics' import format
// (text format with the kiosk's labels and a timestamp), keeping what the
// push agent keeps; it returns the number of samples.
func appendScrape(b *testing.B, w *bytes.Buffer, reg *metrics.Registry, labels string, at time.Time) int64 {
	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	var n int64
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || !(strings.HasPrefix(line, "sapar_") || strings.HasPrefix(line, "process_start") || strings.HasPrefix(line, "process_resident")) {
			continue
		}
		name, rest, ok := strings.Cut(line, " ")
		if i := strings.IndexByte(line, '}'); i > 0 {
			name, rest = line[:i], strings.TrimSpace(line[i+1:])
			name = name + "," + labels + "}"
		} else if ok {
			name = name + "{" + labels + "}"
		}
		if strings.HasPrefix(name, "sapar_content_age") || strings.HasPrefix(name, "sapar_http_requests") || strings.HasPrefix(name, "sapar_update_last_success_age") {
			continue
		}
		w.WriteString(name + " " + rest + " " + ts + "\n")
		n++
	}
	return n
}

func procRSS(pid int) float64 {
	raw, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(raw), "\n") {
		if kb, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			v, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 64)
			return v * 1024
		}
	}
	return 0
}

func duBytes(dir string) float64 {
	out, err := exec.Command("du", "-sb", dir).Output()
	if err != nil {
		return 0
	}
	v, _ := strconv.ParseFloat(strings.Fields(string(out))[0], 64)
	return v
}

func envIntB(b *testing.B, name string, def int) int {
	if s := os.Getenv(name); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a positive number", name, s)
		}
		return n
	}
	return def
}
