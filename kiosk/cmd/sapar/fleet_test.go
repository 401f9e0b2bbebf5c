package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/kiosk/internal/kiosktest"
	"sapar/kiosk/metrics/pushagent"
	"sapar/kiosk/web/httpx"
	"sapar/provisioning"
	"sapar/systemd/fleet/fleettest"
)

// A fleet on loopback: N kiosks (`sapar run`, in-process, each with its
// own state, emulated printer and `sapar push-metrics` running Debian's
// vmagent) push into one Debian victoria-metrics; vmalert evaluates the
// repository's alert rules into prometheus-alertmanager.
//
// SAPAR_FLEET_KIOSKS (default 6; the 20 works but takes 2 cores for
// a while) and SAPAR_FLEET_OUTAGE (default 20s; 2m is the issue's) tune it.
// The figures (bytes pushed per kiosk and day, agent memory, SD writes
// online and during the outage, paper out → alert) are logged.
func TestFleet(t *testing.T) {
	fleettest.Need(t, "victoria-metrics", "vmagent", "vmalert", "prometheus-alertmanager")
	if testing.Short() {
		t.Skip("the fleet test runs minutes of real time")
	}
	n := envInt(t, "SAPAR_FLEET_KIOSKS", 6)
	outage := envDuration(t, "SAPAR_FLEET_OUTAGE", 20*time.Second)
	const interval = 2 * time.Second
	// Batching as in production (5 scrapes a request) for the bytes figure;
	// the alert and outage checks hold either way.
	sendEvery := envDuration(t, "SAPAR_FLEET_SEND_EVERY", interval)
	ctx := context.Background()
	dir := t.TempDir()

	vmAddr := fleettest.FreeAddr(t)
	vmData := filepath.Join(dir, "vm")
	vm := fleettest.VictoriaMetrics(t, vmData, vmAddr)
	amAddr, alertAddr := fleettest.FreeAddr(t), fleettest.FreeAddr(t)
	amConf := shortened(t, dir, "../../../systemd/fleet/alertmanager.yml", `group_wait: 30s`, `group_wait: 1s`)
	fleettest.Alertmanager(t, dir, amAddr, amConf)
	rules := shortened(t, dir, "../../../systemd/fleet/rules/sapar-alerts.yml", `for: 2m`, `for: 0s`)
	rules = shortened(t, dir, rules, `interval: 1m`, `interval: 1s`)
	va := fleettest.Vmalert(t, alertAddr, rules, vmAddr, amAddr, time.Second)

	key := filepath.Join(dir, "mrc.key")
	if code, _, errs := runSapar(t, ctx, "provision", "keygen", "--out", key); code != 0 {
		t.Fatalf("keygen: %s", errs)
	}
	token := filepath.Join(dir, "fleet-token")
	os.WriteFile(token, []byte("kiosk-secret\n"), 0o600)
	cities := []struct{ city, kind string }{{"Osh", "airport"}, {"Bishkek", "station"}, {"Tashkent", "market"}, {"Nukus", "mrc-office"}}
	kiosks := make([]*fleetKiosk, n)
	var wg sync.WaitGroup
	for i := range kiosks {
		c := cities[i%len(cities)]
		k := &fleetKiosk{id: fmt.Sprintf("k%02d-%s", i, strings.ToLower(c.city)), city: c.city, kind: c.kind}
		k.provision(t, ctx, dir, key, fmt.Sprintf(`fleet:
  remote_write: http://%s/api/v1/write
  interval: %s
  send_every: %s
  bearer_token_file: %s
  buffer_mb: 16
`, vmAddr, interval, sendEvery, token))
		kiosks[i] = k
		wg.Add(1)
		go func() { defer wg.Done(); k.start(t, key+".pub") }()
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, k := range kiosks {
			k.stop()
		}
	})

	// Every kiosk's series arrive, with its id, city and place kind.
	waitQuery(t, vmAddr, `count by (kiosk, city, place) (sapar_uptime_seconds)`, 90*time.Second, func(s []fleettest.Sample) bool { return len(s) == n })
	got, _ := fleettest.Query(vmAddr, `count by (kiosk, city, place) (sapar_uptime_seconds)`)
	for _, k := range kiosks {
		found := false
		for _, s := range got {
			found = found || s.Labels["kiosk"] == k.id && s.Labels["city"] == k.city && s.Labels["place"] == k.kind
		}
		if !found {
			t.Errorf("no series of %s (%s, %s) in the fleet database: %v", k.id, k.city, k.kind, got)
		}
	}

	// People use every kiosk before, during and after an outage of the
	// fleet database; afterwards its counts equal the events made.
	round := func(r int) {
		var wg sync.WaitGroup
		for i, k := range kiosks {
			wg.Add(1)
			go func() { defer wg.Done(); k.use(t, 1+(i+r)%3) }()
		}
		wg.Wait()
	}
	round(0)
	time.Sleep(2 * interval)
	ioBefore := kiosks[0].agentDisk(t)
	sent0, scrapes0 := kiosks[0].agentSent(t)
	online0 := time.Now()
	time.Sleep(max(outage/2, 5*sendEvery))
	ioOnline := kiosks[0].agentDisk(t) - ioBefore
	sent1, scrapes1 := kiosks[0].agentSent(t)
	perScrape := (sent1 - sent0) / max(scrapes1-scrapes0, 1)
	onlineFor := time.Since(online0)

	vm.Stop()
	down := time.Now()
	ioDown := kiosks[0].agentDisk(t)
	for r := 1; time.Since(down) < outage; r++ {
		round(r)
		time.Sleep(interval)
	}
	ioOutage := kiosks[0].agentDisk(t) - ioDown
	outageFor := time.Since(down)
	vm = fleettest.VictoriaMetrics(t, vmData, vmAddr)
	up := time.Now()
	round(99)
	for _, k := range kiosks {
		want := k.opens
		waitQuery(t, vmAddr, fmt.Sprintf(`sum(sapar_guides_opened_total{kiosk=%q})`, k.id), 3*time.Minute,
			func(s []fleettest.Sample) bool { return len(s) == 1 && s[0].Value == float64(want) })
	}
	// Nothing was lost in the outage: the samples scraped while the
	// database was down arrive from the kiosks' buffers (each block retried
	// with its own backoff, up to a minute).
	end := down.Add(outageFor)
	want := outageFor.Seconds()/interval.Seconds() - 1
	for _, k := range kiosks {
		q := fmt.Sprintf(`count_over_time(sapar_uptime_seconds{kiosk=%q}[%ds])`, k.id, int(outageFor.Seconds()))
		var s []fleettest.Sample
		var err error
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
			if s, err = queryAt(vmAddr, q, end); err == nil && len(s) == 1 && s[0].Value >= want {
				break
			}
		}
		if err != nil || len(s) != 1 {
			t.Fatalf("%s: %v %v", q, s, err)
		}
		if s[0].Value < want {
			raw, _ := rawSamples(vmAddr, fmt.Sprintf(`sapar_uptime_seconds{kiosk=%q}`, k.id), down.Add(-10*time.Second), end.Add(10*time.Second))
			t.Logf("push-metrics log: %s", k.pushLog.String())
			t.Logf("outage %v … %v; samples: %s", down.Format("15:04:05.0"), end.Format("15:04:05.0"), raw)
			t.Errorf("%s: %v samples from the %v outage, want at least %.0f", k.id, s[0].Value, outageFor.Round(time.Second), want)
		}
		for _, m := range []struct {
			q    string
			want int
		}{
			{fmt.Sprintf(`sum(sapar_searches_total{kiosk=%q})`, k.id), k.searches},
			{fmt.Sprintf(`sum(sapar_session_events_total{kiosk=%q,event="start"})`, k.id), k.sessions},
		} {
			s, err := fleettest.Query(vmAddr, m.q)
			if err != nil || len(s) != 1 || s[0].Value != float64(m.want) {
				t.Errorf("%s = %v (%v), want %d", m.q, s, err, m.want)
			}
		}
	}

	catchUp := time.Since(up)

	// Paper out on one kiosk's emulated printer: the alert reaches
	// Alertmanager through vmalert.
	k0 := kiosks[0]
	k0.v.SetPaperOut(true)
	out := time.Now()
	k0.print(t)
	var alertAfter time.Duration
	deadline := time.Now().Add(60 * time.Second)
	for alertAfter == 0 && time.Now().Before(deadline) {
		as, _ := fleettest.Alerts(ctx, amAddr)
		for _, a := range as {
			if a["alertname"] == "PrinterPaperOut" && a["kiosk"] == k0.id && a["city"] == k0.city {
				alertAfter = time.Since(out)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if alertAfter == 0 {
		for _, q := range []string{`sapar_printer_paper_out`, `sapar_printer_state == 1`, `sapar_print_failures_total`} {
			s, err := fleettest.Query(vmAddr, q)
			t.Logf("%s: %v %v", q, s, err)
		}
		t.Logf("vmalert: %s", va.Log())
		t.Fatalf("no PrinterPaperOut for %s in Alertmanager within 60 s", k0.id)
	}

	// The figures.
	rss := k0.agentRSS(t)
	t.Logf("fleet of %d kiosks, scrape interval %v (test), outage %v, all buffered samples in %v after the database came back ", n, interval, outageFor.Round(time.Second), catchUp.Round(time.Second))
	t.Logf("bytes pushed while online (remote-write bodies, sent every %v): %.0f per scrape → %.0f KB per kiosk per day at the default 60 s (goal ≤ 1 MB)", sendEvery, perScrape, perScrape*1440/1000)
	if s, err := fleettest.Query(vmAddr, fmt.Sprintf(`count({kiosk=%q})`, k0.id)); err == nil && len(s) == 1 {
		t.Logf("series pushed per kiosk: %.0f", s[0].Value)
	}
	t.Logf("push agent RSS: %.1f MB", rss/1e6)
	t.Logf("push agent disk writes: %.0f B/h online, %.0f B/h during the outage (at %v scrapes; at 60 s divide by 30)",
		ioOnline/onlineFor.Hours(), ioOutage/outageFor.Hours(), interval)
	t.Logf("paper out → PrinterPaperOut in Alertmanager: %v (test: scrape 2 s, rule for: 0s, evaluation 1 s)", alertAfter.Round(100*time.Millisecond))

	// The failed print reaches the fleet too, before the kiosks stop.
	waitQuery(t, vmAddr, fmt.Sprintf(`sum(sapar_print_failures_total{kiosk=%q,reason="paper-out"})`, k0.id), 2*time.Minute,
		func(s []fleettest.Sample) bool { return len(s) == 1 && s[0].Value == 1 })
	time.Sleep(2 * sendEvery)

	// The fleet report equals the sum of the kiosks' own reports, small
	// counts suppressed in both.
	for _, k := range kiosks {
		k.stop() // flushes usage.db
	}
	var csvs []string
	for _, k := range kiosks {
		f := filepath.Join(dir, k.id+".csv")
		if code, _, errs := runSapar(t, ctx, "report", "--state", k.state, "--csv", "--out", f); code != 0 {
			t.Fatalf("report %s: %s", k.id, errs)
		}
		csvs = append(csvs, f)
	}
	day := time.Now().UTC().Format(time.DateOnly)
	args := append([]string{"report", "--merge"}, csvs...)
	code, merged, errs := runSapar(t, ctx, append(args, "--table", "--tz", "UTC", "--from", day, "--to", day)...)
	if code != 0 {
		t.Fatalf("report --merge: %s", errs)
	}
	code, fleet, errs := runSapar(t, ctx, "report", "--prometheus", "http://"+vmAddr, "--table", "--tz", "UTC", "--from", day, "--to", day)
	if code != 0 {
		t.Fatalf("report --prometheus: %s", errs)
	}
	if fleet != merged {
		_, raw, _ := runSapar(t, ctx, "report", "--prometheus", "http://"+vmAddr, "--csv", "--tz", "UTC", "--from", day, "--to", day)
		t.Logf("fleet raw rows:\n%s", raw)
		for _, q := range []string{`sapar_print_failures_total`, `increase(sapar_print_failures_total[1h])`, `sum by (reason, kiosk) (increase(sapar_print_failures_total[30m]))`} {
			s, err := fleettest.Query(vmAddr, q)
			t.Logf("%s: %v %v", q, s, err)
		}
		t.Errorf("fleet report from the database:\n%s\n≠ the kiosks' own reports added up:\n%s", fleet, merged)
	}
	if !strings.Contains(fleet, "<5") {
		t.Errorf("no small count suppressed in:\n%s", fleet)
	}
}

type fleetKiosk struct {
	id, city, kind string
	state, base    string
	agent          string // push agent's loopback address
	v              *emulator.Virtual
	cancel         context.CancelFunc
	done           chan struct{}
	token          string
	pushLog        kiosktest.SyncBuffer

	mu                        sync.Mutex
	opens, searches, sessions int
}

func (k *fleetKiosk) provision(t *testing.T, ctx context.Context, dir, key, fleet string) {
	t.Helper()
	prof, _ := escpos.ProfileByName("TM-T20III")
	link := filepath.Join(dir, k.id+"-printer")
	v, err := emulator.NewVirtual(emulator.VirtualOpts{Profile: prof, Link: link})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	k.v = v
	raw, err := os.ReadFile("../../../provisioning/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	site := string(raw)
	site = site[:strings.Index(site, "\nfleet:")+1] + fleet
	for old, new := range map[string]string{
		"id: osh-airport-01": "id: " + k.id, "city: Osh": "city: " + k.city, "kind: airport ": "kind: " + k.kind + " ",
		"/dev/serial/by-id/usb-EPSON_TM-T20III-if00": v.DevicePath(), `listen: "0.0.0.0:9464"`: `listen: "` + kiosktest.FreeAddr(t) + `"`,
	} {
		if !strings.Contains(site, old) {
			t.Fatalf("example.yaml lacks %q", old)
		}
		site = strings.Replace(site, old, new, 1)
	}
	file := filepath.Join(dir, k.id+".yaml")
	os.WriteFile(file, []byte(site), 0o644)
	if code, _, errs := runSapar(t, ctx, "provision", "sign", "--key", key, file); code != 0 {
		t.Fatalf("sign: %s", errs)
	}
	k.state = filepath.Join(dir, k.id)
	if code, _, errs := runSapar(t, ctx, "provision", "--state", k.state, "--file", file, "--pubkey", key+".pub"); code != 0 {
		t.Fatalf("provision: %s", errs)
	}
}

// start runs `sapar run` and `sapar push-metrics` as their units do.
func (k *fleetKiosk) start(t *testing.T, pub string) {
	addr := kiosktest.FreeAddr(t)
	k.agent = fleettest.FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	k.cancel, k.done = cancel, make(chan struct{})
	var runOut, runErr, pushOut kiosktest.SyncBuffer
	pushErr := &k.pushLog
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		dispatch(ctx, []string{"run", "--state", k.state, "--provisioning-key", pub, "--addr", addr,
			"--usb", "", "--content-seed", filepath.Join(k.state, "no-seed"), "--no-window"}, &runOut, &runErr)
	}()
	k.base = "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := http.Get(k.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Errorf("%s not healthy:\n%s", k.id, runErr.String())
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	go func() {
		defer wg.Done()
		if code := dispatch(ctx, []string{"push-metrics", "--state", k.state, "--provisioning-key", pub, "--addr", addr, "--listen", k.agent}, &pushOut, pushErr); code != 0 && ctx.Err() == nil {
			t.Errorf("%s: push-metrics exited %d:\n%s", k.id, code, pushErr.String())
		}
	}()
	go func() { wg.Wait(); close(k.done) }()
	c := &kiosktest.Client{T: t, Base: k.base}
	k.token = c.BootToken("/")
}

func (k *fleetKiosk) stop() {
	if k.cancel == nil {
		return
	}
	k.cancel()
	select {
	case <-k.done:
	case <-time.After(30 * time.Second):
	}
	k.cancel = nil
}

// use is n people each starting a session, opening a guide and searching.
func (k *fleetKiosk) use(t *testing.T, n int) {
	c := &kiosktest.Client{T: t, Base: k.base}
	hdr := map[string]string{httpx.TokenHeader: k.token}
	for range n {
		if code, body := c.Do("POST", "/api/session", hdr, map[string]string{"event": "start"}); code != http.StatusNoContent {
			t.Errorf("%s: session: %d %s", k.id, code, body)
		}
		if code, _ := c.Do("GET", "/api/guides/check-agency-licence?lang=ky&from=browse", nil, nil); code != 200 {
			t.Errorf("%s: guide: %d", k.id, code)
		}
		if code, _ := c.Do("GET", "/api/search?lang=ru&q="+url.QueryEscape("работа"), nil, nil); code != 200 {
			t.Errorf("%s: search: %d", k.id, code)
		}
		k.mu.Lock()
		k.sessions++
		k.opens++
		k.searches++
		k.mu.Unlock()
	}
}

func (k *fleetKiosk) print(t *testing.T) {
	c := &kiosktest.Client{T: t, Base: k.base}
	code, body := c.Do("POST", "/api/print", map[string]string{httpx.TokenHeader: k.token}, map[string]string{"topic": "check-agency-licence", "lang": "ky"})
	if code != http.StatusAccepted {
		t.Errorf("%s: print: %d %s", k.id, code, body)
	}
}

// agentPid finds this kiosk's vmagent (a child of the test process).
func (k *fleetKiosk) agentPid(t *testing.T) int {
	t.Helper()
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if strings.Contains(string(cmd), "vmagent") && strings.Contains(string(cmd), "-httpListenAddr="+k.agent) {
			return pid
		}
	}
	t.Fatalf("%s: no vmagent process", k.id)
	return 0
}

// agentDisk is the bytes vmagent wrote to its disk buffer so far, plus
// what push-metrics wrote (scrape.yml and status.json).
func (k *fleetKiosk) agentDisk(t *testing.T) float64 {
	f, err := provisioning.FetchFleetAgent(context.Background(), http.DefaultClient, k.agent)
	if err != nil {
		t.Fatal(err)
	}
	var own float64
	for _, name := range []string{"scrape.yml", provisioning.FleetStatusFile} {
		if fi, err := os.Stat(filepath.Join(pushagent.Dir(k.state), name)); err == nil {
			own += float64(fi.Size())
		}
	}
	return f.PersistentBytes + own
}

// agentSent is the remote-write body bytes sent so far, and the scrapes.
func (k *fleetKiosk) agentSent(t *testing.T) (sent, scrapes float64) {
	f, err := provisioning.FetchFleetAgent(context.Background(), http.DefaultClient, k.agent)
	if err != nil {
		t.Fatal(err)
	}
	return f.BytesSent, f.ScrapesOK
}

func (k *fleetKiosk) agentRSS(t *testing.T) (rss float64) {
	st, _ := os.Open(fmt.Sprintf("/proc/%d/status", k.agentPid(t)))
	defer st.Close()
	sc := bufio.NewScanner(st)
	for sc.Scan() {
		if kb, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			v, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 64)
			rss = v * 1024
		}
	}
	return rss
}

// shortened copies a fleet config with one setting shortened for the test.
func shortened(t *testing.T, dir, src, old, new string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s lacks %q", src, old)
	}
	out := filepath.Join(dir, filepath.Base(src))
	os.WriteFile(out, []byte(strings.ReplaceAll(string(b), old, new)), 0o644)
	return out
}

func waitQuery(t *testing.T, addr, q string, d time.Duration, ok func([]fleettest.Sample) bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	var last []fleettest.Sample
	var err error
	for time.Now().Before(deadline) {
		if last, err = fleettest.Query(addr, q); err == nil && ok(last) {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s: %v (%v) after %v", q, last, err, d)
}

// rawSamples lists a series' samples (export API of VictoriaMetrics).
func rawSamples(addr, sel string, from, to time.Time) (string, error) {
	resp, err := http.Get("http://" + addr + "/api/v1/export?" + url.Values{"match[]": {sel}, "start": {strconv.FormatInt(from.Unix(), 10)}, "end": {strconv.FormatInt(to.Unix(), 10)}}.Encode())
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func queryAt(addr, q string, at time.Time) ([]fleettest.Sample, error) {
	return fleettest.QueryAt(addr, q, at)
}

func envInt(t *testing.T, name string, def int) int {
	if s := os.Getenv(name); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", name, s)
		}
		return n
	}
	return def
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	if s := os.Getenv(name); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("%s=%q: want a duration like 2m", name, s)
		}
		return d
	}
	return def
}

// push-metrics as sapar-metrics.service runs it: no fleet: section says so
// and exits 0 (the unit stays inactive); with one, --print shows the agent.
func TestPushMetricsCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := filepath.Join(dir, "mrc.key")
	if code, _, errs := runSapar(t, ctx, "provision", "keygen", "--out", key); code != 0 {
		t.Fatalf("keygen: %s", errs)
	}
	raw, err := os.ReadFile("../../../provisioning/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	full := strings.Replace(string(raw), "/dev/serial/by-id/usb-EPSON_TM-T20III-if00", "/dev/ttyUSB97", 1)
	for _, tc := range []struct {
		name, site string
		args       []string
		want       string
	}{
		{"no fleet section", full[:strings.Index(full, "\nfleet:")+1], nil, "no fleet: section: nothing to push"},
		{"the agent's command line", full, []string{"--print"}, "-remoteWrite.label=kiosk=osh-airport-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "site.yaml")
			os.WriteFile(file, []byte(tc.site), 0o644)
			if code, _, errs := runSapar(t, ctx, "provision", "sign", "--key", key, file); code != 0 {
				t.Fatalf("sign: %s", errs)
			}
			state := filepath.Join(t.TempDir(), "state")
			if code, _, errs := runSapar(t, ctx, "provision", "--state", state, "--file", file, "--pubkey", key+".pub"); code != 0 {
				t.Fatalf("provision: %s", errs)
			}
			code, out, errs := runSapar(t, ctx, append([]string{"push-metrics", "--state", state, "--provisioning-key", key + ".pub"}, tc.args...)...)
			if code != exitOK || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 0 saying %q", code, out, errs, tc.want)
			}
		})
	}
	if code, _, _ := runSapar(t, ctx, "push-metrics"); code != exitUsage {
		t.Errorf("push-metrics without --state: exit %d, want %d", code, exitUsage)
	}
}

// A fleet database that answers 500, then garbage, then comes good: the
// kiosk keeps serving, push-metrics logs the failure once, sapar doctor
// shows the link failing with what waits on disk, and both recover.
func TestPushAgentBadDatabase(t *testing.T) {
	fleettest.Need(t, "vmagent")
	if testing.Short() {
		t.Skip("runs real time")
	}
	ctx := context.Background()
	var mu sync.Mutex
	mode, writes := "500", 0
	db := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		defer mu.Unlock()
		switch mode {
		case "500":
			http.Error(w, "database on fire", http.StatusInternalServerError)
		case "garbage":
			w.WriteHeader(http.StatusTeapot)
			w.Write([]byte("\x00\x01<html>not a database</html>"))
		default:
			writes++
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer db.Close()
	dir := t.TempDir()
	key := filepath.Join(dir, "mrc.key")
	if code, _, errs := runSapar(t, ctx, "provision", "keygen", "--out", key); code != 0 {
		t.Fatalf("keygen: %s", errs)
	}
	k := &fleetKiosk{id: "osh-airport-01", city: "Osh", kind: "airport"}
	k.provision(t, ctx, dir, key, fmt.Sprintf("fleet:\n  remote_write: %s/api/v1/write\n  interval: 1s\n  send_every: 1s\n", db.URL))
	k.start(t, key+".pub")
	defer k.stop()
	if t.Failed() {
		return
	}
	doctor := func() string {
		_, out, _ := runSapar(t, ctx, "doctor", "--state", k.state)
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "fleet") {
				return l
			}
		}
		return out
	}
	kiosktest.WaitFor(t, "the link failing", 30*time.Second, func() bool { return strings.Contains(doctor(), "failing") })
	if d := doctor(); !strings.HasPrefix(d, "WARN") || !strings.Contains(d, "500") {
		t.Errorf("doctor: %q, want WARN with the server's answer", d)
	}
	if resp, err := http.Get(k.base + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("the kiosk stopped serving while its fleet link failed: %v", err)
	}
	mu.Lock()
	mode = "garbage"
	mu.Unlock()
	time.Sleep(3 * time.Second)
	mu.Lock()
	mode = "ok"
	mu.Unlock()
	kiosktest.WaitFor(t, "the link back", 90*time.Second, func() bool { return strings.HasPrefix(doctor(), "PASS") })
	log := k.pushLog.String()
	if n := strings.Count(log, "fleet link failing"); n != 1 {
		t.Errorf("%d 'fleet link failing' lines, want 1:\n%s", n, log)
	}
	if !strings.Contains(log, "fleet link ok") {
		t.Errorf("no line saying the link is back:\n%s", log)
	}
	if n := strings.Count(log, "\n"); n > 20 {
		t.Errorf("%d log lines for one failure:\n%s", n, log)
	}
}
